"""Audit actions of console (tenants, sign-in, people, API clients, support access), declared once:
services pass these to ``audit_record``.

The strings are stored in audit rows and filtered on, so they never change once shipped.
"""

from __future__ import annotations

from typing import Final

TENANT_CREATED: Final = "tenant.created"
TENANT_SECURITY_CHANGED: Final = "tenant.security_changed"
USER_TWO_FACTOR_ENABLED: Final = "user.two_factor_enabled"
SIGNIN_LOCKED: Final = "signin.locked"  # one address locked out of one account
SIGNIN_SLOWED: Final = "signin.slowed"  # failures from many addresses slow an account's sign-in down
SIGNIN_ADDRESS_LOCKED: Final = "signin.address_locked"  # one address locked out of every account
INVITATION_CREATED: Final = "invitation.created"
INVITATION_REVOKED: Final = "invitation.revoked"
MEMBERSHIP_CREATED: Final = "membership.created"
MEMBERSHIP_ROLE_CHANGED: Final = "membership.role_changed"
MEMBERSHIP_REMOVED: Final = "membership.removed"
API_CLIENT_CREATED: Final = "api_client.created"
API_CLIENT_REVOKED: Final = "api_client.revoked"
API_CLIENT_ROTATED: Final = "api_client.rotated"
SUPPORT_REQUEST_CREATED: Final = "support_request.created"
SUPPORT_REQUEST_APPROVED: Final = "support_request.approved"
SUPPORT_REQUEST_DENIED: Final = "support_request.denied"
SUPPORT_REQUEST_EXPIRED: Final = "support_request.expired"
SUPPORT_GRANT_CREATED: Final = "support_grant.created"
SUPPORT_GRANT_BREAK_GLASS: Final = "support_grant.break_glass"
SUPPORT_GRANT_REVOKED: Final = "support_grant.revoked"
SUPPORT_GRANT_EXPIRED: Final = "support_grant.expired"
SUPPORT_SESSION_STARTED: Final = "support_session.started"
SUPPORT_SESSION_ENDED: Final = "support_session.ended"
NOTIFICATION_READ: Final = "notification.read"
NOTIFICATION_ALL_READ: Final = "notification.all_read"

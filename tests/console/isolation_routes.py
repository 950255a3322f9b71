"""Console's routes with object ids, registered for the generic isolation test (tests/isolation.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from console.access import Actor
from console.inbox.services import notification_record
from console.models import Role, SupportGrant, Tenant, VendorRole
from console.people.services import invitation_create
from console.support.services import support_request_create
from tests.factories import UserFactory, api_client_with_token, member
from tests.isolation import exempt, register


@register("api-member", "console-member-role", "console-member-remove")
def _membership(tenant: Tenant) -> dict[str, Any]:
    user = member(tenant, Role.VIEWER)
    return {"pk": user.memberships.get(tenant=tenant).pk}


@register("api-invitation", "console-invitation-revoke")
def _invitation(tenant: Tenant) -> dict[str, Any]:
    issued = invitation_create(
        tenant=tenant, actor=Actor.system("test"), email=f"new-{tenant.slug}@example.test", role=Role.VIEWER
    )
    return {"pk": issued.invitation.pk}


@register(
    "api-api-client",
    "api-api-client-rotate",
    "console-api-client-revoke",
    "console-api-client-rotate",
)
def _api_client(tenant: Tenant) -> dict[str, Any]:
    client, _ = api_client_with_token(tenant, ["read"], name="acme-automation")
    return {"pk": client.pk}


def _support_staff() -> Any:
    return UserFactory(vendor_role=VendorRole.SUPPORT_ENGINEER)


@register(
    "api-support-request",
    "api-support-request-approve",
    "api-support-request-deny",
    "console-support-request-approve",
    "console-support-request-deny",
)
def _support_request(tenant: Tenant) -> dict[str, Any]:
    request = support_request_create(tenant=tenant, staff=_support_staff(), case_id="C-1", reason="crash")
    return {"pk": request.pk}


@register("api-support-grant", "console-support-grant-revoke")
def _support_grant(tenant: Tenant) -> dict[str, Any]:
    now = timezone.now()
    grant = SupportGrant.objects.create(
        tenant=tenant,
        staff=_support_staff(),
        reason="case",
        starts_at=now,
        expires_at=now + timedelta(hours=2),
    )
    return {"pk": grant.pk}


exempt("password-reset-confirm", "uidb64/token of Django's password reset; tests/console/test_signin.py")
exempt(
    "console-invitation-accept",
    "the secret link itself, not an id; tests/console/test_members.py (single use, expiry, wrong account)",
)
exempt(
    "vendor-grant-enter",
    "a vendor staff member's own grant, looked up by staff; "
    "tests/console/test_support.py::test_it_refuses_entering_another_staff_members_grant",
)


@register("api-notification-read", "console-notification-read")
def _notification(tenant: Tenant) -> dict[str, Any]:
    notification = notification_record(
        tenant_id=tenant.pk, event="rollout.halted", title="Rollout halted: 291.4"
    )
    return {"pk": notification.pk}

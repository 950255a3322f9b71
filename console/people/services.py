from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.errors import Conflict, Forbidden, InvalidInput, NotFound
from console.events import (
    INVITATION_CREATED,
    INVITATION_REVOKED,
    MEMBERSHIP_CREATED,
    MEMBERSHIP_REMOVED,
    MEMBERSHIP_ROLE_CHANGED,
    TENANT_SECURITY_CHANGED,
)
from console.models import ActorKind, Invitation, Membership, Role, Tenant, User
from console.services import expiry_check, hash_secret, mail_on_commit, sockets_notify

INVITATION_DEFAULT_TTL: Final = timedelta(days=7)


INVITATION_MAX_TTL: Final = timedelta(days=30)


def _actor_is_owner(tenant: Tenant, actor: Actor) -> bool:
    if actor.kind != ActorKind.USER or actor.user is None:
        return False
    return Membership.objects.filter(tenant=tenant, user=actor.user, role=Role.OWNER).exists()


def _membership_state(m: Membership) -> dict[str, Any]:
    return {"user": m.user.get_username(), "role": m.role}


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once, in the link

    @property
    def path(self) -> str:
        return f"/invitations/accept/{self.token}/"


def invitation_create(
    *, tenant: Tenant, actor: Actor, email: str, role: str, expires_at: datetime | None = None
) -> IssuedInvitation:
    """Invites ``email`` as ``role``; the link (shown once, mailed) is single use and expires."""
    email = email.strip().lower()
    if role not in Role.values:
        raise InvalidInput("Unknown role.", errors={"role": [f"Choose one of {', '.join(Role.values)}."]})
    if role == Role.OWNER and not _actor_is_owner(tenant, actor):
        raise Forbidden("Only an owner may invite another owner.")
    expiry_check(expires_at, "expires_at", maximum=INVITATION_MAX_TTL)
    now = timezone.now()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exclude(vendor_role="").exists():
            raise InvalidInput(
                "Vendor staff cannot be invited.", errors={"email": ["This is a vendor staff account."]}
            )
        if Membership.objects.filter(tenant=tenant, user__email__iexact=email).exists():
            raise Conflict(f"{email} is already a member.", errors={"email": ["Already a member."]})
        if Invitation.objects.filter(
            tenant=tenant, email=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).exists():
            raise Conflict(
                f"{email} already has a pending invitation.", errors={"email": ["Invitation pending."]}
            )
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            tenant=tenant,
            email=email,
            role=role,
            token_hash=hash_secret(token),
            expires_at=expires_at or now + INVITATION_DEFAULT_TTL,
            created_by=actor.user,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action=INVITATION_CREATED,
            target=invitation,
            after={"email": email, "role": role, "expires_at": invitation.expires_at},
        )
        issued = IssuedInvitation(invitation, token)
        mail_on_commit(
            f"You are invited to {tenant.name}",
            f"{actor.label} invited you to {tenant.name} as {role}.\n"
            f"Accept: {settings.CONSOLE_SITE_URL}{issued.path}\n"
            f"The link works once and expires {invitation.expires_at:%Y-%m-%d %H:%M} UTC.",
            [email],
        )
    return issued


def invitation_revoke(*, tenant: Tenant, actor: Actor, invitation: Invitation) -> Invitation:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk, tenant=tenant)
        if invitation.status != "pending":
            raise Conflict(f"The invitation is {invitation.status}.")
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(tenant=tenant, actor=actor, action=INVITATION_REVOKED, target=invitation)
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("tenant").filter(token_hash=hash_secret(token)).first()


def invitation_accept(*, token: str, user: User, request_actor: Actor | None = None) -> Membership:
    """Makes ``user`` a member; the invitation is used up. The user's e-mail must be the invited one."""
    with transaction.atomic():
        found = invitation_by_token(token)
        if found is None:
            raise NotFound("This invitation link is not valid.")
        invitation = Invitation.objects.select_for_update().select_related("tenant").get(pk=found.pk)
        if invitation.status != "pending":
            raise Conflict(f"This invitation is {invitation.status}.")
        if user.is_vendor_staff:
            raise Forbidden("Vendor staff are members of no tenant; they act only under a support grant.")
        if (user.email or "").lower() != invitation.email:
            raise Forbidden(f"This invitation is for {invitation.email}; sign in with that account.")
        tenant = invitation.tenant
        if Membership.objects.filter(tenant=tenant, user=user).exists():
            raise Conflict("You are already a member of this tenant.")
        membership = Membership.objects.create(tenant=tenant, user=user, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        actor = request_actor or Actor.for_user(user)
        audit_record(
            tenant=tenant,
            actor=actor,
            action=MEMBERSHIP_CREATED,
            target=membership,
            after={**_membership_state(membership), "invitation": str(invitation.pk)},
        )
    return membership


def user_create_for_invitation(*, token: str, password: str, first_name: str = "") -> User:
    """A new account for the invited e-mail (the invitation link proves the address)."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    invitation = invitation_by_token(token)
    if invitation is None or invitation.status != "pending":
        raise NotFound("This invitation link is not valid.")
    if User.objects.filter(username__iexact=invitation.email).exists():
        raise Conflict("An account with this e-mail exists: sign in first.")
    candidate = User(username=invitation.email, email=invitation.email, first_name=first_name)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise InvalidInput("The password is too weak.", errors={"password": list(exc.messages)}) from exc
    candidate.set_password(password)
    candidate.save()
    return candidate


def _lock_owners(tenant: Tenant) -> list[Membership]:
    # Primary-key order: two concurrent demotions lock in the same order and cannot deadlock.
    return list(Membership.objects.select_for_update().filter(tenant=tenant, role=Role.OWNER).order_by("pk"))


def membership_change_role(*, tenant: Tenant, actor: Actor, membership: Membership, role: str) -> Membership:
    """Changes a member's role. Only owners touch ownership; the last owner cannot be demoted."""
    if role not in Role.values:
        raise InvalidInput("Unknown role.", errors={"role": [f"Choose one of {', '.join(Role.values)}."]})
    with transaction.atomic():
        owners = _lock_owners(tenant)
        membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        if (role == Role.OWNER or membership.role == Role.OWNER) and not _actor_is_owner(tenant, actor):
            raise Forbidden("Only an owner may grant or take away ownership.")
        if membership.role == role:
            return membership
        if membership.role == Role.OWNER and len(owners) <= 1:
            raise Conflict(
                "The last owner cannot be demoted: make someone else owner first.",
                errors={"role": ["Last owner."]},
            )
        before = _membership_state(membership)
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action=MEMBERSHIP_ROLE_CHANGED,
            target=membership,
            before=before,
            after=_membership_state(membership),
        )
        sockets_notify(tenant, "membership.changed", membership=str(membership.pk))
    return membership


def membership_remove(*, tenant: Tenant, actor: Actor, membership: Membership) -> None:
    """Removes a member (their open sockets re-check and close). The last owner stays."""
    with transaction.atomic():
        owners = _lock_owners(tenant)
        membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        if membership.role == Role.OWNER:
            if not _actor_is_owner(tenant, actor):
                raise Forbidden("Only an owner may remove an owner.")
            if len(owners) <= 1:
                raise Conflict("The last owner cannot be removed.")
        before = _membership_state(membership)
        audit_record(tenant=tenant, actor=actor, action=MEMBERSHIP_REMOVED, target=membership, before=before)
        membership.delete()
        sockets_notify(tenant, "membership.removed")


def tenant_update_security(*, tenant: Tenant, actor: Actor, require_2fa: bool) -> Tenant:
    """Whether every member must sign in with two factors."""
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if tenant.require_2fa == require_2fa:
            return tenant
        before = {"require_2fa": tenant.require_2fa}
        tenant.require_2fa = require_2fa
        tenant.save(update_fields=["require_2fa"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action=TENANT_SECURITY_CHANGED,
            target=tenant,
            before=before,
            after={"require_2fa": require_2fa},
        )
    return tenant

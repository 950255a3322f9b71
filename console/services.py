"""Writes of the foundation: members, invitations, API clients, support access, tenant security.

Every public function here is ``<entity>_<verb>(*, tenant, actor, ...)``, runs in one transaction,
and writes its AuditEvent in that transaction (never from signals). Domain rules that are not a
matter of "which permission does this HTTP method need" live here, e.g. "the last owner stays".
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.errors import Conflict, Forbidden, InvalidInput, NotFound
from console.models import (
    ActorKind,
    ApiClient,
    ApiScope,
    Invitation,
    Membership,
    Role,
    SupportGrant,
    SupportRequest,
    SupportRequestStatus,
    SupportScope,
    Tenant,
    User,
    VendorRole,
)
from console.realtime import publish_on_commit
from console.tokens import token_generate

INVITATION_DEFAULT_TTL: Final = timedelta(days=7)
INVITATION_MAX_TTL: Final = timedelta(days=30)
SUPPORT_REQUEST_ANSWER_WITHIN: Final = timedelta(hours=12)
SUPPORT_GRANT_MAX_HOURS: Final = 72
SUPPORT_GRANT_DEFAULT_HOURS: Final = 4
BREAK_GLASS_MAX_HOURS: Final = 4
TENANT_API_SCOPES: Final = frozenset({ApiScope.READ, ApiScope.WRITE, ApiScope.PAUSE, ApiScope.ADMIN})
TENANT_API_SCOPE_CHOICES: Final = [(s.value, s.label) for s in ApiScope if s in TENANT_API_SCOPES]
SUPPORT_ROLES: Final = frozenset({VendorRole.SUPPORT_ENGINEER, VendorRole.SUPPORT_LEAD})
EVENTS_TOPIC: Final = "events"


# --- helpers -------------------------------------------------------------------------------------


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _notify_sockets(tenant: Tenant, event: str, **payload: Any) -> None:
    """Open sockets of the tenant re-check their access when this arrives (and close if it ended)."""
    publish_on_commit(tenant.pk, EVENTS_TOPIC, "notify", {"event": event, **payload})


def _actor_is_owner(tenant: Tenant, actor: Actor) -> bool:
    if actor.kind != ActorKind.USER or actor.user is None:
        return False
    return Membership.objects.filter(tenant=tenant, user=actor.user, role=Role.OWNER).exists()


def _membership_state(m: Membership) -> dict[str, Any]:
    return {"user": m.user.get_username(), "role": m.role}


def _future(value: datetime | None, field: str, *, maximum: timedelta | None = None) -> None:
    if value is None:
        return
    if timezone.is_naive(value):
        raise InvalidInput("Times need a timezone.", errors={field: ["Give a timezone offset (e.g. Z)."]})
    now = timezone.now()
    if value <= now:
        raise InvalidInput("The expiry is in the past.", errors={field: ["Must be in the future."]})
    if maximum is not None and value > now + maximum:
        raise InvalidInput("The expiry is too far away.", errors={field: [f"At most {maximum} from now."]})


def _tenant_admin_emails(tenant: Tenant) -> list[str]:
    return [
        e
        for e in Membership.objects.filter(tenant=tenant, role__in=[Role.OWNER, Role.ADMIN])
        .order_by("user__email")
        .values_list("user__email", flat=True)
        if e
    ]


def _mail(subject: str, body: str, to: list[str]) -> None:
    if to:
        transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to))


# --- members and invitations ---------------------------------------------------------------------


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
    _future(expires_at, "expires_at", maximum=INVITATION_MAX_TTL)
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
            token_hash=_hash_secret(token),
            expires_at=expires_at or now + INVITATION_DEFAULT_TTL,
            created_by=actor.user,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="invitation.created",
            target=invitation,
            after={"email": email, "role": role, "expires_at": invitation.expires_at},
        )
        issued = IssuedInvitation(invitation, token)
        _mail(
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
        audit_record(tenant=tenant, actor=actor, action="invitation.revoked", target=invitation)
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("tenant").filter(token_hash=_hash_secret(token)).first()


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
            action="membership.created",
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
            action="membership.role_changed",
            target=membership,
            before=before,
            after=_membership_state(membership),
        )
        _notify_sockets(tenant, "membership.changed", membership=str(membership.pk))
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
        audit_record(
            tenant=tenant, actor=actor, action="membership.removed", target=membership, before=before
        )
        membership.delete()
        _notify_sockets(tenant, "membership.removed")


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
            action="tenant.security_changed",
            target=tenant,
            before=before,
            after={"require_2fa": require_2fa},
        )
    return tenant


# --- API clients ---------------------------------------------------------------------------------


def _validate_client(
    *, name: str, scopes: list[str], expires_at: datetime | None, allowed_ips: list[str]
) -> list[str]:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Give the client a name."]
    bad = [s for s in scopes if s not in TENANT_API_SCOPES]
    if not scopes or bad:
        errors["scopes"] = [f"Choose from {', '.join(sorted(TENANT_API_SCOPES))}."]
    networks: list[str] = []
    for entry in allowed_ips:
        try:
            networks.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
        except ValueError:
            errors.setdefault("allowed_ips", []).append(f"{entry!r} is not an IP address or network.")
    if errors:
        raise InvalidInput("The API client has invalid fields.", errors=errors)
    _future(expires_at, "expires_at")
    return networks


def _client_state(client: ApiClient) -> dict[str, Any]:
    return {
        "name": client.name,
        "prefix": client.prefix,
        "scopes": list(client.scopes),
        "allowed_ips": list(client.allowed_ips),
        "expires_at": client.expires_at,
        "rate_limit_per_minute": client.rate_limit_per_minute,
    }


def api_client_create(
    *,
    tenant: Tenant,
    actor: Actor,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    allowed_ips: list[str] | None = None,
    rate_limit_per_minute: int | None = None,
) -> tuple[ApiClient, str]:
    """A new tenant API client and its token (returned once; only its hash is kept)."""
    networks = _validate_client(
        name=name, scopes=scopes, expires_at=expires_at, allowed_ips=allowed_ips or []
    )
    token, lookup, digest = token_generate()
    with transaction.atomic():
        client = ApiClient.objects.create(
            tenant=tenant,
            name=name.strip(),
            prefix=lookup,
            token_hash=digest,
            scopes=sorted(set(scopes)),
            allowed_ips=networks,
            expires_at=expires_at,
            rate_limit_per_minute=rate_limit_per_minute,
            created_by=actor.user,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="api_client.created",
            target=client,
            after=_client_state(client),
        )
    return client, token


def api_client_revoke(*, tenant: Tenant, actor: Actor, client: ApiClient) -> ApiClient:
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk, tenant=tenant)
        if client.revoked_at is not None:
            return client
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit_record(tenant=tenant, actor=actor, action="api_client.revoked", target=client)
        _notify_sockets(tenant, "api_client.revoked", client=str(client.pk))
    return client


def api_client_rotate(*, tenant: Tenant, actor: Actor, client: ApiClient) -> tuple[ApiClient, str]:
    """A new token for the same client; the old one stops working at once."""
    token, lookup, digest = token_generate()
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk, tenant=tenant)
        if not client.is_active():
            raise Conflict("A revoked or expired client cannot be rotated; create a new one.")
        before = {"prefix": client.prefix}
        client.prefix, client.token_hash = lookup, digest
        client.save(update_fields=["prefix", "token_hash"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="api_client.rotated",
            target=client,
            before=before,
            after={"prefix": lookup},
        )
        _notify_sockets(tenant, "api_client.rotated", client=str(client.pk))
    return client, token


# --- vendor support access -----------------------------------------------------------------------


def _vendor_actor(staff: User, actor: Actor | None) -> Actor:
    if actor is not None:
        return actor
    return Actor(kind=ActorKind.USER, id=str(staff.pk), label=f"{staff.get_username()} (vendor)", user=staff)


def _grant_state(grant: SupportGrant) -> dict[str, Any]:
    return {
        "staff": grant.staff.get_username(),
        "scope": grant.scope,
        "case_id": grant.case_id,
        "reason": grant.reason,
        "starts_at": grant.starts_at,
        "expires_at": grant.expires_at,
        "break_glass": grant.break_glass,
    }


def _support_hours(hours: int, maximum: int, field: str = "duration_hours") -> int:
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= maximum:
        raise InvalidInput("Bad duration.", errors={field: [f"Between 1 and {maximum} hours."]})
    return hours


def support_request_create(
    *,
    tenant: Tenant,
    staff: User,
    case_id: str,
    reason: str,
    scope: str = SupportScope.READ,
    duration_hours: int = SUPPORT_GRANT_DEFAULT_HOURS,
    actor: Actor | None = None,
) -> SupportRequest:
    """The vendor asks ``tenant`` for access; tenant owners/admins are told and answer within 12 h."""
    if staff.vendor_role not in SUPPORT_ROLES:
        raise Forbidden("Only vendor support staff may request access.")
    errors: dict[str, list[str]] = {}
    if not case_id.strip():
        errors["case_id"] = ["A case id is required."]
    if not reason.strip():
        errors["reason"] = ["Say why you need access."]
    if scope not in SupportScope.values:
        errors["scope"] = ["Choose read or operate."]
    if errors:
        raise InvalidInput("The support request has invalid fields.", errors=errors)
    _support_hours(duration_hours, SUPPORT_GRANT_MAX_HOURS)
    actor = _vendor_actor(staff, actor)
    with transaction.atomic():
        request = SupportRequest.objects.create(
            tenant=tenant,
            staff=staff,
            scope=scope,
            case_id=case_id.strip(),
            reason=reason.strip(),
            duration_hours=duration_hours,
            answer_by=timezone.now() + SUPPORT_REQUEST_ANSWER_WITHIN,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="support_request.created",
            target=request,
            after={"scope": scope, "case_id": request.case_id, "duration_hours": duration_hours},
        )
        _notify_sockets(tenant, "support_request.created", request=str(request.pk))
        _mail(
            f"Vendor support asks for access to {tenant.name}",
            f"{staff.get_username()} asks for {scope} access for {duration_hours} h (case {case_id}).\n"
            f"Reason: {reason}\nAnswer at {settings.CONSOLE_SITE_URL}/support/ within 12 hours.",
            _tenant_admin_emails(tenant),
        )
    return request


def _require_tenant_person(actor: Actor) -> User:
    if actor.kind != ActorKind.USER or actor.user is None:
        raise Forbidden("Only a tenant owner or admin (a person) may decide on vendor access.")
    return actor.user


def support_request_approve(*, tenant: Tenant, actor: Actor, request: SupportRequest) -> SupportGrant:
    """Turns a pending request into a grant starting now, for the requested scope and duration."""
    approver = _require_tenant_person(actor)
    with transaction.atomic():
        request = SupportRequest.objects.select_for_update().select_related("staff").get(pk=request.pk)
        now = timezone.now()
        if request.status != SupportRequestStatus.PENDING:
            raise Conflict(f"The request is {request.status}.")
        if request.answer_by <= now:
            raise Conflict("The request expired unanswered; the vendor must ask again.")
        grant = SupportGrant.objects.create(
            tenant=tenant,
            staff=request.staff,
            scope=request.scope,
            case_id=request.case_id,
            reason=request.reason,
            starts_at=now,
            expires_at=now + timedelta(hours=request.duration_hours),
            approved_by=approver,
        )
        request.status, request.decided_by, request.decided_at, request.grant = (
            SupportRequestStatus.APPROVED,
            approver,
            now,
            grant,
        )
        request.save(update_fields=["status", "decided_by", "decided_at", "grant"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="support_request.approved",
            target=request,
            after={"grant": str(grant.pk)},
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="support_grant.created",
            target=grant,
            after=_grant_state(grant),
        )
    return grant


def support_request_deny(*, tenant: Tenant, actor: Actor, request: SupportRequest) -> SupportRequest:
    decider = _require_tenant_person(actor)
    with transaction.atomic():
        request = SupportRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != SupportRequestStatus.PENDING:
            raise Conflict(f"The request is {request.status}.")
        request.status, request.decided_by, request.decided_at = (
            SupportRequestStatus.DENIED,
            decider,
            timezone.now(),
        )
        request.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(tenant=tenant, actor=actor, action="support_request.denied", target=request)
    return request


def support_grant_create(
    *,
    tenant: Tenant,
    actor: Actor,
    staff_username: str,
    reason: str,
    scope: str = SupportScope.READ,
    duration_hours: int = SUPPORT_GRANT_DEFAULT_HOURS,
    case_id: str = "",
) -> SupportGrant:
    """A grant the tenant creates on its own initiative for a named vendor support engineer."""
    approver = _require_tenant_person(actor)
    staff = User.objects.filter(
        username__iexact=staff_username.strip(), vendor_role__in=SUPPORT_ROLES
    ).first()
    errors: dict[str, list[str]] = {}
    if staff is None:
        errors["staff"] = ["No vendor support engineer with this username."]
    if not reason.strip():
        errors["reason"] = ["Say why you grant access."]
    if scope not in SupportScope.values:
        errors["scope"] = ["Choose read or operate."]
    if errors:
        raise InvalidInput("The grant has invalid fields.", errors=errors)
    assert staff is not None
    _support_hours(duration_hours, SUPPORT_GRANT_MAX_HOURS)
    now = timezone.now()
    with transaction.atomic():
        grant = SupportGrant.objects.create(
            tenant=tenant,
            staff=staff,
            scope=scope,
            case_id=case_id.strip(),
            reason=reason.strip(),
            starts_at=now,
            expires_at=now + timedelta(hours=duration_hours),
            approved_by=approver,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="support_grant.created",
            target=grant,
            after=_grant_state(grant),
        )
    return grant


def support_grant_break_glass(
    *,
    tenant: Tenant,
    staff: User,
    justification: str,
    duration_hours: int = BREAK_GLASS_MAX_HOURS,
    scope: str = SupportScope.READ,
    actor: Actor | None = None,
) -> SupportGrant:
    """A support lead's self-granted, read-only, short access; the tenant's admins are told at once."""
    if staff.vendor_role != VendorRole.SUPPORT_LEAD:
        raise Forbidden("Only a support lead may break glass.")
    if scope != SupportScope.READ:
        raise InvalidInput(
            "Break-glass access is read only.", errors={"scope": ["Break-glass is read only."]}
        )
    if not justification.strip():
        raise InvalidInput(
            "A justification is mandatory.", errors={"justification": ["Say why this cannot wait."]}
        )
    _support_hours(duration_hours, BREAK_GLASS_MAX_HOURS)
    actor = _vendor_actor(staff, actor)
    now = timezone.now()
    with transaction.atomic():
        grant = SupportGrant.objects.create(
            tenant=tenant,
            staff=staff,
            scope=SupportScope.READ,
            reason=justification.strip(),
            starts_at=now,
            expires_at=now + timedelta(hours=duration_hours),
            break_glass=True,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="support_grant.break_glass",
            target=grant,
            after=_grant_state(grant),
        )
        _notify_sockets(tenant, "support_grant.break_glass", grant=str(grant.pk))
        _mail(
            f"BREAK-GLASS access to {tenant.name} by vendor support",
            f"{staff.get_username()} gave themselves read access to {tenant.name} until "
            f"{grant.expires_at:%Y-%m-%d %H:%M} UTC.\nJustification: {grant.reason}\n"
            f"Review or revoke it now: {settings.CONSOLE_SITE_URL}/support/",
            _tenant_admin_emails(tenant),
        )
    return grant


def support_grant_revoke(*, tenant: Tenant, actor: Actor, grant: SupportGrant) -> SupportGrant:
    """Ends a grant now: the next request and the next websocket message of its holder are refused."""
    with transaction.atomic():
        grant = (
            SupportGrant.objects.select_for_update().select_related("staff").get(pk=grant.pk, tenant=tenant)
        )
        if grant.revoked_at is not None:
            return grant
        now = timezone.now()
        grant.revoked_at, grant.revoked_by, grant.ended_announced_at = now, actor.user, now
        grant.save(update_fields=["revoked_at", "revoked_by", "ended_announced_at"])
        audit_record(tenant=tenant, actor=actor, action="support_grant.revoked", target=grant)
        _notify_sockets(tenant, "support_grant.ended", grant=str(grant.pk))
    return grant


def support_session_start(*, grant: SupportGrant, staff: User, actor: Actor) -> SupportGrant:
    """Records that ``staff`` starts acting in the tenant under ``grant`` (the tenant sees it)."""
    if grant.staff_id != staff.pk or not grant.is_active():
        raise NotFound()
    audit_record(tenant=grant.tenant, actor=actor, action="support_session.started", target=grant)
    return grant


def support_session_end(*, grant: SupportGrant, actor: Actor) -> None:
    """Records that the staff member stopped acting under ``grant`` (the grant itself stays)."""
    audit_record(tenant=grant.tenant, actor=actor, action="support_session.ended", target=grant)


def support_access_expire(*, now: datetime | None = None) -> dict[str, int]:
    """Beat tick: unanswered requests past their deadline expire; grants past ``expires_at`` are
    audited as ended and their tenants' sockets told to re-check (so they close at once)."""
    now = now or timezone.now()
    system = Actor.system("support-expiry")
    expired_requests = ended_grants = 0
    with transaction.atomic():
        for request in (
            SupportRequest.objects.select_for_update(skip_locked=True)
            .select_related("tenant")
            .filter(status=SupportRequestStatus.PENDING, answer_by__lte=now)
            .order_by("pk")
        ):
            request.status = SupportRequestStatus.EXPIRED
            request.save(update_fields=["status"])
            audit_record(
                tenant=request.tenant, actor=system, action="support_request.expired", target=request
            )
            expired_requests += 1
        for grant in (
            SupportGrant.objects.select_for_update(skip_locked=True)
            .select_related("tenant", "staff")
            .filter(ended_announced_at__isnull=True, expires_at__lte=now)
            .order_by("pk")
        ):
            grant.ended_announced_at = now
            grant.save(update_fields=["ended_announced_at"])
            if grant.revoked_at is None:
                audit_record(tenant=grant.tenant, actor=system, action="support_grant.expired", target=grant)
            _notify_sockets(grant.tenant, "support_grant.ended", grant=str(grant.pk))
            ended_grants += 1
    return {"expired_requests": expired_requests, "ended_grants": ended_grants}

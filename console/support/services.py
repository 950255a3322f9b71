from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.errors import Conflict, Forbidden, InvalidInput, NotFound
from console.events import (
    SUPPORT_GRANT_BREAK_GLASS,
    SUPPORT_GRANT_CREATED,
    SUPPORT_GRANT_EXPIRED,
    SUPPORT_GRANT_REVOKED,
    SUPPORT_REQUEST_APPROVED,
    SUPPORT_REQUEST_CREATED,
    SUPPORT_REQUEST_DENIED,
    SUPPORT_REQUEST_EXPIRED,
    SUPPORT_SESSION_ENDED,
    SUPPORT_SESSION_STARTED,
)
from console.models import (
    ActorKind,
    SupportGrant,
    SupportRequest,
    SupportRequestStatus,
    SupportScope,
    Tenant,
    User,
    VendorRole,
)
from console.services import mail_on_commit, sockets_notify, tenant_admin_emails

SUPPORT_REQUEST_ANSWER_WITHIN: Final = timedelta(hours=12)


SUPPORT_GRANT_MAX_HOURS: Final = 72


SUPPORT_GRANT_DEFAULT_HOURS: Final = 4


BREAK_GLASS_MAX_HOURS: Final = 4


SUPPORT_ROLES: Final = frozenset({VendorRole.SUPPORT_ENGINEER, VendorRole.SUPPORT_LEAD})


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
            action=SUPPORT_REQUEST_CREATED,
            target=request,
            after={"scope": scope, "case_id": request.case_id, "duration_hours": duration_hours},
        )
        sockets_notify(tenant, "support_request.created", request=str(request.pk))
        mail_on_commit(
            f"Vendor support asks for access to {tenant.name}",
            f"{staff.get_username()} asks for {scope} access for {duration_hours} h (case {case_id}).\n"
            f"Reason: {reason}\nAnswer at {settings.CONSOLE_SITE_URL}/support/ within 12 hours.",
            tenant_admin_emails(tenant),
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
            action=SUPPORT_REQUEST_APPROVED,
            target=request,
            after={"grant": str(grant.pk)},
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action=SUPPORT_GRANT_CREATED,
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
        audit_record(tenant=tenant, actor=actor, action=SUPPORT_REQUEST_DENIED, target=request)
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
            action=SUPPORT_GRANT_CREATED,
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
            action=SUPPORT_GRANT_BREAK_GLASS,
            target=grant,
            after=_grant_state(grant),
        )
        sockets_notify(tenant, "support_grant.break_glass", grant=str(grant.pk))
        mail_on_commit(
            f"BREAK-GLASS access to {tenant.name} by vendor support",
            f"{staff.get_username()} gave themselves read access to {tenant.name} until "
            f"{grant.expires_at:%Y-%m-%d %H:%M} UTC.\nJustification: {grant.reason}\n"
            f"Review or revoke it now: {settings.CONSOLE_SITE_URL}/support/",
            tenant_admin_emails(tenant),
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
        audit_record(tenant=tenant, actor=actor, action=SUPPORT_GRANT_REVOKED, target=grant)
        sockets_notify(tenant, "support_grant.ended", grant=str(grant.pk))
    return grant


def support_session_start(*, grant: SupportGrant, staff: User, actor: Actor) -> SupportGrant:
    """Records that ``staff`` starts acting in the tenant under ``grant`` (the tenant sees it)."""
    if grant.staff_id != staff.pk or not grant.is_active():
        raise NotFound()
    audit_record(tenant=grant.tenant, actor=actor, action=SUPPORT_SESSION_STARTED, target=grant)
    return grant


def support_session_end(*, grant: SupportGrant, actor: Actor) -> None:
    """Records that the staff member stopped acting under ``grant`` (the grant itself stays)."""
    audit_record(tenant=grant.tenant, actor=actor, action=SUPPORT_SESSION_ENDED, target=grant)


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
            audit_record(tenant=request.tenant, actor=system, action=SUPPORT_REQUEST_EXPIRED, target=request)
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
                audit_record(tenant=grant.tenant, actor=system, action=SUPPORT_GRANT_EXPIRED, target=grant)
            sockets_notify(grant.tenant, "support_grant.ended", grant=str(grant.pk))
            ended_grants += 1
    return {"expired_requests": expired_requests, "ended_grants": ended_grants}

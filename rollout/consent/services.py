from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.editing import field_error, tenant_row_lock
from console.errors import Conflict
from console.models import Tenant
from rollout.consent.events import (
    OVERRIDE_APPROVED,
    OVERRIDE_DECLINED,
    OVERRIDE_REQUESTED,
    OVERRIDE_RULE_CREATED,
    OVERRIDE_RULE_REVOKED,
)
from rollout.desired.changes import Outcome, measure
from rollout.models import (
    ContentCategory,
    ContentRelease,
    ContentStage,
    OverrideKind,
    OverrideRequest,
    OverrideRule,
    OverrideState,
)

DEFAULT_HOURS = 24
MAX_HOURS = 72
MAX_RULE_DAYS = 90


def override_dict(request: OverrideRequest) -> dict[str, Any]:
    return {
        "release": f"{request.release.category.key} {request.release.version}",
        "overrides": list(request.overrides),
        "reason": request.reason,
        "requested_by": request.requested_by,
        "state": request.state,
        "expires_at": request.expires_at.isoformat(),
        "decided_by": request.decided_by or None,
        "rule": str(request.rule_id) if request.rule_id else None,
    }


def rule_dict(rule: OverrideRule) -> dict[str, Any]:
    return {
        "categories": list(rule.categories),
        "overrides": list(rule.overrides),
        "until": rule.until.isoformat(),
        "reason": rule.reason,
        "revoked_at": rule.revoked_at.isoformat() if rule.revoked_at else None,
    }


def override_state_at(request: OverrideRequest, at: datetime) -> str:
    """The state a reader sees: a pending or approved request past ``expires_at`` is expired (the row
    is not rewritten: reads never write)."""
    if request.state in (OverrideState.PENDING, OverrideState.APPROVED) and request.expires_at <= at:
        return OverrideState.EXPIRED
    return request.state


def _kinds(overrides: Any) -> list[str]:
    if not isinstance(overrides, list | tuple) or not overrides:
        raise field_error(
            "overrides", f"Name what to let the release past: {', '.join(OverrideKind.values)}."
        )
    if "pause" in overrides:
        raise field_error("overrides", "A pause always wins: nothing is let past it; the tenant resumes it.")
    bad = [k for k in overrides if k not in OverrideKind.values]
    if bad:
        raise field_error("overrides", f"Unknown {bad[0]!r}: use {', '.join(OverrideKind.values)}.")
    return sorted(set(overrides))


def _reason(reason: str) -> str:
    if not reason or not reason.strip() or len(reason) > 300:
        raise field_error("reason", "Say why (at most 300 characters).")
    return reason.strip()


def _both_trails(
    *,
    tenant: Tenant,
    actor: Actor,
    action: str,
    request: OverrideRequest,
    before: dict[str, Any] | None = None,
) -> None:
    after = {**override_dict(request), "tenant": tenant.slug}
    audit_record(tenant=tenant, actor=actor, action=action, target=request, before=before, after=after)
    audit_record(tenant=None, actor=actor, action=action, target=request, before=before, after=after)


def _live_rule(
    tenant: Tenant, release: ContentRelease, kinds: list[str], at: datetime
) -> OverrideRule | None:
    """The tenant's oldest live standing rule covering every kind asked for, for this category."""
    for rule in OverrideRule.objects.filter(tenant=tenant, revoked_at__isnull=True, until__gt=at).order_by(
        "created_at", "pk"
    ):
        if set(kinds) <= set(rule.overrides) and (
            not rule.categories or release.category.key in rule.categories
        ):
            return rule
    return None


def override_request_create(
    *,
    tenant: Tenant,
    actor: Actor,
    release: ContentRelease,
    overrides: Any,
    reason: str,
    hours: int = DEFAULT_HOURS,
) -> OverrideRequest:
    """A vendor asks that ``release`` pass ``tenant``'s freeze and/or windows. Changes nothing for the
    tenant's hosts unless a live standing rule approves it at once; else a tenant admin decides."""
    kinds = _kinds(overrides)
    why = _reason(reason)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
        raise field_error("hours", f"Between 1 and {MAX_HOURS} hours.")
    if release.stage == ContentStage.RECALLED or not release.valid:
        raise field_error("release", "A recalled or invalid release is never delivered.")
    now = timezone.now()

    def change() -> OverrideRequest:
        request = OverrideRequest.objects.create(
            tenant=tenant,
            release=release,
            overrides=kinds,
            reason=why,
            requested_by=actor.label,
            requested_by_id=actor.id,
            requested_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        _both_trails(tenant=tenant, actor=actor, action=OVERRIDE_REQUESTED, request=request)
        rule = _live_rule(tenant, release, kinds, now)
        if rule is not None:
            request.state = OverrideState.APPROVED
            request.rule = rule
            request.decided_by = f"standing rule ({rule.created_by})"
            request.decided_at = now
            request.save(update_fields=["state", "rule", "decided_by", "decided_at"])
            rule_actor = Actor.system(f"standing consent rule {rule.pk}")
            _both_trails(tenant=tenant, actor=rule_actor, action=OVERRIDE_APPROVED, request=request)
        return request

    if _live_rule(tenant, release, kinds, now) is None:
        with transaction.atomic():
            return change()
    # Approved on arrival: it changes what hosts receive, so it is measured and recomputed.
    request, _ = measure(tenant, change, dry_run=False, reason="override.approve")
    return request


def _pending(tenant: Tenant, request: OverrideRequest) -> OverrideRequest:
    locked: OverrideRequest = tenant_row_lock(OverrideRequest, tenant, request.pk)
    if locked.state != OverrideState.PENDING:
        raise Conflict(f"This request was already {locked.state}.")
    if locked.expires_at <= timezone.now():
        raise Conflict("This request has expired: the vendor must ask again.")
    return locked


def override_approve(
    *, tenant: Tenant, actor: Actor, request: OverrideRequest, dry_run: bool = False
) -> Outcome:
    """A tenant admin consents: the release may pass what the request names until it expires."""

    def change() -> OverrideRequest:
        locked = _pending(tenant, request)
        locked.state = OverrideState.APPROVED
        locked.decided_by = actor.label
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        _both_trails(
            tenant=tenant, actor=actor, action=OVERRIDE_APPROVED, request=locked, before={"state": "pending"}
        )
        return locked

    approved, blast = measure(tenant, change, dry_run=dry_run, reason="override.approve")
    return Outcome(approved, blast, dry_run)


def override_decline(*, tenant: Tenant, actor: Actor, request: OverrideRequest) -> OverrideRequest:
    """A tenant admin declines: nothing changes for the hosts."""
    with transaction.atomic():
        locked = _pending(tenant, request)
        locked.state = OverrideState.DECLINED
        locked.decided_by = actor.label
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        _both_trails(
            tenant=tenant, actor=actor, action=OVERRIDE_DECLINED, request=locked, before={"state": "pending"}
        )
    return locked


def override_rule_create(
    *,
    tenant: Tenant,
    actor: Actor,
    overrides: Any,
    until: datetime | None,
    reason: str,
    categories: Any = (),
) -> OverrideRule:
    """A standing pre-approval: vendor requests it covers are approved on arrival until ``until``."""
    kinds = _kinds(overrides)
    why = _reason(reason)
    now = timezone.now()
    if until is None or until.tzinfo is None or until <= now:
        raise field_error("until", "The rule must end in the future (with a timezone offset).")
    if until - now > timedelta(days=MAX_RULE_DAYS):
        raise field_error("until", f"A standing rule lasts at most {MAX_RULE_DAYS} days.")
    if not isinstance(categories, list | tuple):
        raise field_error("categories", "A list of content category keys.")
    keys = sorted(set(categories))
    known = set(ContentCategory.objects.filter(key__in=keys).values_list("key", flat=True))
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise field_error("categories", f"Unknown content category {unknown[0]!r}.")
    with transaction.atomic():
        rule = OverrideRule.objects.create(
            tenant=tenant, categories=keys, overrides=kinds, until=until, reason=why, created_by=actor.label
        )
        audit_record(
            tenant=tenant, actor=actor, action=OVERRIDE_RULE_CREATED, target=rule, after=rule_dict(rule)
        )
    return rule


def override_rule_revoke(*, tenant: Tenant, actor: Actor, rule: OverrideRule) -> OverrideRule:
    """Ends a standing rule now: the next vendor request waits for an admin again."""
    with transaction.atomic():
        locked: OverrideRule = tenant_row_lock(OverrideRule, tenant, rule.pk)
        if locked.revoked_at is not None:
            raise Conflict("This rule was already revoked.")
        before = rule_dict(locked)
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor.label
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action=OVERRIDE_RULE_REVOKED,
            target=locked,
            before=before,
            after=rule_dict(locked),
        )
    return locked

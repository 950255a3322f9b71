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
from rollout.controls.events import PAUSE_CREATED, PAUSE_RESUMED
from rollout.desired.blast import blast_measure
from rollout.desired.changes import Outcome, measure
from rollout.desired.holds import pause_hold_clear, pause_hold_set
from rollout.groups.services import groups_resolve
from rollout.models import ContentCategory, Pause, PauseScope
from rollout.notifications.events import notify


def pause_dict(pause: Pause) -> dict[str, Any]:
    return {
        "scope": pause.scope,
        "group": pause.group.name if pause.group else None,
        "category": pause.category.key if pause.category else None,
        "reason": pause.reason,
        "expires_at": pause.expires_at.isoformat() if pause.expires_at else None,
        "resumed_at": pause.resumed_at.isoformat() if pause.resumed_at else None,
    }


def pause_create(
    *,
    tenant: Tenant,
    actor: Actor,
    scope: str,
    reason: str,
    group_id: Any = None,
    category_key: str | None = None,
    expires_at: datetime | None = None,
    dry_run: bool = False,
) -> Outcome:
    """Pauses a scope: nothing new reaches it; hosts keep what they have. A system-critical category
    is paused at most for its cap (the pause ends by itself then, and says so)."""
    if scope not in PauseScope.values:
        raise field_error("scope", f"Use one of {', '.join(PauseScope.values)}.")
    if not reason or not reason.strip() or len(reason) > 300:
        raise field_error("reason", "Say why (at most 300 characters).")
    now = timezone.now()
    if expires_at is not None and (expires_at.tzinfo is None or expires_at <= now):
        raise field_error("expires_at", "The expiry must be in the future (with a timezone offset).")
    group = None
    category = None
    if scope == PauseScope.HOST_GROUP:
        group = groups_resolve(tenant, [group_id] if group_id else None, "group")[:1]
        if not group:
            raise field_error("group", "Choose the host group to pause.")
    if scope == PauseScope.CONTENT_CATEGORY:
        category = ContentCategory.objects.filter(key=category_key or "").first()
        if category is None:
            raise field_error("category", f"Unknown content category {category_key!r}.")
        expires_at = pause_holds_until(started_at=now, expires_at=expires_at, category=category)

    def change() -> Pause:
        pause = Pause.objects.create(
            tenant=tenant,
            scope=scope,
            group=group[0] if group else None,
            category=category,
            reason=reason.strip(),
            created_by=actor.label,
            created_at=now,
            expires_at=expires_at,
        )
        audit_record(tenant=tenant, actor=actor, action=PAUSE_CREATED, target=pause, after=pause_dict(pause))
        # One hold on the backend once committed; no host is rewritten (DESIGN 4 rule 3).
        transaction.on_commit(lambda: _hold(pause, clear=False))
        _notify_pause(tenant, "rollout.paused", pause, actor)
        return pause

    pause, blast = blast_measure(tenant, change, dry_run=dry_run)
    return Outcome(pause, blast, dry_run)


def _notify_pause(tenant: Tenant, event: str, pause: Pause, actor: Actor) -> None:
    """In-app and webhook notification; inside the change's savepoint, so a dry run sends nothing."""

    notify(tenant.pk, event, {"pause": pause_dict(pause), "by": actor.label})


def _hold(pause: Pause, *, clear: bool) -> None:

    (pause_hold_clear if clear else pause_hold_set)(pause)


def pause_resume(*, tenant: Tenant, actor: Actor, pause: Pause, dry_run: bool = False) -> Outcome:
    if pause.resumed_at is not None:
        raise Conflict("This pause was already resumed.")

    def change() -> Pause:
        locked = tenant_row_lock(Pause, tenant, pause.pk)
        before = pause_dict(locked)
        locked.resumed_at = timezone.now()
        locked.resumed_by = actor.label
        locked.save(update_fields=["resumed_at", "resumed_by"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action=PAUSE_RESUMED,
            target=locked,
            before=before,
            after=pause_dict(locked),
        )
        transaction.on_commit(lambda: _hold(locked, clear=True))
        _notify_pause(tenant, "rollout.resumed", locked, actor)
        return locked

    resumed, blast = measure(tenant, change, dry_run=dry_run, reason="pause.resume")
    return Outcome(resumed, blast, dry_run)


def pause_holds_until(
    *, started_at: datetime, expires_at: datetime | None, category: ContentCategory | None
) -> datetime | None:
    """When a pause stops holding ``category`` back: its expiry, or earlier, the cap of a
    system-critical category (the rule the resolver applies, ``rollout.resolver.pause_active``)."""
    if category is not None and category.system_critical and category.max_pause_hours is not None:
        cap = started_at + timedelta(hours=category.max_pause_hours)
        return min(cap, expires_at) if expires_at else cap
    return expires_at

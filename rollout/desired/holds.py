from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rollout.desired.status import sync_failure_record
from rollout.distribution.backends import backend_for
from rollout.distribution.base import DistributionBackend, DistributionError, Hold
from rollout.distribution.served import hold_served_at, hold_served_forget
from rollout.models import (
    ContentCategory,
    OutboxEntry,
    Pause,
    PauseScope,
    RolloutState,
    RolloutStop,
    TenantRevision,
)

log = logging.getLogger(__name__)


def pause_exempt(pause: Pause) -> tuple[tuple[str, str], ...]:
    """The system-critical categories a tenant or group pause stops freezing at their cap (DESIGN
    section 2; the resolver's ``pause_active`` decides the same), as ``Hold.exempt``."""
    out = []
    for key, hours in ContentCategory.objects.filter(
        system_critical=True, max_pause_hours__isnull=False
    ).values_list("key", "max_pause_hours"):
        if hours is None:
            continue
        cap = pause.created_at + timedelta(hours=hours)
        if pause.expires_at is None or cap < pause.expires_at:
            out.append((key, cap.isoformat()))
    return tuple(sorted(out))


def pause_hold(pause: Pause) -> Hold:
    until = pause.expires_at.isoformat() if pause.expires_at else None
    if pause.scope == PauseScope.TENANT:
        return Hold("tenant", "*", pause.reason, until, pause_exempt(pause))
    if pause.scope == PauseScope.HOST_GROUP:
        return Hold("group", str(pause.group_id), pause.reason, until, pause_exempt(pause))
    if pause.scope == PauseScope.CONTENT_CATEGORY:
        return Hold("category", pause.category.key if pause.category else "", pause.reason, until)
    return Hold("sensor", "*", pause.reason, until)


def pause_hold_set(pause: Pause, *, backend: DistributionBackend | None = None) -> None:
    """Sends the pause to the backend as one hold. A failure is recorded; reconciliation repairs it.
    A halt or recall holding the same key keeps its hold (it lasts until the recompute caught up)."""
    hold = pause_hold(pause)
    if any(stop_hold(s).field_name == hold.field_name for s in stops_holding(str(pause.tenant_id))):
        return
    try:
        (backend or backend_for(settings)).hold_set(str(pause.tenant_id), hold)
    except DistributionError as exc:
        log.error("pause %s did not reach distribution: %s", pause.pk, exc)
        sync_failure_record(str(pause.tenant_id), f"pause not delivered ({type(exc).__name__}): {exc}")


def pause_hold_clear(pause: Pause, *, backend: DistributionBackend | None = None) -> None:
    hold = pause_hold(pause)
    tid = str(pause.tenant_id)
    # Another active pause on the same scope and key keeps the hold.
    if any(pause_hold(p).field_name == hold.field_name for p in _active_pauses(tid) if p.pk != pause.pk):
        return
    stopped = stop_holds_merged(stops_holding(tid)).get(hold.field_name)
    if stopped is not None:  # a halt or recall froze the same key: its hold stays
        _hold_set(tid, stopped, backend=backend)
        return
    try:
        (backend or backend_for(settings)).hold_clear(tid, hold.scope, hold.key)
    except DistributionError as exc:
        log.error("resume of pause %s did not reach distribution: %s", pause.pk, exc)
        sync_failure_record(tid, f"resume not delivered ({type(exc).__name__}): {exc}")


def _hold_set(tid: str, hold: Hold, *, backend: DistributionBackend | None = None) -> None:
    try:
        (backend or backend_for(settings)).hold_set(tid, hold)
    except DistributionError as exc:
        log.error("hold %s of tenant %s did not reach distribution: %s", hold.field_name, tid, exc)
        sync_failure_record(tid, f"hold not delivered ({type(exc).__name__}): {exc}")


def _active_pauses(tenant_id: str) -> list[Pause]:
    now = timezone.now()
    return [
        p
        for p in Pause.objects.filter(tenant_id=tenant_id, resumed_at__isnull=True).select_related("category")
        if p.expires_at is None or p.expires_at > now
    ]


def holds_expected(tenant_id: str) -> dict[str, Hold]:
    """The holds the backend should have for the tenant: active pauses and stops not yet caught up."""
    out = stop_holds_merged(stops_holding(tenant_id))
    stopped = set(out)
    for pause in _active_pauses(tenant_id):
        hold = pause_hold(pause)
        if hold.field_name in stopped:
            continue  # a stop on the same key lasts until it is cleared: it is the hold meanwhile
        known = out.get(hold.field_name)
        # Two pauses on one key: the one that lasts longer (None = until resumed) is the hold.
        if known is None or known.until is None:
            out[hold.field_name] = known or hold
        elif hold.until is None or hold.until > known.until:
            out[hold.field_name] = hold
    return out


# ---------------------------------------------------------------------------- halt and recall holds
STOP_PREFIX = "Stopped: "  # the reason a stop hold carries to the edge


def stop_leaves(stop: RolloutStop) -> tuple[str, ...]:
    """The version a stop tells hosts to leave: the one a rollback or recall stopped. A halt names
    none: it keeps hosts on what they run (only a rollback or a recall moves a host back, DESIGN
    section 4 rule 2); a host crash-looping on it still reverts by its own fallback rule."""
    if stop.kind != RolloutState.ROLLED_BACK:
        return ()
    version = (
        stop.rollout.version if stop.rollout is not None else (stop.release.version if stop.release else "")
    )
    return (version,) if version else ()


def stop_hold(stop: RolloutStop) -> Hold:
    """A halt or recall as one hold: the category (or the platform's sensor build) is frozen, so no
    host takes a version it does not run until the recompute has published the stop per host; a
    rollback or recall also names the version hosts on it leave at once for their known-good."""
    return Hold(
        stop.hold_scope,  # type: ignore[arg-type]
        stop.hold_key,
        (STOP_PREFIX + stop.reason)[:500],
        leave=stop_leaves(stop),
    )


def stop_holds_merged(stops: list[RolloutStop]) -> dict[str, Hold]:
    """One hold per key for the stops holding it (in commit order): the newest stop's hold, leaving
    every version any of them stopped (a halt then the recall of the same release share a key)."""
    out: dict[str, Hold] = {}
    for stop in stops:
        hold = stop_hold(stop)
        known = out.get(hold.field_name)
        if known is not None:
            hold = replace(hold, leave=(*known.leave, *hold.leave))  # sorted, deduplicated
        out[hold.field_name] = hold
    return out


def stops_holding(tenant_id: str) -> list[RolloutStop]:
    return list(
        RolloutStop.objects.filter(tenant_id=tenant_id, hold_cleared_at__isnull=True)
        .select_related("rollout", "release")
        .order_by("committed_at")
    )


def _backend(backend: DistributionBackend | None) -> DistributionBackend:
    return backend or backend_for(settings)


def stop_hold_publish(stop: RolloutStop, *, backend: DistributionBackend | None = None) -> None:
    """Right after the stop commits, before any recompute: one hold write for the tenant. Records
    the commit and publish times; a failure is recorded and reconciliation sets the hold later."""
    tid = str(stop.tenant_id)
    committed = timezone.now()
    hold = stop_hold(stop)
    published = None
    # The edge's first-served mark is reset for a new stop, unless an earlier stop still holds the
    # same key and the mark is from after its publish (a recall's hold, then the rollout's own):
    # the edge has served the stop since. A mark older than every such stop is stale.
    try:
        served = hold_served_at(tid, hold.field_name)
        fresh = served is not None and (
            RolloutStop.objects.filter(
                tenant_id=tid, hold_cleared_at__isnull=True, hold_published_at__lte=served,
                hold_scope=stop.hold_scope, hold_key=stop.hold_key,
            ).exclude(pk=stop.pk).exists()
        )  # fmt: skip
        if not fresh:
            hold_served_forget(tid, hold.field_name)
        # Earlier stops still holding the key are merged in: a recall after a halt leaves the
        # version, and a halt after a recall does not drop the recall's version to leave.
        holding = [s for s in stops_holding(tid) if s.pk != stop.pk] + [stop]
        hold = stop_holds_merged(holding)[hold.field_name]
        _backend(backend).hold_set(tid, hold)
        published = timezone.now()
    except (DistributionError, redis.RedisError) as exc:
        log.error("stop %s did not reach distribution: %s", stop.pk, exc)
        sync_failure_record(tid, f"stop not delivered ({type(exc).__name__}): {exc}")
    RolloutStop.objects.filter(pk=stop.pk).update(committed_at=committed, hold_published_at=published)


def _caught_up(stop: RolloutStop, state: str) -> bool:
    if state not in (RolloutState.HALTED, RolloutState.ROLLED_BACK):
        return True  # resumed or promoted past it: nothing to hold any more
    # Every recompute the stop asked for is processed (its outbox row was written before commit).
    return not OutboxEntry.objects.filter(
        tenant_id=stop.tenant_id, processed_at__isnull=True, created_at__lte=stop.committed_at
    ).exists()


def stop_holds_release(
    tenant_id: str, *, backend: DistributionBackend | None = None, rollout_id: str | None = None
) -> list[str]:
    """Clears the stop holds the published desired state has caught up with (after a publish), or
    those of ``rollout_id`` whatever the state (it resumed). A pause on the same key keeps its
    hold. Returns the hold names cleared."""
    tid = str(tenant_id)
    stops = stops_holding(tid)
    if rollout_id is None and stops:
        tr = TenantRevision.objects.filter(tenant_id=tid).first()
        if tr is None or (tr.published_revision or 0) < tr.revision:
            return []
    done: list[RolloutStop] = []
    with transaction.atomic():
        for stop in stops:
            # A recall's stop in a tenant without a rollout of the release holds until caught up.
            state = stop.rollout.state if stop.rollout is not None else RolloutState.ROLLED_BACK
            if (rollout_id is not None and str(stop.rollout_id) == rollout_id) or (
                rollout_id is None and _caught_up(stop, state)
            ):
                served = hold_served_at(tid, stop_hold(stop).field_name)
                RolloutStop.objects.filter(pk=stop.pk).update(
                    hold_cleared_at=timezone.now(), edge_served_at=served
                )
                done.append(stop)
    if not done:
        return []
    b = _backend(backend)
    expected = holds_expected(tid)
    cleared = []
    for name in sorted({stop_hold(s).field_name for s in done}):
        scope, key = name.split(":", 1)
        try:
            if name in expected:
                b.hold_set(tid, expected[name])  # a pause (or another stop) on the same key
            else:
                b.hold_clear(tid, scope, key)  # type: ignore[arg-type]
                cleared.append(name)
        except (DistributionError, redis.RedisError) as exc:
            log.error("stop hold %s of tenant %s not cleared: %s", name, tid, exc)
            sync_failure_record(tid, f"stop hold not cleared ({type(exc).__name__}): {exc}")
    return cleared

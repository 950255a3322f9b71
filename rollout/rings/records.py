"""A rollout's record: its API shape, its event log, saving and locking it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from console.access import Actor
from rollout.desired.holds import stop_hold_publish
from rollout.models import ContentRelease, Rollout, RolloutEvent, RolloutStop
from telemetry.models import CrashEvent


def rollout_dict(rollout: Rollout) -> dict[str, Any]:
    return {
        "id": str(rollout.pk),
        "subject": rollout.subject,
        "version": rollout.version,
        "previous_version": rollout.previous_version,
        "state": rollout.state,
        "ring_index": rollout.ring_index,
        "ring_entered_at": rollout.ring_entered_at.isoformat() if rollout.ring_entered_at else None,
        "halted_reason": rollout.halted_reason,
    }


def rollout_event(rollout: Rollout, kind: str, actor: Actor, **detail: Any) -> None:
    RolloutEvent.objects.create(
        tenant_id=rollout.tenant_id,
        rollout=rollout,
        kind=kind,
        ring_index=rollout.ring_index,
        actor=actor.label,
        detail=detail,
    )


def rollout_save(rollout: Rollout, *fields: str) -> None:
    rollout.updated_at = timezone.now()
    rollout.save(update_fields=[*fields, "updated_at"])


def rollout_lock(rollout: Rollout) -> Rollout:
    return Rollout.objects.select_for_update().get(pk=rollout.pk)


@dataclass(frozen=True)
class StopCause:
    """What woke the evaluation that stopped a rollout: a crash signal (with the time the console
    received it) or the tick; and when the gate looked."""

    crash_received_at: datetime | None = None
    gate_seen_at: datetime | None = None
    by_signal: bool = False


def _first_crash_received(rollout: Rollout) -> datetime | None:
    crashes = CrashEvent.objects.filter(tenant_id=rollout.tenant_id, occurred_at__gte=rollout.created_at)
    if rollout.is_sensor:
        crashes = crashes.filter(sensor_build=rollout.version)
    else:
        crashes = crashes.filter(category=rollout.category, content_version=rollout.version)
    first: datetime | None = crashes.aggregate(first=Min("received_at"))["first"]
    return first


def rollout_stop_record(rollout: Rollout, kind: str, reason: str, cause: StopCause | None) -> RolloutStop:
    """Records a halt or rollback and, right after its commit and before the recompute the caller
    asks for next, publishes its hold (call this before ``desired_changed``: on-commit callbacks run
    in the order they were registered)."""
    cause = cause or StopCause()
    scope, key = ("sensor", rollout.category) if rollout.is_sensor else ("category", rollout.category)
    stop = RolloutStop.objects.create(
        tenant_id=rollout.tenant_id,
        rollout=rollout,
        kind=kind,
        hold_scope=scope,
        hold_key=key,
        reason=f"{rollout.subject} {rollout.version} {kind.replace('_', ' ')}: {reason}"[:480],
        by_signal=cause.by_signal,
        crash_received_at=cause.crash_received_at or _first_crash_received(rollout),
        gate_seen_at=cause.gate_seen_at,
    )
    transaction.on_commit(lambda: stop_hold_publish(stop), robust=True)  # never fails the stop
    return stop


def release_stop_record(
    tenant_id: Any,
    release: ContentRelease,
    reason: str,
    cause: StopCause | None,
    *,
    kind: str = "rolled_back",
) -> RolloutStop:
    """A release-wide stop in one tenant: a recall's (``rolled_back``), written for every tenant
    staging the release or offered it (a tenant without rings: its policies), or a vendor halt's
    (``halted``), for every tenant running it; all in one transaction, before any tenant's own
    rollback or halt: the category is held for that tenant right after commit, before its
    recompute, and released once the published desired state caught up (``stop_holds_release``)."""
    cause = cause or StopCause()
    key = release.category.key
    first: datetime | None = CrashEvent.objects.filter(
        category=key, content_version=release.version
    ).aggregate(first=Min("received_at"))["first"]
    stop = RolloutStop.objects.create(
        tenant_id=tenant_id,
        rollout=None,
        release=release,
        kind=kind,
        hold_scope="category",
        hold_key=key,
        reason=f"content:{key} {release.version} {'halted' if kind == 'halted' else 'recalled'}: {reason}"[
            :480
        ],
        by_signal=cause.by_signal,
        crash_received_at=cause.crash_received_at or first,
        gate_seen_at=cause.gate_seen_at,
    )
    transaction.on_commit(lambda: stop_hold_publish(stop), robust=True)  # never fails the recall
    return stop


STAGES = (
    ("crash_received_at", "Crash report reached the console"),
    ("gate_seen_at", "Gate saw it"),
    ("committed_at", "Stop committed"),
    ("hold_published_at", "Hold published to distribution"),
    ("edge_served_at", "Edge first served the stop"),
)


def stop_timeline(stop: RolloutStop, *, served_at: datetime | None = None) -> dict[str, Any]:
    """One stop as the API and the page show it: each stage's time and seconds since the crash report."""
    origin = stop.crash_received_at
    steps = []
    for name, label in STAGES:
        at = getattr(stop, name) if name != "edge_served_at" else (stop.edge_served_at or served_at)
        steps.append(
            {
                "stage": name.removesuffix("_at"),
                "label": label,
                "at": at.isoformat() if at else None,
                "after_s": round((at - origin).total_seconds(), 3) if at and origin else None,
            }
        )
    return {
        "id": str(stop.pk),
        "kind": stop.kind,
        "by_signal": stop.by_signal,
        "hold": f"{stop.hold_scope}:{stop.hold_key}",
        "hold_cleared_at": stop.hold_cleared_at.isoformat() if stop.hold_cleared_at else None,
        "steps": steps,
    }

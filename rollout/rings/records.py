"""A rollout's record: its API shape, its event log, saving and locking it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from console.access import Actor
from rollout.models import Rollout, RolloutEvent


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

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from rollout.desired.status import sync_failure_record
from rollout.distribution.backends import backend_for
from rollout.distribution.base import DistributionBackend, DistributionError, Hold
from rollout.models import Pause, PauseScope

log = logging.getLogger(__name__)


def pause_hold(pause: Pause) -> Hold:
    until = pause.expires_at.isoformat() if pause.expires_at else None
    if pause.scope == PauseScope.TENANT:
        return Hold("tenant", "*", pause.reason, until)
    if pause.scope == PauseScope.HOST_GROUP:
        return Hold("group", str(pause.group_id), pause.reason, until)
    if pause.scope == PauseScope.CONTENT_CATEGORY:
        return Hold("category", pause.category.key if pause.category else "", pause.reason, until)
    return Hold("sensor", "*", pause.reason, until)


def pause_hold_set(pause: Pause, *, backend: DistributionBackend | None = None) -> None:
    """Sends the pause to the backend as one hold. A failure is recorded; reconciliation repairs it."""
    try:
        (backend or backend_for(settings)).hold_set(str(pause.tenant_id), pause_hold(pause))
    except DistributionError as exc:
        log.error("pause %s did not reach distribution: %s", pause.pk, exc)
        sync_failure_record(str(pause.tenant_id), f"pause not delivered ({type(exc).__name__}): {exc}")


def pause_hold_clear(pause: Pause, *, backend: DistributionBackend | None = None) -> None:
    hold = pause_hold(pause)
    tid = str(pause.tenant_id)
    # Another active pause on the same scope and key keeps the hold.
    if any(pause_hold(p).field_name == hold.field_name for p in _active_pauses(tid) if p.pk != pause.pk):
        return
    try:
        (backend or backend_for(settings)).hold_clear(tid, hold.scope, hold.key)
    except DistributionError as exc:
        log.error("resume of pause %s did not reach distribution: %s", pause.pk, exc)
        sync_failure_record(tid, f"resume not delivered ({type(exc).__name__}): {exc}")


def _active_pauses(tenant_id: str) -> list[Pause]:
    now = timezone.now()
    return [
        p
        for p in Pause.objects.filter(tenant_id=tenant_id, resumed_at__isnull=True).select_related("category")
        if p.expires_at is None or p.expires_at > now
    ]


def holds_expected(tenant_id: str) -> dict[str, Hold]:
    out: dict[str, Hold] = {}
    for pause in _active_pauses(tenant_id):
        hold = pause_hold(pause)
        known = out.get(hold.field_name)
        # Two pauses on one key: the one that lasts longer (None = until resumed) is the hold.
        if known is None or known.until is None:
            out[hold.field_name] = known or hold
        elif hold.until is None or hold.until > known.until:
            out[hold.field_name] = hold
    return out

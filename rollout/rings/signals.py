"""The safety loop: crash signals wake the gates of the crashing host's tenant at once.

``telemetry.signals`` appends an entry to a Redis stream for every heartbeat that reports a crash
or a crashed / boot-looping status. This loop (``manage.py safety_loop``, one per control plane)
reads it through a consumer group, gets the staged heartbeats into PostgreSQL right away (the
heartbeat flush, waiting out a flush another process holds), evaluates the gates of the running
rollouts of the signalled tenants only (a burst of signals for one tenant is one evaluation) and
the vendor canary gate of the releases the signalled hosts run (once per release per batch: a
canary crash recalls the release from here, every tenant's hold first), and acknowledges the
entries once that evaluation committed. A loop killed in between leaves them pending; the next
loop re-reads its own pending entries on start and claims those another loop left idle. The gate
tick stays the safety net (silence needs a timer, and a loop may be down); the row lock in
``rollout_gate_tick`` makes sure a rollout is halted once when both race.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import redis
from django.db.models import Q
from django.utils import timezone

from console.health import SAFETY_LOOP_KEY
from console.redis import redis_client
from rollout.desired.publish import urgent_publishes_last
from rollout.models import ContentRelease, ContentStage, Rollout
from rollout.rings.admin import LIVE
from rollout.rings.records import StopCause
from rollout.rings.tick import canary_evaluate, rollouts_evaluate_tenant
from rollout.rings.vendor import sensor_fault_halt
from telemetry.fleet import DIRTY_KEY
from telemetry.ingest import STAGED, heartbeats_flush
from telemetry.models import CrashEvent, Host
from telemetry.signals import STREAM, Signal, signal_decode

log = logging.getLogger(__name__)

GROUP: Final = "safety"
CLAIM_IDLE_MS: Final = 30_000  # another loop's entry unacknowledged this long is taken over
FLUSH_WAIT_SECONDS: Final = 15.0
HEARTBEAT_TTL_SECONDS: Final = 60


@dataclass
class LoopStats:
    signals: int = 0
    evaluations: int = 0
    canary_evaluations: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


def group_ensure(client: redis.Redis) -> None:
    """The consumer group, from the start of the stream (signals sent before the loop ran count)."""
    try:
        client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def crashes_flush(client: redis.Redis, host_ids: set[str]) -> None:
    """The signalled hosts' staged heartbeats (and crash events) in PostgreSQL now. The flush has a
    lock: while another process flushes (possibly these very heartbeats), wait for it and flush
    again. When the signalled hosts are still staged after a flush (it only finished a previous
    flush's leftovers, or they sent newer heartbeats meanwhile), one more flush; never more, so a
    busy fleet cannot keep the loop flushing."""
    deadline = time.monotonic() + FLUSH_WAIT_SECONDS
    flushed = 0
    while True:
        result = heartbeats_flush()
        if not result.skipped and result.tenants:
            client.sadd(DIRTY_KEY, *result.tenants)  # the dashboards still hear about it
        if not result.skipped:
            flushed += 1
            staged = client.hmget(STAGED, sorted(host_ids)) if host_ids else []
            if flushed >= 2 or not any(staged):
                return
        if time.monotonic() > deadline:
            log.warning(
                "safety loop: staged heartbeats not flushed in time; evaluating what is in PostgreSQL"
            )
            return
        time.sleep(0.02)


def signals_handle(client: redis.Redis, signals: list[Signal], stats: LoopStats) -> None:
    """One batch: flush, then one gate evaluation per signalled tenant (the earliest signal of each
    tenant is the crash report the timeline starts from)."""
    first: dict[str, Signal] = {}
    for s in signals:
        if s.tenant_id not in first or s.received_at < first[s.tenant_id].received_at:
            first[s.tenant_id] = s
    host_ids = {s.host_id for s in signals}
    crashes_flush(client, host_ids)
    earliest = min(signals, key=lambda s: s.received_at)
    vendor_cause = StopCause(
        crash_received_at=datetime.fromtimestamp(earliest.received_at, UTC), by_signal=True
    )
    releases = releases_of_hosts(host_ids)
    with urgent_publishes_last():  # halts in several tenants: every hold first, then the recomputes
        # First the cheap question that holds every tenant at once: did the sensor itself fault
        # on one of these releases? Then each signalled tenant's gates, then the canary gate.
        for release_id in sorted(releases):
            if sensor_fault_halt(release_id, cause=vendor_cause):
                stats.outcomes["vendor_halted"] = stats.outcomes.get("vendor_halted", 0) + 1
        for tenant_id, s in first.items():
            cause = StopCause(crash_received_at=datetime.fromtimestamp(s.received_at, UTC), by_signal=True)
            for outcome, n in rollouts_evaluate_tenant(tenant_id, cause).items():
                stats.outcomes[outcome] = stats.outcomes.get(outcome, 0) + n
            stats.evaluations += 1
        # The vendor canary gate of the releases these hosts run: once per release per batch.
        stats.canary_evaluations += len(releases)
        recalled = canary_evaluate(releases, vendor_cause)
        if recalled:
            stats.outcomes["recalled"] = stats.outcomes.get("recalled", 0) + recalled
    stats.signals += len(signals)


def releases_of_hosts(host_ids: set[str]) -> set[uuid.UUID]:
    """The content releases (not recalled, with a running rollout somewhere) the hosts run or last
    reported a crash with."""
    pairs: set[tuple[str, str]] = set()
    for versions in Host.objects.filter(pk__in=host_ids).values_list("content_versions", flat=True):
        pairs.update((str(c), str(v)) for c, v in (versions or {}).items())
    since = timezone.now() - timedelta(minutes=10)
    pairs.update(
        CrashEvent.objects.filter(host_id__in=host_ids, received_at__gte=since)
        .values_list("category", "content_version")
        .distinct()
    )
    if not pairs:
        return set()
    match = Q()
    for category, version in pairs:
        match |= Q(category__key=category, version=version)
    return set(
        ContentRelease.objects.filter(match)
        .exclude(stage=ContentStage.RECALLED)
        .filter(pk__in=Rollout.objects.filter(state__in=LIVE).values("release_id"))
        .values_list("pk", flat=True)
    )


def _entries(response: Any) -> list[tuple[bytes, dict[Any, Any] | None]]:
    """(id, fields) of a read; fields None for a pending entry the stream's cap trimmed away (it is
    acknowledged like the others: the tick covers whatever it said)."""
    if not response:
        return []
    return [(entry_id, fields) for entry_id, fields in response[0][1]]


def safety_loop(
    *,
    consumer: str = "safety-1",
    stop: Callable[[], bool] = lambda: False,
    block_ms: int = 1000,
    batch: int = 1000,
) -> LoopStats:
    """Runs until ``stop()`` is true. The consumer name is stable across restarts of one control
    plane, so a restarted loop finds its own unacknowledged entries first."""
    client = redis_client()
    group_ensure(client)
    stats = LoopStats()
    backlog = True  # first our own pending entries (a restart after a crash), then new ones
    claimed_at = 0.0
    while not stop():
        client.set(SAFETY_LOOP_KEY, repr(time.time()), ex=HEARTBEAT_TTL_SECONDS)
        if backlog:
            entries = _entries(client.xreadgroup(GROUP, consumer, {STREAM: "0"}, count=batch))
            backlog = bool(entries)
        else:
            entries = []
            if time.monotonic() - claimed_at > CLAIM_IDLE_MS / 1000:
                claimed_at = time.monotonic()
                claim: Any = client.xautoclaim(
                    STREAM, GROUP, consumer, min_idle_time=CLAIM_IDLE_MS, count=batch
                )
                taken = claim[1]
                entries = list(taken)
            if not entries:
                entries = _entries(
                    client.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=batch, block=block_ms)
                )
        if not entries:
            continue
        signals = [s for s in (signal_decode(i, f) for i, f in entries if f) if s is not None]
        if signals:
            signals_handle(client, signals, stats)
        client.xack(STREAM, GROUP, *[i for i, _ in entries])  # only after the halts committed
    return stats

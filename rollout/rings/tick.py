from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta

from celery import shared_task
from django.db import connection, transaction
from django.utils import timezone

from console.access import Actor
from rollout.desired.publish import urgent_publishes_last
from rollout.models import BuildStage, ContentRelease, ContentStage, Ring, Rollout, RolloutState, SensorBuild
from rollout.resolver.targets import version_key
from rollout.rings.admin import LIVE
from rollout.rings.gates import HostHealth
from rollout.rings.health import RolloutHealth, ring_gate_evaluate, rollout_health
from rollout.rings.records import StopCause, rollout_lock, rollout_save
from rollout.rings.start import rollouts_start_for_release, tenants_to_start
from rollout.rings.transitions import (
    advance_allowed,
    ring_advance,
    rollout_halt_apply,
    rollout_rollback_apply,
)
from rollout.rings.vendor import canary_gate_tick, sensor_fault_halt

log = logging.getLogger(__name__)


GATES = Actor.system("health gate")


TICK_LOCK = 7_311_004  # pg advisory lock: one gate tick at a time


def rollout_gate_tick(
    rollout: Rollout, rings: list[Ring], health: RolloutHealth, *, cause: StopCause | None = None
) -> str:
    """One evaluation of one running rollout: halt on a failing gate, advance after a passing gate
    and the soak. Returns what happened (``halted``, ``advanced``, ``waiting``).

    The tick and the safety loop may evaluate one rollout at the same time: the row lock and the
    state check under it make the halt happen once."""
    if not rings:
        return "waiting"
    ring = rings[min(rollout.ring_index, len(rings) - 1)]
    seen = timezone.now()
    gate = ring_gate_evaluate(ring, health, rollout.ring_index)
    with transaction.atomic():
        rollout = rollout_lock(rollout)
        if rollout.state != RolloutState.IN_RING:
            return "waiting"
        rollout.last_gate = gate.as_dict()
        rollout_save(rollout, "last_gate")
        if gate.verdict == "failed":
            cause = replace(cause or StopCause(), gate_seen_at=seen)
            rollout_halt_apply(rollout, GATES, f"Ring {ring.name!r}: {gate.reason}", gate=gate, cause=cause)
            return "halted"
        soaked = rollout.ring_entered_at is None or timezone.now() >= rollout.ring_entered_at + timedelta(
            minutes=ring.soak_minutes
        )
        if gate.verdict == "passed" and soaked and advance_allowed(rollout):
            ring_advance(rollout, rings, GATES, why=gate.reason)
            return "advanced"
    return "waiting"


def releases_to_stage() -> list[ContentRelease]:
    """Per category, the newest valid release past the internal stage, when some tenant with rings
    has no rollout of it yet (a release the vendor moved straight to GA is staged all the same)."""
    newest: dict[uuid.UUID, ContentRelease] = {}
    for release in ContentRelease.objects.filter(
        stage__in=[ContentStage.CANARY, ContentStage.EARLY_ACCESS, ContentStage.GA], valid=True
    ).select_related("category"):
        held = newest.get(release.category_id)
        if held is None or version_key(release.version) > version_key(held.version):
            newest[release.category_id] = release
    return [release for release in newest.values() if tenants_to_start(release)]


def rollouts_tick() -> dict[str, int]:
    """Starts rollouts for releases that reached canary, evaluates every running rollout's gate and
    the vendor canary gate of every release. One tick at a time (advisory lock)."""

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [TICK_LOCK])
        got = cursor.fetchone()
    if not (got and got[0]):
        return {"skipped": 1}
    try:
        # Halts and recalls in many tenants: every hold first, then the recomputes.
        with urgent_publishes_last():
            counts = {"started": 0, "halted": 0, "advanced": 0, "recalled": 0}
            for release in releases_to_stage():
                counts["started"] += len(rollouts_start_for_release(release=release, actor=GATES))
            # A release recalled through the plain stage change still rolls every tenant back.
            for rollout in (
                Rollout.objects.filter(state__in=LIVE, release__stage=ContentStage.RECALLED)
                .select_related("tenant")
                .order_by("pk")
            ):
                with transaction.atomic():
                    rollout_rollback_apply(
                        rollout_lock(rollout),
                        GATES,
                        "The vendor recalled this release.",
                        event="release.recalled",
                    )
                    counts["recalled"] += 1
            # A sensor build withdrawn through any path still rolls its rollouts back.
            withdrawn = {
                (f"sensor:{platform}", version)
                for platform, version in SensorBuild.objects.filter(stage=BuildStage.WITHDRAWN).values_list(
                    "platform", "version"
                )
            }
            for rollout in Rollout.objects.filter(state__in=LIVE, subject__startswith="sensor:").order_by(
                "pk"
            ):
                if (rollout.subject, rollout.version) in withdrawn:
                    with transaction.atomic():
                        rollout_rollback_apply(
                            rollout_lock(rollout), GATES, "The vendor withdrew this sensor build."
                        )
                        counts["recalled"] += 1
            cohort: dict[uuid.UUID, list[HostHealth]] = {}
            rings_of: dict[uuid.UUID, list[Ring]] = {}
            for rollout in (
                Rollout.objects.filter(state__in=LIVE)
                .select_related("tenant", "release")
                .order_by("created_at")
            ):
                if rollout.tenant_id not in rings_of:
                    rings_of[rollout.tenant_id] = list(
                        Ring.objects.filter(tenant_id=rollout.tenant_id)
                        .select_related("group")
                        .order_by("order")
                    )
                rings = rings_of[rollout.tenant_id]
                health = rollout_health(rollout, rings)
                if rollout.release_id is not None:
                    cohort.setdefault(rollout.release_id, []).extend(h for i, h in health.samples if i == 0)
                if rollout.state == RolloutState.IN_RING:
                    outcome = rollout_gate_tick(rollout, rings, health)
                    counts[outcome] = counts.get(outcome, 0) + 1
            for release_id, samples in cohort.items():
                if canary_gate_tick(release_id, samples):
                    counts["recalled"] += 1
                elif sensor_fault_halt(release_id):  # the safety net of the loop's first question
                    counts["halted"] += 1
            return counts
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [TICK_LOCK])


def rollouts_evaluate_tenant(tenant_id: uuid.UUID | str, cause: StopCause | None = None) -> dict[str, int]:
    """The gates of one tenant's running rollouts, now (the safety loop, woken by a crash signal).
    Starting rollouts and recalls stay with the tick; the loop asks ``canary_evaluate`` separately."""
    counts: dict[str, int] = {}
    rings = list(Ring.objects.filter(tenant_id=tenant_id).select_related("group").order_by("order"))
    for rollout in (
        Rollout.objects.filter(tenant_id=tenant_id, state=RolloutState.IN_RING)
        .select_related("tenant", "release")
        .order_by("created_at")
    ):
        outcome = rollout_gate_tick(rollout, rings, rollout_health(rollout, rings), cause=cause)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def canary_evaluate(release_ids: Iterable[uuid.UUID], cause: StopCause | None = None) -> int:
    """The vendor canary gate of these releases, now (the safety loop, for the releases its
    signalled hosts run): one evaluation per release, its cohort being every tenant's first ring.
    Returns how many releases it recalled or halted."""
    stopped = 0
    for release_id in sorted(set(release_ids)):
        # One report of the sensor itself faulting halts at once (a cheap query, before the
        # cohort's health is gathered); the gate below still decides a recall.
        halted = sensor_fault_halt(release_id, cause=cause)
        samples: list[HostHealth] = []
        for rollout in Rollout.objects.filter(release_id=release_id, state__in=LIVE).select_related(
            "tenant", "release"
        ):
            rings = list(
                Ring.objects.filter(tenant_id=rollout.tenant_id).select_related("group").order_by("order")
            )
            samples.extend(h for i, h in rollout_health(rollout, rings).samples if i == 0)
        recalled = bool(samples) and canary_gate_tick(release_id, samples, cause=cause)
        if recalled or halted:
            stopped += 1
    return stopped


@shared_task(name="rollout.rollouts.rollouts_tick_task", ignore_result=True)
def rollouts_tick_task() -> dict[str, int]:
    return rollouts_tick()

"""Ring membership and the ring state per host for the resolver's seam (``HostFacts.ring_states``).

With no rollout under way, no host has a ring state and the resolver falls back to delay/stage.
Set-based: one query for the rings, one for the rollouts, one per group-based ring (evaluated by
the database over the hosts asked about), and one for current versions when a rollout is halted.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

from rollout.models import BuildStage, Ring, Rollout, RolloutState, SensorBuild
from rollout.resolver import Build, Catalog, RingState, n_levels
from rollout.resolver.rings import AFTER_THE_LAST_RING, ring_state_for
from rollout.resolver.targets import version_key
from rollout.selectors.groups import group_condition
from telemetry.models import Host

BUCKETS = 10_000  # a percentage ring takes hosts whose bucket < percentage * 100


@functools.lru_cache(maxsize=2_000_000)
def host_bucket(host_id: str) -> int:
    """A stable bucket in [0, 10000) from the host id: a host never changes ring between evaluations."""
    digest = hashlib.sha256(str(host_id).encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def ring_takes_bucket(percentage: Decimal | float | None, bucket: int) -> bool:
    return percentage is not None and bucket < int(Decimal(str(percentage)) * 100)


def ring_membership(
    tenant_id: uuid.UUID | str, rings: Sequence[object], host_ids: Iterable[str]
) -> dict[str, int]:
    """``{host_id: ring index}`` (0-based) for ``rings`` in order; hosts no ring takes get ``len(rings)``,
    so they only receive a rollout once it has completed."""

    ids = [str(h) for h in host_ids]
    result = dict.fromkeys(ids, len(rings))
    if not ids or not rings:
        return result
    remaining = set(ids)
    for index, ring in enumerate(rings):
        if not remaining:
            break
        group = getattr(ring, "group", None)
        taken: set[str] = set()
        if group is not None:
            sql, params = group_condition(group)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id::text FROM telemetry_host WHERE tenant_id = %s AND id = ANY(%s::uuid[]) AND {sql}",  # noqa: S608
                    [str(tenant_id), list(remaining), *params],
                )
                taken = {row[0] for row in cursor.fetchall()}
        percentage = getattr(ring, "percentage", None)
        if percentage is not None:
            taken |= {h for h in remaining if ring_takes_bucket(percentage, host_bucket(h))}
        for h in taken & remaining:
            result[h] = index
        remaining -= taken
    return result


def sensor_ring_key(platform: str, build: str) -> str:
    """The ``HostFacts.ring_states`` key of a sensor-build rollout: ``sensor:<platform>@<build>``."""
    return f"sensor:{platform}@{build}"


def _sensor_rollouts_in_use(rollouts: list[Any]) -> list[Any]:
    """The sensor rollouts whose build is still N, N-1 or N-2 of its platform: no policy level resolves
    to another build, so a rolled-back rollout of a build a newer one replaced no longer matters."""

    if not rollouts:
        return []
    platforms = {r.category for r in rollouts}
    catalog = Catalog(
        builds=tuple(
            Build(p, v, BuildStage.GA)
            for p, v in SensorBuild.objects.filter(platform__in=platforms, stage=BuildStage.GA).values_list(
                "platform", "version"
            )
        )
    )
    levels = {p: {b.version for b in n_levels(catalog, p)} for p in platforms}
    return [r for r in rollouts if r.version in levels[r.category]]


def ring_states_for_hosts(tenant_id: uuid.UUID, host_ids: Iterable[str]) -> dict[str, dict[str, RingState]]:
    """``{host_id: {"content:<category>" | "sensor:<platform>@<build>": RingState}}`` for hosts in an
    active rollout.

    Per subject only the newest rollout counts. In ring ``k`` hosts of rings ``<= k`` may have the new
    version and every other host keeps the previous known good one (never a skipped ring). Halted:
    hosts that already run the new version keep it, nobody else gets it. Rolled back (by an operator
    or a vendor recall): every host is sent back to the previous version, past its windows."""

    ids = [str(h) for h in host_ids]
    if not ids:
        return {}
    # Content: per subject the highest version counts; a completed rollout of it (or of a newer one)
    # ends it. Sensor builds: every unfinished rollout counts on its own (N, N-1 and N-2 can each be
    # moving to another build), keyed by its build; the resolver applies it to hosts whose policy
    # level resolves to that build.
    newest: dict[str, Rollout] = {}
    done: dict[str, tuple[tuple[int, ...], str]] = {}
    sensor: list[Rollout] = []
    for rollout in Rollout.objects.filter(tenant_id=tenant_id).only(
        "pk", "subject", "version", "previous_version", "state", "ring_index"
    ):
        if rollout.is_sensor:
            if rollout.state not in (RolloutState.COMPLETED, RolloutState.SUPERSEDED):
                sensor.append(rollout)
            continue
        key = (version_key(rollout.version), rollout.version)
        if rollout.state == RolloutState.COMPLETED:
            if rollout.subject not in done or key > done[rollout.subject]:
                done[rollout.subject] = key
            continue
        held = newest.get(rollout.subject)
        if held is None or key > (version_key(held.version), held.version):
            newest[rollout.subject] = rollout
    active = [
        r
        for r in newest.values()
        if not (r.subject in done and done[r.subject] >= (version_key(r.version), r.version))
    ] + _sensor_rollouts_in_use(sensor)
    if not active:
        return {}
    rings = list(Ring.objects.filter(tenant_id=tenant_id).select_related("group").order_by("order"))
    membership = ring_membership(tenant_id, rings, ids)
    current: dict[str, dict[str, str]] = {}
    platforms: dict[str, str] = {}
    if sensor or any(r.state == RolloutState.HALTED for r in active):
        for pk, platform, build, versions in Host.objects.filter(tenant_id=tenant_id, pk__in=ids).values_list(
            "pk", "platform", "sensor_build", "content_versions"
        ):
            current[str(pk)] = {**(versions or {}), f"sensor:{platform}": build}
            platforms[str(pk)] = platform
    out: dict[str, dict[str, RingState]] = {h: {} for h in ids}
    names = [r.name for r in rings]
    for rollout in active:
        previous = rollout.previous_version or None
        rid, staged = str(rollout.pk), rollout.version
        state_key, running_key = rollout.subject, rollout.category
        if rollout.is_sensor:
            state_key, running_key = sensor_ring_key(rollout.category, rollout.version), rollout.subject
        for h in ids:
            if rollout.is_sensor and platforms.get(h) != rollout.category:
                continue
            index = membership[h]
            out[h][state_key] = ring_state_for(
                rollout_id=rid,
                staged=staged,
                previous=previous,
                state=str(rollout.state),
                ring_index=rollout.ring_index,
                host_ring=index,
                ring_name=names[index] if index < len(names) else AFTER_THE_LAST_RING,
                running=current.get(h, {}).get(running_key),
            )
    return out

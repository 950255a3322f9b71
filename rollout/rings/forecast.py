"""The exposure forecast of a content release for one tenant: its inputs read from PostgreSQL, then
the resolver run forward in time (``rollout.resolver.forecast``). Used by the rollout page, the
policy preview and ``GET /api/v1/releases/<id>/forecast``.

Inputs, read once per forecast whatever the horizon:
- the tenant's resolver state with its pauses (``tenant_state``; unlike recompute, which leaves
  pauses to the backend as holds, the forecast must see when a pause expires);
- the hosts as distinct combinations (platform, build, versions, groups policies use, ring). With no
  rollout to stage, these are the census the last full recompute left (``TenantRevision.census``,
  the per-combination cache the blast radius reads too), so no host is read at all; otherwise (a
  rollout moving through rings needs each host's ring, or no census yet) one grouped read of the
  hosts, with the ring membership the rings engine uses (``ring_membership``);
- the newest unfinished rollout of the category, projected by ``RingPlan`` (every gate passing), or
  the rollout the gate tick would start now for a tenant with rings that has none yet.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from console.models import Tenant
from rollout import resolver as rv
from rollout.desired.blast import groups_referenced
from rollout.desired.recompute import json_value
from rollout.models import (
    ContentRelease,
    ContentStage,
    ContentUpdatePolicy,
    HostGroup,
    Ring,
    Rollout,
    RolloutState,
    TenantRevision,
)
from rollout.resolver.forecast import DEFAULT_HORIZON_HOURS, Combo, Forecast, RingPlan, forecast_run
from rollout.resolver.targets import content_mode_parse, version_key
from rollout.rings.start import known_good_version, tenants_to_start
from rollout.selectors.groups import group_conditions
from rollout.selectors.rings import ring_membership
from rollout.selectors.state import catalog_state, facts_of, tenant_state

TENANT_VISIBLE_STAGES = (
    ContentStage.CANARY,
    ContentStage.EARLY_ACCESS,
    ContentStage.GA,
    ContentStage.RECALLED,
)


def _advance_from(tenant: Tenant, release: ContentRelease) -> datetime | None:
    """When ``advance_allowed`` first lets a rollout of ``release`` past a ring in ``tenant``."""
    policy = ContentUpdatePolicy.objects.filter(
        tenant=tenant, category_id=release.category_id, is_default=True
    ).first()
    mode = content_mode_parse(policy.mode if policy else "ga")
    if mode.kind in ("pinned", "paused"):
        mode = content_mode_parse("ga")
    if mode.kind == "early_access":
        since = release.early_access_at or release.ga_at
        return since if release.stage in (ContentStage.EARLY_ACCESS, ContentStage.GA) else None
    if release.stage != ContentStage.GA or release.ga_at is None:
        return None
    return release.ga_at + timedelta(hours=mode.delay_hours)


def ring_plan(tenant: Tenant, release: ContentRelease, rings: list[Ring], start: datetime) -> RingPlan | None:
    """The rollout that gives ``release``'s category its ring states in ``tenant`` (as
    ``ring_states_for_hosts`` picks it), or the one the tick would start for ``release`` now."""
    if not rings:
        return None
    subject = f"content:{release.category.key}"
    newest: Rollout | None = None
    done: tuple[tuple[int, ...], str] | None = None
    for rollout in Rollout.objects.filter(tenant=tenant, subject=subject).select_related("release"):
        key = (version_key(rollout.version), rollout.version)
        if rollout.state == RolloutState.COMPLETED:
            done = key if done is None or key > done else done
        elif newest is None or key > (version_key(newest.version), newest.version):
            newest = rollout
    if newest is not None and done is not None and done >= (version_key(newest.version), newest.version):
        newest = None
    soaks = tuple(r.soak_minutes for r in rings)
    names = tuple(r.name for r in rings)
    if newest is None:
        startable = release.valid and release.stage not in (ContentStage.INTERNAL, ContentStage.RECALLED)
        if not startable or tenant.pk not in tenants_to_start(release):
            return None
        return RingPlan(
            rollout_id="",
            version=release.version,
            previous=known_good_version(release) or None,
            state=RolloutState.IN_RING,
            ring_index=0,
            ring_entered_at=start,
            soak_minutes=soaks,
            ring_names=names,
            advance_from=_advance_from(tenant, release),
        )
    staged = newest.release or release
    return RingPlan(
        rollout_id=str(newest.pk),
        version=newest.version,
        previous=newest.previous_version or None,
        state=str(newest.state),
        ring_index=newest.ring_index,
        ring_entered_at=newest.ring_entered_at,
        soak_minutes=soaks,
        ring_names=names,
        advance_from=_advance_from(tenant, staged),
    )


def _census_combos(tenant: Tenant, state: rv.TenantState) -> list[Combo] | None:
    """The combinations the last full recompute counted, if it saw every group policies use now."""
    census = TenantRevision.objects.filter(tenant=tenant).values_list("census", flat=True).first()
    if not census or census.get("refs") is None or not groups_referenced(state) <= set(census["refs"]):
        return None
    combos: list[Combo] = []
    for key, count in census.get("hosts", {}).items():
        platform, build, versions, group_ids, _ring = json.loads(key)
        combos.append(Combo(_facts(platform, build, versions, group_ids), count))
    return combos


def _facts(platform: str, build: str, versions: Any, group_ids: Any) -> rv.HostFacts:
    return facts_of(
        host_id="",
        platform=platform,
        sensor_build=build,
        content_versions=json_value(versions) or {},
        group_ids=group_ids,
        ring_states={},
    )


def _host_combos(tenant: Tenant, state: rv.TenantState, rings: list[Ring] | None) -> list[Combo]:
    """One grouped read of the tenant's hosts; per host only when ``rings`` need each host's ring."""
    used = groups_referenced(state)
    groups = list(HostGroup.objects.filter(tenant=tenant, pk__in=used).order_by("pk"))
    ids = [str(g.pk) for g in groups]
    conditions = group_conditions(groups)
    bits_sql = "ARRAY[" + ", ".join(c[0] for c in conditions) + "]::bool[]"
    params: list[Any] = [p for c in conditions for p in c[1]]
    columns = "platform, sensor_build, COALESCE(content_versions, '{}'::jsonb)::text"
    counts: dict[tuple[str, str, str, tuple[bool, ...], int], int] = defaultdict(int)
    with connection.cursor() as cursor:
        if not rings:
            cursor.execute(
                f"SELECT {columns}, {bits_sql}, count(*) FROM telemetry_host"  # noqa: S608 - our own SQL pieces
                " WHERE tenant_id = %s GROUP BY 1, 2, 3, 4",
                [*params, tenant.pk],
            )
            for platform, build, versions, bits, count in cursor.fetchall():
                counts[(platform, build, versions, tuple(bits), 0)] += count
        else:
            cursor.execute(
                f"SELECT id::text, {columns}, {bits_sql} FROM telemetry_host WHERE tenant_id = %s",  # noqa: S608
                [*params, tenant.pk],
            )
            rows = cursor.fetchall()
            membership = ring_membership(tenant.pk, rings, [r[0] for r in rows])
            for host_id, platform, build, versions, bits in rows:
                counts[(platform, build, versions, tuple(bits), membership[host_id])] += 1
    return [
        Combo(
            _facts(platform, build, versions, [g for g, bit in zip(ids, bits, strict=True) if bit]), n, ring
        )
        for (platform, build, versions, bits, ring), n in counts.items()
    ]


def release_forecast(
    tenant: Tenant,
    release: ContentRelease,
    *,
    hours: int = DEFAULT_HORIZON_HOURS,
    start: datetime | None = None,
) -> Forecast:
    """How many of ``tenant``'s hosts have ``release`` at each hour boundary of the next ``hours``
    (from ``start``, default now, rounded down to the minute), if every gate passes."""
    start = (start or timezone.now()).replace(second=0, microsecond=0)
    state = tenant_state(tenant, catalog_state())
    rings = list(Ring.objects.filter(tenant=tenant).select_related("group").order_by("order"))
    plan = ring_plan(tenant, release, rings, start)
    combos = _census_combos(tenant, state) if plan is None else None
    if combos is None:
        combos = _host_combos(tenant, state, rings if plan is not None else None)
    return forecast_run(
        state,
        combos,
        category=release.category.key,
        version=release.version,
        start=start,
        hours=hours,
        plan=plan,
    )


def forecast_release_for_category(category_id: Any) -> ContentRelease | None:
    """The release a policy preview forecasts: the category's newest valid release past internal."""
    releases = ContentRelease.objects.filter(
        category_id=category_id,
        valid=True,
        stage__in=[ContentStage.CANARY, ContentStage.EARLY_ACCESS, ContentStage.GA],
    ).select_related("category")
    return max(releases, key=lambda r: (version_key(r.version), r.version), default=None)


def forecast_out(forecast: Forecast) -> dict[str, Any]:
    """The forecast as the API and the pages present it (times in UTC, ISO 8601)."""
    plan = forecast.ring_plan
    return {
        "category": forecast.category,
        "version": forecast.version,
        "start": forecast.start.isoformat(),
        "hours": forecast.hours,
        "hosts_total": forecast.hosts_total,
        "hosts_reached": forecast.reached,
        "combinations": forecast.combinations,
        "resolutions": forecast.resolutions,
        "staged": plan is not None,
        "points": [
            {
                "at": p.at.isoformat(),
                "hour": p.hour,
                "hosts": p.hosts,
                "new": p.new,
                "waiting": dict(p.waiting),
            }
            for p in forecast.points
        ],
        "milestones": [
            {"share": m.share, "hosts": m.hosts, "hour": m.hour, "at": m.at.isoformat() if m.at else None}
            for m in forecast.milestones()
        ],
    }


class _Undo(Exception):
    pass


def release_forecast_after(
    tenant: Tenant, release: ContentRelease, change: Callable[[], object], **options: Any
) -> Forecast:
    """The forecast as it would be after ``change`` (a policy edit being previewed): the change
    runs in a savepoint that is rolled back, as the blast radius's dry run does."""
    holder: list[Forecast] = []
    try:
        with transaction.atomic():
            change()
            holder.append(release_forecast(tenant, release, **options))
            raise _Undo
    except _Undo:
        pass
    return holder[0]


def forecast_page(
    forecast: Forecast, before: Forecast | None = None, *, key: str = "forecast"
) -> dict[str, Any]:
    """What ``rollout/_forecast.html`` shows: milestones (with the time before a previewed change),
    the hours at which hosts arrive, and the chart's data with labels in the active (tenant's) zone."""
    earlier = {m.hosts: m for m in before.milestones()} if before is not None else {}
    milestones = [
        {"m": m, "before": earlier.get(m.hosts), "label": "first host" if not m.share else f"{m.share:.0%}"}
        for m in forecast.milestones()
    ]
    series: dict[str, Any] = {
        "labels": [timezone.localtime(p.at).strftime("%a %H:%M") for p in forecast.points],
        "hosts": [p.hosts for p in forecast.points],
        "total": forecast.hosts_total,
        "version": forecast.version,
    }
    if before is not None:
        series["before"] = [p.hosts for p in before.points]
    return {
        "f": forecast,
        "milestones": milestones,
        "arrivals": [p for p in forecast.points if p.new or p.hour == 0],
        "series": series,
        "compared": before is not None,
        "last_at": forecast.points[-1].at if forecast.points else forecast.start,
        "key": key,
        "data_id": f"{key}-data",
    }

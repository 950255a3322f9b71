from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from console.models import Tenant
from rollout import resolver as rv
from rollout.models import (
    Compatibility,
    ContentCategory,
    ContentRelease,
    ContentUpdatePolicy,
    Freeze,
    HostGroup,
    OverrideRequest,
    OverrideState,
    Pause,
    ReleaseBuildCheck,
    SensorBuild,
    SensorUpdatePolicy,
)
from rollout.resolver.recurrence import Recurrence
from rollout.resolver.targets import version_key
from rollout.selectors.groups import groups_for_tenant, host_group_ids
from rollout.selectors.rings import ring_states_for_hosts
from telemetry.models import Host


def _matrices() -> dict[Any, tuple[frozenset[str], tuple[tuple[str, str], ...]]]:
    """Per release id: the builds its stored contract matrix lets it go to, and why not the others."""
    compatible: dict[Any, set[str]] = {}
    blocked: dict[Any, list[tuple[str, str]]] = {}
    rows = ReleaseBuildCheck.objects.order_by().values_list(
        "release_id", "platform", "build_version", "status", "problems"
    )
    for release_id, platform, version, status, problems in rows:
        allowed = compatible.setdefault(release_id, set())
        key = rv.build_key(platform, version)
        if status == Compatibility.INCOMPATIBLE:
            first = problems[0]["message"] if problems else "incompatible."
            blocked.setdefault(release_id, []).append((key, first))
        else:
            allowed.add(key)
    return {rid: (frozenset(keys), tuple(blocked.get(rid, ()))) for rid, keys in compatible.items()}


def catalog_state() -> rv.Catalog:
    builds = tuple(rv.Build(b.platform, b.version, b.stage) for b in SensorBuild.objects.all())
    matrices = _matrices()
    releases = tuple(
        rv.Release(
            category=r["category__key"],
            version=r["version"],
            stage=r["stage"],
            valid=r["valid"],
            critical=r["critical"],
            early_access_at=r["early_access_at"],
            ga_at=r["ga_at"],
            compatible_builds=matrices[r["id"]][0] if r["id"] in matrices else None,
            incompatible=matrices[r["id"]][1] if r["id"] in matrices else (),
        )
        for r in ContentRelease.objects.values(
            "id", "category__key", "version", "stage", "valid", "critical", "early_access_at", "ga_at"
        )
    )
    categories = tuple(
        rv.Category(c.key, c.system_critical, c.max_pause_hours) for c in ContentCategory.objects.all()
    )
    return rv.Catalog(builds=builds, releases=releases, categories=categories)


def _block(block: dict[str, Any], tz: str) -> Recurrence:
    from datetime import time

    start = time.fromisoformat(block["start"])
    end = time.fromisoformat(block["end"])
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return Recurrence(frozenset(block["weekdays"]), start, max(minutes, 0), tz)


def _group_names(
    tenant: Tenant,
    sensor: Sequence[rv.SensorPolicy],
    content: Sequence[rv.ContentPolicy],
    pauses: Sequence[rv.Pause],
) -> dict[str, str]:
    """Names of the groups the resolver can name (those of policies and pauses), as plain values:
    a tenant may have 10,000 groups that no policy uses."""
    every: list[rv.SensorPolicy | rv.ContentPolicy] = [*sensor, *content]
    ids = {g for p in every for g in p.group_ids} | {p.group_id for p in pauses if p.group_id}
    rows = HostGroup.objects.filter(tenant=tenant, pk__in=ids).values_list("pk", "name") if ids else []
    return {str(pk): name for pk, name in rows}


def tenant_state(tenant: Tenant, catalog: rv.Catalog | None = None) -> rv.TenantState:
    """Everything the resolver needs about ``tenant`` (a handful of queries, independent of fleet size)."""
    sensor = [
        rv.SensorPolicy(
            id=str(p.pk),
            name=p.name,
            platform=p.platform,
            target=p.target,
            precedence=p.precedence,
            is_default=p.is_default,
            group_ids=frozenset(str(g.pk) for g in p.groups.all()),
            update_blocks=tuple(_block(b, p.timezone) for b in p.update_blocks),
        )
        for p in SensorUpdatePolicy.objects.filter(tenant=tenant).prefetch_related("groups")
    ]
    content = [
        rv.ContentPolicy(
            id=str(p.pk),
            name=p.name,
            category=p.category.key,
            mode=p.mode,
            precedence=p.precedence,
            is_default=p.is_default,
            group_ids=frozenset(str(g.pk) for g in p.groups.all()),
            windows=tuple(
                rv.Window(
                    str(w.pk),
                    w.name,
                    Recurrence(frozenset(w.weekdays), w.start, w.duration_minutes, w.timezone),
                )
                for w in p.windows.all()
            ),
            critical_bypass_windows=p.critical_bypass_windows,
        )
        for p in ContentUpdatePolicy.objects.filter(tenant=tenant)
        .select_related("category")
        .prefetch_related("groups", "windows")
    ]
    freezes = [
        rv.Freeze(
            str(f.pk),
            f.reason,
            f.starts_at,
            min(f.ends_at, f.lifted_at) if f.lifted_at else f.ends_at,
            critical_bypass=f.bypass_approved_at is not None,
        )
        for f in Freeze.objects.filter(tenant=tenant)
    ]
    pauses = [
        rv.Pause(
            id=str(p.pk),
            scope=p.scope,
            reason=p.reason,
            created_at=p.created_at,
            expires_at=p.expires_at,
            group_id=str(p.group_id) if p.group_id else None,
            category=p.category.key if p.category else None,
        )
        for p in Pause.objects.filter(tenant=tenant, resumed_at__isnull=True).select_related("category")
    ]
    overrides = [
        rv.Override(
            id=str(o.pk),
            category=o.release.category.key,
            version=o.release.version,
            kinds=frozenset(o.overrides),
            expires_at=o.expires_at,
            requested_by=o.requested_by,
        )
        for o in OverrideRequest.objects.filter(
            tenant=tenant, state=OverrideState.APPROVED, expires_at__gt=timezone.now()
        ).select_related("release__category")
    ]
    return rv.TenantState(
        catalog=catalog or catalog_state(),
        sensor_policies=tuple(sensor),
        content_policies=tuple(content),
        freezes=tuple(freezes),
        pauses=tuple(pauses),
        overrides=tuple(sorted(overrides, key=lambda o: o.id)),
        group_names=_group_names(tenant, sensor, content, pauses),
    )


def host_facts(
    host: Host, group_ids: set[str] | frozenset[str], ring_states: Mapping[str, rv.RingState] | None = None
) -> rv.HostFacts:
    """A host's resolver input: what it runs, its groups and its ring states."""
    return facts_of(
        host_id=str(host.pk),
        platform=host.platform,
        sensor_build=host.sensor_build,
        content_versions=host.content_versions or {},
        group_ids=group_ids,
        ring_states=ring_states or {},
    )


def facts_of(
    *,
    host_id: str,
    platform: str,
    sensor_build: str,
    content_versions: Mapping[str, str],
    group_ids: Iterable[str],
    ring_states: Mapping[str, rv.RingState],
) -> rv.HostFacts:
    """The one constructor of ``HostFacts`` (explain and recompute both build theirs here)."""
    return rv.HostFacts(
        id=host_id,
        platform=platform,
        sensor_build=sensor_build,
        content_versions=dict(content_versions),
        group_ids=frozenset(group_ids),
        ring_states=dict(ring_states),
    )


def host_explain(
    tenant: Tenant, host: Host, at: datetime, *, state: rv.TenantState | None = None
) -> rv.Resolution:
    """Why ``host`` is on what it is on: the resolver's answer with the deciding rules.

    The same inputs recompute gives the resolver for this host (what it runs, its groups, its ring
    states from ``ring_states_for_hosts``), plus the tenant's pauses, which recompute leaves to the
    backend as holds: explain, the stored desired state and the edge therefore agree (DESIGN
    section 4 rule 11), and explain names a pause where the edge serves a hold. ``fallback`` is the
    one recompute stores (``rv.resolve_with_fallback``: computed without pauses)."""
    groups = groups_for_tenant(tenant)
    rings = ring_states_for_hosts(tenant.pk, [str(host.pk)]).get(str(host.pk), {})
    facts = host_facts(host, host_group_ids(tenant, host, groups), rings)
    return rv.resolve_with_fallback(state or tenant_state(tenant), facts, at)


def n_levels(platform: str, catalog: rv.Catalog | None = None) -> list[rv.Build]:
    return rv.n_levels(catalog or catalog_state(), platform)


def builds_for(platform: str) -> list[SensorBuild]:
    return sorted(
        SensorBuild.objects.filter(platform=platform), key=lambda b: version_key(b.version), reverse=True
    )

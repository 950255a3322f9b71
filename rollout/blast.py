"""Blast radius: how many hosts a change would move, from what to what, per platform and group.

The change runs inside a savepoint; the tenant's hosts are grouped by (platform, sensor build,
content versions, group membership before, group membership after) in one SQL query, and the pure
resolver runs once per distinct combination, before and after. A dry run rolls the savepoint back,
so the numbers a preview shows are exactly those a save produces.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from console.models import Tenant
from rollout import resolver as rv
from rollout.selectors import catalog_state, group_condition, groups_for_tenant, tenant_state

T = TypeVar("T")
BEFORE_MEMBERS = "rollout_before_members"


@dataclass
class BlastRadius:
    hosts_total: int = 0
    hosts_changing: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        by_platform: dict[str, int] = defaultdict(int)
        by_group: dict[str, int] = defaultdict(int)
        for row in self.rows:
            by_platform[row["platform"]] += row["hosts"]
            by_group[row["group"]] += row["hosts"]
        return {
            "hosts_total": self.hosts_total,
            "hosts_changing": self.hosts_changing,
            "changes": self.rows,
            "by_platform": dict(by_platform),
            "by_group": dict(by_group),
        }

    def summary(self) -> str:
        if not self.hosts_changing:
            return f"No host changes target (0 of {self.hosts_total:,})."
        return f"{self.hosts_changing:,} of {self.hosts_total:,} hosts would change target."


class _DryRun(Exception):
    pass


@dataclass
class _Before:
    state: rv.TenantState
    conditions: list[tuple[str, list[Any]]]
    group_ids: list[str]


def _snapshot_members(tenants: Sequence[Tenant]) -> str:
    """Copies the static memberships to a temporary table (one per measurement: they may nest)."""
    table = f"{BEFORE_MEMBERS}_{uuid.uuid4().hex}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {table} ON COMMIT DROP AS SELECT group_id, host_id "  # noqa: S608 - our own name
            "FROM rollout_hostgroupmember WHERE tenant_id = ANY(%s)",
            [[t.pk for t in tenants]],
        )
    return table


def _referenced(state: rv.TenantState) -> set[str]:
    """The groups the resolver can see a difference for: those of policies and group pauses.

    Other groups (dashboards, saved searches) cannot change any host's target, so they are not
    evaluated at all, which keeps a measurement's cost to the groups that matter."""
    ids: set[str] = set()
    for sensor in state.sensor_policies:
        ids |= sensor.group_ids
    for content in state.content_policies:
        ids |= content.group_ids
    ids |= {p.group_id for p in state.pauses if p.group_id}
    return ids


def _before(tenant: Tenant, catalog: rv.Catalog, table: str) -> _Before:
    state = tenant_state(tenant, catalog)
    used = _referenced(state)
    groups = [g for g in groups_for_tenant(tenant) if str(g.pk) in used]
    return _Before(
        state=state,
        conditions=[group_condition(g, members_table=table) for g in groups],
        group_ids=[str(g.pk) for g in groups],
    )


def _array(conditions: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    sql = "ARRAY[" + ", ".join(c[0] for c in conditions) + "]::bool[]"
    return sql, [p for c in conditions for p in c[1]]


def _facts(
    platform: str, build: str, versions: dict[str, str], ids: list[str], bits: list[bool]
) -> rv.HostFacts:
    return rv.HostFacts(
        id="",
        platform=platform,
        sensor_build=build,
        content_versions=versions,
        group_ids=frozenset(g for g, bit in zip(ids, bits, strict=True) if bit),
    )


def _radius(tenant: Tenant, before: _Before, after_state: rv.TenantState, at: datetime) -> BlastRadius:
    used = _referenced(after_state)
    groups_after = [g for g in groups_for_tenant(tenant) if str(g.pk) in used]
    after_ids = [str(g.pk) for g in groups_after]
    before_sql, before_params = _array(before.conditions)
    after_sql, after_params = _array([group_condition(g) for g in groups_after])
    sql = (
        f"SELECT platform, sensor_build, content_versions, {before_sql}, {after_sql}, count(*) "  # noqa: S608
        "FROM telemetry_host WHERE tenant_id = %s GROUP BY 1, 2, 3, 4, 5"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*before_params, *after_params, tenant.pk])
        combos = cursor.fetchall()
    radius = BlastRadius()
    rows: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
    for platform, build, versions, bits_before, bits_after, count in combos:
        radius.hosts_total += count
        versions = versions if isinstance(versions, dict) else {}

        old_facts = _facts(platform, build, versions, before.group_ids, bits_before)
        new_facts = _facts(platform, build, versions, after_ids, bits_after)
        old = rv.resolve_host(before.state, old_facts, at)
        new = rv.resolve_host(after_state, new_facts, at)
        changed = False
        pairs = [(old.sensor, new.sensor)] + [
            (old.content.get(k), new.content.get(k)) for k in sorted(set(old.content) | set(new.content))
        ]
        for was, now in pairs:
            was_target = was.target if was else None
            now_target = now.target if now else None
            if was_target == now_target or now is None:
                continue
            changed = True
            group = now.group_name or (f"default: {now.policy_name}" if now.policy_name else "no policy")
            rows[(now.subject, platform, group, str(was_target), str(now_target))] += count
        if changed:
            radius.hosts_changing += count
    radius.rows = [
        {"subject": s, "platform": p, "group": g, "from": f, "to": t, "hosts": n}
        for (s, p, g, f, t), n in sorted(rows.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return radius


def measure_many(
    tenants: Sequence[Tenant], change: Callable[[], T], *, dry_run: bool, at: datetime | None = None
) -> tuple[T, dict[str, BlastRadius]]:
    """Runs ``change`` and measures its blast radius in every tenant; a dry run rolls it back."""
    at = at or timezone.now()
    holder: list[tuple[T, dict[str, BlastRadius]]] = []
    try:
        with transaction.atomic():
            table = _snapshot_members(tenants)
            catalog = catalog_state()
            before = {str(t.pk): _before(t, catalog, table) for t in tenants}
            result = change()
            catalog_after = catalog_state()
            radii = {
                str(t.pk): _radius(t, before[str(t.pk)], tenant_state(t, catalog_after), at) for t in tenants
            }
            holder.append((result, radii))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return holder[0]


def measure(
    tenant: Tenant, change: Callable[[], T], *, dry_run: bool, at: datetime | None = None
) -> tuple[T, BlastRadius]:
    """Runs ``change`` in ``tenant`` and measures its blast radius; a dry run rolls it back."""
    result, radii = measure_many([tenant], change, dry_run=dry_run, at=at)
    return result, radii[str(tenant.pk)]

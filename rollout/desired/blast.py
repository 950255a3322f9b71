"""Blast radius: how many hosts a change would move, from what to what, per platform and group.

The change runs inside a savepoint; the tenant's hosts are grouped by (platform, sensor build,
content versions, group membership before, group membership after) in one SQL query, and the pure
resolver runs once per distinct combination, before and after. A dry run rolls the savepoint back,
so the numbers a preview shows are exactly those a save produces.

A change that cannot move a host between groups (policies, precedence, windows: the caller says
``members_unchanged``) and that alters only policies is measured over the hosts of the changed
policies' groups alone, found in the stored desired state (``rollout_desiredstate.groups``, GIN
index) instead of re-running every group rule over the host table; no other host can change
target. That needs a desired-state row for every host; a tenant whose desired state is not
complete yet (no recompute has run) or a change of a default policy is measured the full way.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from console.models import Tenant
from rollout import resolver as rv
from rollout.desired.outbox import TARGETS_ONLY_PREFIXES
from rollout.models import OutboxEntry, TenantRevision
from rollout.selectors.groups import group_conditions, groups_for_tenant
from rollout.selectors.state import catalog_state, tenant_state

T = TypeVar("T")


R = TypeVar("R")


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


def groups_referenced(state: rv.TenantState) -> set[str]:
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


def state_digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _plain(value: Any) -> Any:
    return sorted(value) if isinstance(value, set | frozenset) else str(value)


def policy_marks(state: rv.TenantState) -> dict[str, list[Any]]:
    """Per policy a digest of everything about it and its groups (None for a default policy, which
    decides the hosts that no group names)."""
    every: list[rv.SensorPolicy | rv.ContentPolicy] = [*state.sensor_policies, *state.content_policies]
    return {p.id: [state_digest(asdict(p)), None if p.is_default else sorted(p.group_ids)] for p in every}


def policy_scope(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[bool, set[str] | None]:
    """(whether any policy changed, the groups whose hosts alone the change can move: those of every
    policy added, removed or edited, before and after; None when a default policy changed).

    A host in none of those groups keeps the same candidate policies in the same order, so its
    selected policy, and with it its target, cannot change."""
    groups: set[str] = set()
    changed = False
    for pid in before.keys() | after.keys():
        was, now = before.get(pid), after.get(pid)
        if was == now:
            continue
        changed = True
        for mark in (was, now):
            if mark is not None and mark[1] is None:
                return True, None
            groups.update(mark[1] if mark is not None else ())
    return changed, groups


def _only_policies_differ(before: rv.TenantState, after: rv.TenantState) -> bool:
    return (before.catalog, before.freezes, before.pauses) == (after.catalog, after.freezes, after.pauses)


def _before(tenant: Tenant, catalog: rv.Catalog, table: str) -> _Before:
    return _before_state(tenant, tenant_state(tenant, catalog), table)


def _before_state(tenant: Tenant, state: rv.TenantState, table: str) -> _Before:
    used = groups_referenced(state)
    groups = [g for g in groups_for_tenant(tenant) if str(g.pk) in used]
    return _Before(
        state=state,
        conditions=group_conditions(groups, members_table=table),
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
    used = groups_referenced(after_state)
    groups_after = [g for g in groups_for_tenant(tenant) if str(g.pk) in used]
    after_ids = [str(g.pk) for g in groups_after]
    before_sql, before_params = _array(before.conditions)
    after_sql, after_params = _array(group_conditions(groups_after))
    sql = (
        f"SELECT platform, sensor_build, content_versions, {before_sql}, {after_sql}, count(*) "  # noqa: S608
        "FROM telemetry_host WHERE tenant_id = %s GROUP BY 1, 2, 3, 4, 5"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*before_params, *after_params, tenant.pk])
        combos = cursor.fetchall()
    radius = BlastRadius(hosts_total=sum(c[-1] for c in combos))
    return _tally(radius, combos, before, after_state, after_ids, at)


def _radius_of_groups(
    tenant: Tenant, before: _Before, after_state: rv.TenantState, scope: set[str], at: datetime
) -> BlastRadius | None:
    """The blast radius over the hosts whose stored desired state names a group of ``scope``, or
    None before the first full recompute of the tenant (no host's groups are known there).

    The desired state is as fresh as the last recompute (the beat's runs every minute): hosts
    enrolled since are not counted yet, and the total is the one that recompute read, which
    spares counting a million hosts on every save. When the last pass over every host left its
    census of combinations (and no pass over some hosts has run since), the hosts are not read at
    all: the census says how many hosts run what in which groups, as of that pass (hosts whose
    reported versions changed since count with their versions then: at most a minute old, as the
    beat's pass runs again whenever a host column changed)."""
    stored = TenantRevision.objects.filter(tenant=tenant).values_list("hosts_total", "census").first()
    if stored is None or stored[0] is None:
        return None
    hosts: int = stored[0]
    census = stored[1]
    after_ids = sorted(groups_referenced(after_state))
    combos = _census_combos(census, before.group_ids, after_ids, scope)
    if combos is not None:
        return _tally(BlastRadius(hosts_total=hosts), combos, before, after_state, after_ids, at)
    with connection.cursor() as cursor:
        before_sql = _bits(before.group_ids)
        after_sql = _bits(after_ids)
        cursor.execute(
            f"SELECT h.platform, h.sensor_build, h.content_versions, {before_sql}, {after_sql}, count(*)"  # noqa: S608 - placeholders only
            " FROM rollout_desiredstate d JOIN telemetry_host h ON h.id = d.host_id AND h.tenant_id = d.tenant_id"
            " WHERE d.tenant_id = %s AND d.groups && %s::varchar(36)[] GROUP BY 1, 2, 3, 4, 5",
            [*before.group_ids, *after_ids, tenant.pk, sorted(scope)],
        )
        combos = cursor.fetchall()
    return _tally(BlastRadius(hosts_total=hosts), combos, before, after_state, after_ids, at)


def _census_combos(
    census: Mapping[str, Any], before_ids: Sequence[str], after_ids: Sequence[str], scope: set[str]
) -> list[tuple[str, str, dict[str, str], list[bool], list[bool], int]] | None:
    """The (platform, build, versions, bits before, bits after, hosts) rows of the hosts in a group
    of ``scope``, from the last full recompute's census of combinations (no host is read); None
    when there is none, or it was taken before a group the change involves was used by a policy
    (its combinations do not say who is in that group)."""
    refs = census.get("refs") if census else None
    if refs is None or not set(before_ids).union(after_ids, scope) <= set(refs):
        return None
    rows: dict[tuple[str, str, str, tuple[bool, ...], tuple[bool, ...]], int] = defaultdict(int)
    for key, count in census.get("hosts", {}).items():
        platform, build, versions, group_ids, _ring = json.loads(key)
        groups = set(group_ids)
        if not scope & groups:
            continue
        before = tuple(g in groups for g in before_ids)
        after = tuple(g in groups for g in after_ids)
        rows[(platform, build, versions, before, after)] += count
    return [
        (platform, build, json.loads(versions), list(before), list(after), count)
        for (platform, build, versions, before, after), count in rows.items()
    ]


def _membership_pending(tenant: Tenant) -> bool:
    """Whether a change that can move hosts between groups (a group just created or edited) has
    not reached the stored desired state yet: its groups cannot be trusted until it has."""

    pending = OutboxEntry.objects.filter(tenant=tenant, processed_at__isnull=True).values_list(
        "reason", flat=True
    )
    return any(not reason.startswith(TARGETS_ONLY_PREFIXES) for reason in pending)


def _bits(group_ids: Iterable[str]) -> str:
    return "ARRAY[" + ", ".join("%s = ANY(d.groups)" for _ in group_ids) + "]::bool[]"


def _tally(
    radius: BlastRadius,
    combos: Iterable[Sequence[Any]],
    before: _Before,
    after_state: rv.TenantState,
    after_ids: list[str],
    at: datetime,
) -> BlastRadius:
    """Resolves every (platform, build, versions, groups before, groups after) combination before
    and after the change and counts the hosts whose target moves."""
    rows: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
    for platform, build, versions, bits_before, bits_after, count in combos:
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


def _savepoint(work: Callable[[], R], *, dry_run: bool) -> R:
    """Runs ``work`` in a savepoint that a dry run rolls back."""
    holder: list[R] = []
    try:
        with transaction.atomic():
            holder.append(work())
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return holder[0]


def blast_measure_many(
    tenants: Sequence[Tenant], change: Callable[[], T], *, dry_run: bool, at: datetime | None = None
) -> tuple[T, dict[str, BlastRadius]]:
    """Runs ``change`` and measures its blast radius in every tenant; a dry run rolls it back."""
    when = at or timezone.now()

    def work() -> tuple[T, dict[str, BlastRadius]]:
        table = _snapshot_members(tenants)
        catalog = catalog_state()
        before = {str(t.pk): _before(t, catalog, table) for t in tenants}
        result = change()
        catalog_after = catalog_state()
        return result, {
            str(t.pk): _radius(t, before[str(t.pk)], tenant_state(t, catalog_after), when) for t in tenants
        }

    return _savepoint(work, dry_run=dry_run)


def blast_measure(
    tenant: Tenant,
    change: Callable[[], T],
    *,
    dry_run: bool,
    at: datetime | None = None,
    members_unchanged: bool = False,
) -> tuple[T, BlastRadius]:
    """Runs ``change`` in ``tenant`` and measures its blast radius; a dry run rolls it back.

    ``members_unchanged``: the change cannot move a host into or out of a group, so a change of
    policies alone is measured over the hosts of their groups (see the module docstring)."""
    if not members_unchanged:
        result, radii = blast_measure_many([tenant], change, dry_run=dry_run, at=at)
        return result, radii[str(tenant.pk)]
    when = at or timezone.now()

    def work() -> tuple[T, BlastRadius]:
        catalog = catalog_state()  # policies, precedence and windows do not touch the vendor catalog
        state = tenant_state(tenant, catalog)
        settled = not _membership_pending(tenant)
        result = change()
        after = tenant_state(tenant, catalog)
        changed, scope = policy_scope(policy_marks(state), policy_marks(after))
        radius: BlastRadius | None = None
        if settled and scope is not None and _only_policies_differ(state, after):
            before = _Before(state=state, conditions=[], group_ids=sorted(groups_referenced(state)))
            radius = _radius_of_groups(tenant, before, after, scope if changed else set(), when)
        if radius is None:
            # Measured the full way, against the memberships as they are (unchanged).
            table = _snapshot_members([tenant])
            radius = _radius(tenant, _before_state(tenant, state, table), after, when)
        return result, radius

    return _savepoint(work, dry_run=dry_run)

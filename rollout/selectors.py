"""Reads: tenant first. Group membership is SQL; the resolver's inputs are built here from the ORM."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from console.models import Tenant
from rollout import resolver as rv
from rollout.models import (
    ContentCategory,
    ContentRelease,
    ContentStage,
    ContentUpdatePolicy,
    Freeze,
    HostGroup,
    Pause,
    SensorBuild,
    SensorUpdatePolicy,
)
from rollout.recurrence import Recurrence
from rollout.rules import rule_sql
from rollout.targets import version_key
from telemetry.models import Host

MEMBERS_TABLE = "rollout_hostgroupmember"


# --- groups --------------------------------------------------------------------------------------


def group_condition(
    group: HostGroup, members_table: str = MEMBERS_TABLE, *, has_members: bool | None = None
) -> tuple[str, list[Any]]:
    """A boolean SQL condition over ``telemetry_host`` columns: the host is in ``group``.

    ``has_members`` (whether ``members_table`` holds static members of the group) is looked up when
    not given; a group without static members gets no sub-select at all."""
    if has_members is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {members_table} WHERE group_id = %s)", [group.pk])  # noqa: S608
            row = cursor.fetchone()
        has_members = bool(row and row[0])
    # SQL text comes only from our rule compiler and table names; every value is a parameter.
    parts: list[str] = []
    params: list[Any] = []
    if has_members:
        parts.append(f"id IN (SELECT host_id FROM {members_table} WHERE group_id = %s)")  # noqa: S608
        params.append(group.pk)
    if group.rule:
        sql, rule_params = rule_sql(group.rule)
        parts.insert(0, f"({sql})")
        params = [*rule_params, *params]
    if not parts:
        return "false", []
    return "COALESCE((" + " OR ".join(parts) + "), false)", params


def rule_hosts(tenant: Tenant, rule: dict[str, Any]) -> QuerySet[Host]:
    sql, params = rule_sql(rule)
    return Host.objects.filter(tenant=tenant).filter(
        RawSQL(f"COALESCE(({sql}), false)", params, output_field=BooleanField())  # noqa: S611
    )


def group_hosts(tenant: Tenant, group: HostGroup) -> QuerySet[Host]:
    """The group's hosts, evaluated by the database."""
    sql, params = group_condition(group)
    return Host.objects.filter(tenant=tenant).filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611


@dataclass(frozen=True)
class Preview:
    count: int
    sample: list[dict[str, Any]]
    total: int

    @property
    def empty(self) -> bool:
        return self.count == 0


def rule_preview(tenant: Tenant, rule: dict[str, Any], *, limit: int = 10) -> Preview:
    """How many of the tenant's hosts a rule matches, and the first few by hostname."""
    hosts = rule_hosts(tenant, rule)
    sample = [
        dict(row)
        for row in hosts.order_by("hostname", "id").values(
            "id", "hostname", "platform", "os_version", "site", "sensor_build"
        )[:limit]
    ]
    return Preview(count=hosts.count(), sample=sample, total=Host.objects.filter(tenant=tenant).count())


def groups_for_tenant(tenant: Tenant) -> list[HostGroup]:
    return list(HostGroup.objects.filter(tenant=tenant).order_by("name", "id"))


def host_group_ids(tenant: Tenant, host: Host, groups: Sequence[HostGroup] | None = None) -> set[str]:
    """The ids of the groups ``host`` is in, in one query."""
    groups = list(groups if groups is not None else groups_for_tenant(tenant))
    if not groups:
        return set()
    conditions = [group_condition(g) for g in groups]
    sql = (
        "SELECT ARRAY[" + ", ".join(c[0] for c in conditions) + "]::bool[] FROM telemetry_host WHERE id = %s"  # noqa: S608
    )
    params = [p for c in conditions for p in c[1]] + [host.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    bits = row[0] if row else []
    return {str(g.pk) for g, bit in zip(groups, bits, strict=True) if bit}


def group_member_counts(tenant: Tenant, groups: Sequence[HostGroup]) -> dict[str, int]:
    """Hosts per group, one scan of the tenant's hosts."""
    if not groups:
        return {}
    conditions = [group_condition(g) for g in groups]
    counts = ", ".join(f"count(*) FILTER (WHERE {c[0]})" for c in conditions)
    sql = f"SELECT {counts} FROM telemetry_host WHERE tenant_id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [p for c in conditions for p in c[1]] + [tenant.pk])
        row = cursor.fetchone() or ()
    return {str(g.pk): int(n) for g, n in zip(groups, row, strict=True)}


class RolloutHostGroupSource:
    """telemetry's ``HostGroupSource``: lets fleet health aggregate per host group."""

    def groups(self, tenant_id: uuid.UUID) -> list[Any]:
        from telemetry.membership import GroupRef

        return [GroupRef(id=g.pk, name=g.name) for g in HostGroup.objects.filter(tenant_id=tenant_id)]

    def host_ids_sql(self, tenant_id: uuid.UUID, group_id: uuid.UUID) -> tuple[str, list[object]]:
        group = HostGroup.objects.filter(tenant_id=tenant_id, pk=group_id).first()
        if group is None:
            return "SELECT id FROM telemetry_host WHERE false", []
        sql, params = group_condition(group)
        return f"SELECT id FROM telemetry_host WHERE tenant_id = %s AND {sql}", [tenant_id, *params]  # noqa: S608


# --- the resolver's inputs -----------------------------------------------------------------------


def catalog_state() -> rv.Catalog:
    builds = tuple(rv.Build(b.platform, b.version, b.stage) for b in SensorBuild.objects.all())
    releases = tuple(
        rv.Release(
            category=r["category__key"],
            version=r["version"],
            stage=r["stage"],
            valid=r["valid"],
            critical=r["critical"],
            early_access_at=r["early_access_at"],
            ga_at=r["ga_at"],
        )
        for r in ContentRelease.objects.values(
            "category__key", "version", "stage", "valid", "critical", "early_access_at", "ga_at"
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
    return rv.TenantState(
        catalog=catalog or catalog_state(),
        sensor_policies=tuple(sensor),
        content_policies=tuple(content),
        freezes=tuple(freezes),
        pauses=tuple(pauses),
        group_names=_group_names(tenant, sensor, content, pauses),
    )


def host_facts(host: Host, group_ids: set[str]) -> rv.HostFacts:
    return rv.HostFacts(
        id=str(host.pk),
        platform=host.platform,
        sensor_build=host.sensor_build,
        content_versions=dict(host.content_versions or {}),
        group_ids=frozenset(group_ids),
    )


def host_explain(tenant: Tenant, host: Host, at: datetime) -> rv.Resolution:
    """Why ``host`` is on what it is on: the resolver's answer with the deciding rules."""
    groups = groups_for_tenant(tenant)
    return rv.resolve_host(tenant_state(tenant), host_facts(host, host_group_ids(tenant, host, groups)), at)


# --- catalog -------------------------------------------------------------------------------------


def n_levels(platform: str, catalog: rv.Catalog | None = None) -> list[rv.Build]:
    return rv.n_levels(catalog or catalog_state(), platform)


def builds_for(platform: str) -> list[SensorBuild]:
    return sorted(
        SensorBuild.objects.filter(platform=platform), key=lambda b: version_key(b.version), reverse=True
    )


def releases_deliverable(category: ContentCategory) -> QuerySet[ContentRelease]:
    return ContentRelease.objects.filter(category=category, valid=True).exclude(stage=ContentStage.RECALLED)


def active_pauses(tenant: Tenant, at: datetime) -> list[Pause]:
    """Pauses holding now (a system-critical category's cap ends its pauses early)."""
    out = []
    for pause in Pause.objects.filter(tenant=tenant, resumed_at__isnull=True).select_related(
        "category", "group"
    ):
        category = pause.category
        facts = rv.Pause(str(pause.pk), pause.scope, pause.reason, pause.created_at, pause.expires_at)
        cat = (
            rv.Category(category.key, category.system_critical, category.max_pause_hours)
            if category
            else None
        )
        if rv.pause_active(facts, at, cat):
            out.append(pause)
    return out


def tenant_paused(tenant: Tenant, at: datetime) -> Pause | None:
    return next((p for p in active_pauses(tenant, at) if p.scope == "tenant"), None)


def policies_for_group(tenant: Tenant, group: HostGroup) -> Q:
    return Q(tenant=tenant, groups=group)

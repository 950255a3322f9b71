from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from console.models import Tenant
from rollout.models import HostGroup
from rollout.selectors.rules import rule_sql
from telemetry.membership import GroupRef
from telemetry.models import Host

MEMBERS_TABLE = "rollout_hostgroupmember"


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


def groups_with_members(group_ids: Sequence[Any], members_table: str = MEMBERS_TABLE) -> set[str]:
    """Which of ``group_ids`` have static members in ``members_table``: one query for all."""
    if not group_ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT group_id::text FROM {members_table} WHERE group_id = ANY(%s::uuid[])",  # noqa: S608
            [[str(g) for g in group_ids]],
        )
        return {row[0] for row in cursor.fetchall()}


def group_conditions(
    groups: Sequence[HostGroup], members_table: str = MEMBERS_TABLE
) -> list[tuple[str, list[Any]]]:
    """``group_condition`` of each group, with one query for which have static members (not one
    per group: a tenant may have thousands)."""
    with_members = groups_with_members([g.pk for g in groups], members_table)
    return [group_condition(g, members_table, has_members=str(g.pk) in with_members) for g in groups]


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
    conditions = group_conditions(groups)
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
    conditions = group_conditions(groups)
    counts = ", ".join(f"count(*) FILTER (WHERE {c[0]})" for c in conditions)
    sql = f"SELECT {counts} FROM telemetry_host WHERE tenant_id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [p for c in conditions for p in c[1]] + [tenant.pk])
        row = cursor.fetchone() or ()
    return {str(g.pk): int(n) for g, n in zip(groups, row, strict=True)}


class RolloutHostGroupSource:
    """telemetry's ``HostGroupSource``: lets fleet health aggregate per host group."""

    def groups(self, tenant_id: uuid.UUID) -> list[Any]:

        return [GroupRef(id=g.pk, name=g.name) for g in HostGroup.objects.filter(tenant_id=tenant_id)]

    def host_ids_sql(self, tenant_id: uuid.UUID, group_id: uuid.UUID) -> tuple[str, list[object]]:
        group = HostGroup.objects.filter(tenant_id=tenant_id, pk=group_id).first()
        if group is None:
            return "SELECT id FROM telemetry_host WHERE false", []
        sql, params = group_condition(group)
        return f"SELECT id FROM telemetry_host WHERE tenant_id = %s AND {sql}", [tenant_id, *params]  # noqa: S608

"""Reads of the telemetry app, tenant first: host lists, fleet-health snapshots, time series."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from console.errors import InvalidInput
from telemetry.membership import GroupRef, group_source
from telemetry.models import CrashEvent, FleetSample, Host, HostStatus, Platform

CRASH_WINDOW = timedelta(hours=1)
STATUSES: tuple[str, ...] = tuple(HostStatus.values)
HOST_FILTERS = ("status", "platform", "sensor_build", "content", "site", "tag", "q", "group")


def host_filters_apply(queryset: QuerySet[Host], *, tenant_id: uuid.UUID, params: Any) -> QuerySet[Host]:
    """Narrows a tenant's hosts by the list filters; raises InvalidInput naming each bad filter.

    ``content`` is ``<category>:<version>``; ``q`` is any part of a hostname or a host id; ``group`` a host-group id
    (resolved through the membership interface that rollout implements).
    """
    errors: dict[str, list[str]] = {}
    status = params.get("status")
    if status:
        if status not in STATUSES:
            errors["status"] = [f"One of {', '.join(STATUSES)}."]
        else:
            queryset = queryset.filter(status=status)
    platform = params.get("platform")
    if platform:
        if platform not in Platform.values:
            errors["platform"] = [f"One of {', '.join(Platform.values)}."]
        else:
            queryset = queryset.filter(platform=platform)
    if params.get("sensor_build"):
        queryset = queryset.filter(sensor_build=params["sensor_build"][:32])
    content = params.get("content")
    if content:
        category, sep, version = content.partition(":")
        if not sep or not category or not version:
            errors["content"] = ["Use <category>:<version>, e.g. rapid_response:291.4."]
        else:
            queryset = queryset.filter(content_versions__contains={category: version})
    if params.get("site"):
        queryset = queryset.filter(site=params["site"][:64])
    if params.get("tag"):
        queryset = queryset.filter(tags__contains=[params["tag"][:64]])
    search = (params.get("q") or "").strip()[:255]
    if search:
        # Any part of the name, in any case (the trigram index on UPPER(hostname) serves it); a
        # host id pasted from an alert or the API finds that host.
        try:
            queryset = queryset.filter(Q(id=uuid.UUID(search)) | Q(hostname__icontains=search))
        except ValueError:
            queryset = queryset.filter(hostname__icontains=search)
    group = params.get("group")
    if group:
        sql_params = host_group_sql(tenant_id, group)
        if sql_params is None:
            errors["group"] = ["No such host group."]
        else:
            queryset = queryset.filter(id__in=RawSQL(*sql_params))  # noqa: S611 - SQL from the membership interface, values as params
    if errors:
        raise InvalidInput("Some filters are invalid.", errors=errors)
    return queryset


HOST_COUNT_EXACT_UP_TO = 10_000


def host_count(queryset: QuerySet[Host]) -> tuple[int, bool]:
    """How many hosts match, exactly up to ``HOST_COUNT_EXACT_UP_TO``; ``(n, True)`` means "more
    than n" (counting a million matches exactly would cost more than the page itself)."""
    found = queryset.order_by()[: HOST_COUNT_EXACT_UP_TO + 1].count()
    return min(found, HOST_COUNT_EXACT_UP_TO), found > HOST_COUNT_EXACT_UP_TO


def host_group_sql(tenant_id: uuid.UUID, group: str) -> tuple[str, list[object]] | None:
    source = group_source()
    try:
        group_id = uuid.UUID(str(group))
    except ValueError:
        return None
    if source is None or not any(g.id == group_id for g in source.groups(tenant_id)):
        return None
    return source.host_ids_sql(tenant_id, group_id)


def host_groups(tenant_id: uuid.UUID) -> list[GroupRef]:
    source = group_source()
    return source.groups(tenant_id) if source is not None else []


GROUPS_ON_DASHBOARD = 25


def fleet_group_counts(tenant_id: uuid.UUID, *, limit: int = GROUPS_ON_DASHBOARD) -> list[dict[str, Any]]:
    """Hosts per status of each of the tenant's first ``limit`` host groups (for the dashboard)."""
    source = group_source()
    if source is None:
        return []
    out = []
    for group in source.groups(tenant_id)[:limit]:
        sql, params = source.host_ids_sql(tenant_id, group.id)
        counts = dict.fromkeys(STATUSES, 0)
        for st, count in _rows(
            f"SELECT h.status, count(*) FROM telemetry_host h WHERE h.tenant_id = %s AND h.id IN ({sql}) "  # noqa: S608
            "GROUP BY 1",
            [str(tenant_id), *params],
        ):
            counts[st] = count
        out.append({"id": str(group.id), "name": group.name, "total": sum(counts.values()), "status": counts})
    return out


def host_crash_events(*, tenant_id: uuid.UUID, host_id: uuid.UUID, limit: int = 20) -> list[CrashEvent]:
    return list(
        CrashEvent.objects.filter(tenant_id=tenant_id, host_id=host_id).order_by("-occurred_at")[:limit]
    )


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def fleet_snapshot(
    tenant_id: uuid.UUID | str,
    *,
    group_id: uuid.UUID | None = None,
    platform: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Fleet health of a tenant (optionally one host group and/or platform), from PostgreSQL.

    Counts per status and per platform, adoption of each sensor build and content version, and
    the crash rate per content version over the last hour (hosts that reported a crash on that
    version / hosts on it, counting hosts that crashed before they could report it).
    """
    now = now or datetime.now(UTC)
    where = "h.tenant_id = %s"
    params: list[Any] = [str(tenant_id)]
    if platform:
        where += " AND h.platform = %s"
        params.append(platform)
    if group_id is not None:
        source = group_source()
        if source is None:
            raise InvalidInput("Host groups are not available.", errors={"group": ["No such host group."]})
        sql, sql_params = source.host_ids_sql(uuid.UUID(str(tenant_id)), group_id)
        where += f" AND h.id IN ({sql})"
        params.extend(sql_params)

    # One pass over the hosts: the fleet runs few distinct (platform, status, build, content)
    # combinations, so grouping by all of them is one hash aggregate, expanded here.
    status = dict.fromkeys(STATUSES, 0)
    platforms: dict[str, dict[str, Any]] = {}
    builds_count: dict[tuple[str, str], int] = {}
    on_version: dict[tuple[str, str], int] = {}
    for plat, st, build, content_versions, count in _rows(
        "SELECT h.platform, h.status, h.sensor_build, h.content_versions, count(*) "  # noqa: S608
        f"FROM telemetry_host h WHERE {where} GROUP BY 1, 2, 3, 4",
        params,
    ):
        status[st] = status.get(st, 0) + count
        entry = platforms.setdefault(plat, {"total": 0, "status": dict.fromkeys(STATUSES, 0)})
        entry["total"] += count
        entry["status"][st] = entry["status"].get(st, 0) + count
        builds_count[(plat, build)] = builds_count.get((plat, build), 0) + count
        if isinstance(content_versions, str):
            content_versions = json.loads(content_versions)
        for cat, ver in (content_versions or {}).items():
            on_version[(cat, str(ver))] = on_version.get((cat, str(ver)), 0) + count
    total = sum(status.values())
    builds = builds_rows(builds_count, total)
    crashed = _crash_counts(where, params, now)
    content = content_rows(on_version, crashed, total)
    return {
        "tenant_id": str(tenant_id),
        "group_id": str(group_id) if group_id else None,
        "platform": platform or None,
        "as_of": now.isoformat(),
        "total": total,
        "status": status,
        "platforms": platforms,
        "sensor_builds": builds,
        "content": content,
        "crashes_last_hour": sum(c[0] for c in crashed.values()),
    }


def _crash_counts(where: str, params: list[Any], now: datetime) -> dict[tuple[str, str], tuple[int, int]]:
    """Per content version: hosts that reported a crash on it in the last hour, and of those the ones
    that no longer report it (crashed before they could)."""
    return {
        (cat, ver): (hosts, elsewhere)
        for cat, ver, hosts, elsewhere in _rows(
            "SELECT c.category, c.content_version, count(DISTINCT c.host_id), "  # noqa: S608
            "count(DISTINCT c.host_id) FILTER (WHERE h.content_versions ->> c.category "
            "IS DISTINCT FROM c.content_version) "
            f"FROM telemetry_crashevent c JOIN telemetry_host h ON h.id = c.host_id "
            f"WHERE c.occurred_at > %s AND {where} GROUP BY 1, 2",
            [now - CRASH_WINDOW, *params],
        )
    }


def fleet_crash_counts(
    tenant_id: uuid.UUID | str, *, now: datetime | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """The crash part of a tenant's snapshot alone: it reads the last hour's crash events, not the fleet."""
    return _crash_counts("h.tenant_id = %s", [str(tenant_id)], now or datetime.now(UTC))


def content_rows(
    on_version: dict[tuple[str, str], int], crashed: dict[tuple[str, str], tuple[int, int]], total: int
) -> list[dict[str, Any]]:
    """The snapshot's content adoption and crash rate per version (hosts on it, crashes on it)."""
    content = []
    for cat, ver in sorted(on_version.keys() | crashed.keys()):
        hosts = on_version.get((cat, ver), 0)
        crashed_hosts, elsewhere = crashed.get((cat, ver), (0, 0))
        exposed = hosts + elsewhere
        content.append(
            {
                "category": cat,
                "version": ver,
                "hosts": hosts,
                "share": round(hosts / total, 4) if total else 0,
                "crashed_hosts": crashed_hosts,
                "crash_rate": round(crashed_hosts / exposed, 4) if exposed else 0,
            }
        )
    return content


def builds_rows(builds_count: dict[tuple[str, str], int], total: int) -> list[dict[str, Any]]:
    """The snapshot's sensor-build adoption, most common first per platform."""
    return [
        {"platform": plat, "build": build, "hosts": count, "share": round(count / total, 4) if total else 0}
        for (plat, build), count in sorted(builds_count.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
    ]


def fleet_series(
    tenant_id: uuid.UUID | str, *, minutes: int = 60, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The tenant's per-minute samples of the last ``minutes`` minutes, oldest first."""
    now = now or datetime.now(UTC)
    samples = FleetSample.objects.filter(
        tenant_id=tenant_id, minute__gte=now - timedelta(minutes=minutes)
    ).order_by("minute")
    return [{"minute": s.minute.isoformat(), **s.data} for s in samples]

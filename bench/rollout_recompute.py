"""P2: desired-state recompute at fleet scale (10k groups; 200k hosts by default, 1M on request).

P2 asks for 1M hosts. Generating 1M hosts and 1M memberships takes several minutes on the shared
2-core machine (200k take ~25 s), so the default is 200,000 hosts and every record says so in its
``hosts`` field; ``BENCH_RECOMPUTE_HOSTS=1000000`` measures the full size.

Setup (not measured): a throwaway tenant with ``BENCH_RECOMPUTE_HOSTS`` hosts
(``INSERT ... SELECT generate_series``), ``BENCH_RECOMPUTE_GROUPS`` static host groups (default
10,000; every host a member of one), 10 sensor policies on 10 of those groups, plus a "1%" group
(every 100th host) that a later policy change targets. Uses the catalog as it is (no builds are
added: the bench must not move real tenants), so most decisions are ``stage``/``no_release``.

Measured, each once (they change state):
* baseline: ``COPY`` of the same number of desired-state rows into a scratch copy of the
  ``rollout_desiredstate`` table (same columns and indexes); the rows are built before timing;
* full recompute of an empty desired state (every row written);
* no-op recompute (rows written must be 0, the revision must not move);
* 1% change by a policy change: a sensor policy on the 1% group (the outbox's targets-only pass,
  which reads only the hosts of the changed policy's groups);
* 1% change by host ids: 1% of the hosts join a group a policy uses, recomputed by their ids
  (the path of changes that name their hosts).
The tenant, its hosts, groups, policies and the scratch table are removed afterwards.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

from django.db import connection, transaction

from bench.fleet_fixtures import hosts_generate
from bench.report import emit

GROUPS_USED = 10


def _populate(tenant_id: uuid.UUID, n: int) -> None:
    hosts_generate(
        tenant_id,
        n,
        {
            "platform": "(ARRAY['windows','windows','windows','macos','linux'])[1 + g %% 5]",
            "sensor_build": "(ARRAY['7.09.18003','7.10.18110','7.11.18212'])[1 + g %% 3]",
            "content_versions": '\'{"rapid_response": "291.3"}\'::jsonb',
        },
    )


def _groups(tenant_id: uuid.UUID, n: int, count: int) -> list[str]:
    hosts, groups = str(tenant_id), f"{tenant_id}-group-"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO rollout_hostgroup (tenant_id, id, name, description, rule, rule_text, version,"
            " created_at, updated_at) SELECT %s, md5(%s || i)::uuid, 'g-' || i, '', NULL, '', 1, now(), now()"
            " FROM generate_series(0, %s - 1) AS i",
            [tenant_id, groups, count],
        )
        cursor.execute(
            "INSERT INTO rollout_hostgroupmember (tenant_id, id, group_id, host_id)"
            " SELECT %s, gen_random_uuid(), md5(%s || (g %% %s))::uuid, md5(%s || g)::uuid"
            " FROM generate_series(1, %s) AS g",
            [tenant_id, groups, count, hosts, n],
        )
        cursor.execute(
            "INSERT INTO rollout_hostgroup (tenant_id, id, name, description, rule, rule_text, version,"
            " created_at, updated_at) VALUES (%s, md5(%s)::uuid, 'one-percent', '', NULL, '', 1, now(), now())",
            [tenant_id, groups + "1pc"],
        )
        cursor.execute(
            "INSERT INTO rollout_hostgroupmember (tenant_id, id, group_id, host_id)"
            " SELECT %s, gen_random_uuid(), md5(%s)::uuid, md5(%s || g)::uuid"
            " FROM generate_series(100, %s, 100) AS g",
            [tenant_id, groups + "1pc", hosts, n],
        )
        cursor.execute("ANALYZE telemetry_host")
        cursor.execute("ANALYZE rollout_hostgroupmember")
        cursor.execute("ANALYZE rollout_hostgroup")
        cursor.execute(
            "SELECT md5(%s || i)::uuid::text FROM generate_series(0, %s - 1) AS i", [groups, GROUPS_USED]
        )
        return [r[0] for r in cursor.fetchall()]


def _policy(tenant: Any, name: str, platform: str, target: str, group_ids: list[str]) -> Any:
    from rollout.models import SensorUpdatePolicy

    policy = SensorUpdatePolicy.objects.create(
        tenant=tenant, name=name, platform=platform, target=target, precedence=1000 + len(name)
    )
    policy.groups.add(*group_ids)  # type: ignore[arg-type]  # ids are accepted by add()
    return policy


def _copy_baseline(tenant_id: uuid.UUID, n: int) -> float:
    """Seconds to COPY ``n`` desired-state rows into a scratch table shaped like the real one."""
    rules = json.dumps(
        {"sensor": ["stage", str(uuid.uuid4())], "rapid_response": ["stage", str(uuid.uuid4())]}
    )
    content = json.dumps({"rapid_response": "291.4"})
    # the row the recompute writes names each subject's known-good fallback too
    fallback = json.dumps({"sensor": "7.09.18003", "rapid_response": "291.3"})
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_desired_copy")
        cursor.execute("CREATE UNLOGGED TABLE bench_desired_copy (LIKE rollout_desiredstate INCLUDING ALL)")
        cursor.execute("ALTER TABLE bench_desired_copy SET LOGGED")
        cursor.execute("SELECT id FROM telemetry_host WHERE tenant_id = %s", [tenant_id])
        hosts = [r[0] for r in cursor.fetchall()]
    rows = [
        (
            uuid.uuid4(),
            tenant_id,
            h,
            "windows",
            "{" + str(uuid.uuid4()) + "}",
            "7.10.18110",
            content,
            rules,
            fallback,
            1,
            1,
        )
        for h in hosts
    ]
    start = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.copy(
            "COPY bench_desired_copy (id, tenant_id, host_id, platform, groups, sensor_build, content, rules,"
            " fallback, revision, target_revision, changed_at) FROM STDIN"
        ) as copy,
    ):
        now = time.strftime("%Y-%m-%d %H:%M:%S+00")
        for row in rows:
            copy.write_row((*row, now))
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_desired_copy")
    assert len(rows) == n
    return elapsed


def remove_fleet(tenant: Any) -> None:
    """Removes what the setup created in ``tenant`` (hosts, groups, policies, desired state)."""
    from rollout.models import (
        DesiredState,
        HostGroup,
        HostGroupMember,
        OutboxEntry,
        SensorUpdatePolicy,
        TenantRevision,
    )
    from telemetry.models import Host

    DesiredState.objects.filter(tenant=tenant).delete()
    TenantRevision.objects.filter(tenant=tenant).delete()
    OutboxEntry.objects.filter(tenant=tenant).delete()
    SensorUpdatePolicy.objects.filter(tenant=tenant).delete()
    HostGroupMember.objects.filter(tenant=tenant).delete()
    HostGroup.objects.filter(tenant=tenant).delete()
    Host.objects.filter(tenant=tenant).delete()


def main() -> None:
    from console.models import Tenant
    from rollout.desired.recompute import desired_state_recompute
    from rollout.models import HostGroup

    n = int(os.environ.get("BENCH_RECOMPUTE_HOSTS", "200000"))
    group_count = int(os.environ.get("BENCH_RECOMPUTE_GROUPS", "10000"))
    tenant = Tenant.objects.create(slug=f"bench-recompute-{uuid.uuid4().hex[:8]}", name="Bench recompute")
    extra: dict[str, float] = {"hosts": n, "groups": group_count}
    try:
        setup = time.perf_counter()
        _populate(tenant.pk, n)
        used = _groups(tenant.pk, n, group_count)
        for i, gid in enumerate(used):
            _policy(tenant, f"p{i}", ("windows", "macos", "linux")[i % 3], ("n", "n-2", "off")[i % 3], [gid])
        extra["setup_s"] = round(time.perf_counter() - setup, 1)

        copy_s = _copy_baseline(tenant.pk, n)
        emit(
            "P2",
            f"COPY of {n:,} desired-state rows (baseline)",
            copy_s * 1000,
            "ms",
            None,
            "baseline",
            **extra,
        )

        start = time.perf_counter()
        full = desired_state_recompute(tenant.pk)
        full_s = time.perf_counter() - start
        emit(
            "P2", "full recompute", full_s * 1000, "ms", copy_s * 1000, "<= 2x COPY",
            rows_written=full.changed, combinations=full.combinations, **extra,
        )  # fmt: skip

        start = time.perf_counter()
        noop = desired_state_recompute(tenant.pk)
        noop_s = time.perf_counter() - start
        emit(
            "P2", "no-op recompute: rows written", noop.changed, "rows", None, "0 rows",
            seconds=round(noop_s, 2), revision_moved=noop.revision != full.revision, **extra,
        )  # fmt: skip

        one_pc = str(uuid.UUID(HostGroup.objects.get(tenant=tenant, name="one-percent").pk.hex))
        for platform in ("windows", "macos", "linux"):
            _policy(tenant, f"one-percent-{platform}", platform, "off", [one_pc])
        start = time.perf_counter()
        policy = desired_state_recompute(tenant.pk, refresh_hosts=False)  # the outbox path of a policy change
        policy_s = time.perf_counter() - start
        emit(
            "P2", "1% change (policy on 1% of hosts, outbox pass)", policy_s * 1000, "ms", copy_s * 1000,
            "<= 0.2x COPY", rows_written=policy.changed, **extra,
        )  # fmt: skip

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id::text FROM telemetry_host WHERE tenant_id = %s AND id NOT IN "
                "(SELECT host_id FROM rollout_hostgroupmember WHERE group_id = %s) ORDER BY id LIMIT %s",
                [tenant.pk, used[2], n // 100],
            )
            moved = [r[0] for r in cursor.fetchall()]
            cursor.execute(
                "INSERT INTO rollout_hostgroupmember (tenant_id, id, group_id, host_id)"
                " SELECT %s, gen_random_uuid(), %s, h::uuid FROM unnest(%s::text[]) AS h",
                [tenant.pk, used[2], moved],
            )
        start = time.perf_counter()
        by_ids = desired_state_recompute(tenant.pk, host_ids=moved)
        ids_s = time.perf_counter() - start
        emit(
            "P2", "1% change (1% of hosts named by id)", ids_s * 1000, "ms", copy_s * 1000, "<= 0.2x COPY",
            rows_written=by_ids.changed, **extra,
        )  # fmt: skip
    finally:
        remove_fleet(tenant)
        tenant.delete()


if __name__ == "__main__":
    import django

    django.setup()
    main()

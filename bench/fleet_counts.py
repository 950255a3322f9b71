"""P4-snapshot: what one live dashboard message costs at 100k hosts and more, against the SQL snapshot.

A throwaway tenant gets ``BENCH_FLEET_SNAPSHOT_HOSTS`` hosts (comma-separated sizes, default
``100000``; e.g. ``100000,1000000``) spread over platforms, statuses, builds and content versions.
For each size: the full SQL snapshot (``telemetry.selectors.fleet_snapshot``, what every tick
computed per changed tenant before the fleet counters; now once a minute) against one live
message (``telemetry.fleet.fleet_publish_live``: read the counters, build and publish the
snapshot), median of several runs. The live message must cost the same at every size.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from typing import Any

from bench.fleet_fixtures import fleet_teardown, hosts_generate, pipeline_token_create
from bench.report import emit

SIZES = [int(n) for n in os.environ.get("BENCH_FLEET_SNAPSHOT_HOSTS", "100000").split(",") if n.strip()]
SQL_RUNS = 3
LIVE_RUNS = 30


def _populate(tenant_id: uuid.UUID, n: int) -> None:
    from django.db import connection

    hosts_generate(
        tenant_id,
        n,
        {
            "platform": "(ARRAY['windows','windows','windows','macos','linux'])[1 + g %% 5]",
            "status": "(ARRAY['online','online','online','online','online','online','offline','crashed',"
            "'recovering','silent'])[1 + g %% 10]",
            "sensor_build": "(ARRAY['7.09.18003','7.10.18110','7.11.18212'])[1 + g %% 3]",
            "content_versions": "jsonb_build_object('rapid_response', (ARRAY['291.3','291.4'])[1 + g %% 2], "
            "'sensor_operations', '44.1')",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE telemetry_host")


def _median_ms(fn: Any, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    from console.models import Tenant
    from console.redis import redis_client
    from telemetry import fleet
    from telemetry.counts import counts_for, counts_invalidate, counts_key, counts_sql
    from telemetry.selectors import fleet_snapshot

    token = pipeline_token_create()
    tenants = []
    live_at: dict[int, float] = {}
    try:
        for n in SIZES:
            tenant = Tenant.objects.create(slug=f"bench-counts-{uuid.uuid4().hex[:8]}", name="Bench counts")
            tenants.append(tenant)
            _populate(tenant.pk, n)
            tid = str(tenant.pk)
            sql_ms = _median_ms(lambda tid=tid: fleet_snapshot(tid), SQL_RUNS)
            counts_invalidate(tid)
            rebuild_ms = _median_ms(lambda tid=tid: counts_for(tid), 1)  # a rebuild from PostgreSQL
            assert counts_for(tid) == counts_sql(tid), "the counters must equal the SQL count"
            live_ms = _median_ms(lambda tid=tid: fleet.fleet_publish_live([tid]), LIVE_RUNS)
            live_at[n] = live_ms
            extra: dict[str, Any] = {"hosts": n, "samples": LIVE_RUNS, "rebuild_ms": round(rebuild_ms, 1)}
            if n != SIZES[0]:
                extra[f"vs_{SIZES[0] // 1000}k"] = round(live_ms / live_at[SIZES[0]], 3)
            emit(
                "P4-snapshot",
                f"live message from the fleet counters ({n:,} hosts) vs the SQL snapshot",
                live_ms,
                "ms",
                sql_ms,
                "flat from 100k to 1M hosts (the SQL snapshot grows with the fleet)",
                **extra,
            )
            client = redis_client()
            client.delete(counts_key(tid), fleet._seq_key(tid), fleet._snapshot_key(tid))
    finally:
        fleet_teardown(tenants, token)


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    django.setup()
    main()

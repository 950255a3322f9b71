"""P1: heartbeat ingest through the batched endpoint on one uvicorn worker, in heartbeats/s, against a
raw Redis pipeline doing the same writes (HSET of each heartbeat and its time) in the same run.

Also reports how fast the bulk flush moves staged heartbeats into PostgreSQL (no baseline).
Creates a throwaway tenant with ``HOSTS`` hosts and removes it (and its staged data) afterwards.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from bench.fleet_fixtures import fleet_teardown, pipeline_token_create
from bench.report import emit
from bench.server import uvicorn_server

HOSTS = 10_000
BATCH = 1_000
CONCURRENCY = 4
ROUNDS = 30  # batches per measurement run (30,000 heartbeats)


def _setup() -> tuple[object, list[str], str]:
    from console.models import Tenant
    from telemetry.models import Host

    tenant = Tenant.objects.create(slug=f"bench-telemetry-{uuid.uuid4().hex[:8]}", name="Bench telemetry")
    hosts = [
        Host(tenant=tenant, hostname=f"bench-{n:06d}", platform="windows", sensor_build="7.11.18110")
        for n in range(HOSTS)
    ]
    Host.objects.bulk_create(hosts, batch_size=5000)
    return tenant, [str(h.pk) for h in hosts], pipeline_token_create()


def _batches(host_ids: list[str]) -> list[list[dict]]:
    now = datetime.now(UTC).isoformat()
    items = [
        {
            "host_id": h,
            "time": now,
            "sensor_build": "7.11.18110",
            "content_versions": {
                "rapid_response": "291.3",
                "sensor_operations": "44.1",
                "allow_block_lists": "8.2",
            },
            "status": "online",
            "interval_s": 60,
        }
        for h in host_ids
    ]
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


def _ingest_rate(url: str, token: str, bodies: list[bytes]) -> float:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def run() -> float:
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60, headers=headers) as client:
            queue: asyncio.Queue[int] = asyncio.Queue()
            for i in range(ROUNDS):
                queue.put_nowait(i)

            async def worker() -> None:
                while not queue.empty():
                    i = queue.get_nowait()
                    response = await client.post(
                        "/api/v1/telemetry/heartbeats", content=bodies[i % len(bodies)]
                    )
                    response.raise_for_status()
                    assert response.json()["accepted"] == BATCH, response.text[:300]

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            return ROUNDS * BATCH / (time.perf_counter() - started)

    return asyncio.run(run())


def _raw_redis_rate(batches: list[list[dict]]) -> float:
    """The same writes as the endpoint's staging (newest heartbeat + its time per host), pipelined."""
    from console.redis import redis_client
    from telemetry import ingest

    client = redis_client()
    prepared = []
    for batch in batches:
        now = time.time()
        prepared.append(
            [
                (
                    hb["host_id"],
                    repr(now),
                    json.dumps(
                        [now, "", hb["sensor_build"], hb["content_versions"], "online", False]
                        + [None] * 5
                        + [60],
                        separators=(",", ":"),
                    ),
                )
                for hb in batch
            ]
        )
    started = time.perf_counter()
    for i in range(ROUNDS):
        pipe = client.pipeline(transaction=False)
        for host_id, ts, payload in prepared[i % len(prepared)]:
            pipe.hset(ingest.STAGED_TS, host_id, ts)
            pipe.hset(ingest.STAGED, host_id, payload)
        pipe.execute()
    return ROUNDS * BATCH / (time.perf_counter() - started)


def _flush_measured(host_ids: list[str]) -> tuple[Any, float]:
    """One flush of a fresh heartbeat from every bench host, staged right before it.

    The endpoint runs above staged heartbeats that carry the time their batch was built and, on
    a machine where a console is running (beat flushes every tick), may already have been
    flushed: a flush timed after them measured nothing (0 rows). Here the flush lock is held
    while a newer heartbeat of every host is staged, so no other flusher can take them, and the
    figure counts the rows the flush actually wrote.
    """
    from console.redis import redis_client
    from telemetry import ingest

    client = redis_client()
    ingest.heartbeats_flush()  # whatever the endpoint runs left staged
    token = secrets.token_hex(8)
    deadline = time.monotonic() + 30
    while not client.set(ingest.FLUSH_LOCK, token, nx=True, px=60_000):
        if time.monotonic() > deadline:
            raise RuntimeError("another process holds the heartbeat flush lock; stop it and re-run")
        time.sleep(0.1)
    try:
        now = datetime.now(UTC).isoformat()
        for batch in _batches(host_ids):
            for item in batch:
                item["time"] = now
            accepted = ingest.heartbeats_ingest(batch).accepted
            if accepted != len(batch):
                raise RuntimeError(f"the bench heartbeats were refused: {accepted} of {len(batch)}")
    finally:
        if client.get(ingest.FLUSH_LOCK) == token.encode():
            client.delete(ingest.FLUSH_LOCK)
    # The quiet-host sweep runs every few seconds, not per flush: measure the flush itself.
    client.set(ingest.SWEEP_KEY, "1", ex=ingest.SWEEP_SECONDS)
    started = time.perf_counter()
    result = ingest.heartbeats_flush()
    elapsed = time.perf_counter() - started
    if result.skipped:
        raise RuntimeError("another process took the heartbeat flush lock first; stop it and re-run")
    return result, elapsed


def main() -> None:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)

    tenant, host_ids, token = _setup()
    try:
        batches = _batches(host_ids)
        bodies = [json.dumps({"heartbeats": b}).encode() for b in batches]
        with uvicorn_server() as url:
            _ingest_rate(url, token, bodies[:2])  # warm up: connections, host cache, Lua script
            ingest_runs, raw_runs = [], []
            for _ in range(2):  # interleaved, to spread machine-load drift over both
                ingest_runs.append(_ingest_rate(url, token, bodies))
                raw_runs.append(_raw_redis_rate(batches))
        emit(
            "P1",
            "heartbeat_ingest_per_second",
            max(ingest_runs),
            "heartbeats/s",
            max(raw_runs),
            ">= 25000 heartbeats/s and >= 0.333x a raw Redis pipeline doing the same writes",
        )
        flushed, elapsed = _flush_measured(host_ids)
        emit(
            "P1-flush",
            "heartbeat_flush_rows_per_second",
            flushed.updated / elapsed,
            "rows/s",
            None,
            "staged heartbeats reach PostgreSQL within one flush tick (2 s)",
            rows=flushed.updated,
            staged=flushed.heartbeats,
            seconds=round(elapsed, 3),
        )
    finally:
        fleet_teardown([tenant], token)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    django.setup()
    main()

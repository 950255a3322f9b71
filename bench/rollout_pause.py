"""P3: a pause reaches the distribution backend: p99 <= 1 s, the same at 100k and at 1M hosts.

Setup (not measured): one tenant's full revision of 100k, then 1M, host assignments published
into the embedded edge backend (generated lazily, uploaded in pipelined batches). Measured: ~200
pauses, each from the start of ``hold_set`` until ``host_state`` of a host shows the hold (what a
sensor's next poll would read). Baseline: a single Redis ``SET`` round trip p99, in the same run
and just before each measurement. Uses the Redis database of ``REDIS_URL`` and removes its keys.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Iterator

from django.conf import settings

from bench.report import emit
from console.redis import redis_client
from rollout.distribution.base import Assignment, Hold
from rollout.distribution.edge import EmbeddedEdgeBackend
from rollout.distribution.sync import sync_key

TARGET = "p99 <= 1000 ms, flat from 100k to 1M"
SAMPLES = 200
SIZES = (100_000, 1_000_000)


def _assignments(n: int, content: str) -> Iterator[Assignment]:
    for i in range(n):
        yield Assignment(
            host_id=f"{i:08d}-0000-4000-8000-{i:012d}",
            sensor_build="7.11.18110",
            content={"rapid_response": content, "sensor_operations": "12.0", "allow_block_lists": "4.2"},
            rule="policy 'default' (precedence 10): content ga",
            groups=(f"g{i % 1000}", f"site-{i % 7}"),
            platform=("windows", "macos", "linux")[i % 3],
        )


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


def _settle() -> None:
    """Waits for Redis to finish freeing the replaced revision in the background (setup, not load)."""
    client = redis_client()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and int(client.info("memory").get("lazyfree_pending_objects", 0)):
        time.sleep(0.05)


def _measure(
    edge: EmbeddedEdgeBackend, tenant: str, probe_host: str, baseline_key: str
) -> tuple[list[float], list[float]]:
    """Pause latencies and SET round trips, interleaved so both see the same machine load."""
    client = redis_client()
    samples: list[float] = []
    baseline: list[float] = []
    for i in range(SAMPLES):
        started = time.perf_counter()
        client.set(baseline_key, i)
        baseline.append((time.perf_counter() - started) * 1000)
        hold = Hold("tenant", f"bench-{i}", "P3 benchmark pause")
        started = time.perf_counter()
        edge.hold_set(tenant, hold)
        while True:
            state = edge.host_state(tenant, probe_host)
            if state is not None and any(h.key == hold.key for h in state.holds):
                break
        samples.append((time.perf_counter() - started) * 1000)
        edge.hold_clear(tenant, "tenant", hold.key)
    return samples, baseline


def main() -> None:
    client = redis_client()
    edge = EmbeddedEdgeBackend(client)
    tenant = f"bench-p3-{uuid.uuid4()}"
    baseline_key = f"bench:p3:{tenant}:set"
    results: dict[int, float] = {}
    try:
        for revision, size in enumerate(SIZES, start=1):
            setup_started = time.perf_counter()
            ack = edge.publish(tenant, revision, _assignments(size, f"291.{revision}"), full=True)
            setup_seconds = time.perf_counter() - setup_started
            assert ack.host_count == size, ack
            probe_host = f"{size - 1:08d}-0000-4000-8000-{size - 1:012d}"
            _settle()
            samples, baseline_samples = _measure(edge, tenant, probe_host, baseline_key)
            value, baseline = _p99(samples), _p99(baseline_samples)
            results[size] = value
            extra = {
                "hosts": size,
                "samples": len(samples),
                "p50": round(sorted(samples)[len(samples) // 2], 4),
            }
            if size != SIZES[0]:
                extra["vs_100k"] = round(value / results[SIZES[0]], 3)
            emit(
                "P3",
                f"pause_to_backend_p99_{size // 1000}k_hosts",
                value,
                "ms",
                baseline,
                TARGET,
                setup_publish_seconds=round(setup_seconds, 1),
                redis_db=settings.REDIS_URL.rsplit("/", 1)[-1],
                **extra,
            )
    finally:
        edge.forget_tenant(tenant)
        client.unlink(baseline_key, sync_key(tenant))


if __name__ == "__main__":
    import django

    django.setup()
    main()

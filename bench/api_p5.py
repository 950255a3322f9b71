"""P5: the REST API at fleet scale: host list (100 per page) p95 <= 100 ms, policy write p95 <= 150 ms.

P5 is stated for 1M hosts. Generating them and their desired state takes minutes on the shared
2-core machine, so the default is 200,000 hosts and every record says so in its ``hosts`` field;
``BENCH_P5_HOSTS=1000000`` measures the full size.

Setup (not measured): the tenant ``bench-p5`` with ``BENCH_P5_HOSTS`` hosts and 10,000 static groups
shaped as in P2 (``bench.rollout_recompute``: every host in one group, ten sensor policies, a
"one-percent" group with a policy of its own), its desired state computed once, an API client
with the read and write scopes, and one uvicorn worker with ``DEBUG`` off.

Measured one request at a time from one client (latency, not throughput), ``SAMPLES`` each:
* baseline: ``GET /api/v1/tenant/``, a trivial authenticated API read;
* host list: ``GET /api/v1/hosts/?page_size=100`` and then its ``next`` links (keyset pages);
* policy write: ``PATCH /api/v1/sensor-policies/<id>`` of the one-percent policy with ``If-Match``,
  its target alternating between ``n`` and ``n-2``; each answers with its blast radius.

Writes are audited and the audit log is append-only, so the tenant and its audit events stay
(one tenant, reused by every run); its hosts, groups, policies, desired state and API client are
removed afterwards.
"""

from __future__ import annotations

import logging
import math
import os
import time
from typing import Any

import httpx

from bench.report import emit
from bench.server import uvicorn_server

SAMPLES = int(os.environ.get("BENCH_P5_SAMPLES", "100"))
SLUG = "bench-p5"


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _timed(client: httpx.Client, method: str, url: str, **kwargs: Any) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    response = client.request(method, url, **kwargs)
    elapsed = (time.perf_counter() - start) * 1000
    response.raise_for_status()
    return elapsed, response


def _clear(tenant: Any) -> None:
    """Removes the tenant's fleet and API client (not the tenant: its audit log cannot be deleted)."""
    from bench.rollout_recompute import remove_fleet
    from console.models import ApiClient

    remove_fleet(tenant)
    ApiClient.objects.filter(tenant=tenant).delete()


def _setup(tenant: Any, n: int, group_count: int) -> tuple[str, str]:
    """Hosts, groups, policies and desired state; returns (API token, one-percent policy id)."""
    from bench.rollout_recompute import _groups, _policy, _populate
    from console.models import ApiClient
    from console.tokens import token_generate
    from rollout.desired.recompute import desired_state_recompute
    from rollout.models import HostGroup

    _populate(tenant.pk, n)
    used = _groups(tenant.pk, n, group_count)
    for i, gid in enumerate(used):
        _policy(tenant, f"p{i}", ("windows", "macos", "linux")[i % 3], ("n", "n-2", "off")[i % 3], [gid])
    one_pc = HostGroup.objects.get(tenant=tenant, name="one-percent")
    policy = _policy(tenant, "one-percent", "windows", "n-2", [str(one_pc.pk)])
    desired_state_recompute(tenant.pk)
    token, lookup, digest = token_generate()
    ApiClient.objects.create(
        tenant=tenant, name="bench", prefix=lookup, token_hash=digest, scopes=["read", "write"]
    )
    return token, str(policy.pk)


def _pages(client: httpx.Client, url: str) -> list[float]:
    samples: list[float] = []
    next_url: str | None = f"{url}/api/v1/hosts/?page_size=100"
    while len(samples) < SAMPLES:
        page_url = next_url or f"{url}/api/v1/hosts/?page_size=100"
        elapsed, response = _timed(client, "GET", page_url)
        body = response.json()
        assert len(body["results"]) == 100, "a full page of hosts"
        samples.append(elapsed)
        next_url = body.get("next")
    return samples


def _writes(client: httpx.Client, url: str, policy_id: str) -> tuple[list[float], int]:
    detail = f"{url}/api/v1/sensor-policies/{policy_id}"
    etag = client.get(detail).headers["ETag"]
    samples: list[float] = []
    changing = 0
    for i in range(SAMPLES):
        target = ("n", "n-2")[i % 2]
        elapsed, response = _timed(
            client, "PATCH", detail, json={"target": target}, headers={"If-Match": etag}
        )
        etag = response.headers["ETag"]
        changing = max(changing, int(response.json()["blast_radius"]["hosts_changing"]))
        samples.append(elapsed)
    return samples, changing


def main() -> None:
    from console.models import Tenant

    logging.getLogger("httpx").setLevel(logging.WARNING)

    n = int(os.environ.get("BENCH_P5_HOSTS", "200000"))
    group_count = int(os.environ.get("BENCH_P5_GROUPS", "10000"))
    tenant, _ = Tenant.objects.get_or_create(slug=SLUG, defaults={"name": "Bench P5"})
    _clear(tenant)
    extra: dict[str, Any] = {"hosts": n, "groups": group_count, "samples": SAMPLES}
    try:
        setup = time.perf_counter()
        token, policy_id = _setup(tenant, n, group_count)
        extra["setup_s"] = round(time.perf_counter() - setup, 1)
        with (
            uvicorn_server() as url,
            httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client,
        ):
            for _ in range(20):  # warm-up: connections, caches, query plans
                client.get(f"{url}/api/v1/tenant/").raise_for_status()
                client.get(f"{url}/api/v1/hosts/?page_size=100").raise_for_status()
            base = [_timed(client, "GET", f"{url}/api/v1/tenant/")[0] for _ in range(SAMPLES)]
            base_p95 = _p95(base)
            emit(
                "P5",
                "authenticated API GET /api/v1/tenant/ p95 (baseline)",
                base_p95,
                "ms",
                None,
                "baseline",
                **extra,
            )
            pages = _pages(client, url)
            emit(
                "P5", "host list p95 (100 per page, keyset)", _p95(pages), "ms", base_p95, "p95 <= 100 ms",
                p50=round(sorted(pages)[len(pages) // 2], 2), **extra,
            )  # fmt: skip
            writes, changing = _writes(client, url, policy_id)
            emit(
                "P5", "policy write p95 (PATCH with blast radius)", _p95(writes), "ms", base_p95, "p95 <= 150 ms",
                p50=round(sorted(writes)[len(writes) // 2], 2), hosts_changing=changing, **extra,
            )  # fmt: skip
    finally:
        _clear(tenant)


if __name__ == "__main__":
    import django

    django.setup()
    main()

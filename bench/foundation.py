"""F1: ``/healthz`` throughput on one uvicorn worker vs a plain Django view in the same server."""

from __future__ import annotations

from bench.report import emit
from bench.server import requests_per_second, uvicorn_server


def main() -> None:
    with uvicorn_server() as url:
        # Interleave to spread any drift in machine load over both measurements.
        plain = [requests_per_second(f"{url}/bench/plain", total=2000) for _ in range(2)]
        health = [requests_per_second(f"{url}/healthz", total=2000) for _ in range(2)]
    baseline, value = max(plain), max(health)
    emit("F1", "healthz_requests_per_second", value, "req/s", baseline, ">= 0.8x a plain Django view")


if __name__ == "__main__":
    import django

    django.setup()
    main()

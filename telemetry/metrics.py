"""Telemetry's scrape-time metrics (registered with ``console.metrics`` in ``TelemetryConfig.ready``):
heartbeats staged in Redis and not yet flushed to PostgreSQL, and the age of the last flush.
Read from the keys ``telemetry.ingest`` maintains; nothing here is written on the hot path."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import cast

from prometheus_client.core import GaugeMetricFamily, Metric

from console.redis import redis_client
from telemetry.ingest import LAST_FLUSH, PROCESSING, STAGED


def telemetry_metrics() -> Iterator[Metric]:
    client = redis_client()
    waiting = client.hlen(STAGED) + client.hlen(PROCESSING)
    yield GaugeMetricFamily(
        "telemetry_heartbeats_staged",
        "Heartbeats staged in Redis (newest per host) that no flush has written to PostgreSQL yet.",
        value=waiting,
    )
    raw = cast(bytes | None, client.get(LAST_FLUSH))
    yield GaugeMetricFamily(
        "telemetry_flush_age_seconds",
        "Seconds since the last completed heartbeat flush (+Inf before the first one).",
        value=time.time() - float(raw) if raw else float("inf"),
    )

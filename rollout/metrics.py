"""Rollout's scrape-time metrics (registered with ``console.metrics`` in ``RolloutConfig.ready``),
read from state that already exists, so no hot path writes anything for them:

- the distribution outbox: rows waiting and the age of the oldest;
- sync per tenant: revisions not yet published, seconds the current failure episode has lasted,
  failed publish attempts (a tenant is a bounded label; hosts never are);
- circuit breakers kept in Redis (``dist:breaker:<endpoint>``): 0 closed, 1 half-open, 2 open;
- the gate tick: every tick saves each running (in-ring) rollout's gate, so the oldest such save
  tells how late the tick is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from django.db.models import Count, Exists, Min, OuterRef
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from console.redis import redis_client
from rollout.models import OutboxEntry, Ring, Rollout, RolloutState, TenantRevision

BREAKER_PREFIX = "dist:breaker:"
_BREAKER_VALUE = {"closed": 0.0, "half_open": 1.0, "open": 2.0}


def rollout_metrics() -> Iterator[Metric]:
    now = timezone.now()
    pending = OutboxEntry.objects.filter(processed_at__isnull=True).aggregate(
        rows=Count("pk"), oldest=Min("created_at")
    )
    yield GaugeMetricFamily(
        "rollout_outbox_pending", "Outbox rows not yet processed by distribution.", value=pending["rows"]
    )
    oldest = pending["oldest"]
    yield GaugeMetricFamily(
        "rollout_outbox_oldest_age_seconds",
        "Age of the oldest unprocessed outbox row (0 when none).",
        value=(now - oldest).total_seconds() if oldest else 0.0,
    )

    behind = GaugeMetricFamily(
        "rollout_sync_revisions_behind",
        "Desired-state revisions the distribution backend has not been given yet.",
        labels=["tenant"],
    )
    failing = GaugeMetricFamily(
        "rollout_sync_failing_seconds",
        "How long publishing to the backend has been failing (0 when it is not).",
        labels=["tenant"],
    )
    failures = GaugeMetricFamily(
        "rollout_sync_publish_failures",
        "Failed publish attempts since the last successful publish.",
        labels=["tenant"],
    )
    rows = TenantRevision.objects.values_list(
        "tenant__slug", "revision", "published_revision", "failing_since", "publish_failures"
    ).order_by("tenant__slug")
    for slug, revision, published, since, count in rows:
        behind.add_metric([slug], float(max(revision - (published or 0), 0)))
        failing.add_metric([slug], (now - since).total_seconds() if since else 0.0)
        failures.add_metric([slug], float(count))
    yield behind
    yield failing
    yield failures

    in_ring = Rollout.objects.filter(state=RolloutState.IN_RING)
    yield GaugeMetricFamily(
        "rollout_rollouts_in_ring", "Rollouts waiting on a ring gate.", value=in_ring.count()
    )
    # The tick saves the gate of every in-ring rollout whose tenant has rings (one without rings
    # has nothing to evaluate and is not saved, so it must not read as a late tick).
    oldest = in_ring.filter(Exists(Ring.objects.filter(tenant_id=OuterRef("tenant_id")))).aggregate(
        oldest=Min("updated_at")
    )["oldest"]
    yield GaugeMetricFamily(
        "rollout_gate_evaluation_age_seconds",
        "Seconds since the least recently evaluated in-ring rollout was evaluated by the gate tick "
        "(0 when none is running).",
        value=(now - oldest).total_seconds() if oldest else 0.0,
    )

    breaker = GaugeMetricFamily(
        "rollout_distribution_breaker_state",
        "Circuit breaker per distribution endpoint: 0 closed, 1 half-open, 2 open.",
        labels=["endpoint"],
    )
    client = redis_client()
    for key in sorted(cast(list[bytes], list(client.scan_iter(match=f"{BREAKER_PREFIX}*", count=100)))):
        state = cast(bytes | None, client.hget(key, "state"))
        name = key.decode()[len(BREAKER_PREFIX) :]
        breaker.add_metric([name], _BREAKER_VALUE.get(state.decode() if state else "closed", 0.0))
    yield breaker

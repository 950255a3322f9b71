"""Prometheus metrics at ``/metrics``: request rate/latency/status by route, Celery task outcomes,
and state read at scrape time through a seam the other apps plug into.

Process-local series (requests, tasks) use prometheus-client's multiprocess mode when
``PROMETHEUS_MULTIPROC_DIR`` is set (to a directory writable by every uvicorn worker and Celery
process, emptied before they start; docker/compose.yaml shares one tmpfs volume between web and
the workers): each process writes its own file (named by host name and pid) and a scrape of any
web worker adds them all up. Without it, one process's counters are served (``make run``, tests).

Everything else is read when Prometheus scrapes: an app registers a *source* (a callable yielding
metric families) with ``metrics_source_register`` in its ``AppConfig.ready()``, as rollout and
telemetry do; console knows nothing of outboxes or heartbeats. A source that fails (PostgreSQL or
Redis down) is reported as ``console_metrics_source_up{source="..."} 0`` instead of failing the scrape.
Labels are bounded: route names, methods, status codes, task names, queues, tenants, endpoints;
never hosts.

``/metrics`` answers only with ``Authorization: Bearer <METRICS_TOKEN>`` (or ``METRICS_TOKEN_FILE``):
404 when no token is configured (the endpoint does not exist), 401 with a wrong or missing one.
"""

from __future__ import annotations

import hmac
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

from celery.signals import task_postrun
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from console.celery import WORKER_HEARTBEAT_KEY
from console.errors import json_problem
from console.redis import redis_client

logger = logging.getLogger(__name__)

MetricsSource = Callable[[], Iterable[Metric]]

_sources: dict[str, MetricsSource] = {}

disable_created_metrics()  # no ``*_created`` series: they double the output and no alert reads them

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Web and worker containers share one directory (a volume); process ids repeat across
    # containers, so each process's files are named by host name and pid, never pid alone.
    values.ValueClass = values.MultiProcessValue(
        process_identifier=lambda: f"{socket.gethostname()}-{os.getpid()}"
    )

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter(
    "console_http_requests",
    "HTTP requests answered, by route name, method and status code.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "console_http_request_duration_seconds",
    "Time to answer an HTTP request, by route name and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Open websockets per process, added up over live processes only (a worker that died is not counted).
# Counted here, not from channels-redis' group sets: those keep members until their expiry.
WEBSOCKET_CLIENTS = Gauge(
    "console_websocket_clients",
    "Websockets open now, by socket (fleet, events).",
    ["socket"],
    multiprocess_mode="livesum",
)
CELERY_TASKS = Counter(
    "console_celery_tasks",
    "Celery tasks finished, by task name and final state.",
    ["task", "state"],
)


def metrics_source_register(name: str, source: MetricsSource) -> None:
    """``source()`` yields metric families read at scrape time (idempotent per ``name``)."""
    _sources[name] = source


class ScrapeTimeCollector(Collector):
    """Runs every registered source; one that raises is reported as down, the others still count."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "console_metrics_source_up", "1 when a scrape-time source could be read.", labels=["source"]
        )
        for name, source in sorted(_sources.items()):
            try:
                families = list(source())
            except Exception:
                logger.warning("metrics source %s failed", name, exc_info=True)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return str(match.view_name or match.url_name or "unnamed")


class RequestMetricsMiddleware:
    """Counts and times every request by route name (never by path: bounded labels)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in _METHODS else "other"
        route = _route(request)
        HTTP_LATENCY.labels(route, method).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
        return response


@task_postrun.connect
def _count_task(task: Any = None, state: str | None = None, **_: Any) -> None:
    name = getattr(task, "name", None) or "unknown"
    CELERY_TASKS.labels(name, state or "unknown").inc()


def _queue_names() -> list[str]:
    """The declared queues (the default and the control plane's), plus any a route names."""
    names = {str(settings.CELERY_TASK_DEFAULT_QUEUE)}
    names.update(str(queue.name) for queue in getattr(settings, "CELERY_TASK_QUEUES", ()) or ())
    for route in (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).values():
        if isinstance(route, dict) and route.get("queue"):
            names.add(str(route["queue"]))
    return sorted(names)


def celery_metrics() -> Iterator[Metric]:
    """Queue depth per queue (the Redis broker's list lengths) and the workers' heartbeats."""
    client = redis_client()
    depth = GaugeMetricFamily(
        "console_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
    )
    for queue in _queue_names():
        depth.add_metric([queue], float(client.llen(queue)))
    yield depth
    beats = cast(dict[bytes, bytes], client.hgetall(WORKER_HEARTBEAT_KEY))
    now = time.time()
    ages = [now - float(value) for value in beats.values()]
    fresh = [age for age in ages if age <= 3 * settings.CONSOLE_WORKER_HEARTBEAT_SECONDS]
    yield GaugeMetricFamily(
        "console_celery_workers_alive",
        "Workers whose heartbeat is at most three heartbeat intervals old.",
        value=len(fresh),
    )
    yield GaugeMetricFamily(
        "console_celery_worker_heartbeat_age_seconds",
        "Age of the newest worker heartbeat (+Inf when no worker ever beat).",
        value=min(ages) if ages else float("inf"),
    )


metrics_source_register("celery", celery_metrics)


def _authorised(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    token = str(getattr(settings, "METRICS_TOKEN", "") or "")
    if not token:
        raise Http404("Metrics are not enabled (METRICS_TOKEN is not set).")
    if not _authorised(request, token):
        response = json_problem(request, 401, "Unauthorized", "A valid bearer token is required.")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    scraped = CollectorRegistry()
    scraped.register(ScrapeTimeCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(scraped)
        body = generate_latest(scraped)
    else:
        body = generate_latest(REGISTRY) + generate_latest(scraped)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)

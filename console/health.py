"""Liveness and readiness probes (JSON, no authentication, no session), and the page a browser
gets while PostgreSQL or Redis is down: a clear 503 "service degraded" instead of an error page."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from console.celery import WORKER_HEARTBEAT_KEY
from console.errors import dependency_outage
from console.redis import redis_client

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10
# The safety loop (``manage.py safety_loop``, rollout app) sets this key to the unix time of its
# last round; the console only reads it (it does not import the rollout app).
SAFETY_LOOP_KEY = "control:safety_loop:heartbeat"
SAFETY_LOOP_STALE_SECONDS = 15


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def _check_database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _check_redis() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        redis_client().ping()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _check_worker() -> dict[str, Any]:
    try:
        beats = cast(dict[bytes, bytes], redis_client().hgetall(WORKER_HEARTBEAT_KEY))
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    now = time.time()
    ages = sorted(now - float(v) for v in beats.values())
    fresh = [a for a in ages if a <= settings.CONSOLE_WORKER_STALE_SECONDS]
    result: dict[str, Any] = {"ok": bool(fresh), "workers": len(fresh)}
    if ages:
        result["last_heartbeat_s"] = round(ages[0], 1)
    else:
        result["error"] = "no worker heartbeat seen"
    return result


def _check_safety_loop() -> dict[str, Any]:
    try:
        raw = redis_client().get(SAFETY_LOOP_KEY)
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    if raw is None:
        return {"ok": False, "error": "no safety loop heartbeat seen (manage.py safety_loop)"}
    age = time.time() - float(cast(bytes, raw))
    return {"ok": age <= SAFETY_LOOP_STALE_SECONDS, "last_heartbeat_s": round(age, 1)}


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: PostgreSQL and Redis answer and a Celery worker beat recently. The safety
    loop is reported too; it does not make a web process unready (the gate tick still halts without
    it, only later), so it is left out of the status."""
    checks = {"database": _check_database(), "redis": _check_redis(), "worker": _check_worker()}
    ok = all(c["ok"] for c in checks.values())
    checks["safety_loop"] = _check_safety_loop()
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )


def degraded_page(request: HttpRequest, outage: str) -> HttpResponse:
    """503 page for a dependency outage. Rendered without the request context: the context
    processors read the session and the tenant, which live in the database that may be down."""
    from django.utils.http import url_has_allowed_host_and_scheme

    path = request.get_full_path()
    html = render_to_string(
        "503.html",
        {
            "outage": outage,
            "retry_after": RETRY_AFTER_SECONDS,
            "path": path if url_has_allowed_host_and_scheme(path, allowed_hosts=None) else "/",
        },
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DependencyOutageMiddleware:
    """Pages that fail because PostgreSQL or Redis is unreachable answer the 503 degraded page
    (the API already answers 503 problem+json through its exception handler)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:

        outage = dependency_outage(exception)
        if outage is None or request.path.startswith(("/api/", "/edge/")):
            return None
        logger.warning("%s unavailable answering page %s: %s", outage, request.path, type(exception).__name__)
        return degraded_page(request, outage)

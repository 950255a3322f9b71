"""Liveness and readiness probes (JSON, no authentication, no session)."""

from __future__ import annotations

import time
from typing import Any, cast

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from console.celery import WORKER_HEARTBEAT_KEY
from console.redis import redis_client


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


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: PostgreSQL and Redis answer and a Celery worker beat recently."""
    checks = {"database": _check_database(), "redis": _check_redis(), "worker": _check_worker()}
    ok = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )

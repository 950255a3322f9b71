"""Per-API-client rate limits, counted in Redis (fixed one-minute windows), answered with 429."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from console.models import ApiClient
from console.redis import redis_client

WINDOW_SECONDS = 60


def default_rate_per_minute() -> int:
    """``API_RATE_LIMIT`` as requests per minute (``"6000/min"``, ``"100/s"``, ``"360000/hour"``)."""
    raw = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_client"]  # type: ignore[index]
    count, _, period = str(raw).partition("/")
    per_second = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[:1] or "m"]
    return max(1, int(int(count) * 60 / per_second))


class ApiClientRateThrottle(BaseThrottle):
    """Limits each tenant API client to its ``rate_limit_per_minute`` (else the default).

    Vendor pipeline clients (no tenant) are limited only when they carry an explicit rate: the
    ingest path's throughput is governed by the ingest design, not by this counter.
    """

    def __init__(self) -> None:
        self._wait = 0.0

    def allow_request(self, request: Request, view: Any) -> bool:
        client = request.auth if isinstance(request.auth, ApiClient) else None
        if client is None:
            return True
        if client.tenant_id is None and client.rate_limit_per_minute is None:
            return True
        limit = client.rate_limit_per_minute or default_rate_per_minute()
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"console:throttle:api_client:{client.pk}:{window}"
        pipe = redis_client(settings.REDIS_CACHE_URL).pipeline()
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS * 2)
        count = int(pipe.execute()[0])
        if count <= limit:
            return True
        self._wait = (window + 1) * WINDOW_SECONDS - now
        return False

    def wait(self) -> float | None:
        return max(1.0, self._wait)

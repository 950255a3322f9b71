"""Rate limits, counted in Redis (fixed one-minute windows), answered with 429, and told to every
limited caller in the IETF draft's headers (draft-ietf-httpapi-ratelimit-headers)::

    RateLimit-Policy: "client";q=6000;w=60
    RateLimit: "client";r=5987;t=42

Policies: ``client`` (an API client: its ``rate_limit_per_minute``, else ``API_RATE_LIMIT``),
``user`` (a signed-in session on the API: ``API_RATE_LIMIT`` per user; ``host`` likewise per sensor
credential), ``anonymous`` (sign-in and
enrolment: ``ANON_RATE_LIMIT`` per client address and endpoint). A throttle leaves the window it
counted on the request (``request.rate_window``); ``RateLimitHeadersMiddleware`` writes the headers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from console.access import client_ip
from console.authentication import MachinePrincipal
from console.models import ApiClient
from console.redis import redis_client

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateWindow:
    """One caller's standing in the current window, as the headers tell it."""

    policy: str
    limit: int
    used: int
    reset_seconds: int

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


def rate_per_minute(raw: str) -> int:
    """A DRF-style rate as requests per minute (``"6000/min"``, ``"100/s"``, ``"360000/hour"``)."""
    count, _, period = str(raw).partition("/")
    per_second = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[:1] or "m"]
    return max(1, int(int(count) * 60 / per_second))


def default_rate_per_minute() -> int:
    """``API_RATE_LIMIT`` as requests per minute."""
    return rate_per_minute(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_client"])  # type: ignore[index]


def anonymous_rate_per_minute() -> int:
    """``ANON_RATE_LIMIT`` as requests per minute."""
    return rate_per_minute(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"])  # type: ignore[index]


def rate_window_hit(policy: str, subject: str, limit: int) -> RateWindow:
    """Counts one request of ``subject`` under ``policy`` in the current window."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"console:throttle:{policy}:{subject}:{window}"
    pipe = redis_client(settings.REDIS_CACHE_URL).pipeline()
    pipe.incr(key)
    pipe.expire(key, WINDOW_SECONDS * 2)
    used = int(pipe.execute()[0])
    reset = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
    return RateWindow(policy=policy, limit=limit, used=used, reset_seconds=reset)


def anonymous_rate_hit(request: HttpRequest, endpoint: str) -> RateWindow:
    """The anonymous rate for ``endpoint`` (``signin``, ``enrol``) from the caller's address."""
    window = rate_window_hit(
        "anonymous", f"{endpoint}:{client_ip(request) or '-'}", anonymous_rate_per_minute()
    )
    request.rate_window = window  # type: ignore[attr-defined]
    return window


class _WindowThrottle(BaseThrottle):
    def __init__(self) -> None:
        self._wait = 0.0

    def _counted(self, request: Request, window: RateWindow) -> bool:
        request._request.rate_window = window  # type: ignore[attr-defined]
        if window.allowed:
            return True
        self._wait = float(window.reset_seconds)
        return False

    def wait(self) -> float | None:
        return max(1.0, self._wait)


class ApiClientRateThrottle(_WindowThrottle):
    """Limits each tenant API client to its ``rate_limit_per_minute`` (else the default), and each
    signed-in user's API calls to the default.

    Vendor pipeline clients (no tenant) are limited only when they carry an explicit rate: the
    ingest path's throughput is governed by the ingest design, not by this counter.
    """

    def allow_request(self, request: Request, view: Any) -> bool:
        client = request.auth if isinstance(request.auth, ApiClient) else None
        if client is None:
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return True
            # A sensor with its own credential (``host``) is counted apart from people (``user``).
            policy = user.kind if isinstance(user, MachinePrincipal) else "user"
            return self._counted(request, rate_window_hit(policy, str(user.pk), default_rate_per_minute()))
        if client.tenant_id is None and client.rate_limit_per_minute is None:
            return True
        limit = client.rate_limit_per_minute or default_rate_per_minute()
        return self._counted(request, rate_window_hit("client", str(client.pk), limit))


class AnonymousRateThrottle(_WindowThrottle):
    """``ANON_RATE_LIMIT`` per client address for an endpoint anyone may call (enrolment)."""

    endpoint = "anonymous"

    def allow_request(self, request: Request, view: Any) -> bool:
        endpoint = getattr(view, "throttle_endpoint", self.endpoint)
        return self._counted(request, anonymous_rate_hit(request._request, endpoint))


def rate_limit_headers(response: HttpResponseBase, window: RateWindow) -> None:
    """Sets ``RateLimit-Policy`` and ``RateLimit`` (IETF draft syntax) for ``window``."""
    response["RateLimit-Policy"] = f'"{window.policy}";q={window.limit};w={WINDOW_SECONDS}'
    response["RateLimit"] = f'"{window.policy}";r={window.remaining};t={window.reset_seconds}'


class RateLimitHeadersMiddleware:
    """Writes the rate-limit headers of the window a throttle counted the request in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        window = getattr(request, "rate_window", None)
        if isinstance(window, RateWindow):
            rate_limit_headers(response, window)
        return response

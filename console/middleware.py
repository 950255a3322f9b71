"""Request id and Content-Security-Policy, applied to every response."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse

from console.errors import PROBLEM_CONTENT_TYPE, problem
from console.logs import log_context_bind, log_context_start

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# No inline scripts anywhere: htmx and the chart library are vendored files under /static/.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class RequestIdMiddleware:
    """Takes a sane ``X-Request-ID`` from the caller or makes one; audit rows carry it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Log lines (and tasks enqueued) from here on carry it. Not reset on the way out: Django
        # logs 4xx/5xx responses after the middleware returns, and the next request starts afresh.
        log_context_start(request_id=request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class LogActorMiddleware:
    """After authentication: a signed-in person's log lines name them (``user:<id>``). API clients
    and the tenant are bound when the tenant context is resolved (``console.access``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        try:
            if user is not None and user.is_authenticated:
                log_context_bind(actor=f"user:{user.pk}")
        except DatabaseError:
            # The session's user could not be loaded (database down): the view meets the same
            # error, where DependencyOutageMiddleware answers the 503 page; a middleware's error
            # would become a 500.
            pass
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The API docs page (Swagger UI) needs its own relaxed policy, set by that view.
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response


class NulQueryParameterMiddleware:
    """A query parameter holding a NUL character is a 400 naming it: PostgreSQL text cannot hold NUL,
    and a streamed response (the audit export) would otherwise fail after its headers were sent."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = sorted(
            {
                name or "(unnamed)"
                for name, values in request.GET.lists()
                for value in [name, *values]
                if "\x00" in value
            }
        )
        if bad:
            return JsonResponse(
                problem(
                    400,
                    "Bad request",
                    "Query parameters cannot contain NUL characters.",
                    errors={
                        name.replace("\x00", "\\0"): ["Must not contain NUL characters."] for name in bad
                    },
                    instance=request.path,
                ),
                status=400,
                content_type=PROBLEM_CONTENT_TYPE,
            )
        return self.get_response(request)

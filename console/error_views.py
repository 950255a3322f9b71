"""404/500 handlers: problem+json under /api/ and /edge/, a page elsewhere."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console.errors import dependency_outage, json_problem
from console.health import degraded_page

_MACHINE_PREFIXES = ("/api/", "/edge/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(_MACHINE_PREFIXES):
        return json_problem(request, 404, "Not found", "No such resource.")
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A PermissionDenied raised outside the tenant pages' own refusal: the same styled page."""
    if request.path.startswith(_MACHINE_PREFIXES):
        return json_problem(request, 403, "Forbidden", "You do not have permission for this action.")
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # handler500 runs inside the except block: an outage of PostgreSQL or Redis raised outside a
    # view (a middleware) still answers the degraded page, not "something went wrong"
    exception = sys.exc_info()[1]
    outage = dependency_outage(exception) if isinstance(exception, Exception) else None
    if request.path.startswith(_MACHINE_PREFIXES):
        if outage:
            return json_problem(
                request, 503, "Service unavailable", f"The {outage} is unavailable; retry shortly."
            )
        return json_problem(
            request, 500, "Internal error", "The server failed; the request id identifies it."
        )
    if outage:
        return degraded_page(request, outage)
    return render(request, "500.html", {"request_id": getattr(request, "request_id", "")}, status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 raised outside a view's own handling (e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    from django.core.exceptions import RequestDataTooBig

    if request.path.startswith(_MACHINE_PREFIXES):
        if isinstance(exception, RequestDataTooBig):
            return json_problem(request, 400, "Request body too large", "The request body exceeds the limit.")
        return json_problem(request, 400, "Bad request", "The request could not be understood.")
    return render(request, "console/400.html", status=400)

"""404/500 handlers: problem+json under /api/ and /edge/, a page elsewhere."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console.errors import json_problem

_MACHINE_PREFIXES = ("/api/", "/edge/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(_MACHINE_PREFIXES):
        return json_problem(request, 404, "Not found", "No such resource.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(_MACHINE_PREFIXES):
        return json_problem(
            request, 500, "Internal error", "The server failed; the request id identifies it."
        )
    return render(request, "500.html", status=500)

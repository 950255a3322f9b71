"""The console's URLs plus a plain Django view, so probes are compared with Django's own floor."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"status": "ok"}', content_type="application/json")


urlpatterns: list[Any] = [path("bench/plain", plain), path("", include("console.urls"))]

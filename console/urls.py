"""Root URL configuration: the project's wiring, which may name every app."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from console import health, metrics, views
from console.api_paths import either_slash

api_urlpatterns: list[Any] = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI under the console's strict CSP: the assets come from drf-spectacular-sidecar (served
    # from /static/, no CDN) and the start-up script is a file (``?script``), not an inline block.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="console/api_docs.html"),
        name="api-docs",
    ),
]
page_urlpatterns: list[Any] = []

for _app in ("console", "telemetry", "rollout"):
    try:
        _module = import_module(f"{_app}.app_urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_app}.app_urls":
            raise
        continue
    api_urlpatterns += getattr(_module, "api_urlpatterns", [])
    page_urlpatterns += getattr(_module, "urlpatterns", [])

# One path style (trailing slash, see console/api_paths.py); the other form answers too, unredirected.
api_urlpatterns = either_slash(api_urlpatterns)

urlpatterns: list[Any] = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("tenants/", views.tenant_switch, name="tenant-switch"),
    path("vendor/", login_required(views.vendor_home), name="vendor-home"),
    path("api/v1/", include(api_urlpatterns)),
    path("edge/v1/", include("rollout.distribution.edge_urls")),
    *page_urlpatterns,
    path("", views.HomeView.as_view(), name="home"),
]

handler400 = "console.error_views.bad_request"
handler403 = "console.error_views.forbidden"
handler404 = "console.error_views.not_found"
handler500 = "console.error_views.server_error"

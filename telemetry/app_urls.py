"""Pages and API routes of the telemetry app (console/urls.py mounts them)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from telemetry import api, views

urlpatterns: list[Any] = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("hosts/", views.HostListPage.as_view(), name="hosts"),
    path("hosts/<uuid:pk>/", views.HostDetailPage.as_view(), name="host-detail"),
    path("enrolment-tokens/", views.EnrolmentTokenPage.as_view(), name="enrolment-tokens"),
    path(
        "enrolment-tokens/<uuid:pk>/revoke/",
        views.EnrolmentTokenRevokePage.as_view(),
        name="enrolment-token-revoke",
    ),
]

api_urlpatterns: list[Any] = [
    path("telemetry/enrol/", api.EnrolView.as_view(), name="api-telemetry-enrol"),
    path("telemetry/heartbeats/", api.HeartbeatIngestView.as_view(), name="api-telemetry-heartbeats"),
    path("hosts/", api.HostListView.as_view(), name="api-hosts"),
    path("hosts/<uuid:pk>/", api.HostDetailView.as_view(), name="api-host-detail"),
    path("enrolment-tokens/", api.EnrolmentTokenListView.as_view(), name="api-enrolment-tokens"),
    path(
        "enrolment-tokens/<uuid:pk>/",
        api.EnrolmentTokenDetailView.as_view(),
        name="api-enrolment-token-detail",
    ),
    path("fleet/health/", api.FleetHealthView.as_view(), name="api-fleet-health"),
    path("fleet/series/", api.FleetSeriesView.as_view(), name="api-fleet-series"),
]

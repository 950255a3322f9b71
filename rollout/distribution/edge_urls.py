"""Sensor-facing edge API; the project mounts it with ``path("edge/v1/", include("rollout.distribution.edge_urls"))``."""

from __future__ import annotations

from typing import Any

from django.urls import path

from rollout.distribution.edge_views import desired_state_admitted

urlpatterns: list[Any] = [
    path("desired-state", desired_state_admitted, name="edge-desired-state"),
]

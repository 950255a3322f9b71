"""Sensor-facing edge API; the project mounts it with ``path("edge/v1/", include("rollout.edge_urls"))``."""

from __future__ import annotations

from typing import Any

from django.urls import path

from rollout import edge_views

urlpatterns: list[Any] = [
    path("desired-state", edge_views.desired_state, name="edge-desired-state"),
]

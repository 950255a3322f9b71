"""Websocket URL routing for the whole project (the project's wiring may name every app)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.urls import path

from console.consumers import TenantEventsConsumer

websocket_urlpatterns: list[Any] = [path("ws/v1/events/", TenantEventsConsumer.as_asgi())]

for _app in ("telemetry", "rollout"):
    try:
        websocket_urlpatterns += import_module(f"{_app}.routing").websocket_urlpatterns
    except ModuleNotFoundError as exc:
        if exc.name != f"{_app}.routing":
            raise

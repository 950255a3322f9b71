"""Websocket routes of the telemetry app."""

from __future__ import annotations

from typing import Any

from django.urls import path

from telemetry.consumers import FleetConsumer

websocket_urlpatterns: list[Any] = [path("ws/v1/fleet/", FleetConsumer.as_asgi())]

"""Console's own pages and API routes (members, API clients, support, audit)."""

from __future__ import annotations

from typing import Any

urlpatterns: list[Any] = []
api_urlpatterns: list[Any] = []

"""Fixtures of the telemetry tests: the vendor's telemetry pipeline token and heartbeat builders."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from console.models import ApiScope
from tests.factories import api_client_with_token


@pytest.fixture
def pipeline_token(db: None) -> str:
    _, token = api_client_with_token(None, [ApiScope.TELEMETRY], name="vendor-telemetry-pipeline")
    return token


def heartbeat(host: Any, **overrides: Any) -> dict[str, Any]:
    """A valid heartbeat of ``host`` now (``host`` may be a Host or an id)."""
    body: dict[str, Any] = {
        "host_id": str(getattr(host, "pk", host)),
        "time": datetime.now(UTC).isoformat(),
        "sensor_build": "7.11.18110",
        "content_versions": {"rapid_response": "291.3", "sensor_operations": "44.1"},
        "status": "online",
        "interval_s": 10,
    }
    body.update(overrides)
    return body


def post_heartbeats(client: Client, token: str, items: list[Any], *, scheme: str = "Bearer") -> Any:
    return client.post(
        "/api/v1/telemetry/heartbeats",
        {"heartbeats": items},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"{scheme} {token}",
    )


def outside_event_loop(fn: Any, *args: Any) -> Any:
    """Calls ``fn`` in a thread of its own and returns its result.

    Playwright's sync API (the session-scoped browser) keeps an event loop in the test thread once
    a browser test ran; code that uses ``async_to_sync`` (the channel layer) refuses to run there.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run() -> Any:
        try:
            return fn(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=120)

"""Celery beat entries of the telemetry app (console/celery.py collects them)."""

from __future__ import annotations

from typing import Any

from telemetry.ingest import FLUSH_SECONDS

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # The staleness bound of fleet data: staged heartbeats reach PostgreSQL within one tick (plus
    # the flush itself). A tick that could not start in time is dropped, never queued up.
    "telemetry-tick": {
        "task": "telemetry.tasks.telemetry_tick_task",
        "schedule": FLUSH_SECONDS,
        "options": {"expires": FLUSH_SECONDS * 2},
    },
    "telemetry-retention": {
        "task": "telemetry.tasks.telemetry_retention_task",
        "schedule": 3600.0,
        "options": {"expires": 1800},
    },
}

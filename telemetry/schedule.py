"""Celery beat entries of the telemetry app (console/celery.py collects them).

Kept free of Django imports: beat reads it before Django is set up.
"""

from __future__ import annotations

from typing import Any, Final

# The staleness bound of fleet data: staged heartbeats reach PostgreSQL within one tick (plus the
# flush itself), and dashboards get at most one message per tenant per tick.
TICK_SECONDS: Final = 2.0

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # A tick that could not start in time is dropped, never queued up behind a slow one.
    "telemetry-tick": {
        "task": "telemetry.tasks.telemetry_tick_task",
        "schedule": TICK_SECONDS,
        "options": {"expires": TICK_SECONDS * 2},
    },
    # The fleet counters the live dashboard reads, checked against PostgreSQL (repaired if they differ).
    "telemetry-counts-verify": {
        "task": "telemetry.tasks.fleet_counts_verify_task",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    "telemetry-retention": {
        "task": "telemetry.tasks.telemetry_retention_task",
        "schedule": 3600.0,
        "options": {"expires": 1800},
    },
}

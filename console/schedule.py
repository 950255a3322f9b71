"""Periodic tasks of the foundation (Celery beat, assembled by console/celery.py)."""

from __future__ import annotations

from typing import Any

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # A grant's end is enforced on every request already; this tick audits it and pushes it to
    # open websockets (so they close within seconds even with no other traffic).
    "console-support-access-expire": {"task": "console.support_access_expire", "schedule": 15.0},
}

"""Periodic tasks of the foundation (Celery beat, assembled by console/celery.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # A grant's end is enforced on every request already; this tick audits it and pushes it to
    # open websockets (so they close within seconds even with no other traffic).
    "console-support-access-expire": {"task": "console.support_access_expire", "schedule": 15.0},
    # Signed heads of the audit chains, outside the database (console/audit_anchor.py).
    "console-audit-anchor-export": {
        "task": "console.audit_anchor_export",
        "schedule": float(settings.AUDIT_ANCHOR_INTERVAL_SECONDS),
    },
}

"""Foundation tasks."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection

from console.audit_anchor import audit_anchor_export as anchor_export
from console.support.services import support_access_expire as expire

logger = logging.getLogger(__name__)


@shared_task(name="console.ping")
def ping(value: str) -> dict[str, str]:
    """Round trip through a worker, touching PostgreSQL, for readiness and tests."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        row = cursor.fetchone()
    logger.info("ping answered", extra={"echo": value})
    return {"echo": value, "database": str(row[0]) if row else ""}


@shared_task(name="console.support_access_expire")
def support_access_expire() -> dict[str, int]:
    """Beat tick: expire unanswered support requests, end expired grants (sockets close at once)."""

    return expire()


@shared_task(name="console.audit_anchor_export")
def audit_anchor_export() -> dict[str, object]:
    """Beat tick: sign each audit chain's head and append it to the day's anchor file."""
    return anchor_export()

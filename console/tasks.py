"""Foundation tasks."""

from __future__ import annotations

from celery import shared_task
from django.db import connection


@shared_task(name="console.ping")
def ping(value: str) -> dict[str, str]:
    """Round trip through a worker, touching PostgreSQL, for readiness and tests."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        row = cursor.fetchone()
    return {"echo": value, "database": str(row[0]) if row else ""}

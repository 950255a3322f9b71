"""What a newcomer is told when PostgreSQL or Redis is not there: one line saying what to start or
set, instead of a driver traceback. ``manage.py`` wraps every management command with
:func:`services_unreachable_message`; it reads the settings only once an error has happened."""

from __future__ import annotations

from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import OperationalError

SERVICES_HINT = (
    "Run `make services` (the embedded PostgreSQL and Redis, then `python manage.py migrate`), "
    "or set DATABASE_URL / REDIS_URL to running ones."
)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _one_line(exc: BaseException) -> str:
    return "; ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__


def services_unreachable_message(exc: BaseException) -> str | None:
    """The message for ``exc`` if it (or what caused it) is an unreachable or missing database or
    Redis; None for any other error (which keeps its traceback)."""
    for error in _chain(exc):
        if isinstance(error, OperationalError):
            db = settings.DATABASES["default"]
            return (
                f"PostgreSQL database {db.get('NAME')!r} at {db.get('HOST') or 'localhost'}:"
                f"{db.get('PORT') or 5432} is not reachable or does not exist ({_one_line(error)}). "
                + SERVICES_HINT
            )
        if isinstance(error, redis.ConnectionError | redis.TimeoutError):
            parts = urlsplit(settings.REDIS_URL)
            return (
                f"Redis at {parts.hostname}:{parts.port or 6379} is not reachable ({_one_line(error)}). "
                + SERVICES_HINT
            )
    return None

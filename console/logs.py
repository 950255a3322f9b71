"""Log lines that say which request (and tenant, and actor) they belong to, in JSON in production.

A context variable holds ``request_id`` (and ``tenant_id``, ``actor`` once known) for the code
running on behalf of one request or one Celery task. ``LogContextFilter`` copies it onto every
record, so the JSON formatter (python-json-logger, ``LOG_FORMAT=json``, the default with
``DEBUG`` off) writes it as fields. A task enqueued while a request id is in context carries it
in a message header (``console_request_id``) and the worker puts it back in context while the
task runs, so a request and the work it caused share one id.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

REQUEST_ID_HEADER = "console_request_id"
CONTEXT_FIELDS = ("request_id", "tenant_id", "actor", "task", "task_id")

_EMPTY: Mapping[str, str] = MappingProxyType({})
_context: ContextVar[Mapping[str, str]] = ContextVar("console_log_context", default=_EMPTY)


def _clean(fields: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in fields.items() if value not in (None, "")}


def log_context_start(**fields: Any) -> None:
    """A fresh context (a new request or task): whatever an earlier one left is dropped."""
    _context.set(MappingProxyType(_clean(fields)))


def log_context_bind(**fields: Any) -> None:
    """Adds what became known (the tenant, the actor) to the current context."""
    _context.set(MappingProxyType({**_context.get(), **_clean(fields)}))


def log_context() -> Mapping[str, str]:
    return _context.get()


class LogContextFilter(logging.Filter):
    """Copies the current context onto each record (fields the record sets itself win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """The ``LOGGING`` setting: one stream handler, JSON or plain text, with the context filter."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "console.logs.LogContextFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["context"]}
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


def request_id_for_task(task_request: Any) -> str:
    """The request id a task's message carried, if any."""
    value = getattr(task_request, REQUEST_ID_HEADER, None)
    if not value:
        headers = getattr(task_request, "headers", None) or {}
        value = headers.get(REQUEST_ID_HEADER) if isinstance(headers, dict) else None
    return str(value or "")

"""Admission control of the edge's sensor API: recovering hosts first, so a recovery storm (or a
flood of routine polls) cannot starve the halt.

A sensor says how it is with ``X-Sensor-State``: ``boot_loop`` / ``crashed`` (it is crash-looping
and asks in the brief window of a reboot) or ``recovering`` (it has just reverted or taken a fix).
Those polls are **always admitted**. Routine polls (no header, or ``online``) share a bounded number
of places per web process (``EDGE_ROUTINE_CONCURRENCY``, default 128, counted from when the request
reaches the view until its answer is built); beyond it a routine poll gets ``503`` problem+json with
``Retry-After`` (``EDGE_RETRY_AFTER_SECONDS``, default 2) and keeps what it runs, which is always
safe: a sensor that was not told anything new takes nothing new. Nothing is queued or reordered, so
the cost of a refusal is one header check; the bound keeps the queue a recovering poll waits behind
short. A single counter per process (a lock, since WSGI serves from threads).
"""

from __future__ import annotations

import os
import threading

from django.conf import settings

RECOVERING_STATES = frozenset({"boot_loop", "crashed", "recovering"})
DEFAULT_ROUTINE_CONCURRENCY = int(os.environ.get("EDGE_ROUTINE_CONCURRENCY", "128"))
DEFAULT_RETRY_AFTER_SECONDS = int(os.environ.get("EDGE_RETRY_AFTER_SECONDS", "2"))


def is_recovering(state_header: str) -> bool:
    return state_header.strip().lower() in RECOVERING_STATES


class Admission:
    """In-flight routine polls of this process, bounded; recovering polls are not counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0

    @staticmethod
    def limit() -> int:
        return int(getattr(settings, "EDGE_ROUTINE_CONCURRENCY", DEFAULT_ROUTINE_CONCURRENCY))

    @staticmethod
    def retry_after() -> int:
        return int(getattr(settings, "EDGE_RETRY_AFTER_SECONDS", DEFAULT_RETRY_AFTER_SECONDS))

    def try_enter(self) -> bool:
        """Takes a place for a routine poll; False when every place is taken."""
        with self._lock:
            if self.in_flight >= self.limit():
                return False
            self.in_flight += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.in_flight = max(0, self.in_flight - 1)


ADMISSION = Admission()

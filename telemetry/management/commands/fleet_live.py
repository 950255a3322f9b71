"""``manage.py fleet_live``: the live path of fleet health (see telemetry.live); runs until stopped."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from telemetry.live import fleet_live_run


class Command(BaseCommand):
    help = (
        "Flush staged heartbeats as they arrive and push fleet counters to the live dashboards "
        "(a fraction of a second instead of the 2 s beat tick, which stays as the safety net)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("fleet_live: flushing staged heartbeats as they arrive")
        self.stdout.flush()
        fleet_live_run(stop)

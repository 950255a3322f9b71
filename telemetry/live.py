"""The live path of fleet health: heartbeats reach the dashboards a fraction of a second after they arrive.

``fleet_live_run`` (``manage.py fleet_live``, one process next to the Celery workers) checks for
staged heartbeats every ``POLL_SECONDS`` and, when there are some, flushes them at once and
publishes one message per changed tenant built from the fleet counters: no waiting for the 2 s
beat tick, and no fleet scan. Flushes are at least ``MIN_INTERVAL_SECONDS`` apart, so a tenant
gets at most a few messages a second however many of its hosts report (coalesced, never per
host). The beat tick (``telemetry.fleet.telemetry_tick``) stays: it is the safety net when this
process is down, it sweeps quiet hosts, and it writes the once-a-minute SQL snapshots.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Final

from django.db import connection

from console.redis import redis_client
from telemetry.fleet import DIRTY_KEY, fleet_publish_live
from telemetry.ingest import STAGED, STAGED_CRASHES, FlushResult, heartbeats_flush

logger = logging.getLogger(__name__)

POLL_SECONDS: Final = 0.05
MIN_INTERVAL_SECONDS: Final = 0.25  # at most four messages a second per tenant
ALIVE_KEY: Final = "telemetry:live:alive"  # set while the loop runs (unix time of its last turn)


def fleet_live_once() -> FlushResult | None:
    """Flushes staged heartbeats if there are any and publishes the changed tenants from their counters."""
    client = redis_client()
    if not client.exists(STAGED, STAGED_CRASHES):
        return None
    result = heartbeats_flush()
    if result.skipped or not result.tenants:
        return result
    client.sadd(DIRTY_KEY, *result.tenants)  # the beat tick writes their SQL snapshot when due
    fleet_publish_live(result.tenants, crashes=result.crashes > 0)
    return result


def fleet_live_run(stop: threading.Event | None = None) -> None:
    """Runs ``fleet_live_once`` in a loop until ``stop`` is set; an error is logged, never fatal."""
    stop = stop or threading.Event()
    client = redis_client()
    last = alive = 0.0
    while not stop.is_set():
        wait = last + MIN_INTERVAL_SECONDS - time.monotonic()
        if wait > 0:
            stop.wait(wait)
            continue
        try:
            if time.monotonic() - alive >= 1.0:
                client.set(ALIVE_KEY, repr(time.time()), ex=10)
                alive = time.monotonic()
            result = fleet_live_once()
        except Exception:  # PostgreSQL or Redis away: log, wait, try again (the tick is the safety net)
            logger.exception("the live fleet flush failed; the beat tick stays the safety net")
            connection.close()  # a broken connection (PostgreSQL restarted) is opened again next turn
            result = None
            stop.wait(1.0)
        if result is not None:
            last = time.monotonic()
        else:
            stop.wait(POLL_SECONDS)

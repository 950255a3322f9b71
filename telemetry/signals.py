"""The crash-signal stream: the heartbeats that should wake the safety loop at once.

``heartbeats_ingest`` stages heartbeats in Redis for the bulk flush; a heartbeat that carries a
crash report, or whose reported status is crashed or boot-looping, is also appended here (one
``XADD`` per such heartbeat, the stream capped at about ``MAXLEN`` entries) with the host, its
tenant and the time the console received it. The rollout app's safety loop consumes the stream
(a consumer group); telemetry only writes it. Losing an entry loses no safety: the gate tick still
evaluates every rollout, this stream only makes it happen sooner.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import redis

logger = logging.getLogger(__name__)

STREAM: Final = "telemetry:signals"
MAXLEN: Final = 100_000
ALARMING_STATUSES: Final = frozenset({"crashed", "boot_loop"})


@dataclass(frozen=True)
class Signal:
    """One alarming heartbeat as the stream carries it."""

    entry_id: str
    host_id: str
    tenant_id: str
    received_at: float  # unix time the console accepted the heartbeat


def signal_fields(host_id: str, tenant_id: str, received_at: float) -> dict[str, str]:
    return {"host": host_id, "tenant": tenant_id, "at": repr(received_at)}


def signal_decode(entry_id: bytes | str, fields: dict[Any, Any]) -> Signal | None:
    """A stream entry as a ``Signal``; None for an entry this code did not write."""

    def text(value: Any) -> str:
        return value.decode() if isinstance(value, bytes) else str(value)

    data = {text(k): text(v) for k, v in fields.items()}
    try:
        return Signal(text(entry_id), data["host"], data["tenant"], float(data["at"]))
    except (KeyError, ValueError):
        return None


def signals_emit(client: redis.Redis, staged: Iterable[Any]) -> int:
    """Appends the alarming heartbeats among ``staged`` (``StagedHeartbeat`` of ingest, with their
    tenant filled in) to the stream; returns how many. Never raises: the tick is the safety net."""
    now = time.time()
    alarming = [
        s for s in staged if s.payload[1] and (s.crashes or s.payload[5] or s.payload[4] in ALARMING_STATUSES)
    ]
    if not alarming:
        return 0
    try:
        pipe = client.pipeline(transaction=False)
        for s in alarming:
            pipe.xadd(STREAM, signal_fields(s.host_id, s.payload[1], now), maxlen=MAXLEN, approximate=True)  # type: ignore[arg-type]
        pipe.execute()
    except redis.RedisError:
        logger.warning("crash signals not sent; the gate tick will see them", exc_info=True)
        return 0
    return len(alarming)

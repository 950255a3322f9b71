"""A circuit breaker whose state lives in Redis, so every web and worker process shares it.

closed -> (``threshold`` consecutive failures) -> open -> (``reset_seconds`` later) -> half-open:
exactly one caller is let through as a probe; its success closes the circuit, its failure opens
it again for another ``reset_seconds``. A probe that never reports (its worker died) is replaced
by a new one after ``reset_seconds``. The clock is injected, so tests move time instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal, cast

import redis

from rollout.distribution.base import CircuitOpen

CircuitState = Literal["closed", "open", "half_open"]

# Returns "closed" (call freely), "probe" (you are the half-open probe) or "open" (refuse).
_ADMIT = """
local st = redis.call('HGET', KEYS[1], 'state')
if not st or st == 'closed' then return 'closed' end
local now = tonumber(ARGV[1])
local reset = tonumber(ARGV[2])
if st == 'open' then
  local opened = tonumber(redis.call('HGET', KEYS[1], 'opened_at') or '0')
  if now - opened >= reset then
    redis.call('HSET', KEYS[1], 'state', 'half_open', 'probe_at', ARGV[1])
    return 'probe'
  end
  return 'open'
end
local probe = tonumber(redis.call('HGET', KEYS[1], 'probe_at') or '0')
if now - probe >= reset then
  redis.call('HSET', KEYS[1], 'probe_at', ARGV[1])
  return 'probe'
end
return 'open'
"""

_FAIL = """
local st = redis.call('HGET', KEYS[1], 'state')
if st == 'half_open' or st == 'open' then
  redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', ARGV[1])
  return 'open'
end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if failures >= tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', ARGV[1])
  return 'open'
end
return 'closed'
"""


class CircuitBreaker:
    """Shared breaker for one external endpoint (``key`` names it in Redis)."""

    def __init__(
        self,
        client: redis.Redis,
        key: str,
        *,
        threshold: int = 5,
        reset_seconds: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if threshold < 1 or reset_seconds <= 0:
            raise ValueError("threshold must be >= 1 and reset_seconds > 0")
        self.client = client
        self.key = key
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self.clock = clock
        self._admit = client.register_script(_ADMIT)
        self._fail = client.register_script(_FAIL)

    def admit(self) -> None:
        """Raises ``CircuitOpen`` unless this call may go to the backend."""
        verdict = _text(self._admit(keys=[self.key], args=[repr(self.clock()), repr(self.reset_seconds)]))
        if verdict == "open":
            raise CircuitOpen(f"circuit {self.key} is open; not calling the backend")

    def record_success(self) -> None:
        self.client.delete(self.key)

    def record_failure(self) -> CircuitState:
        return cast(
            CircuitState, _text(self._fail(keys=[self.key], args=[repr(self.clock()), str(self.threshold)]))
        )

    def state(self) -> CircuitState:
        return breaker_state(self.client, self.key, reset_seconds=self.reset_seconds, now=self.clock())


def breaker_state(
    client: redis.Redis, key: str, *, reset_seconds: float, now: float | None = None
) -> CircuitState:
    """The state as the UI should show it: an open circuit whose wait is over reads as half-open."""
    raw = cast(list[bytes | None], client.hmget(key, ["state", "opened_at"]))
    state = _text(raw[0]) if raw[0] else "closed"
    if state == "open" and (now if now is not None else time.time()) - float(raw[1] or 0) >= reset_seconds:
        return "half_open"
    return cast(CircuitState, state)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)

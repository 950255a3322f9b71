"""Per-tenant sync status (what the UI shows next to "distribution"), kept in Redis by the backends.

Revisions only move forward here: a late, slower worker reporting an older revision never makes
the status look newer or older than it is. Postgres (the outbox) stays the source of truth; this
record is a cheap, shared view of progress and of the last error.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import redis

from console.redis import redis_client
from rollout.distribution.breaker import breaker_state

# Raises each integer field in ARGV[2] (JSON) only if larger, stamping "<field>_at" = ARGV[1];
# then sets the plain fields of ARGV[3] and deletes those named in ARGV[4].
_UPDATE = """
local now = ARGV[1]
local raise = cjson.decode(ARGV[2])
for name, value in pairs(raise) do
  local current = tonumber(redis.call('HGET', KEYS[1], name) or '-1')
  if value > current then
    redis.call('HSET', KEYS[1], name, tostring(value), name .. '_at', now)
  end
end
local plain = cjson.decode(ARGV[3])
for name, value in pairs(plain) do redis.call('HSET', KEYS[1], name, value) end
local gone = cjson.decode(ARGV[4])
for _, name in ipairs(gone) do redis.call('HDEL', KEYS[1], name) end
return 1
"""


def sync_key(tenant_id: str) -> str:
    return f"dist:sync:{{{tenant_id}}}"


@dataclass(frozen=True)
class SyncStatus:
    """Desired vs published vs acknowledged revision of one tenant, with the last error.

    ``published_revision``: the newest revision fully handed to the backend;
    ``acknowledged_revision``: the newest one the backend confirmed with its digest;
    ``lag_revisions`` = desired - acknowledged; ``lag_seconds``: time since the newest desired
    revision was recorded, while it is not acknowledged (0 when in sync). ``circuit_state`` is None for
    the embedded edge (no remote call to break).
    """

    tenant_id: str
    backend: str
    desired_revision: int
    published_revision: int
    acknowledged_revision: int
    lag_revisions: int
    lag_seconds: float
    digest: str
    last_error: str
    last_error_at: datetime | None
    last_attempt_at: datetime | None
    acknowledged_at: datetime | None
    circuit_state: str | None


def sync_record(
    tenant_id: str,
    *,
    backend: str,
    desired: int | None = None,
    published: int | None = None,
    acknowledged: int | None = None,
    digest: str | None = None,
    error: str | None = None,
    breaker_key: str | None = None,
    breaker_reset_seconds: float | None = None,
    client: redis.Redis | None = None,
    now: float | None = None,
) -> None:
    """Records progress (revisions only go up) and the last error; an acknowledgement clears it."""
    moment = repr(now if now is not None else time.time())
    raise_fields: dict[str, int] = {}
    for name, value in (
        ("desired_revision", desired),
        ("published_revision", published),
        ("acknowledged_revision", acknowledged),
    ):
        if value is not None:
            raise_fields[name] = value
    if published is not None or acknowledged is not None:
        raise_fields.setdefault(
            "desired_revision", max(v for v in (published, acknowledged) if v is not None)
        )
    plain: dict[str, str] = {"backend": backend, "last_attempt_at": moment}
    gone: list[str] = []
    if digest is not None:
        plain["digest"] = digest
    if error is not None:
        plain["last_error"] = error[:500]
        plain["last_error_at"] = moment
    elif acknowledged is not None:
        gone = ["last_error", "last_error_at"]
    if breaker_key is not None:
        plain["breaker_key"] = breaker_key
        plain["breaker_reset_seconds"] = repr(breaker_reset_seconds or 30.0)
    c = client or redis_client()
    c.register_script(_UPDATE)(
        keys=[sync_key(tenant_id)],
        args=[moment, json.dumps(raise_fields), json.dumps(plain), json.dumps(gone)],
    )


def sync_desired(
    tenant_id: str, revision: int, *, backend: str = "", client: redis.Redis | None = None
) -> None:
    """Called when a new revision exists (outbox row committed), before any backend has seen it."""
    c = client or redis_client()
    args = [repr(time.time()), json.dumps({"desired_revision": revision}), json.dumps({}), json.dumps([])]
    if backend:
        args[2] = json.dumps({"backend": backend})
    c.register_script(_UPDATE)(keys=[sync_key(tenant_id)], args=args)


def sync_status(tenant_id: str, *, client: redis.Redis | None = None, now: float | None = None) -> SyncStatus:
    """The tenant's sync status; an unknown tenant reads as "nothing desired, nothing published"."""
    c = client or redis_client()
    raw = cast(dict[bytes, bytes], c.hgetall(sync_key(tenant_id)))
    data = {k.decode(): v.decode() for k, v in raw.items()}
    moment = now if now is not None else time.time()
    desired = int(data.get("desired_revision", 0))
    acknowledged = int(data.get("acknowledged_revision", 0))
    lag_seconds = 0.0
    if desired > acknowledged and "desired_revision_at" in data:
        lag_seconds = max(0.0, moment - float(data["desired_revision_at"]))
    circuit: str | None = None
    if data.get("breaker_key"):
        circuit = breaker_state(
            c, data["breaker_key"], reset_seconds=float(data.get("breaker_reset_seconds", 30.0)), now=moment
        )
    return SyncStatus(
        tenant_id=tenant_id,
        backend=data.get("backend", ""),
        desired_revision=desired,
        published_revision=int(data.get("published_revision", 0)),
        acknowledged_revision=acknowledged,
        lag_revisions=max(0, desired - acknowledged),
        lag_seconds=lag_seconds,
        digest=data.get("digest", ""),
        last_error=data.get("last_error", ""),
        last_error_at=_when(data.get("last_error_at")),
        last_attempt_at=_when(data.get("last_attempt_at")),
        acknowledged_at=_when(data.get("acknowledged_revision_at")),
        circuit_state=circuit,
    )


def _when(value: str | None) -> datetime | None:
    return datetime.fromtimestamp(float(value), tz=UTC) if value else None

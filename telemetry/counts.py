"""Fleet counters kept up to date as heartbeats are applied: the dashboard without a fleet scan.

One Redis hash per tenant (``telemetry:counts:<tenant>``) counts its hosts per status
(``s|<status>``), per platform and status (``p|<platform>|<status>``), per sensor build
(``b|<platform>|<build>``) and per content version (``c|<category>|<version>``); the field
``_`` marks a hash as built. The flush's SQL (``telemetry.apply_sql``) returns, per tenant, the
sum of each host's old -> new transition (``DELTAS_SQL`` below) and the flush adds them while it
holds the flush lock, so the cost of keeping counts follows the hosts that changed, never the
fleet size.

PostgreSQL stays the truth. A tenant whose hash is missing (a Redis flush, a restart, a host
enrolled or deleted: ``counts_invalidate``) is rebuilt from one SQL count under the flush lock,
and ``counts_verify`` (beat, every minute) compares every built hash with the SQL count, repairs
the ones that differ and logs what it found. Both hold the flush lock one tenant at a time, so
no flush moves a counter between the count and the comparison, and a flush waits for one
tenant's count at most.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Final, cast

import redis
from django.db import connection

from console.redis import redis_client

logger = logging.getLogger(__name__)

FLUSH_LOCK: Final = "telemetry:flush:lock"  # one flush (or counter rebuild) at a time
KEY_PREFIX: Final = "telemetry:counts:"
EPOCH_PREFIX: Final = "telemetry:counts:epoch:"  # moved by every invalidation (a rebuild WATCHes it)
BUILT: Final = "_"
LOCK_WAIT_SECONDS: Final = 30.0

# Reads ``u`` (the hosts an UPDATE changed, with their values before and after); returns one row per
# tenant and counter that moved, and one per tenant with the field '' and the number of hosts updated.
DELTAS_SQL: Final = """
, d AS (
  SELECT u.tenant_id, k.field, k.delta
  FROM u CROSS JOIN LATERAL (
    SELECT 's|' || u.old_status, -1 UNION ALL SELECT 's|' || u.status, 1
    UNION ALL SELECT 'p|' || u.old_platform || '|' || u.old_status, -1
    UNION ALL SELECT 'p|' || u.platform || '|' || u.status, 1
    UNION ALL SELECT 'b|' || u.old_platform || '|' || u.old_build, -1
    UNION ALL SELECT 'b|' || u.platform || '|' || u.sensor_build, 1
    UNION ALL SELECT 'c|' || e.key || '|' || e.value, -1 FROM jsonb_each_text(u.old_content) e
    UNION ALL SELECT 'c|' || e.key || '|' || e.value, 1 FROM jsonb_each_text(u.content_versions) e
  ) AS k(field, delta)
  WHERE (u.old_status, u.old_platform, u.old_build, u.old_content)
        IS DISTINCT FROM (u.status, u.platform, u.sensor_build, u.content_versions)
)
SELECT tenant_id::text, field, sum(delta)::bigint FROM d GROUP BY 1, 2 HAVING sum(delta) <> 0
UNION ALL
SELECT tenant_id::text, '', count(*) FROM u GROUP BY 1
"""

# Adds the deltas to the hashes that are built (a missing one waits for its rebuild); drops zeros.
_APPLY_LUA: Final = """
local i = 1
for k = 1, #KEYS do
  local n = tonumber(ARGV[i])
  i = i + 1
  local built = redis.call('HEXISTS', KEYS[k], '_') == 1
  for j = 1, n do
    if built then
      local v = redis.call('HINCRBY', KEYS[k], ARGV[i], ARGV[i + 1])
      if v == 0 then redis.call('HDEL', KEYS[k], ARGV[i]) end
    end
    i = i + 2
  end
end
return 1
"""
_UNLOCK_LUA: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

Deltas = dict[str, dict[str, int]]  # tenant id -> field -> change


def counts_key(tenant_id: uuid.UUID | str) -> str:
    return f"{KEY_PREFIX}{tenant_id}"


def deltas_collect(rows: Iterable[tuple[str, str, int]], deltas: Deltas) -> int:
    """Folds ``DELTAS_SQL`` rows into ``deltas``; returns the number of hosts the statement updated."""
    updated = 0
    for tenant_id, field, delta in rows:
        if field == "":
            updated += int(delta)
            deltas.setdefault(tenant_id, {})
        else:
            per = deltas.setdefault(tenant_id, {})
            per[field] = per.get(field, 0) + int(delta)
    return updated


def counts_apply(deltas: Deltas, client: redis.Redis | None = None) -> None:
    """Adds committed transitions to the built hashes (the caller holds the flush lock)."""
    moved = {t: d for t, d in deltas.items() if any(d.values())}
    if not moved:
        return
    keys: list[str] = []
    args: list[Any] = []
    for tenant_id, fields in moved.items():
        keys.append(counts_key(tenant_id))
        nonzero = [(f, v) for f, v in fields.items() if v]
        args.append(len(nonzero))
        for field, value in nonzero:
            args.extend((field, value))
    client = client or redis_client()
    client.eval(_APPLY_LUA, len(keys), *keys, *args)


def counts_sql(tenant_id: uuid.UUID | str) -> dict[str, int]:
    """The counters of a tenant counted from PostgreSQL (the truth the hashes must equal)."""
    counts: dict[str, int] = {}

    def add(field: str, n: int) -> None:
        counts[field] = counts.get(field, 0) + n

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT platform, status, sensor_build, content_versions, count(*) FROM telemetry_host "
            "WHERE tenant_id = %s GROUP BY 1, 2, 3, 4",
            [str(tenant_id)],
        )
        for platform, status, build, content, n in cursor.fetchall():
            add(f"s|{status}", n)
            add(f"p|{platform}|{status}", n)
            add(f"b|{platform}|{build}", n)
            if isinstance(content, str):  # jsonb arrives as text through Django's cursor
                content = json.loads(content)
            for category, version in (content or {}).items():
                add(f"c|{category}|{version}", n)
    return counts


def _decode(raw: dict[Any, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for k, v in raw.items():
        key = k.decode() if isinstance(k, bytes) else str(k)
        if key != BUILT:
            out[key] = int(v)
    return out


def counts_read(tenant_id: uuid.UUID | str, client: redis.Redis | None = None) -> dict[str, int] | None:
    """The tenant's counters, or None when they are not built."""
    client = client or redis_client()
    raw = cast("dict[Any, Any]", client.hgetall(counts_key(tenant_id)))
    if not raw or (BUILT.encode() not in raw and BUILT not in raw):
        return None
    return _decode(raw)


@contextmanager
def flush_lock(client: redis.Redis, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Holds the heartbeat flush lock: no flush moves counters meanwhile."""
    from_key = FLUSH_LOCK
    token = secrets.token_hex(8)
    deadline = time.monotonic() + wait
    while not client.set(from_key, token, nx=True, px=120_000):
        if time.monotonic() > deadline:
            raise TimeoutError("the heartbeat flush lock stayed taken")
        time.sleep(0.05)
    try:
        yield
    finally:
        client.eval(_UNLOCK_LUA, 1, from_key, token)


def _write(client: redis.Redis, tenant_id: str, counts: dict[str, int], epoch_seen: Any) -> bool:
    """Replaces the hash unless an invalidation moved the epoch since ``epoch_seen`` was read."""
    key, epoch = counts_key(tenant_id), f"{EPOCH_PREFIX}{tenant_id}"
    with client.pipeline() as pipe:
        try:
            pipe.watch(epoch)
            if pipe.get(epoch) != epoch_seen:
                pipe.reset()
                return False
            pipe.multi()
            pipe.delete(key)
            pipe.hset(key, mapping={BUILT: 1, **{f: n for f, n in counts.items() if n}})
            pipe.execute()
        except redis.WatchError:
            return False
    return True


def counts_rebuild(tenant_ids: Iterable[str], client: redis.Redis | None = None) -> dict[str, dict[str, int]]:
    """Rebuilds the tenants' hashes from PostgreSQL under the flush lock; returns what was written."""
    client = client or redis_client()
    written: dict[str, dict[str, int]] = {}
    for tenant_id in sorted(set(map(str, tenant_ids))):
        with flush_lock(client):  # per tenant: a flush waits for one tenant's count at most
            for _ in range(3):  # an enrolment that lands mid-way invalidates again: count again
                epoch = client.get(f"{EPOCH_PREFIX}{tenant_id}")
                counts = counts_sql(tenant_id)
                if _write(client, tenant_id, counts, epoch):
                    written[tenant_id] = counts
                    break
    return written


def counts_for(tenant_id: uuid.UUID | str, client: redis.Redis | None = None) -> dict[str, int]:
    """The tenant's counters, rebuilt from PostgreSQL first when they are missing."""
    client = client or redis_client()
    counts = counts_read(tenant_id, client)
    if counts is None:
        counts = counts_rebuild([str(tenant_id)], client).get(str(tenant_id))
        if counts is None:  # invalidated three times in a row: count once more, unbuilt
            counts = counts_sql(tenant_id)
    return counts


def counts_invalidate(tenant_id: uuid.UUID | str) -> None:
    """Forgets a tenant's counters (hosts were added or removed outside the flush): rebuilt on next use."""
    client = redis_client()
    with client.pipeline() as pipe:
        pipe.incr(f"{EPOCH_PREFIX}{tenant_id}")
        pipe.delete(counts_key(tenant_id))
        pipe.execute()


def counts_verify(client: redis.Redis | None = None) -> dict[str, dict[str, Any]]:
    """Compares every built hash with the SQL count under the flush lock; repairs and logs differences.

    Returns, per tenant that differed, the fields that differed as ``{field: [counter, sql]}``.
    """
    client = client or redis_client()
    tenants = sorted(
        (k.decode() if isinstance(k, bytes) else str(k))[len(KEY_PREFIX) :]
        for k in client.scan_iter(match=f"{KEY_PREFIX}*", count=1000)
        if not (k.decode() if isinstance(k, bytes) else str(k)).startswith(EPOCH_PREFIX)
    )
    repaired: dict[str, dict[str, Any]] = {}
    for tenant_id in tenants:
        with flush_lock(client):  # per tenant: a flush waits for one tenant's count at most
            epoch = client.get(f"{EPOCH_PREFIX}{tenant_id}")
            held = counts_read(tenant_id, client)
            if held is None:
                continue
            truth = counts_sql(tenant_id)
            if held == truth:
                continue
            diff = {f: [held.get(f, 0), truth.get(f, 0)] for f in sorted(held.keys() | truth.keys())}
            diff = {f: v for f, v in diff.items() if v[0] != v[1]}
            repaired[tenant_id] = diff
            logger.warning(
                "fleet counters of tenant %s differed from PostgreSQL, repaired: %s", tenant_id, diff
            )
            _write(client, tenant_id, truth, epoch)
    return repaired

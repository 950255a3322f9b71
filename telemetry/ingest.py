"""The heartbeat fast path: strict validation, staging in Redis, bulk flush to PostgreSQL.

A batch is validated item by item (bad items are reported, good ones kept), then written to Redis
in one round trip by a Lua script that keeps only the newest heartbeat per host. Nothing on the
hot path writes to PostgreSQL. ``heartbeats_flush`` (Celery beat, every ``FLUSH_SECONDS``)
atomically moves the staged hashes aside, writes them with COPY + ``UPDATE ... FROM`` /
``INSERT ... ON CONFLICT``, and deletes them only after the commit: a worker that dies mid-way
leaves them to the next flush, and re-applying them changes nothing (the newest-wins guard and
the crash events' unique key make the flush idempotent). Retried batches are idempotent too.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, cast

import psycopg
import redis
from django.db import DatabaseError, connection, transaction

from console.errors import InvalidInput, ServiceUnavailable
from console.redis import redis_client
from telemetry.apply_sql import HEARTBEATS_APPLY_SQL, QUIET_SWEEP_SQL
from telemetry.counts import FLUSH_LOCK, Deltas, counts_apply, deltas_collect
from telemetry.models import REPORTED_STATUSES, Platform
from telemetry.recovery import recovered_from_problem
from telemetry.schedule import TICK_SECONDS
from telemetry.signals import signals_emit

logger = logging.getLogger(__name__)

MAX_BATCH: Final = 1000
MAX_CRASHES_PER_HEARTBEAT: Final = 100
MAX_AGE: Final = timedelta(days=7)
MAX_SKEW: Final = timedelta(minutes=5)
FLUSH_SECONDS: Final = TICK_SECONDS
RETRY_AFTER_SECONDS: Final = 5

STAGED: Final = "telemetry:hb:staged"  # host id -> JSON of its newest heartbeat
STAGED_TS: Final = "telemetry:hb:staged_ts"  # host id -> unix time of that heartbeat
STAGED_CRASHES: Final = "telemetry:hb:crashes"  # host|time|component -> JSON crash event
PROCESSING: Final = "telemetry:hb:processing"
PROCESSING_TS: Final = "telemetry:hb:processing_ts"
PROCESSING_CRASHES: Final = "telemetry:hb:processing_crashes"
LAST_FLUSH: Final = "telemetry:flush:last"
SWEEP_KEY: Final = "telemetry:sweep:recent"
SWEEP_SECONDS: Final = 5

_BUILD_RE: Final = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]{0,31}")
_CATEGORY_RE: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")
_COMPONENT_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}")
_ALLOWED: Final = frozenset(
    {
        "host_id",
        "time",
        "sensor_build",
        "content_versions",
        "status",
        "crashes",
        "hostname",
        "platform",
        "os_version",
        "tags",
        "site",
        "interval_s",
        "recovered_from",  # a sensor that reverted to its fallback by itself (telemetry.recovery)
    }
)
_CRASH_ALLOWED: Final = frozenset({"component", "category", "content_version", "at"})

# Keeps only the newest heartbeat per host: one round trip for the whole batch.
_STAGE_LUA: Final = """
local n = tonumber(ARGV[1])
local i = 2
local kept = 0
for k = 1, n do
  local h, ts, p = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local old = redis.call('HGET', KEYS[2], h)
  if (not old) or tonumber(old) <= tonumber(ts) then
    redis.call('HSET', KEYS[2], h, ts)
    redis.call('HSET', KEYS[1], h, p)
    kept = kept + 1
  end
  i = i + 3
end
local m = tonumber(ARGV[i])
i = i + 1
for k = 1, m do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  i = i + 2
end
return kept
"""
# Moves the staged hashes aside for a flush, unless a previous flush left some unfinished.
_SWAP_LUA: Final = """
if redis.call('EXISTS', KEYS[4]) == 1 or redis.call('EXISTS', KEYS[6]) == 1 then
  return 0
end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('RENAME', KEYS[1], KEYS[4]) end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[5]) end
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('RENAME', KEYS[3], KEYS[6]) end
return 1
"""
_UNLOCK_LUA: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass
class StagedHeartbeat:
    index: int
    host_id: str
    ts: float
    payload: list[Any]
    crashes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class IngestResult:
    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "rejected": self.rejected}


def _time(value: Any, now: datetime) -> datetime | str:
    if not isinstance(value, str) or len(value) > 40:
        return "An ISO 8601 time with a UTC offset."
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return "An ISO 8601 time with a UTC offset."
    if parsed.tzinfo is None:
        return "The time needs a UTC offset (e.g. 2024-07-19T04:09:00Z)."
    if parsed > now + MAX_SKEW:
        return "The time is in the future."
    if parsed < now - MAX_AGE:
        return "The time is older than 7 days."
    return parsed


def _text(value: Any, limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit


def heartbeat_validate(item: Any, now: datetime) -> tuple[StagedHeartbeat | None, dict[str, list[str]]]:
    """One heartbeat checked strictly; returns what to stage or the errors per field."""
    if not isinstance(item, dict):
        return None, {"__all__": ["A heartbeat must be a JSON object."]}
    errors: dict[str, list[str]] = {}
    for key in item.keys() - _ALLOWED:
        errors[str(key)[:64]] = ["Unknown field."]
    host_id = item.get("host_id")
    try:
        host = str(uuid.UUID(host_id)) if isinstance(host_id, str) and len(host_id) <= 40 else None
    except ValueError:
        host = None
    if host is None:
        errors["host_id"] = ["The host's agent id (a UUID)."]
    seen = _time(item.get("time"), now)
    if isinstance(seen, str):
        errors["time"] = [seen]
    build = item.get("sensor_build")
    if not isinstance(build, str) or not _BUILD_RE.fullmatch(build):
        errors["sensor_build"] = ["A sensor build such as 7.11.18110."]
    content = item.get("content_versions")
    if not isinstance(content, dict) or len(content) > 32:
        errors["content_versions"] = ["An object of category -> version (at most 32)."]
    else:
        for category, version in content.items():
            if not _CATEGORY_RE.fullmatch(category) or not (
                isinstance(version, str) and _BUILD_RE.fullmatch(version)
            ):
                errors["content_versions"] = [f"Bad category or version: {str(category)[:64]!r}."]
                break
    status = item.get("status")
    if status not in REPORTED_STATUSES:
        errors["status"] = [f"One of {', '.join(sorted(REPORTED_STATUSES))}."]
    crashes_in = item.get("crashes", [])
    if not isinstance(crashes_in, list) or len(crashes_in) > MAX_CRASHES_PER_HEARTBEAT:
        errors["crashes"] = [f"A list of at most {MAX_CRASHES_PER_HEARTBEAT} crash events."]
        crashes_in = []
    for n, crash in enumerate(crashes_in):
        problem = _crash_problem(crash, now)
        if problem:
            errors[f"crashes[{n}]"] = [problem]
    if "recovered_from" in item and (recovered := recovered_from_problem(item["recovered_from"])):
        errors["recovered_from"] = [recovered]
    optional: list[Any] = []
    for name, limit in (("hostname", 255), ("platform", 16), ("os_version", 64), ("tags", 0), ("site", 64)):
        value = item.get(name)
        if value is None:
            optional.append(None)
        elif name == "tags":
            if not (
                isinstance(value, list)
                and len(value) <= 32
                and all(isinstance(t, str) and 0 < len(t) <= 64 for t in value)
            ):
                errors["tags"] = ["A list of at most 32 strings of 1 to 64 characters."]
            optional.append(value)
        elif name == "platform" and value not in Platform.values:
            errors["platform"] = [f"One of {', '.join(Platform.values)}."]
        elif not _text(value, limit) or (name == "hostname" and not value):
            errors[name] = [f"A string of at most {limit} characters."]
        else:
            optional.append(value)
    interval = item.get("interval_s")
    if interval is not None and (
        not isinstance(interval, int) or isinstance(interval, bool) or not 1 <= interval <= 86400
    ):
        errors["interval_s"] = ["Seconds between heartbeats, 1 to 86400."]
    if errors:
        return None, errors
    assert isinstance(seen, datetime) and host is not None and isinstance(content, dict)
    ts = seen.timestamp()
    crashed = bool(crashes_in)
    staged = StagedHeartbeat(
        index=0,
        host_id=host,
        ts=ts,
        payload=[ts, "", build, content, status, crashed, *optional, interval],
    )
    for crash in crashes_in:
        at = crash.get("at")
        at_ts = datetime.fromisoformat(at).timestamp() if at else ts
        key = f"{host}|{at_ts:.6f}|{crash['component']}"
        staged.crashes.append(
            (
                key,
                json.dumps(
                    [host, at_ts, crash["component"], crash["category"], crash["content_version"], build],
                    separators=(",", ":"),
                ),
            )
        )
    return staged, {}


def _crash_problem(crash: Any, now: datetime) -> str:
    if not isinstance(crash, dict) or crash.keys() - _CRASH_ALLOWED:
        return "A crash event is an object of component, category, content_version and optional at."
    if not isinstance(crash.get("component"), str) or not _COMPONENT_RE.fullmatch(crash["component"]):
        return "The faulting component is required."
    category, version = crash.get("category"), crash.get("content_version")
    if not isinstance(category, str) or not _CATEGORY_RE.fullmatch(category):
        return "The content category is required."
    if not isinstance(version, str) or not _BUILD_RE.fullmatch(version):
        return "The content version is required."
    if "at" in crash and isinstance(_time(crash["at"], now), str):
        return "The crash time must be an ISO 8601 time with a UTC offset, within the last 7 days."
    return ""


# Hosts never move between tenants, so the id -> tenant map can be cached in the process.
_host_tenants: dict[str, str] = {}
_host_tenants_lock = threading.Lock()
_HOST_CACHE_LIMIT: Final = 2_000_000


def _tenants_of(host_ids: Iterable[str]) -> dict[str, str]:
    wanted = set(host_ids)
    missing = [h for h in wanted if h not in _host_tenants]
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id::text, tenant_id::text FROM telemetry_host WHERE id = ANY(%s::uuid[])", [missing]
            )
            found = dict(cursor.fetchall())
        with _host_tenants_lock:
            if len(_host_tenants) + len(found) > _HOST_CACHE_LIMIT:
                _host_tenants.clear()
            _host_tenants.update(found)
    return {h: _host_tenants[h] for h in wanted if h in _host_tenants}


def host_cache_forget(host_id: uuid.UUID | str) -> None:
    """Drops a host from this process's id -> tenant cache (after the host was deleted)."""
    _host_tenants.pop(str(host_id), None)


_scripts: dict[tuple[int, str], Any] = {}


def _script(client: redis.Redis, source: str) -> Any:
    key = (id(client), source)
    script = _scripts.get(key)
    if script is None:
        script = _scripts[key] = client.register_script(source)
    return script


def heartbeats_ingest(items: Any, *, only_host_id: str | None = None) -> IngestResult:
    """Validates a batch and stages the good heartbeats; ``only_host_id`` limits a host credential to itself.

    Raises ``InvalidInput`` for a malformed envelope and ``ServiceUnavailable`` (503 +
    Retry-After) when Redis cannot take the batch: nothing is acknowledged that was not staged.
    """
    if not isinstance(items, list) or not items:
        raise InvalidInput(
            "Send a non-empty list of heartbeats.", errors={"heartbeats": ["A non-empty list."]}
        )
    if len(items) > MAX_BATCH:
        raise InvalidInput(
            f"A batch holds at most {MAX_BATCH} heartbeats.",
            errors={"heartbeats": [f"At most {MAX_BATCH} items."]},
        )
    now = datetime.now(UTC)
    result = IngestResult()
    good: list[StagedHeartbeat] = []
    for index, item in enumerate(items):
        staged, errors = heartbeat_validate(item, now)
        if staged is None:
            result.rejected.append({"index": index, "errors": errors})
            continue
        if only_host_id is not None and staged.host_id != only_host_id:
            result.rejected.append(
                {
                    "index": index,
                    "errors": {"host_id": ["A host credential may only report for its own host."]},
                }
            )
            continue
        staged.index = index
        good.append(staged)
    tenants = _tenants_of(s.host_id for s in good) if good else {}
    args: list[Any] = [0]
    crash_args: list[str] = []
    kept = 0
    for staged in good:
        tenant_id = tenants.get(staged.host_id)
        if tenant_id is None:
            result.rejected.append({"index": staged.index, "errors": {"host_id": ["Unknown host."]}})
            continue
        staged.payload[1] = tenant_id
        args.extend((staged.host_id, repr(staged.ts), json.dumps(staged.payload, separators=(",", ":"))))
        for key, value in staged.crashes:
            crash_args.extend((key, value))
        kept += 1
    if kept:
        args[0] = kept
        args.append(len(crash_args) // 2)
        args.extend(crash_args)
        try:
            client = redis_client()
            _script(client, _STAGE_LUA)(keys=[STAGED, STAGED_TS, STAGED_CRASHES], args=args)
            signals_emit(client, good)  # crash reports wake the safety loop at once
        except redis.RedisError as exc:
            raise ServiceUnavailable(
                "Heartbeat staging is unavailable; nothing from this batch was accepted. Retry later.",
                retry_after=RETRY_AFTER_SECONDS,
            ) from exc
    result.accepted = kept
    result.rejected.sort(key=lambda r: r["index"])
    return result


# ----------------------------------------------------------------------------------- the flush


@dataclass
class FlushResult:
    skipped: bool = False
    heartbeats: int = 0
    updated: int = 0
    crashes: int = 0
    quiet: int = 0
    tenants: set[str] = field(default_factory=set)
    flushed_at: float = 0.0
    deltas: Deltas = field(default_factory=dict)  # heartbeats: tenant -> fleet counter -> change (counts.py)


_STAGE_TABLE_SQL = """
CREATE TEMP TABLE hb_stage (
  id uuid PRIMARY KEY, seen timestamptz NOT NULL, sensor_build text NOT NULL, content jsonb NOT NULL,
  status text NOT NULL, crashed boolean NOT NULL, hostname text, platform text, os_version text,
  tags text[], site text, interval_s integer
) ON COMMIT DROP
"""
_CRASH_TABLE_SQL = """
CREATE TEMP TABLE crash_stage (
  host_id uuid NOT NULL, at timestamptz NOT NULL, component text NOT NULL, category text NOT NULL,
  content_version text NOT NULL, sensor_build text NOT NULL
) ON COMMIT DROP
"""
_CRASH_INSERT_SQL = """
INSERT INTO telemetry_crashevent
  (id, tenant_id, host_id, occurred_at, component, category, content_version, sensor_build, received_at)
SELECT gen_random_uuid(), h.tenant_id, c.host_id, c.at, c.component, c.category, c.content_version,
       c.sensor_build, now()
FROM crash_stage c JOIN telemetry_host h ON h.id = c.host_id
ON CONFLICT (host_id, occurred_at, component) DO NOTHING
RETURNING tenant_id::text
"""


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


_RAW_TABLE_SQL = "CREATE TEMP TABLE hb_raw (id uuid NOT NULL, p jsonb NOT NULL) ON COMMIT DROP"
# PostgreSQL parses the staged JSON itself: far cheaper than decoding 10^5 payloads in Python.
_RAW_TO_STAGE_SQL = """
INSERT INTO hb_stage
SELECT id, to_timestamp((p->>0)::float8), p->>2, p->3, p->>4, (p->>5)::boolean, p->>6, p->>7, p->>8,
       CASE WHEN jsonb_typeof(p->9) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(p->9)) END,
       p->>10, (p->>11)::integer
FROM hb_raw
"""


def _copy_raw(cursor: Any, rows: dict[bytes, bytes]) -> None:
    """COPY (host id, staged JSON) as text lines: a backslash is COPY's only special character here
    (JSON has no raw tabs or newlines)."""
    cursor.execute(_RAW_TABLE_SQL)
    with cursor.copy("COPY hb_raw (id, p) FROM STDIN") as copy:
        for host_id, raw in rows.items():
            copy.write(host_id + b"\t" + raw.replace(b"\\", b"\\\\") + b"\n")
    cursor.execute(_RAW_TO_STAGE_SQL)


def _copy_checked(cursor: Any, rows: dict[bytes, bytes]) -> None:
    """The careful path: each entry decoded in Python, a malformed one dropped (and logged)."""
    with cursor.copy(
        "COPY hb_stage (id, seen, sensor_build, content, status, crashed, hostname, platform,"
        " os_version, tags, site, interval_s) FROM STDIN"
    ) as copy:
        for host_id, raw in rows.items():
            try:
                p = json.loads(raw)
                row = (
                    str(uuid.UUID(host_id.decode())),
                    _dt(float(p[0])),
                    p[2],
                    json.dumps(p[3]),
                    p[4],
                    bool(p[5]),
                    *p[6:12],
                )
            except (ValueError, TypeError, IndexError, UnicodeDecodeError):
                # Only the ingest path writes here; a malformed entry must not block every flush.
                logger.error("dropping a malformed staged heartbeat for %r", host_id[:64])
                continue
            copy.write_row(row)


def _apply(rows: dict[bytes, bytes], crashes: dict[bytes, bytes], result: FlushResult) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if rows:
            # Dropped first: inside an outer transaction (tests) ON COMMIT has not fired yet.
            cursor.execute("DROP TABLE IF EXISTS pg_temp.hb_stage")
            cursor.execute("DROP TABLE IF EXISTS pg_temp.hb_raw")
            cursor.execute(_STAGE_TABLE_SQL)
            try:
                with transaction.atomic():
                    _copy_raw(cursor, rows)
            except (DatabaseError, psycopg.Error):  # COPY goes around Django's error wrapping
                logger.exception("staged heartbeats did not parse in bulk; decoding them one by one")
                _copy_checked(cursor, rows)
            cursor.execute(HEARTBEATS_APPLY_SQL)
            result.updated = deltas_collect(cursor.fetchall(), result.deltas)
        if crashes:
            cursor.execute("DROP TABLE IF EXISTS pg_temp.crash_stage")
            cursor.execute(_CRASH_TABLE_SQL)
            with cursor.copy(
                "COPY crash_stage (host_id, at, component, category, content_version, sensor_build) FROM STDIN"
            ) as copy:
                for raw in crashes.values():
                    try:
                        c = json.loads(raw)
                        crash_row = (str(uuid.UUID(c[0])), _dt(float(c[1])), c[2], c[3], c[4], c[5])
                    except (ValueError, TypeError, IndexError):
                        logger.error("dropping a malformed staged crash event")
                        continue
                    copy.write_row(crash_row)
            cursor.execute(_CRASH_INSERT_SQL)
            inserted = cursor.fetchall()
            result.crashes = len(inserted)
            result.tenants.update(t for (t,) in inserted)


def hosts_sweep_quiet(now: datetime | None = None, deltas: Deltas | None = None) -> int:
    """Re-derives the status of hosts that stopped reporting; returns how many changed (counters into ``deltas``)."""
    with connection.cursor() as cursor:
        cursor.execute(QUIET_SWEEP_SQL, {"now": now or datetime.now(UTC)})
        return deltas_collect(cursor.fetchall(), {} if deltas is None else deltas)


def heartbeats_flush(*, now: datetime | None = None, force_sweep: bool = False) -> FlushResult:
    """Moves staged heartbeats into PostgreSQL in bulk, sweeps quiet hosts, returns what changed.

    The quiet-host sweep (a scan of the tenant-wide host table) runs at most every
    ``SWEEP_SECONDS`` unless ``force_sweep``; quiet means three heartbeat intervals, so a few
    seconds of granularity do not matter.

    One flush at a time (a Redis lock); safe to run again after a crash at any point.
    """
    client = redis_client()
    lock_token = secrets.token_hex(8)
    if not client.set(FLUSH_LOCK, lock_token, nx=True, px=120_000):
        return FlushResult(skipped=True)
    result = FlushResult()
    try:
        keys = [STAGED, STAGED_TS, STAGED_CRASHES, PROCESSING, PROCESSING_TS, PROCESSING_CRASHES]
        _script(client, _SWAP_LUA)(keys=keys, args=[])
        rows = cast("dict[bytes, bytes]", client.hgetall(PROCESSING))
        crashes = cast("dict[bytes, bytes]", client.hgetall(PROCESSING_CRASHES))
        result.heartbeats = len(rows)
        if rows or crashes:
            _apply(rows, crashes, result)
            counts_apply(result.deltas, client)  # the committed transitions, under the lock
        # Only after the commit: a crash before this line leaves them for the next flush.
        client.delete(PROCESSING, PROCESSING_TS, PROCESSING_CRASHES)
        if force_sweep or client.set(SWEEP_KEY, "1", nx=True, ex=SWEEP_SECONDS):
            quiet: Deltas = {}
            result.quiet = hosts_sweep_quiet(now, quiet)
            counts_apply(quiet, client)
            result.tenants.update(quiet)
        result.tenants.update(result.deltas)
        result.flushed_at = time.time()
        client.set(LAST_FLUSH, repr(result.flushed_at))
    finally:
        _script(client, _UNLOCK_LUA)(keys=[FLUSH_LOCK], args=[lock_token])
    return result


def last_flush_at() -> float | None:
    """Unix time of the last completed flush (how fresh the fleet data in PostgreSQL is)."""
    try:
        raw = redis_client().get(LAST_FLUSH)
    except redis.RedisError:
        return None
    return float(raw) if raw else None

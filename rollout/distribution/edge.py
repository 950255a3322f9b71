"""The embedded edge: published desired state in Redis, read by ``GET /edge/v1/desired-state``.

Keys per tenant (``{t}`` is a Redis Cluster hash tag, so one tenant's keys share a slot and the
commit script may touch them all):

* ``edge:{t}:hosts``  hash host id -> compact JSON assignment (``Assignment.encode``)
* ``edge:{t}:meta``   hash revision, digest, hosts (count), fp (fingerprint of the publish), published_at
* ``edge:{t}:holds``  hash "<scope>:<key>" -> hold JSON; a pause is ONE ``HSET`` here, whatever the fleet size
* ``edge:{t}:stage:<rev>`` (+ ``:del``) the revision being uploaded; ``edge:{t}:lock`` one publisher at a time

A publish uploads into the stage in pipelined batches, then one Lua script checks that the
published revision did not move, swaps the stage in (``full``: a rename; delta: a merge) and
writes the new revision, digest and count together. A sensor therefore sees either the whole old
revision or the whole new one, never half of each, and a worker dying mid-upload leaves the
published state untouched (the stage expires; the outbox retries the same revision).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar, cast

import redis

from console.redis import redis_client
from rollout.distribution.base import (
    ZERO_DIGEST,
    Ack,
    Assignment,
    Hold,
    HoldScope,
    HostState,
    PublishFingerprint,
    PublishInProgress,
    RevisionConflict,
    Snapshot,
    digest_hex,
    digest_int,
    entry_hash,
    hold_field,
    holds_applying,
    holds_sorted,
    publish_args_check,
    state_etag,
)
from rollout.distribution.sync import sync_record

T = TypeVar("T")

BATCH_SIZE = 5_000
STAGE_TTL_SECONDS = 3600
LOCK_TTL_MS = 15 * 60 * 1000

_COMMIT = """
local cur = tonumber(redis.call('HGET', KEYS[1], 'revision') or '0')
if cur ~= tonumber(ARGV[1]) then return {'moved', tostring(cur)} end
if ARGV[7] == '1' then
  redis.call('UNLINK', KEYS[2])
  if redis.call('EXISTS', KEYS[3]) == 1 then
    redis.call('RENAME', KEYS[3], KEYS[2])
    redis.call('PERSIST', KEYS[2])
  end
else
  local entries = redis.call('HGETALL', KEYS[3])
  for i = 1, #entries, 2000 do
    redis.call('HSET', KEYS[2], unpack(entries, i, math.min(i + 1999, #entries)))
  end
  local gone = redis.call('SMEMBERS', KEYS[4])
  for i = 1, #gone, 1000 do
    redis.call('HDEL', KEYS[2], unpack(gone, i, math.min(i + 999, #gone)))
  end
  redis.call('UNLINK', KEYS[3])
end
redis.call('UNLINK', KEYS[4])
redis.call('HSET', KEYS[1], 'revision', ARGV[2], 'digest', ARGV[3], 'hosts', ARGV[4], 'fp', ARGV[5],
           'published_at', ARGV[6])
return {'ok', ARGV[2]}
"""

_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class EmbeddedEdgeBackend:
    """Desired state served by the console itself from Redis (the default backend)."""

    name = "edge"

    def __init__(self, client: redis.Redis | None = None, *, batch_size: int = BATCH_SIZE) -> None:
        self.client = client or redis_client()
        self.batch_size = batch_size
        self._commit = self.client.register_script(_COMMIT)
        self._unlock = self.client.register_script(_UNLOCK)

    # --- keys ------------------------------------------------------------------------------------
    @staticmethod
    def _key(tenant_id: str, part: str) -> str:
        return f"edge:{{{tenant_id}}}:{part}"

    def keys_of(self, tenant_id: str) -> list[str]:
        """Every long-lived key of the tenant (stages expire by themselves)."""
        return [self._key(tenant_id, part) for part in ("hosts", "meta", "holds", "lock")]

    def forget_tenant(self, tenant_id: str) -> None:
        """Drops everything published for a tenant (tenant deleted; benchmarks cleaning up)."""
        self.client.unlink(*self.keys_of(tenant_id))

    # --- publish ---------------------------------------------------------------------------------
    def publish(
        self,
        tenant_id: str,
        revision: int,
        assignments: Iterable[Assignment],
        *,
        full: bool,
        removed: Iterable[str] = (),
    ) -> Ack:
        removed = publish_args_check(revision, full=full, removed=removed)
        lock_key = self._key(tenant_id, "lock")
        token = secrets.token_hex(16)
        if not self.client.set(lock_key, token, nx=True, px=LOCK_TTL_MS):
            raise PublishInProgress(f"tenant {tenant_id} is being published by another worker")
        try:
            ack = self._publish_locked(tenant_id, revision, assignments, full=full, removed=removed)
            if ack.outcome == "duplicate":  # it is out there: say so, even if the record was lost
                sync_record(
                    tenant_id,
                    backend=self.name,
                    acknowledged=ack.revision,
                    digest=ack.digest,
                    client=self.client,
                )
            return ack
        except Exception as exc:
            sync_record(
                tenant_id, backend=self.name, error=f"{type(exc).__name__}: {exc}", client=self.client
            )
            raise
        finally:
            self._unlock(keys=[lock_key], args=[token])

    def _meta(self, tenant_id: str) -> tuple[int, str, int, str]:
        raw = cast(
            list[bytes | None],
            self.client.hmget(self._key(tenant_id, "meta"), ["revision", "digest", "hosts", "fp"]),
        )
        return (
            int(raw[0] or 0),
            (raw[1] or ZERO_DIGEST.encode()).decode(),
            int(raw[2] or 0),
            (raw[3] or b"").decode(),
        )

    def _publish_locked(
        self,
        tenant_id: str,
        revision: int,
        assignments: Iterable[Assignment],
        *,
        full: bool,
        removed: Iterable[str],
    ) -> Ack:
        current, digest, host_count, current_fp = self._meta(tenant_id)
        if revision < current:
            return Ack(tenant_id, current, digest, 0, host_count, "stale")
        if revision == current:
            fingerprint = PublishFingerprint(full=full)
            for a in assignments:
                fingerprint.add(a.host_id, a.encode())
            for host_id in removed:
                fingerprint.remove(host_id)
            if fingerprint.hexdigest() != current_fp:
                raise RevisionConflict(
                    f"revision {revision} of tenant {tenant_id} was already published with other content"
                )
            return Ack(tenant_id, current, digest, 0, host_count, "duplicate")

        hosts_key = self._key(tenant_id, "hosts")
        stage = self._key(tenant_id, f"stage:{revision}")
        stage_del = f"{stage}:del"
        self.client.unlink(stage, stage_del)  # a previous attempt of this revision that died
        try:
            fingerprint, written, new_digest, new_count = self._upload(
                hosts_key,
                stage,
                stage_del,
                assignments,
                removed,
                full=full,
                digest=digest,
                host_count=host_count,
            )
            result = self._commit(
                keys=[self._key(tenant_id, "meta"), hosts_key, stage, stage_del],
                args=[
                    current,
                    revision,
                    new_digest,
                    new_count,
                    fingerprint.hexdigest(),
                    repr(time.time()),
                    "1" if full else "0",
                ],
            )
        finally:
            self.client.unlink(stage, stage_del)
        status, value = (v.decode() if isinstance(v, bytes) else str(v) for v in cast(list[Any], result))
        if status != "ok":  # only possible if someone bypassed the lock
            raise PublishInProgress(f"tenant {tenant_id} moved to revision {value} during the publish")
        sync_record(
            tenant_id,
            backend=self.name,
            published=revision,
            acknowledged=revision,
            digest=new_digest,
            client=self.client,
        )
        return Ack(tenant_id, revision, new_digest, written, new_count, "published")

    def _upload(
        self,
        hosts_key: str,
        stage: str,
        stage_del: str,
        assignments: Iterable[Assignment],
        removed: Iterable[str],
        *,
        full: bool,
        digest: str,
        host_count: int,
    ) -> tuple[PublishFingerprint, int, str, int]:
        """Writes the stage batch by batch; returns (fingerprint, entries, new digest, new count).

        A delta reads the old entries of the hosts it touches in the same round trip as it
        stages the new ones, which is all the digest needs (the lock keeps them from moving).
        """
        fingerprint = PublishFingerprint(full=full)
        total = 0 if full else digest_int(digest)
        count = 0 if full else host_count
        written = 0
        for batch in _chunks(assignments, self.batch_size):
            mapping: dict[str, str] = {}
            for a in batch:
                encoded = a.encode()
                mapping[a.host_id] = encoded
                fingerprint.add(a.host_id, encoded)
            if len(mapping) != len(batch):
                raise ValueError("a publish names the same host twice")
            pipe = self.client.pipeline(transaction=False)
            pipe.hset(stage, mapping=cast(dict[Any, Any], mapping))
            pipe.expire(stage, STAGE_TTL_SECONDS)
            if not full:
                pipe.hmget(hosts_key, list(mapping))
            replies = pipe.execute()
            if replies[0] != len(mapping):
                raise ValueError("a publish names the same host twice")
            if full:
                total += sum(entry_hash(h, e) for h, e in mapping.items())
                count += len(mapping)
            else:
                for (host_id, encoded), old in zip(mapping.items(), replies[2], strict=True):
                    total += entry_hash(host_id, encoded)
                    if old is None:
                        count += 1
                    else:
                        total -= entry_hash(host_id, old.decode())
            written += len(mapping)
        for batch_ids in _chunks(removed, self.batch_size):
            ids = list(dict.fromkeys(batch_ids))
            for host_id in ids:
                fingerprint.remove(host_id)
            pipe = self.client.pipeline(transaction=False)
            pipe.sadd(stage_del, *ids)
            pipe.expire(stage_del, STAGE_TTL_SECONDS)
            pipe.hmget(hosts_key, ids)
            pipe.hmget(stage, ids)
            added, _, olds, staged = pipe.execute()
            if added != len(batch_ids) or any(s is not None for s in staged):
                raise ValueError("a host is removed twice, or both removed and assigned, in one publish")
            for host_id, old in zip(ids, olds, strict=True):
                if old is not None:
                    total -= entry_hash(host_id, old.decode())
                    count -= 1
        return fingerprint, written, digest_hex(total), count

    # --- holds -----------------------------------------------------------------------------------
    def hold_set(self, tenant_id: str, hold: Hold) -> None:
        self.client.hset(self._key(tenant_id, "holds"), hold.field_name, hold.encode())

    def hold_clear(self, tenant_id: str, scope: HoldScope, key: str) -> None:
        self.client.hdel(self._key(tenant_id, "holds"), hold_field(scope, key))

    # --- reads -----------------------------------------------------------------------------------
    def snapshot(self, tenant_id: str) -> Snapshot:
        pipe = self.client.pipeline(transaction=True)
        pipe.hmget(self._key(tenant_id, "meta"), ["revision", "digest", "hosts"])
        pipe.hgetall(self._key(tenant_id, "holds"))
        (revision, digest, hosts), raw_holds = pipe.execute()
        return Snapshot(
            int(revision or 0),
            (digest or ZERO_DIGEST.encode()).decode(),
            int(hosts or 0),
            holds_sorted(Hold.from_json(_loads(v)) for v in raw_holds.values()),
        )

    def host_state(self, tenant_id: str, host_id: str, *, now: datetime | None = None) -> HostState | None:
        """One round trip (MULTI: the entry, the holds and the revision are read together)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.hget(self._key(tenant_id, "hosts"), host_id)
        pipe.hgetall(self._key(tenant_id, "holds"))
        pipe.hget(self._key(tenant_id, "meta"), "revision")
        raw, raw_holds, raw_revision = pipe.execute()
        if raw is None:
            return None
        encoded = raw.decode()
        assignment = Assignment.decode(host_id, encoded)
        holds = holds_applying(
            assignment, (Hold.from_json(_loads(v)) for v in raw_holds.values()), now or datetime.now(UTC)
        )
        revision = int(raw_revision or 0)
        return HostState(assignment, holds, state_etag(revision, encoded, holds), revision)

    def assignments(self, tenant_id: str) -> Iterator[Assignment]:
        """Every published assignment of the tenant (HSCAN: for audits and drift repair, not hot paths)."""
        for host_id, raw in self.client.hscan_iter(self._key(tenant_id, "hosts"), count=self.batch_size):
            yield Assignment.decode(host_id.decode(), raw.decode())


def _loads(raw: bytes) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(raw))

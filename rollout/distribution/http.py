"""The HTTP backend: desired state POSTed as signed JSON batches to an external vendor backend.

Wire protocol (``http_receiver`` is the reference implementation):

* ``POST /v1/tenants/<t>/revisions/<rev>/batches/<n>`` ``{"tenant_id","revision","batch","assignments":[...],"removed":[...]}``
  stores upload slot ``n`` (a retry overwrites it: batches are idempotent by nature);
* ``POST /v1/tenants/<t>/revisions/<rev>/commit`` ``{"tenant_id","revision","full","batches","fingerprint"}``
  applies slots ``0..batches-1`` atomically after checking the fingerprint; answers
  ``{"outcome","revision","digest","host_count","published_hosts"}``, 409 for the same revision
  with other content;
* ``GET /v1/tenants/<t>/snapshot`` ``{"revision","digest","host_count","fingerprint","holds":[...]}``;
* ``PUT`` / ``DELETE /v1/tenants/<t>/holds/<scope>/<key>``; ``GET /v1/tenants/<t>/hosts/<host>``.

Every request carries ``X-Timestamp`` (unix seconds) and ``X-Signature`` =
hex HMAC-SHA256(secret, "<timestamp>.<body>") (body-less requests sign their path, see
``request_signature``); every write carries an ``Idempotency-Key`` derived from (tenant, revision).
Transient failures (connection errors, dropped connections, timeouts, 5xx, 429) are retried with
exponential backoff and full jitter, up to ``max_attempts``; every attempt feeds a circuit
breaker kept in Redis, shared by every worker, that stops calling a backend that keeps failing.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import httpx
import redis

from console.redis import redis_client
from rollout.distribution.base import (
    ZERO_DIGEST,
    Ack,
    Assignment,
    BackendRejected,
    BackendUnavailable,
    Hold,
    HoldScope,
    HostState,
    PublishFingerprint,
    RevisionConflict,
    Snapshot,
    holds_sorted,
    publish_args_check,
    request_signature,
)
from rollout.distribution.breaker import CircuitBreaker
from rollout.distribution.sync import sync_record

T = TypeVar("T")

BATCH_SIZE = 5_000


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _seg(value: str | int) -> str:
    return quote(str(value), safe="")


class HttpBackend:
    """Publishes to an external distribution backend over signed HTTP (``DISTRIBUTION_BACKEND="http"``)."""

    name = "http"

    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        timeout: float = 10.0,
        max_attempts: int = 5,
        backoff_base: float = 0.2,
        backoff_cap: float = 10.0,
        batch_size: int = BATCH_SIZE,
        breaker_threshold: int = 5,
        breaker_reset_seconds: float = 30.0,
        redis: redis.Redis | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.batch_size = batch_size
        self.sleep = sleep
        self.jitter = jitter
        self.redis = redis or redis_client()
        endpoint = urlsplit(self.base_url).netloc
        self.breaker = CircuitBreaker(
            self.redis,
            f"dist:breaker:{endpoint}",
            threshold=breaker_threshold,
            reset_seconds=breaker_reset_seconds,
            clock=clock,
        )
        self.http = httpx.Client(timeout=httpx.Timeout(timeout), transport=transport)

    def close(self) -> None:
        self.http.close()

    # --- the wire --------------------------------------------------------------------------------
    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt))."""
        return self.jitter() * min(self.backoff_cap, self.backoff_base * (2**attempt))

    def _request(
        self, method: str, path: str, payload: Any = None, *, idempotency_key: str | None = None
    ) -> httpx.Response:
        """One logical call, retried on transient failures; returns any non-retryable response."""
        body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        last = ""
        for attempt in range(self.max_attempts):
            self.breaker.admit()
            timestamp = str(int(time.time()))
            headers["X-Timestamp"] = timestamp
            headers["X-Signature"] = request_signature(self.secret, timestamp, body or path.encode("utf-8"))
            try:
                response = self.http.request(method, self.base_url + path, content=body, headers=headers)
            except httpx.TimeoutException as exc:
                last = f"timeout ({type(exc).__name__})"
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code < 500 and response.status_code != 429:
                    self.breaker.record_success()
                    return response
                last = f"HTTP {response.status_code}"
            if self.breaker.record_failure() == "open":
                continue  # the next admit() refuses: no point waiting first
            if attempt + 1 < self.max_attempts:
                self.sleep(self._backoff(attempt))
        raise BackendUnavailable(f"{method} {path} failed after {self.max_attempts} attempts: {last}")

    @staticmethod
    def _json(response: httpx.Response, what: str) -> dict[str, Any]:
        if response.status_code >= 400:
            raise BackendRejected(f"{what}: HTTP {response.status_code}: {response.text[:300]}")
        try:
            data = response.json()
        except ValueError as exc:
            raise BackendRejected(f"{what}: the backend did not answer JSON") from exc
        if not isinstance(data, dict):
            raise BackendRejected(f"{what}: the backend answered {type(data).__name__}, not an object")
        return data

    def _record_error(self, tenant_id: str, exc: Exception) -> None:
        sync_record(
            tenant_id,
            backend=self.name,
            error=f"{type(exc).__name__}: {exc}",
            breaker_key=self.breaker.key,
            breaker_reset_seconds=self.breaker.reset_seconds,
            client=self.redis,
        )

    # --- the contract ----------------------------------------------------------------------------
    def _remote_snapshot(self, tenant_id: str) -> dict[str, Any]:
        response = self._request("GET", f"/v1/tenants/{_seg(tenant_id)}/snapshot")
        return self._json(response, "snapshot")

    def snapshot(self, tenant_id: str) -> Snapshot:
        data = self._remote_snapshot(tenant_id)
        return Snapshot(
            int(data["revision"]),
            str(data.get("digest") or ZERO_DIGEST),
            int(data["host_count"]),
            holds_sorted(Hold.from_json(h) for h in data.get("holds", [])),
        )

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
        try:
            ack = self._publish(tenant_id, revision, assignments, full=full, removed=removed)
        except Exception as exc:
            self._record_error(tenant_id, exc)
            raise
        if ack.outcome in ("published", "duplicate"):
            sync_record(
                tenant_id,
                backend=self.name,
                acknowledged=revision,
                digest=ack.digest,
                breaker_key=self.breaker.key,
                breaker_reset_seconds=self.breaker.reset_seconds,
                client=self.redis,
            )
        return ack

    def _publish(
        self,
        tenant_id: str,
        revision: int,
        assignments: Iterable[Assignment],
        *,
        full: bool,
        removed: tuple[str, ...],
    ) -> Ack:
        remote = self._remote_snapshot(tenant_id)
        current = int(remote["revision"])
        digest = str(remote.get("digest") or ZERO_DIGEST)
        host_count = int(remote.get("host_count", 0))
        if revision < current:
            return Ack(tenant_id, current, digest, 0, host_count, "stale")
        fingerprint = PublishFingerprint(full=full)
        if revision == current:
            for a in assignments:
                fingerprint.add(a.host_id, a.encode())
            for host_id in removed:
                fingerprint.remove(host_id)
            if fingerprint.hexdigest() != remote.get("fingerprint"):
                raise RevisionConflict(
                    f"revision {revision} of tenant {tenant_id} was already published with other content"
                )
            return Ack(tenant_id, current, digest, 0, host_count, "duplicate")

        base = f"/v1/tenants/{_seg(tenant_id)}/revisions/{revision}"
        batches = 0
        sent = 0
        pending_removed = list(removed)
        for batch in _chunks(assignments, self.batch_size):
            for a in batch:
                fingerprint.add(a.host_id, a.encode())
            gone, pending_removed = pending_removed[: self.batch_size], pending_removed[self.batch_size :]
            self._send_batch(tenant_id, revision, base, batches, batch, gone, fingerprint)
            batches += 1
            sent += len(batch)
        while pending_removed or batches == 0:
            gone, pending_removed = pending_removed[: self.batch_size], pending_removed[self.batch_size :]
            self._send_batch(tenant_id, revision, base, batches, [], gone, fingerprint)
            batches += 1
        sync_record(
            tenant_id,
            backend=self.name,
            published=revision,
            breaker_key=self.breaker.key,
            breaker_reset_seconds=self.breaker.reset_seconds,
            client=self.redis,
        )
        body = {
            "tenant_id": tenant_id,
            "revision": revision,
            "full": full,
            "batches": batches,
            "fingerprint": fingerprint.hexdigest(),
        }
        response = self._request("POST", f"{base}/commit", body, idempotency_key=f"{tenant_id}:{revision}")
        if response.status_code in (409, 422):
            raise RevisionConflict(
                f"the backend refused revision {revision} of tenant {tenant_id}: {response.text[:300]}"
            )
        data = self._json(response, "commit")
        return Ack(
            tenant_id,
            int(data["revision"]),
            str(data["digest"]),
            int(data.get("published_hosts", sent)),
            int(data.get("host_count", 0)),
            data.get("outcome", "published"),
        )

    def _send_batch(
        self,
        tenant_id: str,
        revision: int,
        base: str,
        number: int,
        batch: list[Assignment],
        gone: list[str],
        fingerprint: PublishFingerprint,
    ) -> None:
        for host_id in gone:
            fingerprint.remove(host_id)
        body = {
            "tenant_id": tenant_id,
            "revision": revision,
            "batch": number,
            "assignments": [a.to_json() for a in batch],
            "removed": gone,
        }
        # The key names the slot and its content: a retry of this exact batch is a replay; a
        # re-run of the whole publish that cut its batches differently simply fills the slot anew.
        content = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()[:16]
        response = self._request(
            "POST",
            f"{base}/batches/{number}",
            body,
            idempotency_key=f"{tenant_id}:{revision}:{number}:{content}",
        )
        self._json(response, f"batch {number}")

    def hold_set(self, tenant_id: str, hold: Hold) -> None:
        path = f"/v1/tenants/{_seg(tenant_id)}/holds/{_seg(hold.scope)}/{_seg(hold.key)}"
        body = {"tenant_id": tenant_id, **hold.to_json()}
        try:
            # PUT of the whole hold is idempotent by itself; no key, so pause/resume/pause works.
            self._json(self._request("PUT", path, body), "hold")
        except Exception as exc:
            self._record_error(tenant_id, exc)
            raise

    def hold_clear(self, tenant_id: str, scope: HoldScope, key: str) -> None:
        path = f"/v1/tenants/{_seg(tenant_id)}/holds/{_seg(scope)}/{_seg(key)}"
        try:
            self._json(self._request("DELETE", path), "hold clear")
        except Exception as exc:
            self._record_error(tenant_id, exc)
            raise

    def host_state(self, tenant_id: str, host_id: str, *, now: datetime | None = None) -> HostState | None:
        path = f"/v1/tenants/{_seg(tenant_id)}/hosts/{_seg(host_id)}"
        if now is not None:
            path += "?" + urlencode({"at": now.isoformat()})
        response = self._request("GET", path)
        if response.status_code == 404:
            return None
        data = self._json(response, "host state")
        return HostState(
            Assignment.from_json(data["assignment"]),
            tuple(Hold.from_json(h) for h in data["holds"]),
            str(data["etag"]),
            int(data["revision"]),
        )

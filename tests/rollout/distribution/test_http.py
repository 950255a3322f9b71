"""The HTTP distribution backend against the reference receiver, a real HTTP server on a thread.

Nothing is mocked: failures are injected into the receiver over HTTP, the breaker lives in the
test Redis. The backend's sleep and the breaker's clock are injected so that no test waits for
backoff or for the breaker's reset period.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rollout.distribution.base import (
    Assignment,
    BackendRejected,
    BackendUnavailable,
    CircuitOpen,
    Hold,
    RevisionConflict,
    digest_of,
    request_signature,
)
from rollout.distribution.edge import EmbeddedEdgeBackend
from rollout.distribution.http import HttpBackend
from rollout.distribution.http_receiver import ReceiverServer, serve
from rollout.distribution.sync import sync_status

SECRET = "test-shared-secret-0123456789abcdef"


def _a(host: str, content: str = "291.4", groups: tuple[str, ...] = ()) -> Assignment:
    return Assignment(
        host_id=host,
        sensor_build="7.11.18110",
        content={"rapid_response": content},
        rule=f"ga -> {content}",
        groups=groups,
        platform="windows",
    )


def _fleet(n: int, content: str = "291.4") -> list[Assignment]:
    return [_a(f"host-{i:04d}", content) for i in range(n)]


class FakeClock:
    """The breaker's clock: tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def receiver() -> Iterator[ReceiverServer]:
    server = serve(SECRET)
    yield server
    server.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def _backend(receiver: ReceiverServer, clock: FakeClock, sleeps: list[float], **kwargs: Any) -> HttpBackend:
    options: dict[str, Any] = {
        "timeout": 2.0,
        "max_attempts": 4,
        "batch_size": 4,
        "breaker_threshold": 5,
        "breaker_reset_seconds": 30.0,
        "clock": clock,
        "sleep": sleeps.append,
        **kwargs,
    }
    return HttpBackend(receiver.url, SECRET, **options)


@pytest.fixture
def backend(
    redis_flush: None, receiver: ReceiverServer, clock: FakeClock, sleeps: list[float]
) -> Iterator[HttpBackend]:
    b = _backend(receiver, clock, sleeps)
    yield b
    b.close()


def _fault(receiver: ReceiverServer, **fault: Any) -> None:
    httpx.post(f"{receiver.url}/_control/faults", json=fault).raise_for_status()


def _stats(receiver: ReceiverServer) -> dict[str, Any]:
    stats: dict[str, Any] = httpx.get(f"{receiver.url}/_control/stats").json()
    return stats


def _tenant() -> str:
    return str(uuid.uuid4())


# --- signing ---------------------------------------------------------------------------------------


def test_it_publishes_signed_batches_that_the_receiver_verifies(
    backend: HttpBackend, receiver: ReceiverServer
) -> None:
    # given
    tenant = _tenant()
    fleet = _fleet(10)
    # when
    ack = backend.publish(tenant, 1, fleet, full=True)
    # then three signed batches and one commit were accepted
    assert (ack.outcome, ack.revision, ack.published_hosts, ack.host_count) == ("published", 1, 10, 10)
    stats = _stats(receiver)
    assert (stats["batches"], stats["commits"], stats.get("rejected_signatures", 0)) == (3, 1, 0)
    assert ack.digest == digest_of(fleet)


def test_it_is_refused_by_the_receiver_with_a_wrong_secret(
    redis_flush: None, receiver: ReceiverServer, clock: FakeClock, sleeps: list[float]
) -> None:
    # given
    wrong = HttpBackend(receiver.url, "not-the-secret", clock=clock, sleep=sleeps.append)
    # when / then: a client error, not retried
    with pytest.raises(BackendRejected, match="401"):
        wrong.snapshot(_tenant())
    wrong.close()
    assert _stats(receiver)["rejected_signatures"] == 1
    assert sleeps == []


def test_it_has_the_receiver_reject_tampered_replayed_and_stale_requests(receiver: ReceiverServer) -> None:
    tenant = _tenant()
    path = f"/v1/tenants/{tenant}/revisions/1/batches/0"
    body = json.dumps(
        {"tenant_id": tenant, "revision": 1, "batch": 0, "assignments": [], "removed": []}
    ).encode()

    def post(payload: bytes, timestamp: str, signature: str) -> int:
        headers = {"X-Timestamp": timestamp, "X-Signature": signature, "Content-Type": "application/json"}
        return httpx.post(receiver.url + path, content=payload, headers=headers).status_code

    now = str(int(time.time()))
    assert post(body, now, request_signature(SECRET, now, body)) == 200
    # the body changed after signing
    assert post(body.replace(b'"batch": 0', b'"batch": 1'), now, request_signature(SECRET, now, body)) == 401
    # a signature made for another timestamp
    assert post(body, str(int(now) + 1), request_signature(SECRET, now, body)) == 401
    # a correctly signed but old request (outside the 300 s skew)
    old = str(int(time.time()) - 3600)
    assert post(body, old, request_signature(SECRET, old, body)) == 401
    # a signed snapshot read replayed against another tenant's URL
    read = f"/v1/tenants/{tenant}/snapshot"
    headers = {"X-Timestamp": now, "X-Signature": request_signature(SECRET, now, read.encode())}
    assert httpx.get(receiver.url + read, headers=headers).status_code == 200
    assert httpx.get(f"{receiver.url}/v1/tenants/{_tenant()}/snapshot", headers=headers).status_code == 401


# --- idempotency -----------------------------------------------------------------------------------


def test_it_publishes_each_revision_once(backend: HttpBackend, receiver: ReceiverServer) -> None:
    # given
    tenant = _tenant()
    fleet = _fleet(6)
    first = backend.publish(tenant, 2, fleet, full=True)
    # when the same revision is published again (in another order)
    again = backend.publish(tenant, 2, reversed(fleet), full=True)
    # then nothing is uploaded again
    assert (again.outcome, again.digest, again.published_hosts) == ("duplicate", first.digest, 0)
    assert _stats(receiver)["commits"] == 1
    # and the same revision with other content is refused, a lower one ignored
    with pytest.raises(RevisionConflict):
        backend.publish(tenant, 2, _fleet(6, "999.0"), full=True)
    stale = backend.publish(tenant, 1, _fleet(6, "1.0"), full=True)
    assert (stale.outcome, stale.revision) == ("stale", 2)
    assert backend.snapshot(tenant).digest == first.digest


def test_it_applies_deltas_and_removals(backend: HttpBackend) -> None:
    tenant = _tenant()
    fleet = _fleet(9)
    backend.publish(tenant, 1, fleet, full=True)
    # when
    ack = backend.publish(
        tenant, 2, [_a("host-0001", "300.0"), _a("host-new")], full=False, removed=["host-0003"]
    )
    # then
    expected = {a.host_id: a for a in fleet}
    expected["host-0001"] = _a("host-0001", "300.0")
    expected["host-new"] = _a("host-new")
    del expected["host-0003"]
    assert (ack.host_count, ack.digest) == (9, digest_of(expected.values()))
    only_removal = backend.publish(tenant, 3, [], full=False, removed=["host-0004"])
    assert only_removal.host_count == 8


def test_it_reports_the_same_digest_as_the_edge_for_the_same_assignments(
    backend: HttpBackend, redis_flush: None
) -> None:
    # given the same assignments, published through a full revision and then a delta
    tenant = _tenant()
    edge = EmbeddedEdgeBackend()
    fleet = [_a(f"host-{i}", groups=(f"g{i % 3}",)) for i in range(13)]
    delta = [_a("host-2", "292.0"), _a("host-99", "292.0")]
    for target in (edge, backend):
        target.publish(tenant, 1, fleet, full=True)
        target.publish(tenant, 2, delta, full=False, removed=["host-5"])
        target.hold_set(
            tenant, Hold("category", "rapid_response", "vendor halt", until="2030-01-01T00:00:00+00:00")
        )
    # when / then: same revision, digest, count and holds
    snapshot = backend.snapshot(tenant)
    assert snapshot == edge.snapshot(tenant)
    assert snapshot.digest == digest_of([a for a in fleet if a.host_id not in ("host-2", "host-5")] + delta)
    assert [h.key for h in snapshot.holds] == ["rapid_response"]


# --- failures --------------------------------------------------------------------------------------


def test_it_retries_after_server_errors_then_succeeds(
    backend: HttpBackend, receiver: ReceiverServer, sleeps: list[float]
) -> None:
    # given the backend answers 500 twice, then 503 once
    tenant = _tenant()
    _fault(receiver, mode="fail", count=2, status=500, path="/batches/")
    _fault(receiver, mode="fail", count=1, status=503, path="/commit")
    # when
    ack = backend.publish(tenant, 1, _fleet(5), full=True)
    # then it got through, after backing off with full jitter below the exponential bound
    assert ack.outcome == "published"
    assert len(sleeps) == 3
    assert 0 <= sleeps[0] < 0.2 and 0 <= sleeps[1] < 0.4  # the batch: attempts 1 and 2
    assert 0 <= sleeps[2] < 0.2  # the commit: its own first retry
    assert sync_status(tenant).acknowledged_revision == 1
    assert sync_status(tenant).last_error == ""


def test_it_gives_up_after_the_bounded_attempts_and_records_the_error(
    backend: HttpBackend, receiver: ReceiverServer, sleeps: list[float]
) -> None:
    # given
    tenant = _tenant()
    _fault(receiver, mode="fail", count=4, status=502)
    # when / then
    with pytest.raises(BackendUnavailable, match="after 4 attempts: HTTP 502"):
        backend.snapshot(tenant)
    assert len(sleeps) == 3
    assert _stats(receiver)["requests"] == 4


def test_it_survives_dropped_connections(backend: HttpBackend, receiver: ReceiverServer) -> None:
    # given the connection drops before one batch is read, and after the commit was applied
    tenant = _tenant()
    _fault(receiver, mode="drop", count=1, path="/batches/1")
    _fault(receiver, mode="drop_after", count=1, path="/commit")
    # when
    ack = backend.publish(tenant, 1, _fleet(8), full=True)
    # then the retried commit was recognised by its Idempotency-Key: applied once, answered twice
    assert (ack.outcome, ack.host_count) == ("published", 8)
    stats = _stats(receiver)
    assert (stats["commits"], stats["replays"], stats["fault_drop"], stats["fault_drop_after"]) == (
        1,
        1,
        1,
        1,
    )


def test_it_retries_after_a_timeout(
    redis_flush: None, receiver: ReceiverServer, clock: FakeClock, sleeps: list[float]
) -> None:
    # given a backend slower than the client's timeout, once
    tenant = _tenant()
    backend = _backend(receiver, clock, sleeps, timeout=0.3)
    _fault(receiver, mode="delay", seconds=3.0, count=1, path="/snapshot")
    # when
    ack = backend.publish(tenant, 1, _fleet(3), full=True)
    backend.close()
    # then
    assert ack.outcome == "published"
    assert len(sleeps) == 1
    assert _stats(receiver)["fault_delay"] == 1


def test_it_opens_the_circuit_after_repeated_failures_and_half_opens_later(
    redis_flush: None, receiver: ReceiverServer, clock: FakeClock, sleeps: list[float]
) -> None:
    # given a breaker that opens after 3 failures and a backend that keeps failing
    tenant = _tenant()
    backend = _backend(receiver, clock, sleeps, breaker_threshold=3, max_attempts=10)
    _fault(receiver, mode="fail", count=1000, status=500)
    # when
    with pytest.raises(CircuitOpen):
        backend.publish(tenant, 1, _fleet(3), full=True)
    # then it stopped calling after the third failure, and the UI can see why
    assert _stats(receiver)["requests"] == 3
    status = sync_status(tenant, now=clock.now)
    assert status.circuit_state == "open"
    assert "CircuitOpen" in status.last_error
    # and another worker (another backend instance, same Redis) is refused without a call
    other = _backend(receiver, clock, sleeps, breaker_threshold=3)
    with pytest.raises(CircuitOpen):
        other.snapshot(tenant)
    assert _stats(receiver)["requests"] == 3
    # when the reset period passes, one probe goes through; it fails, so the circuit opens again
    clock.now += 31
    assert sync_status(tenant, now=clock.now).circuit_state == "half_open"
    with pytest.raises(CircuitOpen):
        other.snapshot(tenant)
    assert _stats(receiver)["requests"] == 4
    assert backend.breaker.state() == "open"
    # when it passes again and the backend has recovered, the probe succeeds and closes it
    httpx.delete(f"{receiver.url}/_control/faults").raise_for_status()
    clock.now += 31
    ack = backend.publish(tenant, 1, _fleet(3), full=True)
    assert ack.outcome == "published"
    assert backend.breaker.state() == "closed"
    assert sync_status(tenant, now=clock.now).circuit_state == "closed"
    backend.close()
    other.close()


def test_it_lets_a_single_probe_through_while_half_open(
    redis_flush: None, receiver: ReceiverServer, clock: FakeClock, sleeps: list[float]
) -> None:
    # given an open circuit whose reset period has passed
    backend = _backend(receiver, clock, sleeps, breaker_threshold=1, max_attempts=1)
    _fault(receiver, mode="fail", count=1, status=500)
    with pytest.raises(BackendUnavailable):
        backend.snapshot(_tenant())
    clock.now += 31
    # when the first caller takes the probe (admitted but has not reported yet)
    backend.breaker.admit()
    # then a second caller is refused until the probe reports or its lease runs out
    with pytest.raises(CircuitOpen):
        backend.snapshot(_tenant())
    clock.now += 31
    assert backend.snapshot(_tenant()).revision == 0
    assert backend.breaker.state() == "closed"
    backend.close()


# --- holds -----------------------------------------------------------------------------------------


def test_it_sends_holds_as_one_small_request(backend: HttpBackend, receiver: ReceiverServer) -> None:
    # given
    tenant = _tenant()
    backend.publish(tenant, 1, [_a("h1", groups=("g1",)), _a("h2")], full=True)
    before = _stats(receiver)["requests"]
    # when
    backend.hold_set(tenant, Hold("group", "g1", "ring 0 crashing"))
    # then
    assert _stats(receiver)["requests"] == before + 1
    held = backend.host_state(tenant, "h1")
    free = backend.host_state(tenant, "h2")
    assert held is not None and free is not None
    assert held.paused and not free.paused
    assert held.etag != free.etag
    # and clearing it releases the host; pause / resume / pause again works
    backend.hold_clear(tenant, "group", "g1")
    cleared = backend.host_state(tenant, "h1")
    assert cleared is not None and not cleared.paused
    backend.hold_set(tenant, Hold("group", "g1", "ring 0 crashing"))
    again = backend.host_state(tenant, "h1")
    assert again is not None and again.paused
    assert backend.host_state(tenant, "nope") is None

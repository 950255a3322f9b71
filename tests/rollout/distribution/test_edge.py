"""The embedded edge backend (Redis) and the sensor-facing ``GET /edge/v1/desired-state``.

Real Redis throughout. The view tests carry no database mark: pytest-django fails any test that
touches the ORM without one, so they also prove the hot path never does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from django.test import Client
from django.urls import include, path
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from console.redis import redis_client
from rollout.distribution.backends import backend_for
from rollout.distribution.base import (
    Assignment,
    Hold,
    PublishInProgress,
    RevisionConflict,
    digest_of,
    holds_applying,
)
from rollout.distribution.credentials import (
    edge_credential_cache,
    edge_credential_loader_register,
    secret_hash,
)
from rollout.distribution.edge import EmbeddedEdgeBackend
from rollout.distribution.http import HttpBackend
from rollout.distribution.sync import sync_desired, sync_status

# The project wires the edge under /edge/v1/ in console/urls.py; these tests mount it themselves.
urlpatterns = [path("edge/v1/", include("rollout.distribution.edge_urls"))]
pytestmark = pytest.mark.urls(__name__)


def _a(
    host: str, content: str = "291.4", groups: tuple[str, ...] = (), platform: str = "windows"
) -> Assignment:
    return Assignment(
        host_id=host,
        sensor_build="7.11.18110",
        content={"rapid_response": content, "sensor_operations": "12.0"},
        rule=f"policy default: ga -> {content}",
        groups=groups,
        platform=platform,
    )


def _fleet(n: int, content: str = "291.4") -> list[Assignment]:
    return [_a(f"host-{i:05d}", content) for i in range(n)]


def _tenant() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def edge(redis_flush: None) -> EmbeddedEdgeBackend:
    return EmbeddedEdgeBackend(batch_size=7)  # small batches: every test crosses batch boundaries


# --- publish ---------------------------------------------------------------------------------------


def test_it_publishes_a_full_revision_and_serves_each_host(edge: EmbeddedEdgeBackend) -> None:
    # given
    tenant = _tenant()
    fleet = _fleet(20)
    # when
    ack = edge.publish(tenant, 1, iter(fleet), full=True)
    # then
    assert (ack.revision, ack.published_hosts, ack.host_count, ack.outcome) == (1, 20, 20, "published")
    assert ack.digest == digest_of(fleet)
    snapshot = edge.snapshot(tenant)
    assert (snapshot.revision, snapshot.digest, snapshot.host_count) == (1, digest_of(fleet), 20)
    state = edge.host_state(tenant, "host-00013")
    assert state is not None
    assert state.assignment == fleet[13]
    assert state.revision == 1
    assert state.holds == ()
    assert edge.host_state(tenant, "host-99999") is None


def test_it_treats_the_same_revision_with_the_same_content_as_a_no_op(edge: EmbeddedEdgeBackend) -> None:
    # given
    tenant = _tenant()
    fleet = _fleet(15)
    first = edge.publish(tenant, 3, fleet, full=True)
    # when the same revision arrives again, in another order (a retried outbox row)
    again = edge.publish(tenant, 3, reversed(fleet), full=True)
    # then nothing is written and the answer says so
    assert again.outcome == "duplicate"
    assert again.published_hosts == 0
    assert (again.revision, again.digest, again.host_count) == (3, first.digest, 15)


def test_it_refuses_the_same_revision_with_different_content(edge: EmbeddedEdgeBackend) -> None:
    # given
    tenant = _tenant()
    fleet = _fleet(10)
    edge.publish(tenant, 4, fleet, full=True)
    # when / then
    with pytest.raises(RevisionConflict):
        edge.publish(tenant, 4, _fleet(10, content="291.5"), full=True)
    with pytest.raises(RevisionConflict):
        edge.publish(tenant, 4, fleet, full=False)  # same hosts, but a delta is another publish
    # and the published state is untouched
    assert edge.snapshot(tenant).digest == digest_of(fleet)
    state = edge.host_state(tenant, "host-00001")
    assert state is not None and state.assignment.content["rapid_response"] == "291.4"


def test_it_ignores_a_stale_revision(edge: EmbeddedEdgeBackend) -> None:
    # given revision 5 is out
    tenant = _tenant()
    edge.publish(tenant, 5, _fleet(6, "300.1"), full=True)
    # when a slower worker still publishes revision 4
    ack = edge.publish(tenant, 4, _fleet(6, "299.9"), full=True)
    # then it is ignored, and the answer names the newer revision
    assert (ack.outcome, ack.revision, ack.published_hosts) == ("stale", 5, 0)
    state = edge.host_state(tenant, "host-00002")
    assert state is not None and state.assignment.content["rapid_response"] == "300.1"


def test_it_replaces_every_host_on_a_full_publish(edge: EmbeddedEdgeBackend) -> None:
    # given
    tenant = _tenant()
    edge.publish(tenant, 1, _fleet(12), full=True)
    # when the next full revision no longer has hosts 8..11
    ack = edge.publish(tenant, 2, _fleet(8, "291.5"), full=True)
    # then they are gone, the others changed, and the published hash does not expire like a stage
    assert ack.host_count == 8
    assert edge.host_state(tenant, "host-00010") is None
    state = edge.host_state(tenant, "host-00003")
    assert state is not None and state.assignment.content["rapid_response"] == "291.5"
    assert redis_client().ttl(f"edge:{{{tenant}}}:hosts") == -1
    assert redis_client().keys(f"edge:{{{tenant}}}:stage*") == []


def test_it_applies_a_delta_and_removals_to_the_given_hosts_only(edge: EmbeddedEdgeBackend) -> None:
    # given
    tenant = _tenant()
    fleet = _fleet(10)
    edge.publish(tenant, 1, fleet, full=True)
    # when host 2 changes, host 10 is new and host 5 is decommissioned
    changed = [_a("host-00002", "291.9"), _a("host-00010", "291.9")]
    ack = edge.publish(tenant, 2, changed, full=False, removed=["host-00005"])
    # then
    expected = {a.host_id: a for a in fleet}
    expected.update({a.host_id: a for a in changed})
    del expected["host-00005"]
    assert (ack.published_hosts, ack.host_count) == (2, 10)
    assert ack.digest == digest_of(expected.values()) == edge.snapshot(tenant).digest
    assert edge.host_state(tenant, "host-00005") is None
    assert {a.host_id: a for a in edge.assignments(tenant)} == expected


def test_it_refuses_a_publish_that_names_a_host_twice(edge: EmbeddedEdgeBackend) -> None:
    # given
    tenant = _tenant()
    edge.publish(tenant, 1, _fleet(3), full=True)
    # when / then (across a batch boundary too)
    with pytest.raises(ValueError, match="twice"):
        edge.publish(tenant, 2, [*_fleet(9), _a("host-00001", "1.0")], full=True)
    with pytest.raises(ValueError, match="twice"):
        edge.publish(tenant, 2, [_a("host-00001", "1.0")], full=False, removed=["host-00001"])
    assert edge.snapshot(tenant).revision == 1
    assert edge.snapshot(tenant).digest == digest_of(_fleet(3))


def test_it_leaves_the_published_state_untouched_when_a_publish_dies_midway(
    edge: EmbeddedEdgeBackend,
) -> None:
    # given
    tenant = _tenant()
    fleet = _fleet(10)
    edge.publish(tenant, 1, fleet, full=True)

    def dying() -> Iterator[Assignment]:
        yield from _fleet(20, "292.0")
        raise RuntimeError("worker lost its database connection")

    # when the upload of revision 2 dies after 20 staged hosts
    with pytest.raises(RuntimeError):
        edge.publish(tenant, 2, dying(), full=True)
    # then sensors still see all of revision 1, the stage is gone, and the error is visible
    assert edge.snapshot(tenant).revision == 1
    state = edge.host_state(tenant, "host-00004")
    assert state is not None and state.assignment.content["rapid_response"] == "291.4"
    assert redis_client().keys(f"edge:{{{tenant}}}:stage*") == []
    assert "RuntimeError" in sync_status(tenant).last_error
    # and the retry of the same revision goes through
    assert edge.publish(tenant, 2, _fleet(20, "292.0"), full=True).outcome == "published"
    assert sync_status(tenant).last_error == ""


def test_it_refuses_a_second_publisher_of_the_same_tenant(edge: EmbeddedEdgeBackend) -> None:
    # given a publish in progress (its iterator is consumed while the tenant's lock is held)
    tenant = _tenant()
    seen: list[type[BaseException]] = []

    def assignments() -> Iterator[Assignment]:
        yield _a("host-a")
        try:
            edge.publish(tenant, 2, [_a("host-b")], full=False)
        except PublishInProgress as exc:
            seen.append(type(exc))
        yield _a("host-c")

    # when
    ack = edge.publish(tenant, 1, assignments(), full=True)
    # then the second publisher was turned away and the first one completed
    assert seen == [PublishInProgress]
    assert ack.host_count == 2


@hsettings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.dictionaries(st.integers(0, 30), st.sampled_from(["1.0", "1.1", "2.0"]), max_size=20),
    steps=st.lists(
        st.tuples(
            st.dictionaries(st.integers(0, 30), st.sampled_from(["1.0", "1.1", "2.0", "3.0"]), max_size=8),
            st.sets(st.integers(0, 30), max_size=4),
            st.booleans(),
        ),
        max_size=6,
    ),
)
def test_it_keeps_the_delta_digest_equal_to_a_full_recompute(
    redis_flush: None, first: dict[int, str], steps: list[tuple[dict[int, str], set[int], bool]]
) -> None:
    # given any starting fleet
    edge = EmbeddedEdgeBackend(batch_size=3)
    tenant = _tenant()
    model = {f"h{i}": _a(f"h{i}", v, groups=(f"g{i % 3}",)) for i, v in first.items()}
    edge.publish(tenant, 1, model.values(), full=True)
    # when any sequence of deltas (changes, new hosts, removals) and full publishes follows
    for revision, (changes, removals, full) in enumerate(steps, start=2):
        changed = {f"h{i}": _a(f"h{i}", v, groups=(f"g{i % 2}",)) for i, v in changes.items()}
        if full:
            model = changed
            ack = edge.publish(tenant, revision, changed.values(), full=True)
        else:
            gone = [f"h{i}" for i in removals if i not in changes]
            model.update(changed)
            for host in gone:
                model.pop(host, None)
            ack = edge.publish(tenant, revision, changed.values(), full=False, removed=gone)
        # then the incrementally kept digest equals a recompute over what Redis really holds
        stored = list(edge.assignments(tenant))
        assert ack.digest == digest_of(stored) == digest_of(model.values())
        assert ack.host_count == len(stored) == len(model)
    edge.forget_tenant(tenant)


# --- holds -----------------------------------------------------------------------------------------


class CountingRedis(redis.Redis):
    """The real client on the real pool, recording each command it sends (not a mock: it talks to Redis)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands: list[str] = []

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self.commands.append(str(args[0]))
        return super().execute_command(*args, **options)


@pytest.mark.parametrize("fleet_size", [1, 3_000])
def test_it_sets_a_hold_in_one_write_whatever_the_fleet_size(redis_flush: None, fleet_size: int) -> None:
    # given a published fleet
    tenant = _tenant()
    EmbeddedEdgeBackend().publish(tenant, 1, _fleet(fleet_size), full=True)
    before = EmbeddedEdgeBackend().snapshot(tenant)
    counting = CountingRedis(connection_pool=redis_client().connection_pool)
    edge = EmbeddedEdgeBackend(counting)
    counting.commands.clear()
    # when the tenant is paused
    edge.hold_set(tenant, Hold("tenant", "*", "bad content 291.4"))
    # then that was one command, no host entry was rewritten, and every host sees the hold
    assert counting.commands == ["HSET"]
    after = edge.snapshot(tenant)
    assert (after.revision, after.digest, after.host_count) == (
        before.revision,
        before.digest,
        before.host_count,
    )
    assert [h.reason for h in after.holds] == ["bad content 291.4"]
    state = edge.host_state(tenant, f"host-{fleet_size - 1:05d}")
    assert state is not None and state.paused
    assert [h.reason for h in state.holds] == ["bad content 291.4"]


def test_it_applies_each_hold_to_the_hosts_it_covers(edge: EmbeddedEdgeBackend) -> None:
    # given a windows host in group g1 and a linux host in group g2
    tenant = _tenant()
    edge.publish(
        tenant,
        1,
        [_a("win", groups=("g1",), platform="windows"), _a("lin", groups=("g2",), platform="linux")],
        full=True,
    )
    now = datetime.now(UTC)
    # when
    edge.hold_set(tenant, Hold("group", "g1", "ring 0 failing"))
    edge.hold_set(tenant, Hold("sensor", "linux", "kernel regression"))
    edge.hold_set(tenant, Hold("category", "rapid_response", "vendor halt"))
    edge.hold_set(
        tenant, Hold("tenant", "*", "expired pause", until=(now - timedelta(minutes=1)).isoformat())
    )
    # then each host is held by what covers it, and the expired pause holds nobody
    win = edge.host_state(tenant, "win", now=now)
    lin = edge.host_state(tenant, "lin", now=now)
    assert win is not None and lin is not None
    assert [(h.scope, h.key) for h in win.holds] == [("category", "rapid_response"), ("group", "g1")]
    assert win.frozen() == {"sensor_build": True, "content": ["*"]}
    assert [(h.scope, h.key) for h in lin.holds] == [("category", "rapid_response"), ("sensor", "linux")]
    assert lin.frozen() == {"sensor_build": True, "content": ["rapid_response"]}
    # and clearing is per (scope, key)
    edge.hold_clear(tenant, "group", "g1")
    win = edge.host_state(tenant, "win", now=now)
    assert win is not None and [h.scope for h in win.holds] == ["category"]


def test_it_refuses_malformed_holds() -> None:
    with pytest.raises(ValueError):
        Hold("planet", "*", "no such scope")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Hold("tenant", "*", "naive time", until="2026-01-01T00:00:00")
    with pytest.raises(ValueError):
        Hold("group", "", "no key")


# --- sync status -----------------------------------------------------------------------------------


def test_it_keeps_the_sync_status_of_each_tenant(edge: EmbeddedEdgeBackend) -> None:
    # given
    tenant, other = _tenant(), _tenant()
    ack = edge.publish(tenant, 1, _fleet(4), full=True)
    # when a newer revision is desired but not yet published
    sync_desired(tenant, 2)
    # then
    status = sync_status(tenant)
    assert (status.backend, status.desired_revision, status.published_revision) == ("edge", 2, 1)
    assert (status.acknowledged_revision, status.lag_revisions, status.digest) == (1, 1, ack.digest)
    assert status.circuit_state is None
    # and once published the lag is gone; another tenant's status is its own
    edge.publish(tenant, 2, [_a("host-00001", "9.9")], full=False)
    assert sync_status(tenant).lag_revisions == 0
    assert sync_status(tenant).lag_seconds == 0
    assert sync_status(other).desired_revision == 0


def test_it_chooses_the_backend_from_settings(settings: Any) -> None:
    assert isinstance(backend_for(settings), EmbeddedEdgeBackend)
    settings.DISTRIBUTION_BACKEND = "http"
    settings.DISTRIBUTION_HTTP_URL = "http://127.0.0.1:9"
    settings.DISTRIBUTION_HTTP_SECRET = "s" * 32
    backend = backend_for(settings)
    assert isinstance(backend, HttpBackend)
    backend.close()
    settings.DISTRIBUTION_BACKEND = "carrier-pigeon"
    with pytest.raises(ValueError):
        backend_for(settings)


# --- the sensor-facing view ------------------------------------------------------------------------


class Credentials:
    """A registered credential loader over a dict (the host-credential model is not built yet);
    it counts its calls to show the cache spares the database."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, str]] = {}
        self.calls = 0

    def add(self, host_id: str, tenant_id: str, secret: str) -> None:
        self.rows[host_id] = (tenant_id, secret_hash(secret))

    def __call__(self, host_id: str) -> tuple[str, str] | None:
        self.calls += 1
        return self.rows.get(host_id)


@pytest.fixture
def credentials(redis_flush: None) -> Iterator[Credentials]:
    from telemetry.credentials import host_credential_load

    loader = Credentials()
    edge_credential_loader_register(loader)
    yield loader
    edge_credential_loader_register(host_credential_load)  # the project's own (rollout/apps.py)


def _get(client: Client, host: str | None, secret: str = "", **headers: str) -> Any:
    if host is not None:
        headers["Authorization"] = f"Host {host}:{secret}"
    return client.get("/edge/v1/desired-state", headers=headers)


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


@pytest.fixture
def published(credentials: Credentials) -> dict[str, str]:
    """Two tenants: ``owner`` (host-a with its secret) and ``outsider`` (host-x, its own secret)."""
    edge = EmbeddedEdgeBackend()
    owner, outsider = _tenant(), _tenant()
    edge.publish(owner, 7, [_a("host-a", groups=("g1",)), _a("host-b")], full=True)
    edge.publish(outsider, 2, [_a("host-x", "111.1")], full=True)
    credentials.add("host-a", owner, "secret-a")
    credentials.add("host-x", outsider, "secret-x")
    return {"owner": owner, "outsider": outsider}


def test_it_answers_401_problem_json_without_a_credential(published: dict[str, str]) -> None:
    client = Client()
    response = _get(client, None)
    assert _problem(response, 401)["title"] == "Unauthorized"
    assert response["WWW-Authenticate"].startswith("Host")
    _problem(client.get("/edge/v1/desired-state", headers={"Authorization": "Bearer nope"}), 401)
    _problem(client.get("/edge/v1/desired-state", headers={"Authorization": "Host host-a"}), 401)


def test_it_answers_401_for_a_wrong_secret_or_an_unknown_host(
    published: dict[str, str], credentials: Credentials
) -> None:
    client = Client()
    _problem(_get(client, "host-a", "wrong"), 401)
    _problem(_get(client, "host-nobody", "whatever"), 401)
    # the outsider's secret does not open the owner's host either
    _problem(_get(client, "host-a", "secret-x"), 401)
    # an unknown host is remembered as unknown: asking again does not reach the loader
    calls = credentials.calls
    _problem(_get(client, "host-nobody", "whatever"), 401)
    assert credentials.calls == calls


def test_it_serves_the_host_its_desired_state_with_an_etag(
    published: dict[str, str], credentials: Credentials
) -> None:
    # given
    client = Client()
    # when
    response = _get(client, "host-a", "secret-a")
    # then
    assert response.status_code == 200, response.content
    assert response["ETag"].startswith('"')
    assert response.json() == {
        "host_id": "host-a",
        "revision": 7,
        "sensor_build": "7.11.18110",
        "content": {"rapid_response": "291.4", "sensor_operations": "12.0"},
        "holds": [],
        "paused": False,
        "frozen": {"sensor_build": False, "content": []},
        "fallback": None,  # no known-good version named: the sensor waits for the console
    }
    # and the credential came from the loader once, then from Redis
    assert credentials.calls == 1
    assert _get(client, "host-a", "secret-a").status_code == 200
    assert credentials.calls == 1


def test_it_answers_304_while_nothing_changed_for_the_host(published: dict[str, str]) -> None:
    # given
    client = Client()
    etag = _get(client, "host-a", "secret-a")["ETag"]
    # when / then
    response = _get(client, "host-a", "secret-a", **{"If-None-Match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""
    assert _get(client, "host-a", "secret-a", **{"If-None-Match": '"other"'}).status_code == 200
    # a new revision changes every host's document (it carries the revision), so the ETag moves
    EmbeddedEdgeBackend().publish(published["owner"], 8, [_a("host-b", "291.5")], full=False)
    assert _get(client, "host-a", "secret-a", **{"If-None-Match": etag}).status_code == 200


def test_it_shows_a_hold_to_the_hosts_it_covers(published: dict[str, str]) -> None:
    # given a host that was polling with an ETag
    client = Client()
    edge = EmbeddedEdgeBackend()
    etag = _get(client, "host-a", "secret-a")["ETag"]
    # when its group is paused
    edge.hold_set(published["owner"], Hold("group", "g1", "crashes in ring 0"))
    # then its next conditional poll gets the hold (not a 304)
    response = _get(client, "host-a", "secret-a", **{"If-None-Match": etag})
    assert response.status_code == 200
    body = response.json()
    assert body["paused"] is True
    assert body["holds"] == [{"scope": "group", "key": "g1", "reason": "crashes in ring 0", "until": None}]
    assert body["frozen"] == {"sensor_build": True, "content": ["*"]}
    assert response["ETag"] != etag
    # and the outsider's host in another tenant is not held by it
    other = _get(client, "host-x", "secret-x").json()
    assert other["paused"] is False
    assert other["content"]["rapid_response"] == "111.1"


def test_it_answers_404_before_anything_is_published_for_the_host(
    published: dict[str, str], credentials: Credentials
) -> None:
    credentials.add("host-new", published["owner"], "secret-new")
    _problem(_get(Client(), "host-new", "secret-new"), 404)


def test_it_primes_the_credential_cache_without_the_loader(redis_flush: None) -> None:
    # given no loader at all, but a credential primed at enrolment
    tenant = _tenant()
    EmbeddedEdgeBackend().publish(tenant, 1, [_a("host-p")], full=True)
    edge_credential_cache("host-p", tenant, secret_hash("primed"))
    # when / then
    assert _get(Client(), "host-p", "primed").status_code == 200
    _problem(_get(Client(), "host-p", "not-primed"), 401)


def test_it_refuses_other_methods_and_non_edge_consoles(published: dict[str, str], settings: Any) -> None:
    client = Client()
    _problem(client.post("/edge/v1/desired-state", headers={"Authorization": "Host host-a:secret-a"}), 405)
    settings.DISTRIBUTION_BACKEND = "http"
    _problem(_get(client, "host-a", "secret-a"), 404)


@pytest.mark.django_db
def test_it_verifies_an_enrolled_host_through_the_telemetry_loader_then_from_redis_only(
    redis_flush: None, django_assert_num_queries: Any
) -> None:
    from telemetry.credentials import HOST_PREFIX, credential_generate, host_credential_load
    from tests.factories import HostFactory

    # given an enrolled host (credential stored hashed by telemetry) and its published state
    token, lookup, digest = credential_generate(HOST_PREFIX)
    host = HostFactory(credential_prefix=lookup, credential_hash=digest)
    outsider = HostFactory()
    EmbeddedEdgeBackend().publish(str(host.tenant_id), 1, [_a(str(host.id))], full=True)
    edge_credential_loader_register(host_credential_load)
    client = Client()
    try:
        # when it polls the first time, one query loads its credential
        with django_assert_num_queries(1):
            first = _get(client, str(host.id).upper(), token)
        # then later polls, and wrong secrets, never reach the database
        with django_assert_num_queries(0):
            second = _get(client, str(host.id), token, **{"If-None-Match": first["ETag"]})
            wrong = _get(client, str(host.id), token + "x")
        _problem(_get(client, str(outsider.id), token), 401)
    finally:
        edge_credential_loader_register(host_credential_load)  # the project's own: later tests use it
    assert first.status_code == 200
    assert first.json()["host_id"] == str(host.id)
    assert second.status_code == 304
    _problem(wrong, 401)


def test_it_narrows_a_group_hold_once_a_category_is_exempt_and_encodes_holds_without_one_as_before() -> None:
    # given a group hold that stops freezing sensor_operations at noon, and a host of that group
    noon = datetime(2026, 12, 7, 12, tzinfo=UTC)
    hold = Hold("group", "g1", "change freeze", None, (("sensor_operations", noon.isoformat()),))
    host = Assignment(
        "h1", "7.1.100", {"rapid_response": "2.1", "sensor_operations": "1.2"}, "", ("g1",), "windows"
    )
    # when the edge serves it before and after noon, and the hold travels as JSON
    before = holds_applying(host, [hold], noon - timedelta(minutes=1))
    after = holds_applying(host, [hold], noon)
    # then before noon it is the group hold; after, the sensor hold and one per other category
    assert before == (hold,)
    assert [(h.scope, h.key) for h in after] == [("category", "rapid_response"), ("sensor", "windows")]
    assert "sensor_operations" in after[0].reason
    assert Hold.from_json(hold.to_json()) == hold
    # and a hold without exemptions encodes exactly as it always did
    assert "exempt" not in Hold("tenant", "*", "r").to_json()


def test_it_round_trips_the_versions_a_recall_hold_leaves_and_encodes_holds_without_them_as_before() -> None:
    # given a recall's hold naming the version hosts leave (unsorted, repeated)
    hold = Hold("category", "rapid_response", "Stopped: recalled", leave=("291.4", "291.2", "291.4"))
    # when it travels as JSON (the edge's Redis hash, the HTTP wire)
    data = hold.to_json()
    # then it comes back equal, in one canonical order
    assert data["leave"] == ["291.2", "291.4"]
    assert Hold.from_json(data) == hold and Hold.from_json(json.loads(hold.encode())) == hold
    # and a hold without versions to leave encodes exactly as it always did
    plain = Hold("category", "rapid_response", "Stopped: halted")
    assert "leave" not in plain.to_json() and Hold.from_json(plain.to_json()) == plain
    # and a hold that cannot name versions to leave, or a malformed list, is refused
    with pytest.raises(ValueError, match="leave"):
        Hold("tenant", "*", "paused", leave=("291.4",))
    with pytest.raises(ValueError, match="leave"):
        Hold.from_json({**data, "leave": "291.4"})


def test_it_changes_the_etag_when_a_hold_starts_naming_a_version_to_leave(published: dict[str, str]) -> None:
    # given a host polling with an ETag while its category is held (a halt: nothing to leave)
    client = Client()
    edge = EmbeddedEdgeBackend()
    edge.hold_set(published["owner"], Hold("category", "rapid_response", "Stopped: halted"))
    held = _get(client, "host-a", "secret-a")
    assert held.json()["holds"][0].get("leave") is None
    # when the recall's hold on the same key replaces it, naming the version to leave
    edge.hold_set(published["owner"], Hold("category", "rapid_response", "Stopped: halted", leave=("291.4",)))
    # then its next conditional poll gets the new document (not a 304), with the version to leave
    response = _get(client, "host-a", "secret-a", **{"If-None-Match": held["ETag"]})
    assert response.status_code == 200 and response["ETag"] != held["ETag"]
    body = response.json()
    assert body["holds"] == [
        {
            "scope": "category",
            "key": "rapid_response",
            "reason": "Stopped: halted",
            "until": None,
            "leave": ["291.4"],
        }
    ]
    assert body["paused"] is True and body["frozen"] == {"sensor_build": False, "content": ["rapid_response"]}
    # and the outsider's host is not held at all
    assert _get(client, "host-x", "secret-x").json()["holds"] == []

"""Edge admission control: recovering hosts are always answered, routine polls are bounded per
process and told to come back (503 + Retry-After) beyond the bound. Real Redis; no timing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from rollout.distribution.admission import ADMISSION
from rollout.distribution.base import Assignment
from rollout.distribution.credentials import edge_credential_loader_register, secret_hash
from rollout.distribution.edge import EmbeddedEdgeBackend
from telemetry.credentials import host_credential_load

TENANT = "5b0f7f62-2f31-4c36-9d7e-1f6d0c0a0001"
OTHER = "5b0f7f62-2f31-4c36-9d7e-1f6d0c0a0002"


@pytest.fixture
def edge(redis_flush: None) -> Iterator[None]:
    """host-a (owner tenant) and host-x (another tenant) published, with their secrets."""
    rows = {"host-a": (TENANT, secret_hash("secret-a")), "host-x": (OTHER, secret_hash("secret-x"))}
    edge_credential_loader_register(rows.get)
    backend = EmbeddedEdgeBackend()
    for tenant, host in ((TENANT, "host-a"), (OTHER, "host-x")):
        backend.publish(
            tenant, 1, [Assignment(host, "7.11.100", {"rapid_response": "291.3"}, "r")], full=True
        )
    yield
    edge_credential_loader_register(host_credential_load)
    backend.forget_tenant(TENANT)
    backend.forget_tenant(OTHER)


def _poll(host: str, secret: str, state: str | None = None) -> Any:
    headers = {"Authorization": f"Host {host}:{secret}"}
    if state is not None:
        headers["X-Sensor-State"] = state
    return Client().get("/edge/v1/desired-state", headers=headers)


@pytest.fixture
def edge_full(settings: Any) -> Iterator[None]:
    """Every place for a routine poll is taken (one place, held by a poll in flight)."""
    settings.EDGE_ROUTINE_CONCURRENCY = 1
    assert ADMISSION.try_enter()
    yield
    ADMISSION.leave()


def test_it_answers_routine_polls_while_there_is_room(edge: None) -> None:
    # given / when
    response = _poll("host-a", "secret-a")
    # then
    assert response.status_code == 200 and response.json()["content"] == {"rapid_response": "291.3"}
    assert ADMISSION.in_flight == 0  # the place is given back


def test_it_refuses_routine_polls_under_pressure_with_retry_after(edge: None, edge_full: None) -> None:
    # given every routine place is taken
    # when
    routine = _poll("host-a", "secret-a")
    online = _poll("host-a", "secret-a", "online")
    # then a clear 503 problem+json telling the sensor when to ask again
    for response in (routine, online):
        assert response.status_code == 503
        assert response["Content-Type"] == "application/problem+json"
        assert int(response["Retry-After"]) >= 1
        assert response.json()["status"] == 503


@pytest.mark.parametrize("state", ["boot_loop", "crashed", "recovering", "Boot_Loop"])
def test_it_always_admits_recovering_hosts(edge: None, edge_full: None, state: str) -> None:
    # given every routine place is taken
    # when a crash-looping or just-reverted host asks
    response = _poll("host-a", "secret-a", state)
    # then it is answered at once, and it takes no routine place
    assert response.status_code == 200
    assert response.json()["content"] == {"rapid_response": "291.3"}
    assert ADMISSION.in_flight == 1


def test_it_still_authenticates_and_isolates_recovering_hosts(edge: None, edge_full: None) -> None:
    # given / when a recovering poll with another tenant's secret, or none
    wrong = _poll("host-a", "secret-x", "boot_loop")
    anonymous = Client().get("/edge/v1/desired-state", headers={"X-Sensor-State": "boot_loop"})
    mine = _poll("host-x", "secret-x", "recovering")
    # then admission never skips the credential check, and each host sees only its own entry
    assert wrong.status_code == 401 and anonymous.status_code == 401
    assert mine.status_code == 200 and mine.json()["host_id"] == "host-x"

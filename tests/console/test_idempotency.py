"""Safe retries with ``Idempotency-Key``: a replay returns the first response, a reused key with
another body is a 422, a concurrent duplicate never makes a second object (real threads against a
live server), and keys belong to one credential."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from console.models import ApiScope, Role
from rollout.models import Pause
from tests.console.conftest import api_as, api_bearer, problem
from tests.factories import TenantFactory, api_client_with_token, member

ALL_TENANT_SCOPES = [ApiScope.READ, ApiScope.WRITE, ApiScope.PAUSE, ApiScope.ADMIN]
PAUSE = {"scope": "tenant", "reason": "change freeze for the incident"}


@pytest.mark.django_db
def test_it_replays_the_first_response_for_the_same_key_and_body(trio: Any, redis_flush: None) -> None:
    # given acme's owner who created a pause with a key
    owner = api_as(trio.owner, trio.tenant)
    first = owner.post("/api/v1/pauses/", PAUSE, format="json", HTTP_IDEMPOTENCY_KEY="pause-1")
    assert first.status_code == 201
    # when the same request is retried with the same key
    again = owner.post("/api/v1/pauses/", PAUSE, format="json", HTTP_IDEMPOTENCY_KEY="pause-1")
    # then the first response comes back, marked as a replay, and there is still one pause
    assert again.status_code == first.status_code
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Pause.objects.filter(tenant=trio.tenant).count() == 1


@pytest.mark.django_db
def test_it_refuses_a_key_reused_for_another_body(trio: Any, redis_flush: None) -> None:
    # given a pause created with a key
    owner = api_as(trio.owner, trio.tenant)
    owner.post("/api/v1/pauses/", PAUSE, format="json", HTTP_IDEMPOTENCY_KEY="pause-2")
    # when the key is sent again with another reason
    other = owner.post(
        "/api/v1/pauses/", {**PAUSE, "reason": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="pause-2"
    )
    # then it is a 422 problem naming the header, and nothing new was made
    assert other.status_code == 422
    assert "Idempotency-Key" in problem(other)["errors"]
    assert Pause.objects.filter(tenant=trio.tenant).count() == 1


@pytest.mark.django_db
def test_it_keeps_keys_apart_per_credential_and_tenant(trio: Any, redis_flush: None) -> None:
    # given acme's owner session and a token of acme, and globex's owner
    _, token = api_client_with_token(trio.tenant, ALL_TENANT_SCOPES)
    callers = [api_as(trio.owner, trio.tenant), api_bearer(token), api_as(trio.outsider, trio.other_tenant)]
    # when each sends the same key and body
    statuses = [
        c.post("/api/v1/pauses/", PAUSE, format="json", HTTP_IDEMPOTENCY_KEY="shared").status_code
        for c in callers
    ]
    # then each ran its own request: two pauses for acme, one for globex, none replayed across
    assert statuses == [201, 201, 201]
    assert Pause.objects.filter(tenant=trio.tenant).count() == 2
    assert Pause.objects.filter(tenant=trio.other_tenant).count() == 1


@pytest.mark.django_db
def test_it_does_not_keep_a_refused_request(trio: Any, redis_flush: None) -> None:
    # given a request refused as invalid
    owner = api_as(trio.owner, trio.tenant)
    bad = owner.post("/api/v1/pauses/", {"scope": "galaxy"}, format="json", HTTP_IDEMPOTENCY_KEY="fix-me")
    assert bad.status_code == 400
    # when the client corrects it and retries with the same key
    fixed = owner.post("/api/v1/pauses/", PAUSE, format="json", HTTP_IDEMPOTENCY_KEY="fix-me")
    # then the corrected request runs
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "two words"])
def test_it_refuses_a_malformed_key(trio: Any, key: str) -> None:
    # when a key outside 1..255 printable ASCII characters is sent
    response = api_as(trio.owner, trio.tenant).post(
        "/api/v1/pauses/", PAUSE, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    # then it is a 400 problem and nothing is made
    assert response.status_code == 400
    assert "Idempotency-Key" in problem(response)["errors"]
    assert not Pause.objects.filter(tenant=trio.tenant).exists()


def test_it_never_makes_two_objects_for_concurrent_duplicates(asgi_server: str, redis_flush: None) -> None:
    # given acme's all-scopes token against the live server
    acme = TenantFactory(slug="acme")
    member(acme, Role.OWNER, username="owner@acme.example")
    _, token = api_client_with_token(acme, ALL_TENANT_SCOPES)
    start = threading.Barrier(8)
    responses: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(base_url=asgi_server, timeout=30) as client:
            start.wait()
            responses.append(
                client.post(
                    "/api/v1/pauses/",
                    json=PAUSE,
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "burst"},
                )
            )

    # when eight threads send the same create with the same key at once
    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then one pause exists; one response made it, the others were replays of it or 409s
    assert Pause.objects.filter(tenant=acme).count() == 1
    made = [r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers]
    assert len(made) == 1
    for response in responses:
        assert response.status_code in (201, 409), response.text
        if response.status_code == 409:
            assert response.headers["Content-Type"].startswith("application/problem+json")
        else:
            assert response.content == made[0].content

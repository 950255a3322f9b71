"""API clients: token shown once, hashed, prefixed; scopes, expiry, source IPs, revoke, rotate,
last use, and per-client rate limits answered with 429 + Retry-After."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from console.models import ApiClient, AuditEvent
from tests.console.conftest import api_as, api_bearer, problem

pytestmark = pytest.mark.django_db


def _create(trio: Any, **body: Any) -> dict[str, Any]:
    response = api_as(trio.owner, trio.tenant).post(
        "/api/v1/api-clients/", {"name": "ci", "scopes": ["read"], **body}, format="json"
    )
    assert response.status_code == 201, response.content
    result: dict[str, Any] = response.json()
    return result


def test_it_shows_the_token_once_and_stores_only_its_hash(trio: Any, redis_flush: None) -> None:
    # given an admin creates a client
    created = _create(trio)
    token = created["token"]
    # then the token is recognisable, only its hash is stored, and it is never shown again
    assert token.startswith("ucc_") and created["prefix"] in token
    stored = ApiClient.objects.get(pk=created["id"])
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(
        api_as(trio.owner, trio.tenant).get(f"/api/v1/api-clients/{created['id']}/").content
    )
    event = AuditEvent.objects.get(tenant=trio.tenant, action="api_client.created")
    assert token not in str(event.after) and event.after["scopes"] == ["read"]
    # and the token works, recording when and from where it was used
    assert api_bearer(token).get("/api/v1/members/").status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_ip == "127.0.0.1" and stored.last_used_at is not None


def test_it_limits_a_token_to_its_scopes_and_its_tenant(trio: Any, redis_flush: None) -> None:
    # given a read token of acme
    token = _create(trio)["token"]
    client = api_bearer(token)
    # when it reads, writes, and names another tenant
    read = client.get("/api/v1/members/")
    write = client.post("/api/v1/api-clients/", {"name": "x", "scopes": ["admin"]}, format="json")
    other = client.get("/api/v1/members/", HTTP_X_TENANT="globex")
    # then it reads acme only and cannot escalate
    assert read.status_code == 200 and "owner@globex.example" not in read.content.decode()
    assert write.status_code == 403
    assert "owner@globex.example" not in other.content.decode()


def test_it_revokes_and_rotates_at_once(trio: Any, redis_flush: None) -> None:
    # given a client
    created = _create(trio)
    owner = api_as(trio.owner, trio.tenant)
    # when it is rotated
    rotated = owner.post(f"/api/v1/api-clients/{created['id']}/rotate/")
    new_token = rotated.json()["token"]
    # then the old token stops and the new one works
    assert api_bearer(created["token"]).get("/api/v1/members/").status_code == 401
    assert api_bearer(new_token).get("/api/v1/members/").status_code == 200
    # when it is revoked
    assert owner.delete(f"/api/v1/api-clients/{created['id']}/").status_code == 204
    # then the next request is refused, as problem+json
    refused = api_bearer(new_token).get("/api/v1/members/")
    assert refused.status_code == 401 and problem(refused)["detail"] == "Token revoked."
    assert owner.post(f"/api/v1/api-clients/{created['id']}/rotate/").status_code == 409


def test_it_refuses_an_expired_token_and_a_foreign_source_address(trio: Any, redis_flush: None) -> None:
    # given one client that expires soon and one allowed only from 10.0.0.0/8
    soon = _create(trio, expires_at=(timezone.now() + timedelta(minutes=5)).isoformat())
    fenced = _create(trio, name="fenced", allowed_ips=["10.0.0.0/8"])
    ApiClient.objects.filter(pk=soon["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    # when each calls from 127.0.0.1
    expired = api_bearer(soon["token"]).get("/api/v1/members/")
    outside = api_bearer(fenced["token"]).get("/api/v1/members/")
    inside = api_bearer(fenced["token"]).get("/api/v1/members/", REMOTE_ADDR="10.1.2.3")
    # then
    assert expired.status_code == 401 and problem(expired)["detail"] == "Token expired."
    assert outside.status_code == 401
    assert inside.status_code == 200


def test_it_answers_429_with_retry_after_past_the_clients_rate(trio: Any, redis_flush: None) -> None:
    # given a client limited to 3 requests a minute and another with the default limit
    limited = api_bearer(_create(trio, rate_limit_per_minute=3)["token"])
    other = api_bearer(_create(trio, name="other")["token"])
    # when the limited one makes a fourth request
    statuses = [limited.get("/api/v1/members/").status_code for _ in range(4)]
    # then it is throttled with a Retry-After, as problem+json; the other client is not
    assert statuses == [200, 200, 200, 429]
    throttled = limited.get("/api/v1/members/")
    assert throttled.status_code == 429 and 1 <= int(throttled["Retry-After"]) <= 60
    assert problem(throttled)["title"] == "Too many requests"
    assert other.get("/api/v1/members/").status_code == 200


def test_it_manages_clients_on_the_page_showing_the_token_once(trio: Any, redis_flush: None) -> None:
    # given acme's owner on the API clients page
    client = Client()
    client.force_login(trio.owner)
    # when they create a client
    created = client.post("/api-clients/", {"name": "terraform", "scopes": ["read", "write"]}, follow=True)
    # then the token is on the page once, and gone on the next visit
    token = created.content.decode().split('data-testid="token-value">')[1].split("<")[0]
    assert token.startswith("ucc_")
    assert token not in client.get("/api-clients/").content.decode()
    stored = ApiClient.objects.get(tenant=trio.tenant, name="terraform")
    assert sorted(stored.scopes) == ["read", "write"]
    # and revoking it on the page works
    client.post(f"/api-clients/{stored.pk}/revoke/")
    stored.refresh_from_db()
    assert stored.revoked_at is not None


def test_it_keeps_api_clients_from_a_viewer_and_an_outsider(trio: Any) -> None:
    # given acme has a client
    created = _create(trio)
    # when acme's viewer and globex's owner look
    viewer = api_as(trio.member, trio.tenant).get("/api/v1/api-clients/")
    outsider = api_as(trio.outsider, trio.other_tenant).get("/api/v1/api-clients/")
    # then the viewer is refused and the outsider sees only globex's (none)
    assert viewer.status_code == 403
    assert outsider.status_code == 200 and created["id"] not in outsider.content.decode()

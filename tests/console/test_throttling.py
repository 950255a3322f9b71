"""Rate-limit headers (IETF draft ``RateLimit-Policy`` / ``RateLimit``) on every rate-limited API
response, and the anonymous rate on sign-in and enrolment."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from console.models import ApiClient
from tests.console.conftest import api_as, api_bearer, problem
from tests.factories import api_client_with_token, enrolment_token, host_with_credential

pytestmark = pytest.mark.django_db
RATELIMIT = re.compile(r'^"(?P<policy>[a-z]+)";r=(?P<r>\d+);t=(?P<t>\d+)$')
POLICY = re.compile(r'^"(?P<policy>[a-z]+)";q=(?P<q>\d+);w=60$')


def standing(response: Any) -> tuple[str, int, int, int]:
    """(policy, quota, remaining, seconds to reset) from the response's headers."""
    policy = POLICY.match(response["RateLimit-Policy"])
    now = RATELIMIT.match(response["RateLimit"])
    assert policy and now, (response["RateLimit-Policy"], response["RateLimit"])
    assert policy["policy"] == now["policy"]
    return policy["policy"], int(policy["q"]), int(now["r"]), int(now["t"])


def test_it_tells_an_api_client_where_it_stands(trio: Any, redis_flush: None) -> None:
    # given a client limited to 5 requests a minute
    client, token = api_client_with_token(trio.tenant, ["read"])
    ApiClient.objects.filter(pk=client.pk).update(rate_limit_per_minute=5)
    caller = api_bearer(token)
    # when it makes six requests
    responses = [caller.get("/api/v1/members/") for _ in range(6)]
    # then each tells the quota and what remains, down to 0 on the 429
    seen = [standing(r) for r in responses]
    assert [s[2] for s in seen] == [4, 3, 2, 1, 0, 0]
    assert {(s[0], s[1]) for s in seen} == {("client", 5)}
    assert all(1 <= s[3] <= 60 for s in seen)
    assert responses[-1].status_code == 429
    assert int(responses[-1]["Retry-After"]) == seen[-1][3]
    problem(responses[-1])


def test_it_tells_a_session_user_the_per_user_policy(trio: Any, redis_flush: None) -> None:
    # when acme's viewer reads through the API with a session, and the outsider calls twice
    viewer = api_as(trio.member, trio.tenant).get("/api/v1/members/")
    api_as(trio.outsider, trio.other_tenant).get("/api/v1/members/")
    outsider = api_as(trio.outsider, trio.other_tenant).get("/api/v1/members/")
    # then both see the user policy, counted per user
    policy, quota, remaining, _ = standing(viewer)
    assert (policy, remaining) == ("user", quota - 1)
    assert standing(outsider)[2] == quota - 2


def test_it_applies_the_anonymous_rate_to_sign_in(trio: Any, settings: Any, redis_flush: None) -> None:
    # given an anonymous rate of 3 a minute
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/min"},
    }
    browser = Client()
    # when four sign-ins are tried from one address (with different accounts: no lockout)
    responses = [
        browser.post("/login/", {"username": f"nobody{i}@example.test", "password": "wrong"})
        for i in range(4)
    ]
    # then the fourth is a 429 with Retry-After, and each tells the anonymous policy
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert 1 <= int(responses[-1]["Retry-After"]) <= 60
    assert [standing(r)[:3] for r in responses] == [("anonymous", 3, n) for n in (2, 1, 0, 0)]
    # and the real owner's sign-in from another address still goes through
    elsewhere = Client(REMOTE_ADDR="10.9.9.9").post(
        "/login/", {"username": "owner@acme.example", "password": "x"}
    )
    assert elsewhere.status_code != 429


def test_it_applies_the_anonymous_rate_to_enrolment(trio: Any, settings: Any, redis_flush: None) -> None:
    # given an anonymous rate of 2 a minute and an enrolment token
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/min"},
    }
    _, secret = enrolment_token(trio.tenant)
    sensor = Client()
    body = {"enrolment_token": secret, "hostname": "ws-1", "platform": "windows"}
    # when three sensors enrol from one address
    responses = [
        sensor.post(
            "/api/v1/telemetry/enrol", {**body, "hostname": f"ws-{i}"}, content_type="application/json"
        )
        for i in range(3)
    ]
    # then the third is throttled as problem+json, with the headers on every answer
    assert [r.status_code for r in responses] == [201, 201, 429]
    assert problem(responses[-1])["title"] == "Too many requests"
    assert [standing(r)[:3] for r in responses] == [
        ("anonymous", 2, 1),
        ("anonymous", 2, 0),
        ("anonymous", 2, 0),
    ]


def test_it_counts_a_sensor_credential_as_a_host(trio: Any, redis_flush: None) -> None:
    # given a host with its own credential
    _, credential = host_with_credential(trio.tenant)
    # when it posts a (bad) batch of heartbeats
    response = api_bearer(credential).post("/api/v1/telemetry/heartbeats", {"heartbeats": []}, format="json")
    # then it is told the host policy
    assert response.status_code == 400
    policy, quota, remaining, _ = standing(response)
    assert (policy, remaining) == ("host", quota - 1)

"""Behind a trusted reverse proxy the console sees the client's address (lockout, API-client
allow-lists, audit) and scheme; the same forwarding headers from anyone else are ignored."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from console.models import ApiClient, AuditEvent
from console.proxies import ProxyHeadersMiddleware, client_ip
from tests.console.conftest import api_as, api_bearer
from tests.factories import PASSWORD, api_client_with_token

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.2"


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXIES = [f"{PROXY}/32"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def _via(peer: str, forwarded_for: str) -> dict[str, str]:
    return {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded_for}


def _login(username: str, password: str, **meta: str) -> Any:
    return Client().post("/login/", {"username": username, "password": password}, **meta)


def test_it_takes_the_right_most_untrusted_address_from_a_trusted_proxy(behind_proxy: None) -> None:
    # given requests through the proxy, one with a forged left part, one straight from a client
    rf = RequestFactory()
    forged = rf.get("/", **_via(PROXY, "6.6.6.6, 203.0.113.9"))
    chained = rf.get("/", **_via(PROXY, f"203.0.113.9, {PROXY}"))
    direct = rf.get("/", **_via("198.51.100.4", "10.0.0.1"))
    garbage = rf.get("/", **_via(PROXY, "not-an-address"))
    # when / then the proxy's view of the client wins, a stranger's header is ignored
    assert client_ip(forged) == "203.0.113.9"
    assert client_ip(chained) == "203.0.113.9"
    assert client_ip(direct) == "198.51.100.4"
    assert client_ip(garbage) == PROXY


def test_it_ignores_forwarding_headers_when_no_proxy_is_configured(settings: Any) -> None:
    # given no trusted proxy (the default)
    settings.TRUSTED_PROXIES = []
    # when a request from the proxy's address carries X-Forwarded-For
    request = RequestFactory().get("/", **_via(PROXY, "203.0.113.9"))
    # then the socket's peer is the client
    assert client_ip(request) == PROXY


def test_it_believes_https_only_from_the_trusted_proxy(behind_proxy: None) -> None:
    # given the middleware in front of a view reporting the scheme
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("https" if request.is_secure() else "http")

    middleware = ProxyHeadersMiddleware(view)
    rf = RequestFactory()
    # when the proxy and a stranger both say X-Forwarded-Proto: https
    from_proxy = middleware(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https"))
    from_stranger = middleware(rf.get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_PROTO="https"))
    # then only the proxy is believed
    assert from_proxy.content == b"https"
    assert from_stranger.content == b"http"


def test_it_counts_sign_in_failures_against_the_client_behind_the_proxy(
    trio: Any, behind_proxy: None, redis_flush: None, settings: Any
) -> None:
    # given one client behind the proxy failing against several accounts until its address locks
    settings.CONSOLE_LOGIN_MAX_FAILURES_PER_IP = 3
    for name in ("a@example.test", "b@example.test", "c@example.test"):
        _login(name, "wrong", **_via(PROXY, "203.0.113.66"))
    # when that client and another one behind the same proxy sign in correctly
    bad = _login("viewer@acme.example", PASSWORD, **_via(PROXY, "203.0.113.66"))
    good = _login("viewer@acme.example", PASSWORD, **_via(PROXY, "203.0.113.77"))
    # then only the failing client is locked out, not everyone behind the proxy
    assert bad.status_code == 429
    assert good.status_code == 302


def test_it_cannot_dodge_an_address_lockout_with_a_forged_header(
    trio: Any, behind_proxy: None, redis_flush: None, settings: Any
) -> None:
    # given a stranger (not the proxy) failing three times, each time claiming another address
    settings.CONSOLE_LOGIN_MAX_FAILURES_PER_IP = 3
    for i, name in enumerate(("a@example.test", "b@example.test", "c@example.test")):
        _login(name, "wrong", **_via("198.51.100.4", f"203.0.113.{i}"))
    # when it tries again with yet another claimed address
    again = _login("viewer@acme.example", PASSWORD, **_via("198.51.100.4", "203.0.113.99"))
    # then its own address is locked
    assert again.status_code == 429


def test_it_applies_an_api_clients_allow_list_to_the_client_behind_the_proxy(
    trio: Any, behind_proxy: None, redis_flush: None
) -> None:
    # given a token allowed only from 10.0.0.0/8
    client, token = api_client_with_token(trio.tenant, ["read"], name="fenced")
    ApiClient.objects.filter(pk=client.pk).update(allowed_ips=["10.0.0.0/8"])
    # when it calls through the proxy from inside and outside, and directly with a forged header
    inside = api_bearer(token).get("/api/v1/members/", **_via(PROXY, "10.1.2.3"))
    outside = api_bearer(token).get("/api/v1/members/", **_via(PROXY, "203.0.113.9"))
    forged = api_bearer(token).get("/api/v1/members/", **_via("198.51.100.4", "10.1.2.3"))
    # then only the real inside client gets in, and the token remembers its address
    assert inside.status_code == 200
    assert outside.status_code == 401
    assert forged.status_code == 401
    client.refresh_from_db()
    assert client.last_used_ip == "10.1.2.3"


def test_it_audits_the_client_address_not_the_proxys(trio: Any, behind_proxy: None) -> None:
    # given the owner acting through the proxy, and once straight with a forged header
    owner = api_as(trio.owner, trio.tenant)
    body = {"name": "via-proxy", "scopes": ["read"]}
    proxied = owner.post("/api/v1/api-clients/", body, format="json", **_via(PROXY, "203.0.113.9"))
    body = {"name": "forged", "scopes": ["read"]}
    forged = owner.post("/api/v1/api-clients/", body, format="json", **_via("198.51.100.4", "10.1.2.3"))
    # when the audit log is read
    assert proxied.status_code == forged.status_code == 201
    rows = AuditEvent.objects.filter(tenant=trio.tenant, after__name__in=["via-proxy", "forged"])
    ips = {row.after["name"]: row.ip for row in rows}
    # then it holds the client's address, and the stranger's own address for the forgery
    assert ips == {"via-proxy": "203.0.113.9", "forged": "198.51.100.4"}

"""Tenant isolation beyond HTTP routes (DESIGN rule 7), extending tests/console/test_isolation.py:

- every websocket route of the project (walked from ``console.routing``, so a new one is covered
  the day it is added): a globex caller's socket never receives anything acme's tenant groups
  carry, for every topic the consumers subscribe to, while acme's own socket does (the control);
- list filters: no list endpoint's query parameters reach another tenant's objects;
- URLs carry UUIDs, never sequential integers.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from console.models import ApiScope, Role
from console.realtime import tenant_group
from tests.conftest import run_async
from tests.factories import HostFactory, TenantFactory, api_client_with_token, host_group, member


def _websocket_routes() -> list[tuple[str, Any]]:
    from console.routing import websocket_urlpatterns

    return [("/" + str(p.pattern), p.callback) for p in websocket_urlpatterns]


def _topics() -> set[str]:
    """Every topic a consumer subscribes to (its ``topic`` attribute or its module's ``TOPIC``)."""
    import sys

    topics: set[str] = set()
    for _, callback in _websocket_routes():
        consumer = getattr(callback, "consumer_class", None)
        if consumer is None:
            continue
        if isinstance(getattr(consumer, "topic", None), str):
            topics.add(consumer.topic)
        module = sys.modules[consumer.__module__]
        if isinstance(getattr(module, "TOPIC", None), str):
            topics.add(module.TOPIC)
        if consumer.__module__.startswith("telemetry"):
            from telemetry.fleet import TOPIC

            topics.add(TOPIC)
    return topics


async def _open(path: str, token: str) -> tuple[WebsocketCommunicator, bool]:
    from console.asgi import application

    headers = [(b"origin", b"http://localhost"), (b"authorization", f"Bearer {token}".encode())]
    comm = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await comm.connect(timeout=10)
    return comm, connected


async def _until_marker(comm: WebsocketCommunicator, tenant: Any, kind: str, marker: str) -> list[Any]:
    """Sends ``marker`` to every one of ``tenant``'s groups and returns what ``comm`` received before it.

    The channel layer delivers one socket's messages in the order they were sent, so anything sent
    to the socket earlier (a leaked message included) arrives before the marker: no quiet window
    has to be guessed."""
    layer = get_channel_layer()
    for topic in sorted(_topics()):
        await layer.group_send(tenant_group(tenant.pk, topic), {"type": kind, "payload": {"marker": marker}})
    received = []
    while True:
        message = await comm.receive_json_from(timeout=10)
        if marker in str(message):
            return received
        received.append(message)


def test_it_has_found_the_websocket_routes_it_must_guard() -> None:
    paths = {path for path, _ in _websocket_routes()}
    assert {"/ws/v1/events/", "/ws/v1/fleet/"} <= paths
    assert {"events", "fleet"} <= _topics()


@pytest.mark.parametrize(("path", "callback"), _websocket_routes(), ids=[p for p, _ in _websocket_routes()])
def test_it_never_streams_acme_events_to_globex(transactional_db: None, path: str, callback: Any) -> None:
    # given acme and globex callers with every tenant scope, both connected to the same route
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    HostFactory(tenant=acme)
    _, acme_token = api_client_with_token(acme, ["read", "write", "pause", "admin"], name="acme-all")
    _, globex_token = api_client_with_token(globex, ["read", "write", "pause", "admin"], name="globex-all")
    topics = sorted(_topics())
    consumer = callback.consumer_class
    kinds = [k for k in ("notify", "fleet.update") if hasattr(consumer, k.replace(".", "_"))]
    assert kinds, f"{consumer.__name__} handles no known message type: add it here"

    async def scenario() -> tuple[list[Any], list[Any]]:
        mine, ok_mine = await _open(path, acme_token)
        theirs, ok_theirs = await _open(path, globex_token)
        assert ok_mine and ok_theirs
        await _until_marker(mine, acme, kinds[0], "connected-acme")
        await _until_marker(theirs, globex, kinds[0], "connected-globex")
        # when every kind of message is sent to every one of acme's tenant groups
        layer = get_channel_layer()
        for topic in topics:
            for kind in kinds:
                await layer.group_send(
                    tenant_group(acme.pk, topic),
                    {"type": kind, "payload": {"secret": "acme-only", "tenant": str(acme.pk)}},
                )
        # (each socket's own tenant then sends a marker: what came before it is all it got)
        got_mine = await _until_marker(mine, acme, kinds[0], "after-acme")
        got_theirs = await _until_marker(theirs, globex, kinds[0], "after-globex")
        await mine.disconnect()
        await theirs.disconnect()
        return got_mine, got_theirs

    got_mine, got_theirs = run_async(scenario())
    # then globex's socket received nothing of acme, and acme's own socket did (the control)
    assert not [m for m in got_theirs if "acme-only" in str(m)], got_theirs
    assert [m for m in got_mine if "acme-only" in str(m)], f"acme's own socket on {path} got {got_mine}"


@pytest.mark.django_db
def test_it_keeps_list_filters_inside_the_callers_tenant() -> None:
    # given acme's hosts and group, and globex's all-scopes token
    from django.test import Client

    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    acme_host = HostFactory(tenant=acme, hostname="acme-secret-host", tags=["prod"])
    acme_group = host_group(acme, rule_text="tag:prod")
    member(acme, Role.OWNER, username="owner@acme.example")
    _, token = api_client_with_token(globex, [ApiScope.READ, ApiScope.WRITE, ApiScope.ADMIN])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    probes = [
        "/api/v1/hosts/?search=acme-secret",
        "/api/v1/hosts/?hostname=acme-secret-host",
        f"/api/v1/hosts/?group={acme_group.pk}",
        f"/api/v1/hosts/?tenant={acme.pk}",
        f"/api/v1/hosts/?tenant={acme.slug}",
        f"/api/v1/audit-events/?target={acme_host.pk}",
        "/api/v1/audit-events/?actor=owner@acme.example",
        f"/api/v1/members/?tenant={acme.pk}",
        f"/api/v1/host-groups/?tenant={acme.pk}",
        "/api/v1/fleet/health/?tenant=acme",
    ]
    for url in probes:
        # when globex filters for acme's objects
        response = api.get(url)
        # then nothing of acme comes back, whatever the filter
        assert response.status_code in (200, 400), (url, response.status_code)
        body = response.content.decode()
        for secret in ("acme-secret-host", str(acme_host.pk), str(acme_group.pk), "owner@acme.example"):
            assert secret not in body, f"{url} leaked {secret}"
    # and acme's host URL carries a UUID, never a sequential integer
    assert len(str(acme_host.pk)) == 36

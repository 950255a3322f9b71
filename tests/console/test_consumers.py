"""Websocket messages from clients are decoded within bounds: a deeply nested or huge message is
ignored, the socket stays open and keeps receiving its tenant's events."""

from __future__ import annotations

from typing import Any

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from console.models import Role
from console.realtime import tenant_group
from tests.conftest import run_async
from tests.factories import TenantFactory, member


@pytest.mark.parametrize(
    "message",
    [
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        "[" * 5_000 + "]" * 5_000,
        "[" + "0," * 5_000 + "0]",
        "not json",
    ],
    ids=["object-100000-deep", "array-5000-deep", "5000-elements", "not-json"],
)
def test_it_ignores_a_message_past_the_limits_and_keeps_the_socket(
    transactional_db: None, redis_flush: None, message: str
) -> None:
    # given acme's owner connected to the events socket
    from console.asgi import application

    acme = TenantFactory(slug="acme")
    owner = member(acme, Role.OWNER)
    browser = Client()
    browser.force_login(owner)
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value

    async def scenario() -> dict[str, Any]:
        comm = WebsocketCommunicator(
            application,
            "/ws/v1/events/",
            headers=[
                (b"origin", b"http://localhost"),
                (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
            ],
        )
        connected, _ = await comm.connect()
        hello = await comm.receive_json_from(timeout=5)
        # when the client sends the message
        await comm.send_to(text_data=message)
        # and an event of its tenant follows
        await get_channel_layer().group_send(
            tenant_group(acme.pk, "events"), {"type": "notify", "payload": {"event": "rollout.paused"}}
        )
        after = await comm.receive_json_from(timeout=5)
        await comm.disconnect()
        return {"connected": connected, "hello": hello, "after": after}

    got = run_async(scenario())
    # then the socket was not dropped: the event arrived after the bad message
    assert got["connected"] and got["hello"]["type"] == "hello"
    assert got["after"] == {"type": "notify", "payload": {"event": "rollout.paused"}}

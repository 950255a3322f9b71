"""Websocket consumers of the foundation: per-tenant notifications (pauses, halts, grants)."""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

import redis.asyncio as aioredis
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from console.access import (
    SESSION_GRANT_KEY,
    SESSION_TENANT_KEY,
    NoTenantSelected,
    TenantContext,
    resolve_context,
)
from console.json_bounds import JsonLimits, json_loads_bounded
from console.metrics import WEBSOCKET_CLIENTS
from console.models import ApiClient
from console.realtime import tenant_group

logger = logging.getLogger(__name__)

# Clients send at most small control messages ({"type": "resync"}).
WS_MESSAGE_LIMITS = JsonLimits(max_depth=8, max_elements=1_000, max_bytes=64 * 1024)


def ws_context_resolve(scope: dict[str, Any]) -> TenantContext | None:
    """The tenant context of a websocket, re-resolved on demand (grants can end mid-connection)."""

    session = scope.get("session")
    api_client = scope.get("api_client")
    if api_client is not None:
        # Re-read the client: a token revoked (or expired) after connecting loses its socket too.
        api_client = ApiClient.objects.select_related("tenant").filter(pk=api_client.pk).first()
        if api_client is None or not api_client.is_active():
            return None
    try:
        return resolve_context(
            user=scope.get("user"),
            api_client=api_client,
            session=dict(session.items()) if session is not None else None,
            request=None,
        )
    except NoTenantSelected:
        return None


ws_context = database_sync_to_async(ws_context_resolve)


def _principal(scope: dict[str, Any]) -> tuple[Any, ...]:
    """Everything of a socket's scope that ``resolve_context`` depends on, besides the database."""
    session = scope.get("session")
    data = dict(session.items()) if session is not None else {}
    user, api_client = scope.get("user"), scope.get("api_client")
    return (
        getattr(user, "pk", None),
        bool(getattr(user, "is_vendor_staff", False)),
        getattr(api_client, "pk", None),
        data.get(SESSION_TENANT_KEY),
        data.get(SESSION_GRANT_KEY),
    )


def ws_contexts_resolve(scopes: list[dict[str, Any]]) -> list[TenantContext | None]:
    """The contexts of several sockets at one moment; sockets of the same principal are resolved once."""
    resolved: dict[tuple[Any, ...], TenantContext | None] = {}
    contexts = []
    for scope in scopes:
        key = _principal(scope)
        if key not in resolved:
            resolved[key] = ws_context_resolve(scope)
        contexts.append(resolved[key])
    return contexts


class _Checks:
    def __init__(self) -> None:
        self.waiting: list[tuple[dict[str, Any], asyncio.Future[TenantContext | None]]] = []
        self.drain: asyncio.Task[None] | None = None


_checks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Checks] = weakref.WeakKeyDictionary()


async def ws_context_batched(scope: dict[str, Any]) -> TenantContext | None:
    """``ws_context`` for a message fanned out to many sockets of this process.

    A group message reaches every subscribed socket at once; re-checking each one's access in its
    own trip to the database thread (a new connection each with ``CONN_MAX_AGE=0``) made a tick
    take seconds at 1,000 sockets. The checks that arrive while one batch is in the database
    thread wait for the next batch, so every message is still checked when it is delivered.
    """
    loop = asyncio.get_running_loop()
    checks = _checks.setdefault(loop, _Checks())
    future: asyncio.Future[TenantContext | None] = loop.create_future()
    checks.waiting.append((scope, future))
    if checks.drain is None or checks.drain.done():
        checks.drain = loop.create_task(_drain(checks))
    return await future


async def _drain(checks: _Checks) -> None:
    while checks.waiting:
        batch, checks.waiting = checks.waiting, []
        try:
            contexts = await database_sync_to_async(ws_contexts_resolve)([scope for scope, _ in batch])
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            continue
        for (_, future), ctx in zip(batch, contexts, strict=True):
            if not future.done():
                future.set_result(ctx)


# --- liveness of the channel layer ---------------------------------------------------------------
# A socket is only live while the channel layer's Redis answers. channels-redis' Pub/Sub receiver
# retries a lost connection quietly (it never fails the consumer), so a page would keep saying
# "live" through an outage and silently miss every update sent meanwhile. Each web process pings
# that Redis every LIVENESS_SECONDS while it has open sockets; when a ping fails it closes them
# all (the page shows "disconnected" and reconnects, getting a fresh snapshot once Redis is back).
LIVENESS_SECONDS = 2.0
LIVENESS_TIMEOUT_SECONDS = 2.0
CLOSE_LAYER_DOWN = 1011  # "internal error": the page reconnects with back-off

_sockets: weakref.WeakSet[BoundedJsonConsumer] = weakref.WeakSet()
_watchers: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}
_pings: dict[asyncio.AbstractEventLoop, aioredis.Redis] = {}


def _layer_address() -> str:
    from django.conf import settings

    layer: dict[str, Any] = settings.CHANNEL_LAYERS["default"]
    host = layer.get("CONFIG", {}).get("hosts", [None])[0]
    if isinstance(host, dict):
        return str(host["address"])
    return str(host or settings.REDIS_URL)


async def layer_alive() -> bool:
    """Whether the channel layer's Redis answers a PING within ``LIVENESS_TIMEOUT_SECONDS``."""
    from django.conf import settings

    layer: dict[str, Any] = settings.CHANNEL_LAYERS["default"]
    if "redis" not in str(layer["BACKEND"]).lower():
        return True  # an in-memory layer (never used in production) has nothing to lose
    loop = asyncio.get_running_loop()
    client = _pings.get(loop)
    if client is None:
        client = _pings[loop] = aioredis.from_url(
            _layer_address(), socket_connect_timeout=LIVENESS_TIMEOUT_SECONDS, max_connections=2
        )
    try:
        return bool(await asyncio.wait_for(client.ping(), LIVENESS_TIMEOUT_SECONDS))
    except Exception:
        return False


async def _watch_loop() -> None:
    loop = asyncio.get_running_loop()
    try:
        while True:
            await asyncio.sleep(LIVENESS_SECONDS)
            open_here = [socket for socket in list(_sockets) if socket._counted and socket._loop is loop]
            if not open_here:
                return
            if await layer_alive():
                continue
            logger.warning("channel layer unreachable: closing %d websockets", len(open_here))
            for socket in open_here:
                try:
                    await socket.close(code=CLOSE_LAYER_DOWN)
                except Exception:
                    logger.debug("closing a websocket failed", exc_info=True)
    finally:
        _watchers.pop(loop, None)


def _watch(socket: BoundedJsonConsumer) -> None:
    """Registers an accepted socket and starts this event loop's watcher if none runs."""
    loop = asyncio.get_running_loop()
    socket._loop = loop
    _sockets.add(socket)
    task = _watchers.get(loop)
    if task is None or task.done():
        _watchers[loop] = loop.create_task(_watch_loop())


class BoundedJsonConsumer(AsyncJsonWebsocketConsumer):
    """A JSON websocket consumer whose incoming messages are decoded within ``WS_MESSAGE_LIMITS``.

    A message past a limit, or not JSON, reaches ``receive_json`` as ``None`` (ignored) instead of
    raising in the decoder (a deeply nested one was a RecursionError that dropped the socket).

    Accepted sockets are counted in ``console_websocket_clients{socket=...}`` until they close."""

    socket_name = "other"
    _counted = False
    _loop: asyncio.AbstractEventLoop | None = None

    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:
        if not await layer_alive():
            # Accepting would show a live page that can receive nothing: refuse, the page retries.
            await self.close(code=CLOSE_LAYER_DOWN)
            return
        await super().accept(subprotocol, headers)
        if not self._counted:
            self._counted = True
            WEBSOCKET_CLIENTS.labels(self.socket_name).inc()
            _watch(self)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        if self._counted:
            self._counted = False
            WEBSOCKET_CLIENTS.labels(self.socket_name).dec()
        await super().websocket_disconnect(message)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            return json_loads_bounded(text_data, WS_MESSAGE_LIMITS)
        except ValueError:
            return None


class TenantEventsConsumer(BoundedJsonConsumer):
    """``/ws/v1/events/``: the tenant's notifications, re-checking access on every message."""

    topic = "events"
    socket_name = "events"

    async def connect(self) -> None:
        ctx = await ws_context(self.scope)
        if ctx is None:
            await self.close(code=4403)
            return
        self.tenant_id = ctx.tenant.pk
        self.group = tenant_group(self.tenant_id, self.topic)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "tenant": ctx.tenant.slug})

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def notify(self, event: dict[str, Any]) -> None:
        """Group message ``{"type": "notify", "payload": {...}}``: forwarded if access still holds."""
        ctx = await ws_context(self.scope)
        if ctx is None or ctx.tenant.pk != self.tenant_id:
            await self.close(code=4403)
            return
        await self.send_json({"type": "notify", "payload": event["payload"]})

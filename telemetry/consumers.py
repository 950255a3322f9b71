"""``/ws/v1/fleet/``: a tenant's live fleet health, one group per tenant (``tenant.<id>.fleet``).

On connect the client gets the latest snapshot (``fleet.snapshot``, with the recent per-minute
series); then at most one ``fleet.update`` per tick, each with the tenant's next sequence number.
A client that sees a gap sends ``{"type": "resync"}`` and gets a fresh ``fleet.snapshot``.
Access is re-resolved on every message (a revoked support grant ends the stream).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from console.access import READ, TenantContext
from console.consumers import BoundedJsonConsumer, ws_context, ws_context_batched
from console.realtime import tenant_group
from telemetry.fleet import EVENT_TYPE, TOPIC, fleet_current

CLOSE_FORBIDDEN = 4403


class FleetConsumer(BoundedJsonConsumer):
    socket_name = "fleet"

    def _holds(self, ctx: TenantContext | None) -> bool:
        return ctx is not None and ctx.tenant.pk == self.tenant_id and ctx.can(READ)

    async def _allowed(self) -> bool:
        return self._holds(await ws_context(self.scope))

    async def connect(self) -> None:
        ctx = await ws_context(self.scope)
        if ctx is None or not ctx.can(READ):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.tenant_id = ctx.tenant.pk
        self.group = tenant_group(self.tenant_id, TOPIC)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._send_snapshot()

    async def disconnect(self, code: int) -> None:
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _send_snapshot(self) -> None:
        message = await database_sync_to_async(fleet_current)(self.tenant_id)
        await self.send_json({"type": "fleet.snapshot", **message})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not await self._allowed():
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if isinstance(content, dict) and content.get("type") == "resync":
            await self._send_snapshot()

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections in the database thread before every handler:
        # one trip to that single thread per socket per tick, which queued 1,000 of them behind
        # each other. ``fleet_update`` reaches the database only through ``ws_context_batched``
        # (``database_sync_to_async`` closes stale connections itself), so it skips that trip.
        if message.get("type") == EVENT_TYPE:
            await self.fleet_update(message)
            return
        await super().dispatch(message)

    async def fleet_update(self, event: dict[str, Any]) -> None:
        """Group message from ``telemetry.fleet.fleet_publish``: forwarded while access still holds."""
        if not self._holds(await ws_context_batched(self.scope)):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.send_json({"type": "fleet.update", **event["payload"]})

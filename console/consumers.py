"""Websocket consumers of the foundation: per-tenant notifications (pauses, halts, grants)."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from console.access import TenantContext, resolve_context
from console.realtime import tenant_group


@database_sync_to_async
def ws_context(scope: dict[str, Any]) -> TenantContext | None:
    """The tenant context of a websocket, re-resolved on demand (grants can end mid-connection)."""
    from console.access import NoTenantSelected
    from console.models import ApiClient

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


class TenantEventsConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/v1/events/``: the tenant's notifications, re-checking access on every message."""

    topic = "events"

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

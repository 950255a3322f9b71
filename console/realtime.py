"""Publishing events to a tenant's websocket subscribers, after the transaction commits.

Groups are per tenant and topic (``tenant.<id>.<topic>``): never one global group filtered
message by message, so one bug cannot leak events across tenants.
"""

from __future__ import annotations

import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def tenant_group(tenant_id: uuid.UUID | str, topic: str) -> str:
    return f"tenant.{tenant_id}.{topic}"


def publish_now(tenant_id: uuid.UUID | str, topic: str, event_type: str, payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(tenant_group(tenant_id, topic), {"type": event_type, "payload": payload})


def publish_on_commit(
    tenant_id: uuid.UUID | str, topic: str, event_type: str, payload: dict[str, Any]
) -> None:
    """Send ``event_type`` with ``payload`` to the tenant's ``topic`` group once the data is committed."""
    transaction.on_commit(lambda: publish_now(tenant_id, topic, event_type, payload))

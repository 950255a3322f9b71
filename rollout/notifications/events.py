from __future__ import annotations

import uuid
from typing import Any

from console.realtime import publish_on_commit
from rollout.notifications.webhooks import webhook_dispatch


def notify(tenant_id: uuid.UUID | str, event: str, payload: dict[str, Any]) -> None:
    """In-app (the tenant's events websocket) and the tenant's webhooks, after commit."""

    publish_on_commit(tenant_id, "events", "notify", {"event": event, **payload})
    webhook_dispatch(tenant_id=tenant_id, event=event, payload=payload)

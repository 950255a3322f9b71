from __future__ import annotations

import uuid
from typing import Any

from console.inbox.services import notification_record
from console.realtime import publish_on_commit
from rollout.notifications.webhooks import webhook_dispatch

# What each event kept in the notification centre is called, and how it reads (the live banner in
# static/rollout/notifications.js uses the same words).
LABELS: dict[str, str] = {
    "rollout.halted": "Rollout halted",
    "gate.failed": "Health gate failed",
    "release.recalled": "Release recalled by the vendor",
    "rollout.rolled_back": "Rollout rolled back",
    "rollout.resumed": "Rollout resumed",
    "rollout.paused": "Paused",
    "sync.failing": "Distribution sync failing",
    "sync.recovered": "Distribution sync recovered",
}
GOOD = frozenset({"rollout.resumed", "sync.recovered"})
WARN = frozenset({"rollout.paused"})


def notification_title(event: str, payload: dict[str, Any]) -> tuple[str, str]:
    """The centre's one-line title and link for a live event."""
    label = LABELS[event]
    rollout = payload.get("rollout") or {}
    pause = payload.get("pause") or {}
    if event.startswith("sync."):
        error = payload.get("last_error") or ""
        return f"{label}: desired revision {payload.get('desired_revision')}" + (
            f" ({error})" if error else ""
        ), ("/rollout/sync/")
    if pause:
        if pause.get("group"):
            scope = f"group {pause['group']}"
        elif pause.get("category"):
            scope = str(pause["category"]).replace("_", " ")
        else:
            scope = "sensor updates" if pause.get("scope") == "sensor" else "everything"
        action = "Pause ended" if event == "rollout.resumed" else "Paused"
        return f"{action}: {scope}" + (
            f" ({pause['reason']})" if pause.get("reason") else ""
        ), "/rollout/pauses/"
    subject = rollout.get("subject") or str(payload.get("category") or "").replace("_", " ")
    version = rollout.get("version") or payload.get("release") or ""
    title = f"{label}: {subject} {version}".strip()
    if payload.get("reason"):
        title += f" ({payload['reason']})"
    link = f"/rollout/rollouts/{rollout['id']}/" if rollout.get("id") else "/rollout/rollouts/"
    return title, link


def notify(tenant_id: uuid.UUID | str, event: str, payload: dict[str, Any]) -> None:
    """In-app (the tenant's events websocket, kept in the notification centre) and the tenant's
    webhooks, after commit."""

    if event in LABELS:
        title, link = notification_title(event, payload)
        severity = "ok" if event in GOOD else "warn" if event in WARN else "danger"
        notification_record(
            tenant_id=tenant_id, event=event, title=title, link=link, severity=severity, payload=payload
        )
    publish_on_commit(tenant_id, "events", "notify", {"event": event, **payload})
    webhook_dispatch(tenant_id=tenant_id, event=event, payload=payload)


def rollout_changed(tenant_id: uuid.UUID | str, rollout: dict[str, Any], change: str) -> None:
    """Open pages re-read a rollout's progress (ring advanced, promoted, completed): no banner, no
    notification kept, no webhook; the state changes with a banner go through ``notify``."""

    publish_on_commit(
        tenant_id, "events", "notify", {"event": "rollout.changed", "change": change, "rollout": rollout}
    )

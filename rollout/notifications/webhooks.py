"""Per-tenant outgoing webhooks: rollout halted, recalled, paused, resumed, gate failed, sync failing and
recovered, rolled back.

Each delivery is POSTed as JSON with ``X-Console-Timestamp`` and ``X-Console-Signature:
sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret>``, retried by Celery
with exponential backoff, and logged (``WebhookDelivery``) so the tenant sees what was sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from typing import Any
from urllib.parse import urlparse

import httpx
from celery import shared_task
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.errors import InvalidInput
from console.models import Tenant
from rollout.models import WebhookDelivery, WebhookEndpoint
from rollout.notifications.audit_events import WEBHOOK_CREATED, WEBHOOK_DELETED

log = logging.getLogger(__name__)


EVENTS = (
    "rollout.halted",
    "release.recalled",
    "rollout.paused",
    "rollout.resumed",
    "gate.failed",
    "sync.failing",
    "sync.recovered",
    "rollout.rolled_back",
)


MAX_ATTEMPTS = 6


BACKOFF_BASE_SECONDS = 2.0


TIMEOUT_SECONDS = 5.0


def webhook_sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def webhook_verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(webhook_sign(secret, timestamp, body), signature)


def webhook_dict(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": str(endpoint.pk),
        "name": endpoint.name,
        "url": endpoint.url,
        "events": list(endpoint.events or []),
        "active": endpoint.active,
    }


def _validate(name: str, url: str, events: list[str]) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Give the webhook a name."]
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        errors["url"] = ["Use an http(s) URL."]
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        errors["events"] = [f"Unknown event(s): {', '.join(unknown)}. Known: {', '.join(EVENTS)}."]
    if errors:
        raise InvalidInput("The webhook is not valid.", errors=errors)


def webhook_create(
    *, tenant: Tenant, actor: Actor, name: str, url: str, events: list[str] | None = None
) -> tuple[WebhookEndpoint, str]:
    """Creates an endpoint; returns it with its signing secret (shown once)."""
    events = list(events or [])
    _validate(name, url, events)
    if WebhookEndpoint.objects.filter(tenant=tenant, name=name.strip()).exists():
        raise InvalidInput("The webhook is not valid.", errors={"name": ["A webhook with this name exists."]})
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            tenant=tenant, name=name.strip(), url=url, secret=secret, events=events
        )
        audit_record(
            tenant=tenant, actor=actor, action=WEBHOOK_CREATED, target=endpoint, after=webhook_dict(endpoint)
        )
    return endpoint, secret


def webhook_delete(*, tenant: Tenant, actor: Actor, endpoint: WebhookEndpoint) -> None:
    with transaction.atomic():
        audit_record(
            tenant=tenant,
            actor=actor,
            action=WEBHOOK_DELETED,
            target=endpoint,
            before=webhook_dict(endpoint),
        )
        endpoint.delete()


def webhook_dispatch(
    *, tenant_id: uuid.UUID | str, event: str, payload: dict[str, Any]
) -> list[WebhookDelivery]:
    """Logs one delivery per matching active endpoint and sends them after commit."""
    deliveries = []
    for endpoint in WebhookEndpoint.objects.filter(tenant_id=tenant_id, active=True):
        if endpoint.events and event not in endpoint.events:
            continue
        body = {"event": event, "tenant": str(tenant_id), "at": timezone.now().isoformat(), "data": payload}
        deliveries.append(
            WebhookDelivery.objects.create(
                tenant_id=tenant_id,
                endpoint=endpoint,
                event=event,
                payload=json.loads(json.dumps(body, cls=DjangoJSONEncoder)),
            )
        )
    tid = str(tenant_id)
    for delivery in deliveries:
        did = str(delivery.pk)
        transaction.on_commit(lambda did=did: webhook_deliver_task.apply_async(args=(tid, did)))  # type: ignore[misc]
    return deliveries


def webhook_delivery_get(tenant_id: object, delivery_id: object) -> WebhookDelivery | None:
    """The tenant's delivery with that id; None for another tenant's, a missing one or a bad id."""
    try:
        tid, did = uuid.UUID(str(tenant_id)), uuid.UUID(str(delivery_id))
    except ValueError:
        return None
    return WebhookDelivery.objects.select_related("endpoint").filter(tenant_id=tid, pk=did).first()


def webhook_attempt(delivery: WebhookDelivery) -> bool:
    """One attempt; True when delivered (2xx). Records the outcome on the delivery log."""
    if delivery.status == "delivered":
        return True
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Console-Event": delivery.event,
        "X-Console-Delivery": str(delivery.pk),
        "X-Console-Timestamp": timestamp,
        "X-Console-Signature": webhook_sign(delivery.endpoint.secret, timestamp, body),
    }
    delivery.attempts += 1
    try:
        response = httpx.post(delivery.endpoint.url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
        delivery.last_status_code = response.status_code
        ok = 200 <= response.status_code < 300
        delivery.last_error = "" if ok else f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        ok = False
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
    if ok:
        delivery.status = "delivered"
        delivery.delivered_at = timezone.now()
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = "failed"
    delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status", "delivered_at"])
    return ok


def backoff_seconds(attempt: int) -> float:
    """2, 4, 8, 16 ... seconds after attempt 1, 2, 3, 4 ..."""
    return float(BACKOFF_BASE_SECONDS * (2 ** max(attempt - 1, 0)))


@shared_task(
    name="rollout.webhooks.webhook_deliver_task", bind=True, ignore_result=True, max_retries=MAX_ATTEMPTS
)
def webhook_deliver_task(self: Any, tenant_id: str, delivery_id: str) -> None:
    delivery = webhook_delivery_get(tenant_id, delivery_id)
    if delivery is None:
        log.warning("webhook_deliver_task refused: no delivery %r in tenant %r", delivery_id, tenant_id)
        return
    if webhook_attempt(delivery):
        return
    if delivery.status == "failed":
        return
    raise self.retry(countdown=backoff_seconds(delivery.attempts))

"""Per-tenant outgoing webhooks: rollout halted, recalled, paused, resumed, gate failed, sync failing and
recovered, rolled back.

Deliveries follow Standard Webhooks (standardwebhooks.com), signed with the maintained
``standardwebhooks`` library: a JSON body ``{"type", "timestamp", "data", ...}`` POSTed with
``webhook-id`` (the delivery id, the same on every retry: receivers deduplicate on it),
``webhook-timestamp`` and ``webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``
keyed with the endpoint's ``whsec_`` secret. Failed attempts are retried by Celery with jittered
exponential back-off over more than 24 hours (``backoff_seconds``), and logged
(``WebhookDelivery``) so the tenant sees what was sent. The URL must not reach internal addresses,
checked at save and before every send (``rollout.notifications.destinations``).
"""

from __future__ import annotations

import base64
import json
import logging
import random
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import httpx
from celery import shared_task
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from console.access import Actor
from console.audit import audit_record
from console.errors import InvalidInput
from console.models import Tenant
from rollout.models import WebhookDelivery, WebhookEndpoint
from rollout.notifications.audit_events import (
    WEBHOOK_CREATED,
    WEBHOOK_DELETED,
    WEBHOOK_REDELIVERED,
    WEBHOOK_SECRET_ROTATED,
    WEBHOOK_TESTED,
)
from rollout.notifications.destinations import destination_refusal

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


# Waits after failed attempt n: 60 s x 3^(n-1), at most 12 h, times a uniform draw in [0.8, 1]
# (jitter, so receivers coming back are not hit by every sender at once). Nine attempts span
# 24.05 h at the least jitter and about 30 h at the most.
MAX_ATTEMPTS = 9
BACKOFF_BASE_SECONDS = 60.0
BACKOFF_FACTOR = 3.0
BACKOFF_CAP_SECONDS = 12 * 3600.0
JITTER_LOW = 0.8
TIMEOUT_SECONDS = 5.0
SECRET_PREFIX = "whsec_"  # noqa: S105 (the scheme's prefix, not a secret)
TEST_EVENT = "webhook.test"
# How long a rotated-out secret keeps signing (a second signature) unless the caller says otherwise.
ROTATION_GRACE_DEFAULT = timedelta(hours=24)
ROTATION_GRACE_MAX = timedelta(days=7)


def webhook_secret_new() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def webhook_signer(secret: str) -> Webhook:
    """The library's signer for an endpoint's secret. Secrets made before Standard Webhooks (not
    ``whsec_``) key the HMAC with their UTF-8 bytes: receivers verify with ``whsec_`` + base64 of it."""
    if secret.startswith(SECRET_PREFIX):
        return Webhook(secret)
    return Webhook(secret.encode("utf-8"))


def webhook_signature(endpoint: WebhookEndpoint, msg_id: str, at: datetime, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<sig>`` with the current secret and, during a rotation's
    grace period, a second ``v1,<sig>`` with the previous one (space-separated, as the scheme allows:
    a receiver holding either secret verifies)."""
    signatures = [webhook_signer(endpoint.secret).sign(msg_id, at, body)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > timezone.now():
        signatures.append(webhook_signer(endpoint.previous_secret).sign(msg_id, at, body))
    return " ".join(signatures)


def webhook_dict(endpoint: WebhookEndpoint) -> dict[str, Any]:
    expires = endpoint.previous_secret_expires_at
    rotating = bool(endpoint.previous_secret) and expires is not None and expires > timezone.now()
    return {
        "id": str(endpoint.pk),
        "name": endpoint.name,
        "url": endpoint.url,
        "events": list(endpoint.events or []),
        "active": endpoint.active,
        "previous_secret_expires_at": expires.isoformat() if rotating and expires else None,
    }


def _validate(name: str, url: str, events: list[str]) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Give the webhook a name."]
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        errors["url"] = ["Use an http(s) URL."]
    elif refusal := destination_refusal(url):
        errors["url"] = [f"Webhooks cannot be sent to internal addresses: {refusal}"]
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
    secret = webhook_secret_new()
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


def _delivery_log(endpoint: WebhookEndpoint, event: str, payload: dict[str, Any]) -> WebhookDelivery:
    at = timezone.now().isoformat()
    # type / timestamp / data: the Standard Webhooks payload; event / at kept for receivers of old.
    body = {
        "type": event,
        "timestamp": at,
        "event": event,
        "tenant": str(endpoint.tenant_id),
        "at": at,
        "data": payload,
    }
    return WebhookDelivery.objects.create(
        tenant_id=endpoint.tenant_id,
        endpoint=endpoint,
        event=event,
        payload=json.loads(json.dumps(body, cls=DjangoJSONEncoder)),
    )


def _send_on_commit(delivery: WebhookDelivery) -> None:
    tid, did = str(delivery.tenant_id), str(delivery.pk)
    transaction.on_commit(lambda: webhook_deliver_task.apply_async(args=(tid, did)))


def webhook_dispatch(
    *, tenant_id: uuid.UUID | str, event: str, payload: dict[str, Any]
) -> list[WebhookDelivery]:
    """Logs one delivery per matching active endpoint and sends them after commit."""
    deliveries = []
    for endpoint in WebhookEndpoint.objects.filter(tenant_id=tenant_id, active=True):
        if endpoint.events and event not in endpoint.events:
            continue
        deliveries.append(_delivery_log(endpoint, event, payload))
    for delivery in deliveries:
        _send_on_commit(delivery)
    return deliveries


def webhook_test_send(*, tenant: Tenant, actor: Actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Sends a ``webhook.test`` event to one endpoint (whatever events it subscribes to), logged and
    retried like any other, so a receiver can be checked end to end."""
    with transaction.atomic():
        delivery = _delivery_log(endpoint, TEST_EVENT, {"webhook": endpoint.name, "test": True})
        audit_record(
            tenant=tenant,
            actor=actor,
            action=WEBHOOK_TESTED,
            target=endpoint,
            after={"delivery": str(delivery.pk), "event": TEST_EVENT},
        )
        _send_on_commit(delivery)
    return delivery


def webhook_redeliver(*, tenant: Tenant, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Sends a logged delivery again as a new log row with the same body and the original's
    ``webhook-id`` (a receiver that already processed it recognises it), attempts counted afresh."""
    original_id = delivery.redelivery_of_id or delivery.pk
    with transaction.atomic():
        again = WebhookDelivery.objects.create(
            tenant_id=delivery.tenant_id,
            endpoint_id=delivery.endpoint_id,
            event=delivery.event,
            payload=delivery.payload,
            redelivery_of_id=original_id,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action=WEBHOOK_REDELIVERED,
            target=delivery.endpoint,
            after={"delivery": str(again.pk), "redelivery_of": str(original_id), "event": delivery.event},
        )
        _send_on_commit(again)
    return again


def webhook_secret_rotate(
    *, tenant: Tenant, actor: Actor, endpoint: WebhookEndpoint, grace: timedelta = ROTATION_GRACE_DEFAULT
) -> str:
    """Gives the endpoint a new ``whsec_`` secret and returns it (shown once). The old secret keeps
    signing alongside it for ``grace`` (0 to 7 days) so receivers can switch without a gap."""
    if not timedelta(0) <= grace <= ROTATION_GRACE_MAX:
        raise InvalidInput("The rotation is not valid.", errors={"grace_hours": ["Give 0 to 168 hours."]})
    secret = webhook_secret_new()
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk, tenant=tenant)
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = timezone.now() + grace
        locked.secret = secret
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action=WEBHOOK_SECRET_ROTATED,
            target=locked,
            after={"previous_secret_expires_at": locked.previous_secret_expires_at.isoformat()},
        )
    endpoint.refresh_from_db()
    return secret


def webhook_delivery_get(tenant_id: object, delivery_id: object) -> WebhookDelivery | None:
    """The tenant's delivery with that id; None for another tenant's, a missing one or a bad id."""
    try:
        tid, did = uuid.UUID(str(tenant_id)), uuid.UUID(str(delivery_id))
    except ValueError:
        return None
    return WebhookDelivery.objects.select_related("endpoint").filter(tenant_id=tid, pk=did).first()


def webhook_attempt(delivery: WebhookDelivery) -> bool:
    """One attempt; True when delivered (2xx). Records the outcome on the delivery log.

    A URL that now reaches an internal address fails the delivery at once, without a request."""
    if delivery.status == "delivered":
        return True
    delivery.attempts += 1
    refusal = destination_refusal(delivery.endpoint.url)
    if refusal:
        delivery.last_status_code = None
        delivery.last_error = f"Refused: {refusal}"[:500]
        delivery.status = "failed"
        delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status"])
        return False
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    msg_id = str(delivery.redelivery_of_id or delivery.pk)
    now = datetime.now(UTC)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": webhook_signature(delivery.endpoint, msg_id, now, body),
        "X-Console-Event": delivery.event,
    }
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


def backoff_seconds(attempt: int, *, jitter: float | None = None) -> float:
    """The wait after failed attempt ``attempt`` (1-based), before ``WEBHOOK_RETRY_SCALE``;
    ``jitter`` in [0.8, 1] (random when not given)."""
    factor = random.uniform(JITTER_LOW, 1.0) if jitter is None else jitter  # noqa: S311 (not crypto)
    wait = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * BACKOFF_FACTOR ** max(attempt - 1, 0))
    return wait * factor


@shared_task(name="rollout.webhooks.webhook_deliver_task", bind=True, ignore_result=True, max_retries=None)
def webhook_deliver_task(self: Any, tenant_id: str, delivery_id: str, not_before: float = 0.0) -> None:
    """Attempts a delivery when it is due; the attempts are counted on the delivery, not by Celery.

    A wait longer than ``CELERY_MAX_COUNTDOWN_SECONDS`` (the broker's visibility timeout must
    exceed every countdown) is covered in hops: the task comes back, sees it is not due, waits on.
    """
    remaining = not_before - time.time()
    if remaining > 0.5:
        raise self.retry(
            args=(tenant_id, delivery_id, not_before),
            countdown=min(remaining, settings.CELERY_MAX_COUNTDOWN_SECONDS),
        )
    delivery = webhook_delivery_get(tenant_id, delivery_id)
    if delivery is None:
        log.warning("webhook_deliver_task refused: no delivery %r in tenant %r", delivery_id, tenant_id)
        return
    if webhook_attempt(delivery) or delivery.status == "failed":
        return
    wait = backoff_seconds(delivery.attempts) * settings.WEBHOOK_RETRY_SCALE
    raise self.retry(
        args=(tenant_id, delivery_id, time.time() + wait),
        countdown=min(wait, settings.CELERY_MAX_COUNTDOWN_SECONDS),
    )

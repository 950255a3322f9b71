"""Webhook actions: a test event, redelivery (same ``webhook-id``) and secret rotation (the old
secret keeps signing alongside the new one for a grace period), checked with the Standard Webhooks
library's verifier; admin-only, audited, 404 across tenants, in the API and on the webhooks page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from console.access import Actor
from console.models import AuditEvent, Role
from rollout.models import WebhookDelivery, WebhookEndpoint
from rollout.notifications.webhooks import webhook_attempt, webhook_create
from tests.conftest import wait_for
from tests.factories import TenantFactory, member
from tests.rollout.conftest import session
from tests.rollout.notifications.test_webhooks import Receiver, local_receivers_allowed, webhook_worker

SYSTEM = Actor.system("test")
__all__ = ["local_receivers_allowed", "webhook_worker"]  # fixtures used here


def _headers(request: dict[str, Any]) -> dict[str, str]:
    return {k.lower(): v for k, v in request["headers"].items()}


def test_it_sends_a_test_event_that_verifies_with_the_library(webhook_worker: Any) -> None:
    # given acme's webhook subscribed to halts only, a live receiver and acme's admin
    r = Receiver(fail_first=0)
    try:
        tenant = TenantFactory(slug="acme")
        admin = member(tenant, Role.ADMIN)
        endpoint, secret = webhook_create(
            tenant=tenant, actor=SYSTEM, name="pager", url=r.url, events=["rollout.halted"]
        )
        # when the admin sends a test event
        response = session(admin).post(f"/api/v1/webhooks/{endpoint.pk}/test")
        # then it is accepted, delivered signed, logged and audited
        assert response.status_code == 202, response.content
        assert response.json()["event"] == "webhook.test"
        wait_for(
            lambda: WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").exists(),
            timeout=60,
            what="test event delivered",
        )
        assert len(r.requests) == 1
        body = Webhook(secret).verify(r.requests[0]["body"], r.requests[0]["headers"])
        assert body["type"] == "webhook.test" and body["data"]["webhook"] == "pager"
        assert AuditEvent.objects.filter(
            tenant=tenant, action="webhook.test", actor_id=str(admin.pk)
        ).exists()
    finally:
        r.close()


@pytest.mark.django_db
def test_it_redelivers_with_the_original_webhook_id(local_receivers_allowed: None) -> None:
    # given a delivery that reached the receiver once
    r = Receiver(fail_first=0)
    try:
        tenant = TenantFactory(slug="acme")
        admin = member(tenant, Role.ADMIN)
        endpoint, secret = webhook_create(tenant=tenant, actor=SYSTEM, name="pager", url=r.url)
        first = WebhookDelivery.objects.create(
            tenant=tenant, endpoint=endpoint, event="rollout.paused", payload={"type": "rollout.paused"}
        )
        assert webhook_attempt(WebhookDelivery.objects.select_related("endpoint").get(pk=first.pk))
        # when the admin asks for it again
        response = session(admin).post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{first.pk}/redeliver")
        # then a new log row is made, sent with the original webhook-id and the same body, audited
        assert response.status_code == 202, response.content
        again = WebhookDelivery.objects.select_related("endpoint").get(pk=response.json()["id"])
        assert again.pk != first.pk and again.redelivery_of_id == first.pk
        assert response.json()["webhook_id"] == str(first.pk)
        assert webhook_attempt(again)
        assert len(r.requests) == 2
        assert _headers(r.requests[1])["webhook-id"] == str(first.pk)
        assert r.requests[1]["body"] == r.requests[0]["body"]
        assert (
            Webhook(secret).verify(r.requests[1]["body"], r.requests[1]["headers"])["type"]
            == "rollout.paused"
        )
        assert AuditEvent.objects.filter(tenant=tenant, action="webhook.redeliver").exists()
    finally:
        r.close()


@pytest.mark.django_db
def test_it_signs_with_both_secrets_during_a_rotation_and_only_the_new_one_after(
    local_receivers_allowed: None,
) -> None:
    # given a webhook with its first secret, a live receiver and acme's admin
    r = Receiver(fail_first=0)
    try:
        tenant = TenantFactory(slug="acme")
        admin = member(tenant, Role.ADMIN)
        endpoint, old = webhook_create(tenant=tenant, actor=SYSTEM, name="pager", url=r.url)
        # when the admin rotates the secret (grace 2 h) and a delivery is sent
        response = session(admin).post(
            f"/api/v1/webhooks/{endpoint.pk}/rotate-secret",
            {"grace_hours": 2},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        new = response.json()["secret"]
        assert new.startswith("whsec_") and new != old and response.json()["previous_secret_expires_at"]

        def send() -> dict[str, Any]:
            d = WebhookDelivery.objects.create(
                tenant=tenant, endpoint=endpoint, event="rollout.paused", payload={"type": "rollout.paused"}
            )
            assert webhook_attempt(WebhookDelivery.objects.select_related("endpoint").get(pk=d.pk))
            return r.requests[-1]

        during = send()
        # then the header carries two signatures, each verifying with the library
        assert len(_headers(during)["webhook-signature"].split(" ")) == 2
        assert Webhook(new).verify(during["body"], during["headers"])
        assert Webhook(old).verify(during["body"], during["headers"])
        audit = AuditEvent.objects.get(tenant=tenant, action="webhook.rotate_secret")
        assert old not in str(audit.after) and new not in str(audit.after)
        # and once the grace period is over only the new secret signs
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
        )
        after = send()
        assert len(_headers(after)["webhook-signature"].split(" ")) == 1
        assert Webhook(new).verify(after["body"], after["headers"])
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(after["body"], after["headers"])
    finally:
        r.close()


@pytest.mark.django_db
def test_it_keeps_webhook_actions_to_admins_of_the_tenant() -> None:
    # given acme's webhook with a logged delivery, acme's operator and globex's owner
    tenant = TenantFactory(slug="acme")
    operator = member(tenant, Role.OPERATOR)
    outsider = member(TenantFactory(slug="globex"), Role.OWNER)
    endpoint, _ = webhook_create(
        tenant=tenant, actor=SYSTEM, name="pager", url="https://hooks.example.test/x"
    )
    delivery = WebhookDelivery.objects.create(
        tenant=tenant, endpoint=endpoint, event="rollout.paused", payload={"type": "rollout.paused"}
    )
    paths = [
        f"/api/v1/webhooks/{endpoint.pk}/test",
        f"/api/v1/webhooks/{endpoint.pk}/rotate-secret",
        f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver",
    ]
    before = WebhookEndpoint.objects.get(pk=endpoint.pk).secret
    # when the operator and the outsider try each action, in the API and on the page
    # then the operator is refused (403) and the outsider finds nothing (404); nothing changes
    for path in paths:
        assert session(operator).post(path, {}, content_type="application/json").status_code == 403, path
        assert session(outsider).post(path, {}, content_type="application/json").status_code == 404, path
    for form in ({"form": "test", "webhook": endpoint.pk}, {"form": "rotate", "webhook": endpoint.pk}):
        assert session(outsider).post("/rollout/webhooks/", form).status_code == 404
        assert session(operator).post("/rollout/webhooks/", form).status_code == 403
    assert (
        session(outsider)
        .post("/rollout/webhooks/", {"form": "redeliver", "delivery": delivery.pk})
        .status_code
        == 404
    )
    assert (
        session(outsider).post("/rollout/webhooks/", {"form": "test", "webhook": "nope"}).status_code == 404
    )
    bad = session(member(tenant, Role.ADMIN)).post(
        f"/api/v1/webhooks/{endpoint.pk}/rotate-secret",
        {"grace_hours": 9999},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "grace_hours" in bad.json()["errors"]
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == before
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1
    assert (
        not AuditEvent.objects.filter(tenant=tenant, action__startswith="webhook.")
        .exclude(action="webhook.create")
        .exists()
    )


@pytest.mark.django_db
def test_it_offers_test_rotate_and_redeliver_on_the_webhooks_page() -> None:
    # given acme's webhook with a logged delivery and acme's admin
    tenant = TenantFactory(slug="acme")
    admin = member(tenant, Role.ADMIN)
    endpoint, old = webhook_create(
        tenant=tenant, actor=SYSTEM, name="pager", url="https://hooks.example.test/x"
    )
    delivery = WebhookDelivery.objects.create(
        tenant=tenant, endpoint=endpoint, event="rollout.paused", payload={"type": "rollout.paused"}
    )
    client = session(admin)
    page = client.get("/rollout/webhooks/").content.decode()
    assert 'data-testid="webhook-test"' in page and 'data-testid="redeliver"' in page
    # when the admin sends a test event, redelivers, and rotates the secret from the page
    assert client.post("/rollout/webhooks/", {"form": "test", "webhook": endpoint.pk}).status_code == 302
    assert (
        client.post("/rollout/webhooks/", {"form": "redeliver", "delivery": delivery.pk}).status_code == 302
    )
    rotated = client.post("/rollout/webhooks/", {"form": "rotate", "webhook": endpoint.pk})
    # then each is logged and audited, and the new secret is shown once
    assert WebhookDelivery.objects.filter(endpoint=endpoint, event="webhook.test").exists()
    assert WebhookDelivery.objects.filter(redelivery_of=delivery).exists()
    new = WebhookEndpoint.objects.get(pk=endpoint.pk).secret
    assert new != old and new in rotated.content.decode()
    actions = set(AuditEvent.objects.filter(tenant=tenant).values_list("action", flat=True))
    assert {"webhook.test", "webhook.redeliver", "webhook.rotate_secret"} <= actions

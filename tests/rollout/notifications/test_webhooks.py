"""Outgoing webhooks: signed (HMAC-SHA256 over timestamp and body), retried with exponential backoff
by a real Celery worker against a real local HTTP server, logged; admin-managed and audited; the
owner / member / outsider trio; bad input answers 400 problem+json."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from console.access import Actor
from console.models import AuditEvent, Role
from rollout.models import WebhookDelivery
from rollout.notifications.webhooks import backoff_seconds, webhook_create, webhook_verify
from rollout.rings.start import rollouts_start_for_release
from rollout.rings.transitions import rollout_halt
from tests.conftest import wait_for
from tests.factories import TenantFactory, content_release, member, rollout_catalog
from tests.rollout.conftest import session
from tests.rollout.rings.test_transitions import staged_tenant

SYSTEM = Actor.system("test")


class Receiver:
    """A local HTTP server that fails the first ``fail_first`` requests with 500."""

    def __init__(self, fail_first: int) -> None:
        self.fail_first = fail_first
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                code = 500 if len(receiver.requests) <= receiver.fail_first else 204
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=2)
    yield r
    r.close()


def test_it_backs_off_exponentially() -> None:
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]


@pytest.mark.django_db(transaction=True)
def test_it_signs_retries_and_logs_a_halt_notification(celery_worker: Any, receiver: Receiver) -> None:
    # given: a tenant with a webhook whose receiver fails twice, and a rollout under way
    rollout_catalog()
    from rollout.models import ContentCategory

    rapid = ContentCategory.objects.get(key="rapid_response")
    content_release(rapid, "291.3", hours_ago=100)
    release = content_release(rapid, "291.4", stage="canary")
    tenant = staged_tenant("hooked", hosts=10)
    endpoint, secret = webhook_create(
        tenant=tenant, actor=SYSTEM, name="pager", url=receiver.url, events=["rollout.halted"]
    )
    (rollout,) = rollouts_start_for_release(release=release, actor=SYSTEM)
    # when
    rollout_halt(tenant=tenant, actor=SYSTEM, rollout=rollout, reason="smoke seen")
    # then: delivered on the third attempt, each attempt signed
    delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").first(),
        timeout=60,
        what="webhook delivered after retries",
    )
    assert delivery.attempts == 3 and delivery.event == "rollout.halted"
    assert len(receiver.requests) == 3
    for request in receiver.requests:
        headers = request["headers"]
        assert webhook_verify(
            secret, headers["X-Console-Timestamp"], request["body"], headers["X-Console-Signature"]
        )
        assert not webhook_verify(
            "wrong", headers["X-Console-Timestamp"], request["body"], headers["X-Console-Signature"]
        )
    body = json.loads(receiver.requests[-1]["body"])
    assert body["event"] == "rollout.halted" and body["data"]["reason"] == "smoke seen"
    # only the subscribed event was sent (no gate.failed etc.)
    assert set(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("event", flat=True)) == {
        "rollout.halted"
    }


@pytest.mark.django_db
def test_it_lets_admins_manage_webhooks_and_shows_the_delivery_log() -> None:
    tenant = TenantFactory(slug="acme")
    admin, operator = member(tenant, Role.ADMIN), member(tenant, Role.OPERATOR)
    outsider = member(TenantFactory(slug="globex"), Role.OWNER)

    # bad input
    bad = session(admin).post(
        "/api/v1/webhooks/",
        {"name": "", "url": "ftp://x", "events": ["nope"]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/problem+json")
    assert {"name", "url", "events"} <= set(bad.json()["errors"])
    # operator cannot create
    assert (
        session(operator)
        .post("/api/v1/webhooks/", {"name": "a", "url": "http://x.test/"}, content_type="application/json")
        .status_code
        == 403
    )
    # admin creates (secret shown once) and it is audited
    made = session(admin).post(
        "/api/v1/webhooks/",
        {"name": "pager", "url": "https://hooks.example.test/x"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["secret"]
    hook_id = made.json()["id"]
    assert AuditEvent.objects.filter(tenant=tenant, action="webhook.create", actor_id=str(admin.pk)).exists()
    assert "secret" not in session(operator).get(f"/api/v1/webhooks/{hook_id}").json()
    # the outsider sees nothing
    assert session(outsider).get("/api/v1/webhooks/").json()["results"] == []
    assert session(outsider).get(f"/api/v1/webhooks/{hook_id}").status_code == 404
    assert session(outsider).delete(f"/api/v1/webhooks/{hook_id}").status_code == 404
    # the page lists it and its delivery log
    page = session(operator).get("/rollout/webhooks/")
    assert page.status_code == 200 and b"pager" in page.content and b"Delivery log" in page.content
    assert session(admin).delete(f"/api/v1/webhooks/{hook_id}").status_code == 204
    assert AuditEvent.objects.filter(tenant=tenant, action="webhook.delete").exists()


@pytest.mark.django_db
def test_it_logs_a_webhook_delivery_for_a_pause_and_its_resume_but_not_for_a_dry_run() -> None:
    from rollout.controls.pauses import pause_create, pause_resume

    # given an acme webhook subscribed to pauses and resumes, and a globex one subscribed to all
    tenant = TenantFactory(slug="acme")
    other = TenantFactory(slug="globex")
    actor = Actor.for_user(member(tenant, Role.OPERATOR))
    endpoint, _ = webhook_create(
        tenant=tenant,
        actor=actor,
        name="ops",
        url="http://hooks.test/",
        events=["rollout.paused", "rollout.resumed"],
    )
    theirs, _ = webhook_create(
        tenant=other, actor=Actor.for_user(member(other, Role.ADMIN)), name="all", url="http://hooks.test/"
    )
    # when a dry run, then a real pause and its resume happen
    pause_create(tenant=tenant, actor=actor, scope="tenant", reason="quarter close", dry_run=True)
    assert not WebhookDelivery.objects.filter(endpoint=endpoint).exists()
    pause = pause_create(tenant=tenant, actor=actor, scope="tenant", reason="quarter close").obj
    pause_resume(tenant=tenant, actor=actor, pause=pause)
    # then acme's endpoint logged both, with who did it, and globex's endpoint nothing
    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("created_at"))
    assert [d.event for d in deliveries] == ["rollout.paused", "rollout.resumed"]
    assert deliveries[0].payload["data"]["pause"]["reason"] == "quarter close"
    assert deliveries[0].payload["data"]["by"] == actor.label
    assert not WebhookDelivery.objects.filter(endpoint=theirs).exists()

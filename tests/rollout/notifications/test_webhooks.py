"""Outgoing webhooks: Standard Webhooks signatures (checked with the library's verifier), retried
with jittered exponential back-off by a real Celery worker against a real local HTTP server,
logged; internal URLs refused at save and at send; admin-managed and audited; the owner / member /
outsider trio; bad input answers 400 problem+json."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from console.access import Actor
from console.errors import InvalidInput
from console.models import AuditEvent, Role
from rollout.models import WebhookDelivery
from rollout.notifications.webhooks import (
    JITTER_LOW,
    MAX_ATTEMPTS,
    backoff_seconds,
    webhook_attempt,
    webhook_create,
    webhook_dispatch,
)
from rollout.rings.start import rollouts_start_for_release
from rollout.rings.transitions import rollout_halt
from tests.conftest import ManagedProcess, start_celery_worker, wait_for
from tests.factories import TenantFactory, content_release, member, rollout_catalog
from tests.rollout.conftest import session
from tests.rollout.rings.test_transitions import staged_tenant

SYSTEM = Actor.system("test")


class Receiver:
    """A local HTTP server that fails the first ``fail_first`` requests with 500."""

    def __init__(self, fail_first: int, port: int = 0) -> None:
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

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
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


@pytest.fixture
def local_receivers_allowed(settings: Any) -> None:
    """Test receivers listen on 127.0.0.1: allowed here as an on-premises range would be."""
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def webhook_worker(transactional_db: None, local_receivers_allowed: None) -> Iterator[ManagedProcess]:
    """A real worker that may send to 127.0.0.1, with the back-off scaled down 100 times."""
    worker = start_celery_worker(WEBHOOK_ALLOWED_PRIVATE_NETWORKS="127.0.0.0/8", WEBHOOK_RETRY_SCALE="0.01")
    yield worker
    worker.stop()


def test_it_backs_off_exponentially_with_jitter_over_more_than_a_day() -> None:
    # when the waits between the attempts are drawn, at the least and the most jitter
    least = [backoff_seconds(n, jitter=JITTER_LOW) for n in range(1, MAX_ATTEMPTS)]
    most = [backoff_seconds(n, jitter=1.0) for n in range(1, MAX_ATTEMPTS)]
    drawn = [backoff_seconds(3) for _ in range(50)]
    # then they grow exponentially up to the cap, span more than 24 h, and are jittered
    assert most[:4] == [60.0, 180.0, 540.0, 1620.0]
    assert max(most) == 12 * 3600
    assert sum(least) >= 24 * 3600
    assert all(540 * JITTER_LOW <= d <= 540 for d in drawn) and len(set(drawn)) > 1


@pytest.mark.django_db(transaction=True)
def test_it_signs_retries_and_logs_a_halt_notification(webhook_worker: Any, receiver: Receiver) -> None:
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
    # then: delivered on the third attempt, each attempt signed (Standard Webhooks, same id)
    delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").first(),
        timeout=60,
        what="webhook delivered after retries",
    )
    assert delivery.attempts == 3 and delivery.event == "rollout.halted"
    assert len(receiver.requests) == 3
    assert secret.startswith("whsec_")
    for request in receiver.requests:
        headers = request["headers"]
        assert Webhook(secret).verify(request["body"], headers)["type"] == "rollout.halted"
        assert {k.lower(): v for k, v in headers.items()}["webhook-id"] == str(delivery.pk)
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "d3Jvbmcgc2VjcmV0IG9mIDMyIGJ5dGVzIGxvbmcgISE=").verify(
                request["body"], headers
            )
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(request["body"].replace(b"smoke", b"fire!"), headers)
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


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8000/hook",
        "http://127.0.0.1/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.10/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/",
        "http://0.0.0.0/",
    ],
)
def test_it_refuses_an_internal_url_at_save(url: str) -> None:
    # given acme's admin
    tenant = TenantFactory(slug="acme")
    admin = member(tenant, Role.ADMIN)
    # when they save a webhook to an internal address
    response = session(admin).post(
        "/api/v1/webhooks/", {"name": "x", "url": url}, content_type="application/json"
    )
    # then it is a 400 naming the URL, and nothing is saved or audited
    assert response.status_code == 400, response.content
    assert "internal" in response.json()["errors"]["url"][0]
    assert not AuditEvent.objects.filter(tenant=tenant, action="webhook.create").exists()


@pytest.mark.django_db
def test_it_allows_a_configured_private_range_but_never_the_metadata_address(settings: Any) -> None:
    # given an on-premises range allowed (and, carelessly, all of link-local)
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["10.20.0.0/16", "169.254.0.0/16"]
    tenant = TenantFactory(slug="acme")
    # when webhooks to that range, to another private range and to the metadata address are saved
    inside, _ = webhook_create(tenant=tenant, actor=SYSTEM, name="onprem", url="https://10.20.3.4/hook")
    # then the range is accepted, the others refused
    assert inside.url == "https://10.20.3.4/hook"
    for url in ("https://10.30.0.1/hook", "http://169.254.169.254/"):
        with pytest.raises(InvalidInput):
            webhook_create(tenant=tenant, actor=SYSTEM, name="other", url=url)


@pytest.mark.django_db
def test_it_refuses_to_send_to_an_address_that_became_internal(
    local_receivers_allowed: None, settings: Any
) -> None:
    # given a webhook saved while 127.0.0.1 was allowed, with a live receiver, and a logged event
    r = Receiver(fail_first=0)
    try:
        tenant = TenantFactory(slug="acme")
        endpoint, _ = webhook_create(tenant=tenant, actor=SYSTEM, name="lab", url=r.url)
        delivery = WebhookDelivery.objects.create(
            tenant=tenant, endpoint=endpoint, event="rollout.paused", payload={"type": "rollout.paused"}
        )
        # when the range is no longer allowed and the delivery is attempted
        settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
        ok = webhook_attempt(WebhookDelivery.objects.select_related("endpoint").get(pk=delivery.pk))
        # then nothing is sent and the delivery fails, saying why
        assert not ok
        assert r.requests == []
        logged = WebhookDelivery.objects.get(pk=delivery.pk)
        assert logged.status == "failed" and "127.0.0.1 is a loopback address" in logged.last_error
        assert endpoint.pk == logged.endpoint_id
    finally:
        r.close()


def test_it_delivers_later_to_a_receiver_that_was_down(webhook_worker: Any) -> None:
    # given a webhook to a port where nothing listens yet
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tenant = TenantFactory(slug="acme")
    endpoint, secret = webhook_create(
        tenant=tenant, actor=SYSTEM, name="later", url=f"http://127.0.0.1:{port}/hook"
    )
    # when an event is sent and its first attempt fails
    webhook_dispatch(tenant_id=tenant.pk, event="release.recalled", payload={"release": "291.4"})
    wait_for(
        lambda: WebhookDelivery.objects.filter(endpoint=endpoint, attempts__gte=1).exists(),
        what="first attempt",
    )
    assert not WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").exists()
    # and the receiver comes up afterwards
    r = Receiver(fail_first=0, port=port)
    try:
        # then a later attempt delivers it, signed
        delivery = wait_for(
            lambda: WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").first(),
            timeout=60,
            what="delivery after the receiver came back",
        )
        assert delivery.attempts >= 2
        assert len(r.requests) == 1
        body = Webhook(secret).verify(r.requests[0]["body"], r.requests[0]["headers"])
        assert body["type"] == "release.recalled" and body["data"] == {"release": "291.4"}
    finally:
        r.close()

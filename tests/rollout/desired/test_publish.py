"""Distribution under faults, with real processes: a Celery worker SIGKILLed mid-publish, Redis
restarted while a change waits, the HTTP backend answering 500s. In every case the backend ends up
with exactly the database's desired state (same revision, same digest) and nothing is lost.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import transaction
from django.test import Client

from console.access import Actor
from console.models import AuditEvent, Role
from rollout.desired.outbox import outbox_enqueue
from rollout.desired.tasks import outbox_sweep
from rollout.groups.services import host_group_members_change
from rollout.models import TenantRevision, WebhookDelivery
from rollout.notifications.webhooks import webhook_create
from rollout.policies.services import sensor_policy_create
from telemetry.models import Host
from tests.conftest import (
    ManagedProcess,
    backend_converged,
    free_port,
    http_backend,
    http_backend_env,
    receiver_fault,
    receiver_stats,
    start_celery_worker,
    wait_for,
    worker_kill_hard,
)
from tests.factories import (
    TenantFactory,
    host_group,
    member,
    tenant_with_windows_hosts,
)
from tests.rollout.notifications.test_webhooks import Receiver

SYSTEM = Actor.system("test")
pytestmark = pytest.mark.django_db(transaction=True)


def test_it_converges_after_the_worker_is_killed_mid_publish(fault_receiver: Any) -> None:
    # given a worker publishing 12,000 hosts (3 batches) to the HTTP backend, stuck in batch 2
    tenant = tenant_with_windows_hosts(12_000)
    env = http_backend_env(fault_receiver, DISTRIBUTION_HTTP_TIMEOUT="120")
    worker = start_celery_worker("sync-kill", **env)
    try:
        receiver_fault(fault_receiver, mode="delay", seconds=20, count=1, path="/batches/1")
        with transaction.atomic():
            outbox_enqueue(tenant_id=tenant.pk, reason="test.kill")
        wait_for(
            lambda: receiver_stats(fault_receiver).get("fault_delay", 0) >= 1,
            timeout=60,
            what="publish under way",
        )
        # when the worker is SIGKILLed mid-publish
        worker_kill_hard(worker)
        assert receiver_stats(fault_receiver).get("commits", 0) == 0
        tr = TenantRevision.objects.get(tenant=tenant)
        assert tr.revision == 1 and tr.published_revision is None
        # then a restarted worker's sweep finds the unpublished revision and publishes it
        worker.restart()
        from rollout.desired.tasks import outbox_sweep

        backend = http_backend(fault_receiver)

        def swept() -> bool:
            outbox_sweep.apply_async()
            return backend_converged(backend, tenant)

        wait_for(swept, timeout=120, interval=2.0, what="backend converged after the restart")
    finally:
        worker.stop()
    # and revision 1 was committed once, with one content (a second, different one is refused)
    tr = TenantRevision.objects.get(tenant=tenant)
    assert tr.revision == 1 and "conflict" not in tr.last_error.lower()
    assert receiver_stats(fault_receiver)["commits"] == 1
    assert backend.snapshot(str(tenant.pk)).host_count == 12_000


def test_it_converges_after_redis_restarts_while_a_change_waits(settings: Any) -> None:
    # given our own Redis (broker and embedded edge) and a worker on it
    port = free_port()
    redis_server = ManagedProcess(
        [
            str(Path(sys.executable).parent / "redis-server"),
            *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
        ],
        dict(os.environ),
        "redis-sync",
    )
    private = f"redis://127.0.0.1:{port}/2"  # the worker adds the test offset (2) to /0
    settings.REDIS_URL = private
    from console.celery import app
    from console.redis import redis_client
    from rollout.desired.tasks import distribution_reconcile_tenant, outbox_process_tenant
    from rollout.distribution.edge import EmbeddedEdgeBackend

    def pings() -> bool:
        try:
            return bool(redis_client(private).ping())
        except Exception:
            return False

    wait_for(pings, what="private redis")
    worker = start_celery_worker("sync-redis", REDIS_URL=f"redis://127.0.0.1:{port}/0")

    def send(task: Any, *args: Any) -> None:
        with app.connection_for_write(private) as connection:
            task.apply_async(args=args, connection=connection)

    try:
        tenant = tenant_with_windows_hosts(300)
        edge = EmbeddedEdgeBackend(redis_client(private))
        with transaction.atomic():
            outbox_enqueue(tenant_id=tenant.pk, reason="test.first")
        send(outbox_process_tenant, str(tenant.pk))
        wait_for(lambda: backend_converged(edge, tenant), timeout=60, what="first publish")
        # when Redis dies, a change is made, and Redis comes back empty (no persistence)
        redis_server.kill()
        group = host_group(tenant, "pinned")
        host_group_members_change(
            tenant=tenant,
            actor=SYSTEM,
            group=group,
            add=[str(h) for h in Host.objects.filter(tenant=tenant).values_list("pk", flat=True)[:50]],
        )
        sensor_policy_create(
            tenant=tenant,
            actor=SYSTEM,
            name="pin",
            platform="windows",
            target="pinned:7.09.100",
            group_ids=[group.pk],
        )
        redis_server.restart()
        wait_for(pings, what="redis back")

        # then the pending change is processed and reconciliation republishes what Redis lost
        def repaired() -> bool:
            try:
                send(outbox_process_tenant, str(tenant.pk))
                send(distribution_reconcile_tenant, str(tenant.pk))
            except Exception:
                return False
            return backend_converged(edge, tenant) and bool(
                TenantRevision.objects.get(tenant=tenant).last_repair
            )

        wait_for(repaired, timeout=120, interval=2.0, what="converged after the Redis restart")
        assert edge.snapshot(str(tenant.pk)).host_count == 300
    finally:
        worker.stop()
        redis_server.stop()
    tr = TenantRevision.objects.get(tenant=tenant)
    assert "assignments drifted" in tr.last_repair
    assert AuditEvent.objects.filter(tenant=tenant, action="distribution.repair").exists()


def test_it_shows_backend_errors_in_the_sync_status_then_converges(fault_receiver: Any) -> None:
    # given a backend answering 500 to the next six batch uploads
    tenant = tenant_with_windows_hosts(50)
    owner = Client()
    owner.force_login(member(tenant, Role.OWNER))
    env = http_backend_env(
        fault_receiver,
        DISTRIBUTION_HTTP_MAX_ATTEMPTS="2",
        DISTRIBUTION_BREAKER_THRESHOLD="3",
        DISTRIBUTION_BREAKER_RESET_SECONDS="2",
    )
    receiver_fault(fault_receiver, mode="fail", status=500, count=6, path="/batches/")
    worker = start_celery_worker("sync-500", **env)
    try:
        # when a change is made
        with transaction.atomic():
            outbox_enqueue(tenant_id=tenant.pk, reason="test.500")
        # then the status shows the failure while it lasts
        wait_for(
            lambda: TenantRevision.objects.filter(tenant=tenant).exclude(last_error="").exists(),
            timeout=60,
            what="the failure recorded",
        )
        failing = owner.get("/api/v1/sync/").json()
        assert failing["last_error"] and not failing["in_sync"] and failing["lag_revisions"] == 1
        # and once the backend recovers, the retries converge and clear the error
        backend = http_backend(fault_receiver)
        wait_for(lambda: backend_converged(backend, tenant), timeout=120, what="converged after the 500s")
    finally:
        worker.stop()
    healthy = owner.get("/api/v1/sync/").json()
    assert healthy["in_sync"] and healthy["last_error"] == "" and healthy["acknowledged_revision"] == 1
    assert receiver_stats(fault_receiver).get("fault_fail", 0) == 6


# --- sync.failing once per outage, sync.recovered after it ---------------------------------------


class _Listener:
    """A subscriber to the tenant's in-app events group (what ``/ws/v1/events/`` sockets listen to)
    for the whole test, on an event loop of its own: the Pub/Sub channel layer delivers a group
    message to the subscribers listening at that moment, as a socket does, and keeps nothing."""

    def __init__(self, tenant: Any) -> None:
        self.events: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        joined = threading.Event()
        self.task = asyncio.run_coroutine_threadsafe(self._listen(tenant, joined), self.loop)
        assert joined.wait(30), "the listener did not join the group"

    async def _listen(self, tenant: Any, joined: threading.Event) -> None:
        from channels.layers import get_channel_layer

        from console.realtime import tenant_group

        layer = get_channel_layer()
        assert layer is not None
        channel = await layer.new_channel()
        await layer.group_add(tenant_group(tenant.pk, "events"), channel)
        joined.set()
        while True:
            message = await layer.receive(channel)
            if message.get("type") == "notify":
                self.events.append(message["payload"]["event"])

    def notified(self, count: int) -> list[str]:
        """The notification events received, once there are ``count`` of them."""
        wait_for(lambda: len(self.events) >= count, timeout=30, what=f"{count} notifications")
        return list(self.events)

    def close(self) -> None:
        self.task.cancel()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def test_it_says_sync_is_failing_once_per_outage_and_when_it_recovers(
    fault_receiver: Any, settings: Any
) -> None:
    # given a tenant with a webhook for sync events, listening in the app too, and a backend that
    # answers 500 to every batch upload
    tenant = tenant_with_windows_hosts(20)
    other = TenantFactory()
    owner, outsider = Client(), Client()
    owner.force_login(member(tenant, Role.OWNER))
    outsider.force_login(member(other, Role.OWNER))
    hook = Receiver(fail_first=0)
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.0/8"]  # the receiver is local
    endpoint, _ = webhook_create(
        tenant=tenant, actor=SYSTEM, name="ops", url=hook.url, events=["sync.failing", "sync.recovered"]
    )
    listener = _Listener(tenant)
    receiver_fault(fault_receiver, mode="fail", status=500, count=10_000, path="/batches/")
    env = http_backend_env(
        fault_receiver,
        DISTRIBUTION_HTTP_MAX_ATTEMPTS="1",
        SYNC_FAILING_AFTER_ATTEMPTS="3",
        SYNC_FAILING_AFTER_SECONDS="3600",
    )
    worker = start_celery_worker("sync-failing", **env)
    backend = http_backend(fault_receiver)
    try:
        # when a change cannot be published, attempt after attempt (the beat sweep re-queues it)
        with transaction.atomic():
            outbox_enqueue(tenant_id=tenant.pk, reason="test.failing")

        def failed_often() -> bool:
            outbox_sweep.apply_async()
            return TenantRevision.objects.filter(tenant=tenant, publish_failures__gte=6).exists()

        wait_for(failed_often, timeout=120, interval=1.0, what="six failed publish attempts")
        # then the tenant was told once, not once per attempt, and the status says failing
        assert list(WebhookDelivery.objects.filter(tenant=tenant).values_list("event", flat=True)) == [
            "sync.failing"
        ]
        failing = owner.get("/api/v1/sync/").json()
        assert failing["failing"] and not failing["in_sync"] and failing["failed_attempts"] >= 6, failing
        assert failing["last_error"].startswith("BackendUnavailable")
        assert not outsider.get("/api/v1/sync/").json()["failing"]
        assert "failing" in owner.get("/rollout/sync/").content.decode()
        # when the backend recovers
        httpx.delete(f"{fault_receiver.url}/_control/faults").raise_for_status()

        def recovered() -> bool:
            outbox_sweep.apply_async()
            return backend_converged(backend, tenant)

        wait_for(recovered, timeout=120, interval=1.0, what="converged after the outage")
        wait_for(
            lambda: WebhookDelivery.objects.filter(tenant=tenant, status="delivered").count() == 2,
            timeout=60,
            what="both webhooks delivered",
        )
    finally:
        worker.stop()
        hook.close()
    # then the status is green again and the tenant heard "failing" then "recovered", once each
    healthy = owner.get("/api/v1/sync/").json()
    assert healthy["in_sync"] and not healthy["failing"] and healthy["last_error"] == "", healthy
    assert healthy["failed_attempts"] == 0
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("created_at")
    assert [d.event for d in deliveries] == ["sync.failing", "sync.recovered"]
    bodies = [json.loads(r["body"]) for r in hook.requests]
    assert [b["event"] for b in bodies] == ["sync.failing", "sync.recovered"]
    assert bodies[0]["data"]["failed_attempts"] == 3 and bodies[0]["data"]["desired_revision"] == 1
    assert listener.notified(2) == ["sync.failing", "sync.recovered"]
    listener.close()
    assert not WebhookDelivery.objects.filter(tenant=other).exists()


# --- a hanging backend does not hold up recomputes -----------------------------------------------


def test_it_commits_new_revisions_while_the_backend_hangs_and_publishes_the_newest(
    fault_receiver: Any,
) -> None:
    # given two workers, one of them stuck publishing revision 1 (two batches) to a backend that
    # hangs on the first batch
    tenant = tenant_with_windows_hosts(6_000)
    windows = host_group(tenant, "windows", rule_text="platform:windows")
    env = http_backend_env(fault_receiver, DISTRIBUTION_HTTP_TIMEOUT="300")
    receiver_fault(fault_receiver, mode="delay", seconds=45, count=1, path="/batches/0")
    stuck = start_celery_worker("sync-hang-1", **env)
    free = start_celery_worker("sync-hang-2", **env)
    backend = http_backend(fault_receiver)
    try:
        with transaction.atomic():
            outbox_enqueue(tenant_id=tenant.pk, reason="test.hang")
        wait_for(
            lambda: receiver_stats(fault_receiver).get("fault_delay", 0) >= 1,
            timeout=60,
            what="publish hanging",
        )
        assert TenantRevision.objects.get(tenant=tenant).revision == 1
        # when a policy of that tenant changes meanwhile
        sensor_policy_create(
            tenant=tenant,
            actor=SYSTEM,
            name="pin",
            platform="windows",
            target="pinned:7.09.100",
            group_ids=[windows.pk],
        )
        # then the new revision is committed without waiting for the hanging publish (which
        # holds no lock), and it is what the backend ends up with
        wait_for(
            lambda: TenantRevision.objects.get(tenant=tenant).revision == 2,
            timeout=20,
            what="revision 2 committed while the backend hangs",
        )
        wait_for(lambda: backend_converged(backend, tenant), timeout=60, what="revision 2 published")
        # and when the hanging call finally returns, the rest of revision 1 is not sent: it was
        # superseded, and revision 2 stays what the backend has

        def idle() -> bool:
            from console.celery import app

            active = app.control.inspect(timeout=1.0).active() or {}
            return len(active) == 2 and not any(active.values())

        wait_for(idle, timeout=90, interval=1.0, what="the stuck publish returned")
        logs = stuck.output() + free.output()
    finally:
        stuck.stop()
        free.stop()
    tr = TenantRevision.objects.get(tenant=tenant)
    assert tr.revision == tr.published_revision == 2 and tr.last_error == ""
    snapshot = backend.snapshot(str(tenant.pk))
    assert snapshot.revision == 2 and snapshot.host_count == 6_000
    assert backend_converged(backend, tenant)
    assert "publishing the newer one" in logs


def test_it_shows_a_failing_sync_live_in_the_browser_then_green_again(asgi_server: str, page: Any) -> None:
    import threading

    from rollout.desired.publish import desired_state_publish
    from rollout.desired.recompute import desired_state_recompute
    from rollout.desired.status import sync_failure_record
    from tests.conftest import browser_login
    from tests.factories import PASSWORD

    # given an operator on the sync page of a tenant whose revision 1 is not published yet
    tenant = tenant_with_windows_hosts(5)
    desired_state_recompute(tenant.pk)
    member(tenant, Role.OPERATOR, username="operator@sync.example")
    browser_login(page, asgi_server, "operator@sync.example", PASSWORD)
    page.goto(f"{asgi_server}/rollout/sync/")
    page.wait_for_selector("body[data-events=live]")  # the page listens to the tenant's events

    # (in a thread of its own: Playwright owns this thread's event loop, and notifying needs one)
    def in_thread(fn: Any) -> None:
        def run() -> None:
            from django.db import connection

            try:
                fn()
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()

    # when publishing fails three times in a row
    def fail_three_times() -> None:
        for _ in range(3):
            sync_failure_record(str(tenant.pk), "BackendUnavailable: connection refused")

    in_thread(fail_three_times)
    # then the open page says so without a reload, and the sync state reads "failing"
    page.wait_for_selector("[data-testid=rollout-notification]:has-text('Distribution sync failing')")
    page.reload()
    assert "failing" in page.locator("[data-testid=sync-state]").inner_text()
    page.wait_for_selector("body[data-events=live]")
    # when the next publish succeeds (the embedded edge)
    in_thread(lambda: desired_state_publish(tenant.pk))
    # then "recovered" appears live and the state is green again
    page.wait_for_selector("[data-testid=rollout-notification]:has-text('Distribution sync recovered')")
    page.reload()
    assert "in sync" in page.locator("[data-testid=sync-state]").inner_text()
    assert page.locator("[data-testid=last-error]").inner_text() == "none"

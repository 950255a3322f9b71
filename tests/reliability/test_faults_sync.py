"""Fault injection on the desired-state pipeline with real processes (issue 7), complementing
tests/rollout/desired/test_publish.py (worker killed mid-publish, Redis restart, backend 500s):

- the Celery worker SIGKILLed while it is recomputing desired state (its SQL is running);
- the HTTP distribution backend timing out (slower than DISTRIBUTION_HTTP_TIMEOUT).

After each, the backend converges to the database's desired state, and the sync status the UI
shows said what was wrong while it lasted (the Rollout → Sync page, in Chromium: "behind", the
backend's error and the revisions waiting).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from console.models import Role
from rollout.desired.outbox import outbox_enqueue
from rollout.models import OutboxEntry, TenantRevision
from tests.conftest import (
    backend_converged,
    browser_login,
    http_backend,
    http_backend_env,
    receiver_fault,
    receiver_stats,
    start_celery_worker,
    wait_for,
    worker_kill_hard,
)
from tests.factories import PASSWORD, member, tenant_with_windows_hosts

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def _recompute_running() -> bool:
    """Another backend is running desired-state SQL right now (the worker, mid-recompute)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'active' AND query ILIKE %s",
            ["%desiredstate%"],
        )
        return bool(cursor.fetchone()[0])


def test_it_converges_after_the_worker_is_killed_mid_recompute(fault_receiver: Any) -> None:
    # given a large tenant and a worker publishing to the HTTP backend
    tenant = tenant_with_windows_hosts(30_000)
    env = http_backend_env(fault_receiver)
    worker = start_celery_worker("recompute-kill", **env)
    try:
        # when a change is enqueued and the worker is SIGKILLed while its recompute SQL runs
        with transaction.atomic():
            outbox_enqueue(tenant_id=tenant.pk, reason="test.kill-recompute")
        wait_for(_recompute_running, timeout=60, interval=0.02, what="recompute under way")
        worker_kill_hard(worker)
        # then nothing was half-written: no revision published, the change still owed
        tr = TenantRevision.objects.filter(tenant=tenant).first()
        assert tr is None or tr.published_revision is None
        assert receiver_stats(fault_receiver).get("commits", 0) == 0
        # when a worker comes back, its sweep finishes the change
        worker.restart()
        from rollout.desired.tasks import outbox_sweep

        backend = http_backend(fault_receiver)

        def swept() -> bool:
            outbox_sweep.apply_async()
            return backend_converged(backend, tenant)

        wait_for(swept, timeout=180, interval=2.0, what="backend converged after the restart")
    finally:
        worker.stop()
    # then every host is on the backend at the database's revision, and the outbox is drained
    assert backend.snapshot(str(tenant.pk)).host_count == 30_000
    assert not OutboxEntry.objects.filter(tenant=tenant, processed_at__isnull=True).exists()


def test_it_shows_a_timing_out_backend_then_converges(
    fault_receiver: Any, asgi_server: str, page: Any
) -> None:
    # given a backend that answers the next uploads slower than the client's timeout
    tenant = tenant_with_windows_hosts(50)
    owner = Client()
    owner_user = member(tenant, Role.OWNER)
    owner.force_login(owner_user)
    browser_login(page, asgi_server, owner_user.username, PASSWORD)
    env = http_backend_env(
        fault_receiver,
        DISTRIBUTION_HTTP_TIMEOUT="1",
        DISTRIBUTION_HTTP_MAX_ATTEMPTS="2",
        DISTRIBUTION_BREAKER_THRESHOLD="3",
        DISTRIBUTION_BREAKER_RESET_SECONDS="2",
    )
    receiver_fault(fault_receiver, mode="delay", seconds=3, count=4, path="/batches/")
    worker = start_celery_worker("sync-timeout", **env)
    try:
        # when a change is made
        with transaction.atomic():
            outbox_enqueue(tenant_id=tenant.pk, reason="test.timeout")
        # then the sync status shows the failure while it lasts
        wait_for(
            lambda: TenantRevision.objects.filter(tenant=tenant).exclude(last_error="").exists(),
            timeout=60,
            what="the timeout recorded",
        )
        failing = owner.get("/api/v1/sync/").json()
        assert failing["last_error"] and not failing["in_sync"], failing
        # and the sync page shows an admin the failure and the lag
        page.goto(f"{asgi_server}/rollout/sync/")
        assert page.inner_text("[data-testid=sync-state]").strip() == "behind"
        assert "none" not in page.inner_text("[data-testid=last-error]")
        assert page.locator("[data-testid=sync-lag]").get_attribute("data-revisions") != "0"
        # and once the backend is fast again, the retries converge and clear the error
        backend = http_backend(fault_receiver)
        wait_for(lambda: backend_converged(backend, tenant), timeout=120, what="converged after the timeouts")
    finally:
        worker.stop()
    healthy = owner.get("/api/v1/sync/").json()
    assert healthy["in_sync"] and healthy["last_error"] == "", healthy
    page.goto(f"{asgi_server}/rollout/sync/")
    assert page.inner_text("[data-testid=sync-state]").strip() == "in sync"
    assert page.inner_text("[data-testid=last-error]").strip() == "none"
    assert receiver_stats(fault_receiver).get("fault_delay", 0) >= 1

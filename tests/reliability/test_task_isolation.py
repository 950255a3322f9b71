"""Tenant isolation of every Celery task that takes an id (DESIGN rule 7, issue 7), with a real worker.

The tasks are enumerated from the Celery app's registry, as the worker sees them: a task that takes
arguments must have an isolation case here (or a reason it touches no tenant data), so a new task
without one fails ``test_it_has_an_isolation_case_for_every_task_that_takes_an_id``, the way the
isolation walker fails for an unregistered route. Each case gives the task acme's tenant id with
globex's object (or an id that names no tenant), checks that nothing of globex changed and that the
worker logged the refusal, then gives it the matching pair and checks that it does act, so the
case can fail.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from console.access import Actor
from console.celery import app
from console.models import Tenant
from rollout.desired.publish import desired_state_publish_now
from rollout.models import OutboxEntry, TenantRevision, WebhookDelivery, WebhookEndpoint
from rollout.policies.defaults import policy_defaults_ensure
from tests.conftest import ManagedProcess, start_celery_worker, wait_for
from tests.factories import HostFactory, TenantFactory, rollout_catalog
from tests.rollout.notifications.test_webhooks import Receiver

SYSTEM = Actor.system("test")

# Tasks that take arguments but no id of anything a tenant owns.
NO_TENANT_DATA = {"console.ping": "echoes a string back and reads current_database()"}


@dataclass
class World:
    acme: Tenant
    globex: Tenant
    globex_host: str
    worker: ManagedProcess

    def refused(self, text: str) -> bool:
        return "refused" in self.worker.output() and text in self.worker.output()


def registered_tasks() -> dict[str, Any]:
    """Every task the worker registers (it imports the same modules: urls pull in every app's API)."""
    import console.urls  # noqa: F401

    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def takes_arguments(task: Any) -> bool:
    return bool(inspect.signature(task.run).parameters)


CASES: dict[str, Callable[[World], None]] = {}


def case(name: str) -> Callable[[Callable[[World], None]], Callable[[World], None]]:
    def register(fn: Callable[[World], None]) -> Callable[[World], None]:
        CASES[name] = fn
        return fn

    return register


def revision_row(tenant: Tenant) -> dict[str, Any]:
    return TenantRevision.objects.filter(tenant=tenant).values().get()


def send(name: str, *args: str) -> None:
    registered_tasks()[name].apply_async(args=args)


def assert_refuses_ids_naming_no_tenant(world: World, name: str) -> None:
    globex_before = revision_row(world.globex)
    for bogus in (world.globex_host, "not-a-uuid", str(uuid.uuid4())):
        send(name, bogus)
        wait_for(lambda b=bogus: world.refused(repr(b)), timeout=60, what=f"{name}({bogus}) refused")
    assert revision_row(world.globex) == globex_before
    assert not TenantRevision.objects.exclude(tenant__in=[world.acme, world.globex]).exists()


@case("rollout.tasks.outbox_process_tenant")
def _outbox(world: World) -> None:
    # given changes owed in both tenants (rows only: nothing is enqueued for them)
    for tenant in (world.acme, world.globex):
        OutboxEntry.objects.create(tenant=tenant, reason="test.isolation")
    globex_before = revision_row(world.globex)
    # when the task runs for acme
    send("rollout.tasks.outbox_process_tenant", str(world.acme.pk))
    # then acme's change is processed and globex's is still owed, its revision untouched
    wait_for(
        lambda: not OutboxEntry.objects.filter(tenant=world.acme, processed_at__isnull=True).exists(),
        timeout=90,
        what="acme's outbox processed",
    )
    assert OutboxEntry.objects.filter(tenant=world.globex, processed_at__isnull=True).count() == 1
    assert revision_row(world.globex) == globex_before
    assert_refuses_ids_naming_no_tenant(world, "rollout.tasks.outbox_process_tenant")


@case("rollout.tasks.desired_state_sync_tenant")
def _sync(world: World) -> None:
    globex_before = revision_row(world.globex)
    send("rollout.tasks.desired_state_sync_tenant", str(world.acme.pk))
    wait_for(
        lambda: revision_row(world.acme)["hosts_watermark"] is not None,
        timeout=90,
        what="acme's desired state refreshed",
    )
    assert revision_row(world.globex) == globex_before
    assert_refuses_ids_naming_no_tenant(world, "rollout.tasks.desired_state_sync_tenant")


@case("rollout.tasks.distribution_reconcile_tenant")
def _reconcile(world: World) -> None:
    globex_before = revision_row(world.globex)
    send("rollout.tasks.distribution_reconcile_tenant", str(world.acme.pk))
    wait_for(
        lambda: revision_row(world.acme)["last_reconciled_at"] is not None,
        timeout=90,
        what="acme reconciled",
    )
    assert revision_row(world.globex) == globex_before
    assert_refuses_ids_naming_no_tenant(world, "rollout.tasks.distribution_reconcile_tenant")


@case("rollout.webhooks.webhook_deliver_task")
def _webhook(world: World) -> None:
    receiver = Receiver(fail_first=0)
    try:
        endpoint = WebhookEndpoint.objects.create(
            tenant=world.globex, name="globex pager", url=receiver.url, secret="s" * 32
        )
        delivery = WebhookDelivery.objects.create(
            tenant=world.globex, endpoint=endpoint, event="rollout.halted", payload={"event": "x"}
        )
        # when the task gets acme's tenant id with globex's delivery
        send("rollout.webhooks.webhook_deliver_task", str(world.acme.pk), str(delivery.pk))
        # then it refuses (logged) and nothing was sent or recorded
        wait_for(lambda: world.refused(repr(str(delivery.pk))), timeout=60, what="cross-tenant refused")
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.status, receiver.requests) == (0, "pending", [])
        # when it gets the matching pair, it delivers (the case can fail)
        send("rollout.webhooks.webhook_deliver_task", str(world.globex.pk), str(delivery.pk))
        wait_for(
            lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status="delivered").exists(),
            timeout=60,
            what="own delivery sent",
        )
        assert len(receiver.requests) == 1
    finally:
        receiver.close()


def test_it_has_an_isolation_case_for_every_task_that_takes_an_id() -> None:
    # given every task the worker registers
    tasks = registered_tasks()
    # then each one that takes arguments has an isolation case (or touches no tenant data)
    with_arguments = {name for name, task in tasks.items() if takes_arguments(task)}
    missing = sorted(with_arguments - set(CASES) - set(NO_TENANT_DATA))
    assert not missing, f"Celery tasks without a tenant-isolation case here: {missing}"
    assert set(CASES) <= with_arguments, "isolation cases for tasks that no longer exist"


@pytest.fixture
def world(transactional_db: None) -> Iterator[World]:
    rollout_catalog()
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    hosts = {}
    for tenant in (acme, globex):
        policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
        hosts[tenant.slug] = [str(HostFactory(tenant=tenant).pk) for _ in range(3)]
        desired_state_publish_now(tenant.pk)
    app.control.purge()  # whatever setup enqueued: each case starts from a quiet queue
    worker = start_celery_worker("task-isolation")
    yield World(acme=acme, globex=globex, globex_host=hosts["globex"][0], worker=worker)
    worker.stop()


@pytest.mark.worker
@pytest.mark.parametrize("name", sorted(CASES))
def test_it_keeps_each_task_inside_the_tenant_it_was_given(name: str, world: World) -> None:
    CASES[name](world)

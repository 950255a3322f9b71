"""Celery tasks of the rollout app: take ids, call a service.

One task per tenant (never per host); a tenant's work is chunked inside the service. Retryable
backend errors retry with a countdown; whatever is lost anyway (worker killed, broker restarted)
is found again by ``outbox_sweep`` from PostgreSQL, the source of truth.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from celery import shared_task

from console.models import Tenant
from rollout.desired.host_changes import hosts_changed_enqueue
from rollout.desired.outbox import RETRYABLE, outbox_purge, tenants_needing_sync
from rollout.desired.publish import desired_state_tick_tenant, outbox_process
from rollout.desired.reconcile import desired_state_reconcile
from rollout.models import TenantRevision

log = logging.getLogger(__name__)


def tenant_known(task: str, tenant_id: object) -> str | None:
    """The tenant id a task was given, when it names a tenant; else the task is refused (logged)
    rather than acting on, or creating rows for, a tenant that does not exist."""

    try:
        tid = str(uuid.UUID(str(tenant_id)))
    except ValueError:
        tid = None
    if tid is not None and Tenant.objects.filter(pk=tid).exists():
        return tid
    log.warning("%s refused: %r names no tenant", task, tenant_id)
    return None


@shared_task(name="rollout.tasks.outbox_process_tenant", bind=True, ignore_result=True, max_retries=8)
def outbox_process_tenant(self: Any, tenant_id: str) -> None:

    tid = tenant_known("outbox_process_tenant", tenant_id)
    if tid is None:
        return
    try:
        outbox_process(tid)
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=min(60, 2 ** (self.request.retries + 1))) from exc


@shared_task(name="rollout.tasks.outbox_sweep", ignore_result=True)
def outbox_sweep() -> None:

    for tenant_id in tenants_needing_sync():
        outbox_process_tenant.apply_async(args=(tenant_id,))


@shared_task(name="rollout.tasks.desired_state_sync_tenant", bind=True, ignore_result=True, max_retries=3)
def desired_state_sync_tenant(self: Any, tenant_id: str) -> None:

    tid = tenant_known("desired_state_sync_tenant", tenant_id)
    if tid is None:
        return
    try:
        desired_state_tick_tenant(tid)
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=10) from exc


@shared_task(name="rollout.tasks.desired_state_tick", ignore_result=True)
def desired_state_tick() -> None:

    for tenant_id in Tenant.objects.values_list("pk", flat=True):
        desired_state_sync_tenant.apply_async(args=(str(tenant_id),), expires=60)


@shared_task(name="rollout.tasks.distribution_reconcile_tenant", ignore_result=True)
def distribution_reconcile_tenant(tenant_id: str) -> None:

    tid = tenant_known("distribution_reconcile_tenant", tenant_id)
    if tid is not None:
        desired_state_reconcile(tid)


@shared_task(name="rollout.tasks.distribution_reconcile_all", ignore_result=True)
def distribution_reconcile_all() -> None:

    for tenant_id in TenantRevision.objects.values_list("tenant_id", flat=True):
        distribution_reconcile_tenant.apply_async(args=(str(tenant_id),), expires=300)


@shared_task(name="rollout.tasks.outbox_purge_task", ignore_result=True)
def outbox_purge_task() -> None:

    outbox_purge()


@shared_task(name="rollout.tasks.hosts_changed_sweep", ignore_result=True)
def hosts_changed_sweep() -> None:

    hosts_changed_enqueue()

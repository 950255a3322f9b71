"""Celery tasks of the rollout app: take ids, call a service.

One task per tenant (never per host); a tenant's work is chunked inside the service. Retryable
backend errors retry with a countdown; whatever is lost anyway (worker killed, broker restarted)
is found again by ``outbox_sweep`` from PostgreSQL, the source of truth.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True, max_retries=8)
def outbox_process_tenant(self: Any, tenant_id: str) -> None:
    from rollout.desired import RETRYABLE, outbox_process

    try:
        outbox_process(tenant_id)
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=min(60, 2 ** (self.request.retries + 1))) from exc


@shared_task(ignore_result=True)
def outbox_sweep() -> None:
    from rollout.desired import tenants_needing_sync

    for tenant_id in tenants_needing_sync():
        outbox_process_tenant.apply_async(args=(tenant_id,))


@shared_task(bind=True, ignore_result=True, max_retries=3)
def desired_state_sync_tenant(self: Any, tenant_id: str) -> None:
    from rollout.desired import RETRYABLE, desired_state_tick_tenant

    try:
        desired_state_tick_tenant(tenant_id)
    except RETRYABLE as exc:
        raise self.retry(exc=exc, countdown=10) from exc


@shared_task(ignore_result=True)
def desired_state_tick() -> None:
    from console.models import Tenant

    for tenant_id in Tenant.objects.values_list("pk", flat=True):
        desired_state_sync_tenant.apply_async(args=(str(tenant_id),), expires=60)


@shared_task(ignore_result=True)
def distribution_reconcile_tenant(tenant_id: str) -> None:
    from rollout.desired import desired_state_reconcile

    desired_state_reconcile(tenant_id)


@shared_task(ignore_result=True)
def distribution_reconcile_all() -> None:
    from rollout.desired_models import TenantRevision

    for tenant_id in TenantRevision.objects.values_list("tenant_id", flat=True):
        distribution_reconcile_tenant.apply_async(args=(str(tenant_id),), expires=300)


@shared_task(ignore_result=True)
def outbox_purge_task() -> None:
    from rollout.desired import outbox_purge

    outbox_purge()

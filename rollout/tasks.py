"""Celery tasks of the rollout app: take ids, call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def outbox_process_tenant(tenant_id: str) -> None:
    from rollout.desired import outbox_process

    outbox_process(tenant_id)

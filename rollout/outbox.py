"""The transactional outbox: a change to what hosts may run is recorded with the change itself.

``outbox_enqueue`` writes an ``OutboxEntry`` in the caller's transaction and, on commit, asks a
worker to process the tenant. A lost task (worker killed, Redis restarted) loses nothing: the row
stays pending and the beat sweep (``rollout.tasks.outbox_sweep``) picks it up again.
"""

from __future__ import annotations

import uuid

from django.db import transaction

from rollout.desired_models import OutboxEntry


def outbox_enqueue(*, tenant_id: uuid.UUID | str, reason: str, host_ids: list[str] | None = None) -> None:
    """Records that ``tenant_id``'s desired state must be recomputed (``host_ids`` None: all hosts)."""
    OutboxEntry.objects.create(
        tenant_id=tenant_id, reason=reason[:100], host_ids=[str(h) for h in host_ids] if host_ids else None
    )
    tid = str(tenant_id)

    def _schedule() -> None:
        from rollout.tasks import outbox_process_tenant

        try:
            outbox_process_tenant.apply_async(args=(tid,), retry=False)
        except Exception:
            import logging

            logging.getLogger(__name__).warning("outbox: could not schedule tenant %s", tid, exc_info=True)

    transaction.on_commit(_schedule)

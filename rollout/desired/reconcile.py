from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.models import Tenant
from rollout.desired.events import DISTRIBUTION_REPAIRED
from rollout.desired.holds import holds_expected
from rollout.desired.publish import desired_digest, desired_state_publish
from rollout.desired.recompute import tenant_revision
from rollout.desired.status import sync_recovered
from rollout.distribution.backends import backend_for
from rollout.distribution.base import DistributionBackend
from rollout.models import TenantRevision


@dataclass(frozen=True)
class Repair:
    tenant_id: str
    republished: bool
    holds_set: list[str]
    holds_cleared: list[str]
    detail: str


def desired_state_reconcile(
    tenant_id: uuid.UUID | str, *, backend: DistributionBackend | None = None
) -> Repair:
    """Compares what the backend holds with the database and repairs drift.

    Assignments: if the backend's revision is the one we last published but its digest differs from
    the digest of our rows, a new revision is taken and published in full. Holds: missing or
    different holds are set, holds without an active pause are cleared. What was repaired is
    audited (system actor) and kept on the tenant's revision row."""

    tid = str(tenant_id)
    b = backend or backend_for(settings)
    snap = b.snapshot(tid)
    tr = TenantRevision.objects.filter(tenant_id=tid).first()
    details: list[str] = []
    republished = False
    if tr is not None and tr.revision > 0:
        ours = desired_digest(tid)
        in_step = tr.published_revision is not None and snap.revision == tr.published_revision
        if (in_step and tr.published_revision == tr.revision and snap.digest != ours) or (
            snap.revision < (tr.published_revision or 0)
        ):
            details.append(
                f"assignments drifted (backend revision {snap.revision}, digest {snap.digest[:12]})"
            )
            with transaction.atomic():
                locked = tenant_revision(tid)
                locked.revision += 1
                locked.full_needed = True
                locked.save(update_fields=["revision", "full_needed"])
            republished = True
    expected = holds_expected(tid)
    present = {h.field_name: h for h in snap.holds}
    now = timezone.now()
    set_, cleared = [], []
    for name, hold in expected.items():
        if present.get(name) != hold:
            b.hold_set(tid, hold)
            set_.append(name)
    for name, hold in present.items():
        if name not in expected and hold.active(now):
            b.hold_clear(tid, hold.scope, hold.key)
            cleared.append(name)
    if set_:
        details.append("holds set: " + ", ".join(sorted(set_)))
    if cleared:
        details.append("holds cleared: " + ", ".join(sorted(cleared)))
    if republished:
        desired_state_publish(tid, backend=b)
    detail = "; ".join(details)
    with transaction.atomic():
        locked = tenant_revision(tid)
        locked.last_reconciled_at = now
        if detail:
            locked.last_repair = f"{now.isoformat()}: {detail}"[:2000]
        locked.save(update_fields=["last_reconciled_at", "last_repair"])
        if (locked.published_revision or 0) >= locked.revision:
            # The backend answered every call and has everything: a failure episode (a hold that
            # did not get through, say) is over even though nothing needed publishing.
            sync_recovered(locked, now)
        if detail:
            tenant = Tenant.objects.get(pk=tid)
            audit_record(
                tenant=tenant,
                actor=Actor.system("reconciliation"),
                action=DISTRIBUTION_REPAIRED,
                target=tenant,
                after={"republished": republished, "holds_set": set_, "holds_cleared": cleared},
            )
    return Repair(tid, republished, set_, cleared, detail)

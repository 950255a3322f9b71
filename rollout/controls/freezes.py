from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.editing import field_error, tenant_row_lock
from console.errors import Conflict, Forbidden
from console.models import Tenant
from rollout.controls.events import (
    FREEZE_BYPASS_REQUESTED,
    FREEZE_BYPASSED,
    FREEZE_CREATED,
    FREEZE_LIFT_REQUESTED,
    FREEZE_LIFTED,
)
from rollout.desired.changes import Outcome, measure
from rollout.models import Freeze


def freeze_dict(freeze: Freeze) -> dict[str, Any]:
    return {
        "reason": freeze.reason,
        "starts_at": freeze.starts_at.isoformat(),
        "ends_at": freeze.ends_at.isoformat(),
        "lifted_at": freeze.lifted_at.isoformat() if freeze.lifted_at else None,
    }


def freeze_create(
    *,
    tenant: Tenant,
    actor: Actor,
    reason: str,
    starts_at: datetime,
    ends_at: datetime,
    dry_run: bool = False,
) -> Outcome:
    """A one-off freeze (nothing new delivered between ``starts_at`` and ``ends_at``, whatever the windows)."""
    if not reason or not reason.strip() or len(reason) > 300:
        raise field_error("reason", "Say why (at most 300 characters).")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise field_error("starts_at", "Times need a timezone offset.")
    if ends_at <= starts_at:
        raise field_error("ends_at", "The end must be after the start.")
    if ends_at <= timezone.now():
        raise field_error("ends_at", "The freeze would already be over.")
    if ends_at - starts_at > timedelta(days=90):
        raise field_error("ends_at", "A freeze lasts at most 90 days.")

    def change() -> Freeze:
        freeze = Freeze.objects.create(
            tenant=tenant, reason=reason.strip(), starts_at=starts_at, ends_at=ends_at, created_by=actor.label
        )
        audit_record(
            tenant=tenant, actor=actor, action=FREEZE_CREATED, target=freeze, after=freeze_dict(freeze)
        )
        return freeze

    freeze, blast = measure(tenant, change, dry_run=dry_run)
    return Outcome(freeze, blast, dry_run)


def freeze_lift_request(*, tenant: Tenant, actor: Actor, freeze: Freeze, reason: str) -> Freeze:
    """First step of lifting a freeze early: a second admin must approve."""
    if not reason or not reason.strip():
        raise field_error("reason", "Say why the freeze should end early.")
    with transaction.atomic():
        locked = tenant_row_lock(Freeze, tenant, freeze.pk)
        if locked.lifted_at is not None or locked.ends_at <= timezone.now():
            raise Conflict("The freeze is already over.")
        locked.lift_requested_by = actor.label
        locked.lift_requested_by_id = actor.id
        locked.lift_requested_at = timezone.now()
        locked.lift_reason = reason.strip()[:300]
        locked.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action=FREEZE_LIFT_REQUESTED,
            target=locked,
            after={"reason": locked.lift_reason},
        )
    return locked


def freeze_lift_approve(*, tenant: Tenant, actor: Actor, freeze: Freeze, dry_run: bool = False) -> Outcome:
    """Second step: another admin approves and the freeze ends now."""
    if freeze.lift_requested_at is None:
        raise Conflict("Nobody asked to lift this freeze yet.")
    if actor.id and actor.id == freeze.lift_requested_by_id:
        raise Forbidden("A second admin must approve: you asked to lift this freeze yourself.")

    def change() -> Freeze:
        locked = tenant_row_lock(Freeze, tenant, freeze.pk)
        before = freeze_dict(locked)
        locked.lifted_at = timezone.now()
        locked.lifted_by = actor.label
        locked.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action=FREEZE_LIFTED,
            target=locked,
            before=before,
            after=freeze_dict(locked),
        )
        return locked

    lifted, blast = measure(tenant, change, dry_run=dry_run)
    return Outcome(lifted, blast, dry_run)


def freeze_bypass_request(*, tenant: Tenant, actor: Actor, freeze: Freeze, reason: str) -> Freeze:
    """First step of an emergency exception: let vendor-marked critical content through the freeze."""
    if not reason or not reason.strip():
        raise field_error("reason", "Say why critical content must pass the freeze.")
    with transaction.atomic():
        locked = tenant_row_lock(Freeze, tenant, freeze.pk)
        if locked.lifted_at is not None or locked.ends_at <= timezone.now():
            raise Conflict("The freeze is already over.")
        if locked.bypass_approved_at is not None:
            raise Conflict("Critical content already bypasses this freeze.")
        locked.bypass_requested_by = actor.label
        locked.bypass_requested_by_id = actor.id
        locked.bypass_requested_at = timezone.now()
        locked.bypass_reason = reason.strip()[:300]
        locked.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action=FREEZE_BYPASS_REQUESTED,
            target=locked,
            after={"reason": locked.bypass_reason},
        )
    return locked


def freeze_bypass_approve(*, tenant: Tenant, actor: Actor, freeze: Freeze, dry_run: bool = False) -> Outcome:
    """Second step: another admin approves; critical content passes the freeze from now on."""
    if freeze.bypass_requested_at is None:
        raise Conflict("Nobody asked for a bypass of this freeze yet.")
    if actor.id and actor.id == freeze.bypass_requested_by_id:
        raise Forbidden("A second admin must approve: you asked for this bypass yourself.")

    def change() -> Freeze:
        locked = tenant_row_lock(Freeze, tenant, freeze.pk)
        locked.bypass_approved_at = timezone.now()
        locked.bypass_approved_by = actor.label
        locked.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action=FREEZE_BYPASSED,
            target=locked,
            after={"bypass_reason": locked.bypass_reason, "approved_by": actor.label},
        )
        return locked

    approved, blast = measure(tenant, change, dry_run=dry_run)
    return Outcome(approved, blast, dry_run)

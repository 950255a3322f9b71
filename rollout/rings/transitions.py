from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.errors import Conflict, Forbidden, InvalidInput
from console.models import Tenant
from rollout import resolver as rv
from rollout.desired.holds import stop_holds_release
from rollout.desired.publish import desired_changed
from rollout.models import (
    BuildStage,
    ContentStage,
    ContentUpdatePolicy,
    Ring,
    Rollout,
    RolloutState,
    SensorBuild,
)
from rollout.notifications.events import notify, rollout_changed
from rollout.resolver.targets import content_mode_parse
from rollout.rings.admin import LIVE
from rollout.rings.events import (
    ROLLOUT_ADVANCED,
    ROLLOUT_COMPLETED,
    ROLLOUT_HALTED,
    ROLLOUT_PROMOTE_REQUESTED,
    ROLLOUT_RESUMED,
    ROLLOUT_ROLLED_BACK,
    ROLLOUT_SUPERSEDED,
)
from rollout.rings.gates import GateResult
from rollout.rings.health import ring_gate_evaluate, rollout_health
from rollout.rings.records import (
    StopCause,
    rollout_dict,
    rollout_event,
    rollout_lock,
    rollout_save,
    rollout_stop_record,
)


def advance_allowed(rollout: Rollout) -> bool:
    """Past the first ring (the vendor canary cohort) only once the tenant's default policy for the
    category would take the release (its stage and delay); pins, pauses and windows still apply per host."""
    release = rollout.release
    if release is None:
        return True
    policy = ContentUpdatePolicy.objects.filter(
        tenant_id=rollout.tenant_id, category_id=release.category_id, is_default=True
    ).first()
    mode = content_mode_parse(policy.mode if policy else "ga")
    if mode.kind in ("pinned", "paused"):
        mode = content_mode_parse("ga")
    facts = rv.Release(
        category=rollout.category,
        version=release.version,
        stage=release.stage,
        valid=release.valid,
        early_access_at=release.early_access_at,
        ga_at=release.ga_at,
    )
    return rv.release_eligible(facts, rollout.category, mode, timezone.now())


def ring_advance(rollout: Rollout, rings: list[Ring], actor: Actor, *, why: str) -> None:
    before = rollout_dict(rollout)
    if rollout.ring_index + 1 >= len(rings):
        rollout.state = RolloutState.COMPLETED
        rollout.completed_at = timezone.now()
        rollout_save(rollout, "state", "completed_at")
        rollout_event(rollout, "completed", actor, why=why)
        action = ROLLOUT_COMPLETED
    else:
        rollout.ring_index += 1
        rollout.ring_entered_at = timezone.now()
        rollout.promote_requested_by = rollout.promote_requested_by_id = ""
        rollout_save(
            rollout, "ring_index", "ring_entered_at", "promote_requested_by", "promote_requested_by_id"
        )
        rollout_event(rollout, "ring.entered", actor, why=why)
        action = ROLLOUT_ADVANCED
    audit_record(
        tenant=rollout.tenant,
        actor=actor,
        action=action,
        target=rollout,
        before=before,
        after=rollout_dict(rollout),
    )
    desired_changed(rollout.tenant_id, "ring.advanced")
    rollout_changed(
        rollout.tenant_id, rollout_dict(rollout), "completed" if action == ROLLOUT_COMPLETED else "advanced"
    )


def rollout_halt_apply(
    rollout: Rollout,
    actor: Actor,
    reason: str,
    *,
    gate: GateResult | None = None,
    cause: StopCause | None = None,
) -> None:
    before = rollout_dict(rollout)
    rollout.state = RolloutState.HALTED
    rollout.halted_reason = reason[:500]
    rollout.halted_at = timezone.now()
    rollout_save(rollout, "state", "halted_reason", "halted_at")
    rollout_event(rollout, "halted", actor, reason=reason, gate=gate.as_dict() if gate else None)
    audit_record(
        tenant=rollout.tenant,
        actor=actor,
        action=ROLLOUT_HALTED,
        target=rollout,
        before=before,
        after=rollout_dict(rollout),
    )
    rollout_stop_record(rollout, "halted", reason, cause)  # its hold goes out before the recompute
    desired_changed(rollout.tenant_id, "rollout.halted", urgent=True, stop=(rollout.subject, rollout.version))
    payload = {"rollout": rollout_dict(rollout), "reason": reason}
    if gate is not None:
        notify(rollout.tenant_id, "gate.failed", {**payload, "gate": gate.as_dict()})
    notify(rollout.tenant_id, "rollout.halted", payload)


def rollout_halt(*, tenant: Tenant, actor: Actor, rollout: Rollout, reason: str) -> Rollout:
    """An operator stops the rollout: hosts that have not received the version keep the previous one."""
    if not reason.strip():
        raise InvalidInput("A reason is required.", errors={"reason": ["Say why the rollout is halted."]})
    with transaction.atomic():
        rollout = rollout_lock(rollout)
        if rollout.state != RolloutState.IN_RING:
            raise Conflict(
                f"The rollout is {rollout.get_state_display().lower()}; only a running one can be halted."
            )
        rollout_halt_apply(rollout, actor, reason.strip())
    return rollout


def rollout_resume(*, tenant: Tenant, actor: Actor, rollout: Rollout) -> Rollout:
    """A halted rollout continues in the ring it stopped in; its gate and soak start over (never skipped)."""
    with transaction.atomic():
        rollout = rollout_lock(rollout)
        if rollout.state != RolloutState.HALTED:
            raise Conflict("Only a halted rollout can be resumed.")
        if rollout.release is not None and rollout.release.stage == ContentStage.RECALLED:
            raise Conflict("The vendor recalled this release; it cannot be resumed.")
        if (
            rollout.is_sensor
            and SensorBuild.objects.filter(
                platform=rollout.category, version=rollout.version, stage=BuildStage.WITHDRAWN
            ).exists()
        ):
            raise Conflict("The vendor withdrew this sensor build; it cannot be resumed.")
        before = rollout_dict(rollout)
        rollout.state = RolloutState.IN_RING
        rollout.ring_entered_at = timezone.now()
        rollout.halted_reason = ""
        rollout.last_gate = {}
        rollout_save(rollout, "state", "ring_entered_at", "halted_reason", "last_gate")
        rollout_event(rollout, "resumed", actor)
        audit_record(
            tenant=tenant,
            actor=actor,
            action=ROLLOUT_RESUMED,
            target=rollout,
            before=before,
            after=rollout_dict(rollout),
        )
        desired_changed(rollout.tenant_id, "ring.advanced")
        notify(rollout.tenant_id, "rollout.resumed", {"rollout": rollout_dict(rollout)})
        tid, rid = str(rollout.tenant_id), str(rollout.pk)
        transaction.on_commit(lambda: stop_holds_release(tid, rollout_id=rid), robust=True)
    return rollout


def rollout_rollback(*, tenant: Tenant, actor: Actor, rollout: Rollout, reason: str) -> Rollout:
    """The previous known-good version becomes the target of every host of the rollout, past windows."""
    if not reason.strip():
        raise InvalidInput(
            "A reason is required.", errors={"reason": ["Say why the rollout is rolled back."]}
        )
    with transaction.atomic():
        rollout = rollout_lock(rollout)
        if rollout.state == RolloutState.ROLLED_BACK:
            raise Conflict("The rollout is already rolled back.")
        if not rollout.previous_version:
            raise Conflict("There is no previous known-good version to roll back to.")
        rollout_rollback_apply(rollout, actor, reason.strip())
    return rollout


def rollout_rollback_apply(
    rollout: Rollout,
    actor: Actor,
    reason: str,
    *,
    event: str = "rollout.rolled_back",
    cause: StopCause | None = None,
) -> None:
    before = rollout_dict(rollout)
    rollout.state = RolloutState.ROLLED_BACK
    rollout.rolled_back_at = timezone.now()
    rollout.halted_reason = reason[:500]
    rollout_save(rollout, "state", "rolled_back_at", "halted_reason")
    rollout_event(rollout, "rolled_back", actor, reason=reason)
    audit_record(
        tenant=rollout.tenant,
        actor=actor,
        action=ROLLOUT_ROLLED_BACK,
        target=rollout,
        before=before,
        after=rollout_dict(rollout),
    )
    rollout_stop_record(rollout, "rolled_back", reason, cause)  # its hold goes out before the recompute
    # Every host that has the version was offered it: those are the ones to send back first.
    desired_changed(rollout.tenant_id, "rollout.halted", urgent=True, stop=(rollout.subject, rollout.version))
    notify(rollout.tenant_id, event, {"rollout": rollout_dict(rollout), "reason": reason})


def rollout_promote(*, tenant: Tenant, actor: Actor, rollout: Rollout) -> Rollout:
    """Skips the rest of the soak. Past a failing gate only with a second approver: the first call
    records the request, a different person's call carries it out."""
    with transaction.atomic():
        rollout = rollout_lock(rollout)
        if rollout.state not in LIVE:
            raise Conflict("Only a running or halted rollout can be promoted.")
        if rollout.release is not None and rollout.release.stage == ContentStage.RECALLED:
            raise Conflict("The vendor recalled this release.")
        rings = list(Ring.objects.filter(tenant=tenant).select_related("group").order_by("order"))
        gate = ring_gate_evaluate(
            rings[rollout.ring_index], rollout_health(rollout, rings), rollout.ring_index
        )
        failing = gate.verdict == "failed" or rollout.state == RolloutState.HALTED
        if failing:
            if not rollout.promote_requested_by_id:
                rollout.promote_requested_by = actor.label
                rollout.promote_requested_by_id = actor.id
                rollout_save(rollout, "promote_requested_by", "promote_requested_by_id")
                rollout_event(rollout, "promote.requested", actor, gate=gate.as_dict())
                audit_record(
                    tenant=tenant,
                    actor=actor,
                    action=ROLLOUT_PROMOTE_REQUESTED,
                    target=rollout,
                    after=rollout_dict(rollout),
                )
                rollout_changed(rollout.tenant_id, rollout_dict(rollout), "promote_requested")
                return rollout
            if rollout.promote_requested_by_id == actor.id:
                raise Forbidden("A second person must approve promoting past a failing gate.")
        if rollout.state == RolloutState.HALTED:
            rollout.state = RolloutState.IN_RING
            rollout.halted_reason = ""
            rollout_save(rollout, "state", "halted_reason")
        rollout_event(
            rollout, "promoted", actor, gate=gate.as_dict(), approved_after=rollout.promote_requested_by
        )
        ring_advance(rollout, rings, actor, why=f"promoted by {actor.label}")
    return rollout


def rollouts_supersede(subject: str, *, current: set[str], actor: Actor) -> None:
    """Unfinished rollouts of builds no N level resolves to any more end as superseded: no host is
    offered that build again, so there is nothing left to stage (and they no longer hold the rings)."""
    for rollout in (
        Rollout.objects.filter(subject=subject, state__in=LIVE)
        .exclude(version__in=current)
        .select_related("tenant")
        .order_by("pk")
    ):
        rollout = rollout_lock(rollout)
        before = rollout_dict(rollout)
        rollout.state = RolloutState.SUPERSEDED
        rollout.completed_at = timezone.now()
        rollout_save(rollout, "state", "completed_at")
        rollout_event(rollout, "superseded", actor, levels=sorted(current))
        audit_record(
            tenant=rollout.tenant,
            actor=actor,
            action=ROLLOUT_SUPERSEDED,
            target=rollout,
            before=before,
            after=rollout_dict(rollout),
        )
        desired_changed(rollout.tenant_id, "ring.advanced")
        rollout_changed(rollout.tenant_id, rollout_dict(rollout), "superseded")


def rollouts_rollback_withdrawn(*, platform: str, version: str, actor: Actor) -> int:
    """The vendor withdrew a sensor build: every tenant's running or halted rollout of it is rolled back."""
    count = 0
    for rollout in Rollout.objects.filter(
        subject=f"sensor:{platform}", version=version, state__in=LIVE
    ).order_by("pk"):
        rollout_rollback_apply(rollout_lock(rollout), actor, "The vendor withdrew this sensor build.")
        count += 1
    return count

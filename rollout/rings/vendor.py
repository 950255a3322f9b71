"""The vendor's stages across every tenant: the canary cohort gate, global halt and recall.

The canary cohort of a release is every tenant's first ring (plus the vendor's own hosts, which
are a tenant with rings like any other). Its gate fails -> every tenant's rollout of the release
halts; crashes, boot loops or silence -> the release is recalled: its stage becomes ``recalled``
(the resolver never delivers a recalled release), every rollout of it is rolled back to the last
known-good version, and every tenant's desired state is published at once.

The gate needs three bad hosts (background crashes are not rare), which on 19 July would have
meant waiting seconds for the second and third report while the release kept going out. One
report is enough to *halt* when it says the sensor itself faulted on the release
(``sensor_fault_halt``): a crash in the sensor's own driver on content it was just given is the
interpreter failing on that content, not noise. The halt only stops further exposure (every
tenant's hold goes out at once); the recall, which moves hosts back, still waits for the gate.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.errors import Conflict, InvalidInput
from console.models import Tenant
from rollout.desired.publish import desired_changed, urgent_publishes_last
from rollout.models import ContentRelease, ContentStage, DesiredState, Rollout, RolloutState, RolloutStop
from rollout.notifications.events import notify
from rollout.rings.events import CONTENT_RELEASE_HALTED, CONTENT_RELEASE_RECALLED
from rollout.rings.gates import GateResult, GateThresholds, HostHealth, gate_evaluate
from rollout.rings.records import StopCause, release_stop_record
from rollout.rings.transitions import rollout_halt_apply, rollout_rollback_apply
from telemetry.components import SENSOR_COMPONENT_NAMES
from telemetry.models import CrashEvent

VENDOR_GATE = Actor.system("vendor canary gate")


CANARY_THRESHOLDS = GateThresholds(
    max_crash_rate=0.01,
    max_boot_loop_rate=0.01,
    max_silence_rate=0.05,
    max_update_failure_rate=0.20,
    min_sample=10,
)


RECALL_ON = frozenset({"crash", "boot_loop", "silence"})


def canary_gate_evaluate(samples: list[HostHealth]) -> GateResult:
    return gate_evaluate(samples, CANARY_THRESHOLDS)


def canary_gate_tick(
    release_id: uuid.UUID, samples: list[HostHealth], *, cause: StopCause | None = None
) -> bool:
    """Evaluates the cross-tenant canary gate of one release; recalls or halts it when it fails.
    Returns True when the release was recalled or halted by this call. ``cause``: what woke the
    evaluation (the safety loop's crash signal; None for the tick)."""
    seen = timezone.now()
    gate = canary_gate_evaluate(samples)
    if gate.verdict != "failed":
        return False
    release = ContentRelease.objects.select_related("category").get(pk=release_id)
    if release.stage == ContentStage.RECALLED:
        return False
    reason = f"Vendor canary gate across tenants: {gate.reason}"
    cause = replace(cause or StopCause(), gate_seen_at=seen)
    if RECALL_ON & set(gate.failed_on):
        try:
            release_recall(release=release, actor=VENDOR_GATE, reason=reason, cause=cause)
        except Conflict:  # the tick and the safety loop raced: the other one recalled it
            return False
    else:
        running = Rollout.objects.filter(
            subject=f"content:{release.category.key}", version=release.version, state=RolloutState.IN_RING
        )
        if not running.exists():  # the tick and the safety loop raced: the other one halted it
            return False
        release_halt(release=release, actor=VENDOR_GATE, reason=reason, cause=cause)
    return True


def sensor_fault(release: ContentRelease) -> CrashEvent | None:
    """The first crash report since the release's rollouts began in which the sensor itself
    faulted on this release (see ``telemetry.components``), or None. A report that an earlier
    vendor halt of the release already acted on does not count again: a rollout resumed after
    that halt is not halted on the same evidence."""
    began = Rollout.objects.filter(release=release).aggregate(began=Min("created_at"))["began"]
    if began is None:
        return None
    crashes = CrashEvent.objects.filter(
        category=release.category.key,
        content_version=release.version,
        component__in=SENSOR_COMPONENT_NAMES,
        occurred_at__gte=began,
    )
    acted = RolloutStop.objects.filter(release=release, kind="halted").aggregate(at=Max("committed_at"))["at"]
    if acted is not None:
        crashes = crashes.filter(received_at__gt=acted)
    return crashes.order_by("received_at").first()


def sensor_fault_halt(release_id: uuid.UUID, *, cause: StopCause | None = None) -> bool:
    """Halts every tenant's running rollout of the release when the sensor itself faulted on it
    (one report is enough: see the module's docstring). Returns True when this call halted it."""
    seen = timezone.now()
    release = ContentRelease.objects.select_related("category").get(pk=release_id)
    if release.stage == ContentStage.RECALLED:
        return False
    subject = f"content:{release.category.key}"
    running = Rollout.objects.filter(subject=subject, version=release.version, state=RolloutState.IN_RING)
    if not running.exists():
        return False
    fault = sensor_fault(release)
    if fault is None:
        return False
    reason = (
        f"The sensor itself ({fault.component}) crashed on {release.category.key} {release.version} "
        "on a host that had received it. Every tenant's rollout is halted before more hosts take it; "
        "the vendor canary gate recalls the release if more hosts crash, otherwise release "
        "engineering decides."
    )
    cause = replace(cause or StopCause(), gate_seen_at=seen)
    return release_halt(release=release, actor=VENDOR_GATE, reason=reason, cause=cause, audit_noop=False) > 0


def release_halt(
    *,
    release: ContentRelease,
    actor: Actor,
    reason: str,
    cause: StopCause | None = None,
    audit_noop: bool = True,
) -> int:
    """Halts every tenant's running rollout of ``release``: nobody else receives it. Every such
    tenant's stop (and its hold, right after the commit) is written first in one transaction,
    then each rollout is halted in its own. Returns how many rollouts this call halted; a call
    that halted none is audited only when ``audit_noop`` (a person asked for it)."""

    if not reason.strip():
        raise InvalidInput("A reason is required.", errors={"reason": ["Say why the release is halted."]})
    halted = 0
    subject = f"content:{release.category.key}"
    running = Rollout.objects.filter(subject=subject, version=release.version, state=RolloutState.IN_RING)
    with transaction.atomic():
        # The release row serialises two halts racing (the safety loop and the tick). A tenant
        # whose hold of an earlier release-wide halt is still at the backend needs no second one.
        ContentRelease.objects.select_for_update().filter(pk=release.pk).first()
        tenants = set(running.values_list("tenant_id", flat=True))
        held = set(
            RolloutStop.objects.filter(
                release=release, kind="halted", hold_cleared_at__isnull=True
            ).values_list("tenant_id", flat=True)
        )
        for tenant_id in sorted(tenants - held, key=str):
            release_stop_record(tenant_id, release, reason, cause, kind="halted")
    with urgent_publishes_last():  # every tenant's hold first, then the recomputes
        for rollout_id in running.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic():
                rollout = Rollout.objects.select_for_update().select_related("tenant").get(pk=rollout_id)
                if rollout.state == RolloutState.IN_RING:
                    rollout_halt_apply(rollout, actor, f"Halted by the vendor: {reason}", cause=cause)
                    halted += 1
    if halted or audit_noop:
        audit_record(
            tenant=None,
            actor=actor,
            action=CONTENT_RELEASE_HALTED,
            target=release,
            after={"version": release.version, "reason": reason, "rollouts_halted": halted},
        )
    return halted


def release_recall(
    *, release: ContentRelease, actor: Actor, reason: str, cause: StopCause | None = None
) -> int:
    """Recalls ``release`` everywhere: stage -> recalled, every rollout of it rolled back to the last
    known-good version (past windows), and every tenant's desired state published within seconds.
    Returns the number of tenants re-published."""

    if not reason.strip():
        raise InvalidInput("A reason is required.", errors={"reason": ["Say why the release is recalled."]})
    with transaction.atomic():
        release = ContentRelease.objects.select_for_update().select_related("category").get(pk=release.pk)
        if release.stage == ContentStage.RECALLED:
            raise Conflict("The release is already recalled.")
        before = {"stage": release.stage}
        release.stage = ContentStage.RECALLED
        release.recalled_at = timezone.now()
        release.notes = (
            release.notes + f"\n\n**Recalled** {release.recalled_at:%Y-%m-%d %H:%M} UTC: {reason}"
        ).strip()
        release.save(update_fields=["stage", "recalled_at", "notes"])
        audit_record(
            tenant=None,
            actor=actor,
            action=CONTENT_RELEASE_RECALLED,
            target=release,
            before=before,
            after={"stage": release.stage, "reason": reason},
        )
    # Each tenant in its own short transaction: the recalled stage (committed above) already keeps
    # the resolver from delivering the release, and one long transaction holding every tenant's
    # audit chain would deadlock against ordinary traffic.
    subject = f"content:{release.category.key}"
    rollout_ids = list(
        Rollout.objects.filter(subject=subject, version=release.version)
        .exclude(state=RolloutState.ROLLED_BACK)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    staged = set(Rollout.objects.filter(pk__in=rollout_ids).values_list("tenant_id", flat=True))
    # Tenants without rings may have taken it through their policies: republished too.
    others = list(Tenant.objects.exclude(pk__in=staged).values_list("pk", flat=True))
    offered = set(
        DesiredState.objects.filter(
            tenant_id__in=others, **{f"content__{release.category.key}": release.version}
        )
        .values_list("tenant_id", flat=True)
        .distinct()
    )
    # The stop first, in one short transaction: a category hold for every tenant staging the
    # release or offered it, on the backend right after this commit, before any tenant's rollback
    # (one audited transaction each, a few hundred ms apiece on a loaded machine) and recompute.
    with transaction.atomic():
        for tenant_id in sorted(staged | offered, key=str):
            release_stop_record(tenant_id, release, reason, cause)
    rolled = set()
    with urgent_publishes_last():  # then every rollback (and its own hold), then the recomputes
        for rollout_id in rollout_ids:
            with transaction.atomic():
                rollout = Rollout.objects.select_for_update().select_related("tenant").get(pk=rollout_id)
                if rollout.state != RolloutState.ROLLED_BACK:
                    rollout_rollback_apply(
                        rollout,
                        actor,
                        f"Recalled by the vendor: {reason}",
                        event="release.recalled",
                        cause=cause,
                    )
                rolled.add(rollout.tenant_id)
        for tenant_id in others:
            with transaction.atomic():
                desired_changed(
                    tenant_id,
                    "rollout.halted",
                    urgent=True,
                    stop=(f"content:{release.category.key}", release.version),
                )
                notify(
                    tenant_id,
                    "release.recalled",
                    {"release": release.version, "category": release.category.key, "reason": reason},
                )
    return len(rolled) + len(others)

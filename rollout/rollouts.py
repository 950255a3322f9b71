"""Staged rollouts through a tenant's rings: start, gate ticks, promote, halt, resume, roll back.

Services take an ``Actor`` and audit inside the same transaction as the change; every change of
what a host may run writes an outbox row (``rollout.outbox.outbox_enqueue``) in that transaction,
and halts and rollbacks also ask the distribution side to publish at once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from celery import shared_task
from django.db import connection, transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.errors import Conflict, Forbidden, InvalidInput
from console.models import Tenant
from rollout import resolver as rv
from rollout.gates import GateResult, GateThresholds, HostHealth, gate_evaluate
from rollout.models import (
    BuildStage,
    ContentRelease,
    ContentStage,
    ContentUpdatePolicy,
    Ring,
    Rollout,
    RolloutEvent,
    RolloutState,
    SensorBuild,
)
from rollout.rings import ring_membership
from rollout.targets import content_mode_parse, version_key
from telemetry.models import CrashEvent, Host, HostStatus

log = logging.getLogger(__name__)
GATES = Actor.system("health gate")
TICK_LOCK = 7_311_004  # pg advisory lock: one gate tick at a time
UPDATE_FAILED_AFTER = timedelta(minutes=10)
DEFAULT_RINGS: tuple[tuple[str, Decimal, int], ...] = (
    ("canary", Decimal("1"), 30),
    ("early", Decimal("10"), 60),
    ("broad", Decimal("100"), 0),
)
LIVE = (RolloutState.IN_RING, RolloutState.HALTED)


# --- rings ---------------------------------------------------------------------------------------


def rings_defaults_ensure(*, tenant: Tenant, actor: Actor) -> list[Ring]:
    """canary 1 % -> early 10 % -> broad 100 %, so default policies give a staged rollout. Idempotent."""
    with transaction.atomic():
        if not Ring.objects.filter(tenant=tenant).exists():
            for order, (name, pct, soak) in enumerate(DEFAULT_RINGS, start=1):
                ring = Ring.objects.create(
                    tenant=tenant, order=order, name=name, percentage=pct, soak_minutes=soak
                )
                audit_record(
                    tenant=tenant, actor=actor, action="ring.created", target=ring, after=ring_dict(ring)
                )
        return list(Ring.objects.filter(tenant=tenant).order_by("order"))


def ring_dict(ring: Ring) -> dict[str, Any]:
    return {
        "id": str(ring.pk),
        "order": ring.order,
        "name": ring.name,
        "group": str(ring.group_id) if ring.group_id else None,
        "percentage": float(ring.percentage) if ring.percentage is not None else None,
        "soak_minutes": ring.soak_minutes,
        "max_crash_rate": ring.max_crash_rate,
        "max_boot_loop_rate": ring.max_boot_loop_rate,
        "max_silence_rate": ring.max_silence_rate,
        "max_update_failure_rate": ring.max_update_failure_rate,
        "min_sample": ring.min_sample,
        "version": ring.version,
    }


def ring_thresholds(ring: Ring) -> GateThresholds:
    return GateThresholds(
        max_crash_rate=ring.max_crash_rate,
        max_boot_loop_rate=ring.max_boot_loop_rate,
        max_silence_rate=ring.max_silence_rate,
        max_update_failure_rate=ring.max_update_failure_rate,
        min_sample=ring.min_sample,
    )


# --- notifications and sync ----------------------------------------------------------------------


def rollout_dict(rollout: Rollout) -> dict[str, Any]:
    return {
        "id": str(rollout.pk),
        "subject": rollout.subject,
        "version": rollout.version,
        "previous_version": rollout.previous_version,
        "state": rollout.state,
        "ring_index": rollout.ring_index,
        "ring_entered_at": rollout.ring_entered_at.isoformat() if rollout.ring_entered_at else None,
        "halted_reason": rollout.halted_reason,
    }


def notify(tenant_id: uuid.UUID | str, event: str, payload: dict[str, Any]) -> None:
    """In-app (the tenant's events websocket) and the tenant's webhooks, after commit."""
    from console.realtime import publish_on_commit
    from rollout.webhooks import webhook_dispatch

    publish_on_commit(tenant_id, "events", "notify", {"event": event, **payload})
    webhook_dispatch(tenant_id=tenant_id, event=event, payload=payload)


def desired_changed(
    tenant_id: uuid.UUID | str, reason: str, *, urgent: bool = False, stop: tuple[str, str] | None = None
) -> None:
    """Outbox row in this transaction (the whole tenant is recomputed by the worker). Urgent (halt,
    rollback, recall): right after commit, the hosts currently offered ``stop`` = (category, version)
    are recomputed and published at once, so the stop does not wait for the tenant's full recompute.
    ``stop`` is (subject, version): ``content:<category>`` or ``sensor:<platform>``."""
    from rollout import desired
    from rollout.outbox import outbox_enqueue

    outbox_enqueue(tenant_id=tenant_id, reason=reason, host_ids=None)
    publish_now = getattr(desired, "desired_state_publish_now", None)
    if urgent and publish_now is not None:
        tid = str(tenant_id)

        def _publish() -> None:
            from rollout.models import DesiredState

            try:
                host_ids = None
                if stop is not None:
                    kind, key = stop[0].split(":", 1)
                    offered = (
                        {"platform": key, "sensor_build": stop[1]}
                        if kind == "sensor"
                        else {f"content__{key}": stop[1]}
                    )
                    host_ids = [
                        str(h)
                        for h in DesiredState.objects.filter(tenant_id=tid, **offered).values_list(
                            "host_id", flat=True
                        )
                    ]
                    if not host_ids:
                        return
                publish_now(tid, host_ids=host_ids)
            except Exception:  # the outbox row stays pending: the worker publishes it
                log.warning("rollout: immediate publish failed for %s", tid, exc_info=True)

        transaction.on_commit(_publish)


def _event(rollout: Rollout, kind: str, actor: Actor, **detail: Any) -> None:
    RolloutEvent.objects.create(
        tenant_id=rollout.tenant_id,
        rollout=rollout,
        kind=kind,
        ring_index=rollout.ring_index,
        actor=actor.label,
        detail=detail,
    )


def _save(rollout: Rollout, *fields: str) -> None:
    rollout.updated_at = timezone.now()
    rollout.save(update_fields=[*fields, "updated_at"])


# --- starting ------------------------------------------------------------------------------------


def known_good_version(release: ContentRelease) -> str:
    """The newest valid GA release of the category older than ``release``: where hosts go back to."""
    candidates = [
        r.version
        for r in ContentRelease.objects.filter(
            category_id=release.category_id, stage=ContentStage.GA, valid=True
        )
        if r.pk != release.pk and version_key(r.version) < version_key(release.version)
    ]
    return max(candidates, key=lambda v: (version_key(v), v), default="")


def tenants_to_start(release: ContentRelease) -> set[uuid.UUID]:
    """Tenants with rings and no rollout of ``release`` yet. A GA release only for tenants whose rings
    existed when it went GA: what was already everywhere before rings were set up is not re-staged."""
    from django.db.models import Min

    started = set(
        Rollout.objects.filter(
            subject=f"content:{release.category.key}", version=release.version
        ).values_list("tenant_id", flat=True)
    )
    rings = Ring.objects.values("tenant_id").annotate(since=Min("created_at"))
    if release.stage == ContentStage.GA and release.ga_at is not None:
        rings = rings.filter(since__lt=release.ga_at)
    return {r["tenant_id"] for r in rings} - started


def rollouts_start_for_release(*, release: ContentRelease, actor: Actor) -> list[Rollout]:
    """A release entering the vendor canary stage starts in ring 1 of every tenant that has rings
    (those first rings are the cross-tenant canary cohort). Idempotent."""
    if release.stage in (ContentStage.INTERNAL, ContentStage.RECALLED) or not release.valid:
        return []
    subject = f"content:{release.category.key}"
    previous = known_good_version(release)
    started: list[Rollout] = []
    tenant_ids = tenants_to_start(release)
    for tenant in Tenant.objects.filter(pk__in=tenant_ids).order_by("pk"):
        with transaction.atomic():
            rollout = _start(tenant, actor, subject, release.version, previous=previous, release=release)
            if rollout is not None:
                started.append(rollout)
    return started


def _start(
    tenant: Tenant,
    actor: Actor,
    subject: str,
    version: str,
    *,
    previous: str,
    release: ContentRelease | None = None,
    **detail: Any,
) -> Rollout | None:
    """Creates the rollout in ring 1 (None when it exists already), audited; hosts move after commit."""
    rollout, created = Rollout.objects.get_or_create(
        tenant=tenant,
        subject=subject,
        version=version,
        defaults={
            "release": release,
            "previous_version": previous,
            "state": RolloutState.IN_RING,
            "ring_index": 0,
            "ring_entered_at": timezone.now(),
        },
    )
    if not created:
        return None
    _event(rollout, "ring.entered", actor, **detail)
    audit_record(
        tenant=tenant, actor=actor, action="rollout.start", target=rollout, after=rollout_dict(rollout)
    )
    desired_changed(tenant.pk, "ring.advanced")
    return rollout


SENSOR_LEVELS = ("n", "n-1", "n-2")


def _known_good(tenant: Tenant, subject: str, version: str) -> str:
    """``version``, or, while this tenant's own rollout of it has not completed (still staged, halted or
    rolled back), what that rollout fell back to: a later rollout never falls back to an unproven build."""
    seen: set[str] = set()
    while version and version not in seen:
        seen.add(version)
        unproven = (
            Rollout.objects.filter(tenant=tenant, subject=subject, version=version)
            .exclude(state=RolloutState.COMPLETED)
            .first()
        )
        if unproven is None:
            break
        version = unproven.previous_version
    return version


def rollouts_start_for_sensor_levels(
    *, platform: str, before: list[str], after: list[str], actor: Actor
) -> list[Rollout]:
    """A sensor build that moved N, N-1 or N-2 of ``platform`` forward (``before`` -> ``after``, the
    versions of the three levels) starts in ring 1 of every tenant with rings whose sensor policies
    track a level that moved; the others keep the build of the level until their ring is reached.
    Pinned and ``off`` policies are explicit and never staged. A build that already went through the
    tenant's rings (for another level) is not staged again. Runs in the caller's transaction, so no
    recompute sees the new level without its rollout. Idempotent."""
    from rollout.models import SensorUpdatePolicy

    subject = f"sensor:{platform}"
    moved = {
        SENSOR_LEVELS[i]: (new, before[i] if i < len(before) else "")
        for i, new in enumerate(after[: len(SENSOR_LEVELS)])
        if i >= len(before) or version_key(new) > version_key(before[i])
    }
    if not moved:
        return []
    _supersede(subject, current=set(after), actor=actor)
    tracking: dict[uuid.UUID, set[str]] = {}
    for tenant_id, target in SensorUpdatePolicy.objects.filter(
        platform=platform, target__in=list(moved), tenant__rings__isnull=False
    ).values_list("tenant_id", "target"):
        tracking.setdefault(tenant_id, set()).add(target)
    started: list[Rollout] = []
    for tenant in Tenant.objects.filter(pk__in=list(tracking)).order_by("pk"):
        for level in sorted(tracking[tenant.pk]):
            version, previous = moved[level]
            rollout = _start(
                tenant, actor, subject, version, previous=_known_good(tenant, subject, previous), level=level
            )
            if rollout is not None:
                started.append(rollout)
    return started


def _supersede(subject: str, *, current: set[str], actor: Actor) -> None:
    """Unfinished rollouts of builds no N level resolves to any more end as superseded: no host is
    offered that build again, so there is nothing left to stage (and they no longer hold the rings)."""
    for rollout in (
        Rollout.objects.filter(subject=subject, state__in=LIVE)
        .exclude(version__in=current)
        .select_related("tenant")
        .order_by("pk")
    ):
        rollout = _locked(rollout)
        before = rollout_dict(rollout)
        rollout.state = RolloutState.SUPERSEDED
        rollout.completed_at = timezone.now()
        _save(rollout, "state", "completed_at")
        _event(rollout, "superseded", actor, levels=sorted(current))
        audit_record(
            tenant=rollout.tenant,
            actor=actor,
            action="rollout.supersede",
            target=rollout,
            before=before,
            after=rollout_dict(rollout),
        )
        desired_changed(rollout.tenant_id, "ring.advanced")


def rollouts_rollback_withdrawn(*, platform: str, version: str, actor: Actor) -> int:
    """The vendor withdrew a sensor build: every tenant's running or halted rollout of it is rolled back."""
    count = 0
    for rollout in Rollout.objects.filter(
        subject=f"sensor:{platform}", version=version, state__in=LIVE
    ).order_by("pk"):
        _rollback(_locked(rollout), actor, "The vendor withdrew this sensor build.")
        count += 1
    return count


# --- health --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RolloutHealth:
    """The samples of one rollout's hosts, with the ring index of each host."""

    samples: tuple[tuple[int, HostHealth], ...]
    ring_hosts: tuple[int, ...]  # hosts per ring

    def upto(self, ring_index: int) -> list[HostHealth]:
        return [h for index, h in self.samples if index <= ring_index]


def _ring_entries(rollout: Rollout) -> dict[int, datetime]:
    entries: dict[int, datetime] = {}
    for index, at in RolloutEvent.objects.filter(rollout=rollout, kind="ring.entered").values_list(
        "ring_index", "at"
    ):
        entries.setdefault(index, at)
    return entries


def rollout_health(rollout: Rollout, rings: list[Ring], *, now: datetime | None = None) -> RolloutHealth:
    """Every host of rings ``<= ring_index`` that received the new version, and its state since.

    Received: it reports the version, it reported a crash on it, or it was alive after its ring was
    allowed the version and has since crashed, boot-looped or gone silent (a host that crashes while
    loading still reports the old version, and a boot-looping one reports nothing)."""
    now = now or timezone.now()
    category = rollout.category
    entries = _ring_entries(rollout)
    start = rollout.created_at
    hosts = Host.objects.filter(tenant_id=rollout.tenant_id)
    crashes = CrashEvent.objects.filter(tenant_id=rollout.tenant_id, occurred_at__gte=start)
    offered: set[str] | None = None  # hosts the new version was offered to (None: every host)
    rows: list[tuple[Any, str, str | None, datetime | None, datetime | None]]
    if rollout.is_sensor:
        # Only the platform's hosts whose policy level moved to this build are part of it: the others
        # (another platform, another N level, a pin) were never offered it and do not count.
        from rollout.models import DesiredState

        hosts = hosts.filter(platform=category)
        crashes = crashes.filter(sensor_build=rollout.version)
        offered = {
            str(h)
            for h in DesiredState.objects.filter(
                tenant_id=rollout.tenant_id, platform=category, sensor_build=rollout.version
            ).values_list("host_id", flat=True)
        }
        rows = list(hosts.values_list("pk", "status", "sensor_build", "last_seen_at", "update_offered_at"))
    else:
        crashes = crashes.filter(category=category, content_version=rollout.version)
        rows = [
            (pk, status, (versions or {}).get(category), last_seen, on_offer)
            for pk, status, versions, last_seen, on_offer in hosts.values_list(
                "pk", "status", "content_versions", "last_seen_at", "update_offered_at"
            )
        ]
    membership = ring_membership(rollout.tenant_id, rings, [str(r[0]) for r in rows])
    crashed = {str(h) for h in crashes.values_list("host_id", flat=True)}
    ring_hosts = [0] * (len(rings) + 1)
    samples: list[tuple[int, HostHealth]] = []
    for pk, status, running, last_seen, on_offer in rows:
        hid = str(pk)
        index = membership[hid]
        ring_hosts[index] += 1
        if index > rollout.ring_index:
            continue
        allowed_at = entries.get(index, start)
        has_it = running == rollout.version
        was_offered = offered is None or hid in offered
        alive_after = was_offered and last_seen is not None and last_seen >= allowed_at
        state: str | None = None
        if hid in crashed or (status == HostStatus.CRASHED and (has_it or alive_after)):
            state = "crashed"
        elif status == HostStatus.BOOT_LOOP and (has_it or alive_after):
            state = "boot_loop"
        elif status == HostStatus.SILENT and (has_it or alive_after):
            # Telemetry derives "silent" for a host that stopped reporting for three heartbeat
            # intervals after an update was offered; a plain "offline" host was quiet regardless.
            state = "silent"
        elif has_it:
            state = "ok"
        elif (
            was_offered
            and on_offer is not None
            and on_offer >= allowed_at
            and now - on_offer > UPDATE_FAILED_AFTER
        ):
            state = "update_failed"
        if state is not None:
            samples.append((index, HostHealth(hid, state)))  # type: ignore[arg-type]
    return RolloutHealth(tuple(samples), tuple(ring_hosts))


def rollout_progress(rollout: Rollout, rings: list[Ring]) -> list[dict[str, Any]]:
    """Per ring: hosts, done (on the new version), failed (crashed or boot-looping), silent, pending."""
    health = rollout_health(rollout, rings)
    out = []
    for index, ring in enumerate(rings):
        mine = [h for i, h in health.samples if i == index]
        done = sum(1 for h in mine if h.state == "ok")
        failed = sum(1 for h in mine if h.state in ("crashed", "boot_loop", "update_failed"))
        silent = sum(1 for h in mine if h.state == "silent")
        total = health.ring_hosts[index]
        out.append(
            {
                "index": index,
                "name": ring.name,
                "hosts": total,
                "done": done,
                "failed": failed,
                "silent": silent,
                "pending": max(total - done - failed - silent, 0) if index <= rollout.ring_index else total,
                "current": index == rollout.ring_index,
                "reached": index <= rollout.ring_index,
            }
        )
    return out


# --- transitions ---------------------------------------------------------------------------------


def _locked(rollout: Rollout) -> Rollout:
    return Rollout.objects.select_for_update().get(pk=rollout.pk)


def _advance_allowed(rollout: Rollout) -> bool:
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


def _ring_advance(rollout: Rollout, rings: list[Ring], actor: Actor, *, why: str) -> None:
    before = rollout_dict(rollout)
    if rollout.ring_index + 1 >= len(rings):
        rollout.state = RolloutState.COMPLETED
        rollout.completed_at = timezone.now()
        _save(rollout, "state", "completed_at")
        _event(rollout, "completed", actor, why=why)
        action = "rollout.complete"
    else:
        rollout.ring_index += 1
        rollout.ring_entered_at = timezone.now()
        rollout.promote_requested_by = rollout.promote_requested_by_id = ""
        _save(rollout, "ring_index", "ring_entered_at", "promote_requested_by", "promote_requested_by_id")
        _event(rollout, "ring.entered", actor, why=why)
        action = "rollout.advance"
    audit_record(
        tenant=rollout.tenant,
        actor=actor,
        action=action,
        target=rollout,
        before=before,
        after=rollout_dict(rollout),
    )
    desired_changed(rollout.tenant_id, "ring.advanced")


def _halt(rollout: Rollout, actor: Actor, reason: str, *, gate: GateResult | None = None) -> None:
    before = rollout_dict(rollout)
    rollout.state = RolloutState.HALTED
    rollout.halted_reason = reason[:500]
    rollout.halted_at = timezone.now()
    _save(rollout, "state", "halted_reason", "halted_at")
    _event(rollout, "halted", actor, reason=reason, gate=gate.as_dict() if gate else None)
    audit_record(
        tenant=rollout.tenant,
        actor=actor,
        action="rollout.halt",
        target=rollout,
        before=before,
        after=rollout_dict(rollout),
    )
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
        rollout = _locked(rollout)
        if rollout.state != RolloutState.IN_RING:
            raise Conflict(
                f"The rollout is {rollout.get_state_display().lower()}; only a running one can be halted."
            )
        _halt(rollout, actor, reason.strip())
    return rollout


def rollout_resume(*, tenant: Tenant, actor: Actor, rollout: Rollout) -> Rollout:
    """A halted rollout continues in the ring it stopped in; its gate and soak start over (never skipped)."""
    with transaction.atomic():
        rollout = _locked(rollout)
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
        _save(rollout, "state", "ring_entered_at", "halted_reason", "last_gate")
        _event(rollout, "resumed", actor)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="rollout.resume",
            target=rollout,
            before=before,
            after=rollout_dict(rollout),
        )
        desired_changed(rollout.tenant_id, "ring.advanced")
        notify(rollout.tenant_id, "rollout.resumed", {"rollout": rollout_dict(rollout)})
    return rollout


def rollout_rollback(*, tenant: Tenant, actor: Actor, rollout: Rollout, reason: str) -> Rollout:
    """The previous known-good version becomes the target of every host of the rollout, past windows."""
    if not reason.strip():
        raise InvalidInput(
            "A reason is required.", errors={"reason": ["Say why the rollout is rolled back."]}
        )
    with transaction.atomic():
        rollout = _locked(rollout)
        if rollout.state == RolloutState.ROLLED_BACK:
            raise Conflict("The rollout is already rolled back.")
        if not rollout.previous_version:
            raise Conflict("There is no previous known-good version to roll back to.")
        _rollback(rollout, actor, reason.strip())
    return rollout


def _rollback(rollout: Rollout, actor: Actor, reason: str, *, event: str = "rollout.rolled_back") -> None:
    before = rollout_dict(rollout)
    rollout.state = RolloutState.ROLLED_BACK
    rollout.rolled_back_at = timezone.now()
    rollout.halted_reason = reason[:500]
    _save(rollout, "state", "rolled_back_at", "halted_reason")
    _event(rollout, "rolled_back", actor, reason=reason)
    audit_record(
        tenant=rollout.tenant,
        actor=actor,
        action="rollout.rollback",
        target=rollout,
        before=before,
        after=rollout_dict(rollout),
    )
    # Every host that has the version was offered it: those are the ones to send back first.
    desired_changed(rollout.tenant_id, "rollout.halted", urgent=True, stop=(rollout.subject, rollout.version))
    notify(rollout.tenant_id, event, {"rollout": rollout_dict(rollout), "reason": reason})


def rollout_promote(*, tenant: Tenant, actor: Actor, rollout: Rollout) -> Rollout:
    """Skips the rest of the soak. Past a failing gate only with a second approver: the first call
    records the request, a different person's call carries it out."""
    with transaction.atomic():
        rollout = _locked(rollout)
        if rollout.state not in LIVE:
            raise Conflict("Only a running or halted rollout can be promoted.")
        if rollout.release is not None and rollout.release.stage == ContentStage.RECALLED:
            raise Conflict("The vendor recalled this release.")
        rings = list(Ring.objects.filter(tenant=tenant).select_related("group").order_by("order"))
        gate = gate_evaluate(
            rollout_health(rollout, rings).upto(rollout.ring_index),
            ring_thresholds(rings[rollout.ring_index]),
        )
        failing = gate.verdict == "failed" or rollout.state == RolloutState.HALTED
        if failing:
            if not rollout.promote_requested_by_id:
                rollout.promote_requested_by = actor.label
                rollout.promote_requested_by_id = actor.id
                _save(rollout, "promote_requested_by", "promote_requested_by_id")
                _event(rollout, "promote.requested", actor, gate=gate.as_dict())
                audit_record(
                    tenant=tenant,
                    actor=actor,
                    action="rollout.promote_request",
                    target=rollout,
                    after=rollout_dict(rollout),
                )
                return rollout
            if rollout.promote_requested_by_id == actor.id:
                raise Forbidden("A second person must approve promoting past a failing gate.")
        if rollout.state == RolloutState.HALTED:
            rollout.state = RolloutState.IN_RING
            rollout.halted_reason = ""
            _save(rollout, "state", "halted_reason")
        _event(rollout, "promoted", actor, gate=gate.as_dict(), approved_after=rollout.promote_requested_by)
        _ring_advance(rollout, rings, actor, why=f"promoted by {actor.label}")
    return rollout


# --- the gate tick -------------------------------------------------------------------------------


def rollout_gate_tick(rollout: Rollout, rings: list[Ring], health: RolloutHealth) -> str:
    """One evaluation of one running rollout: halt on a failing gate, advance after a passing gate
    and the soak. Returns what happened (``halted``, ``advanced``, ``waiting``)."""
    if not rings:
        return "waiting"
    ring = rings[min(rollout.ring_index, len(rings) - 1)]
    gate = gate_evaluate(health.upto(rollout.ring_index), ring_thresholds(ring))
    with transaction.atomic():
        rollout = _locked(rollout)
        if rollout.state != RolloutState.IN_RING:
            return "waiting"
        rollout.last_gate = gate.as_dict()
        _save(rollout, "last_gate")
        if gate.verdict == "failed":
            _halt(rollout, GATES, f"Ring {ring.name!r}: {gate.reason}", gate=gate)
            return "halted"
        soaked = rollout.ring_entered_at is None or timezone.now() >= rollout.ring_entered_at + timedelta(
            minutes=ring.soak_minutes
        )
        if gate.verdict == "passed" and soaked and _advance_allowed(rollout):
            _ring_advance(rollout, rings, GATES, why=gate.reason)
            return "advanced"
    return "waiting"


def releases_to_stage() -> list[ContentRelease]:
    """Per category, the newest valid release past the internal stage, when some tenant with rings
    has no rollout of it yet (a release the vendor moved straight to GA is staged all the same)."""
    newest: dict[uuid.UUID, ContentRelease] = {}
    for release in ContentRelease.objects.filter(
        stage__in=[ContentStage.CANARY, ContentStage.EARLY_ACCESS, ContentStage.GA], valid=True
    ).select_related("category"):
        held = newest.get(release.category_id)
        if held is None or version_key(release.version) > version_key(held.version):
            newest[release.category_id] = release
    return [release for release in newest.values() if tenants_to_start(release)]


def rollouts_tick() -> dict[str, int]:
    """Starts rollouts for releases that reached canary, evaluates every running rollout's gate and
    the vendor canary gate of every release. One tick at a time (advisory lock)."""
    from rollout.vendor_stages import canary_gate_tick

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [TICK_LOCK])
        got = cursor.fetchone()
    if not (got and got[0]):
        return {"skipped": 1}
    try:
        counts = {"started": 0, "halted": 0, "advanced": 0, "recalled": 0}
        for release in releases_to_stage():
            counts["started"] += len(rollouts_start_for_release(release=release, actor=GATES))
        # A release recalled through the plain stage change still rolls every tenant back.
        for rollout in (
            Rollout.objects.filter(state__in=LIVE, release__stage=ContentStage.RECALLED)
            .select_related("tenant")
            .order_by("pk")
        ):
            with transaction.atomic():
                _rollback(
                    _locked(rollout), GATES, "The vendor recalled this release.", event="release.recalled"
                )
                counts["recalled"] += 1
        # A sensor build withdrawn through any path still rolls its rollouts back.
        withdrawn = {
            (f"sensor:{platform}", version)
            for platform, version in SensorBuild.objects.filter(stage=BuildStage.WITHDRAWN).values_list(
                "platform", "version"
            )
        }
        for rollout in Rollout.objects.filter(state__in=LIVE, subject__startswith="sensor:").order_by("pk"):
            if (rollout.subject, rollout.version) in withdrawn:
                with transaction.atomic():
                    _rollback(_locked(rollout), GATES, "The vendor withdrew this sensor build.")
                    counts["recalled"] += 1
        cohort: dict[uuid.UUID, list[HostHealth]] = {}
        rings_of: dict[uuid.UUID, list[Ring]] = {}
        for rollout in (
            Rollout.objects.filter(state__in=LIVE).select_related("tenant", "release").order_by("created_at")
        ):
            if rollout.tenant_id not in rings_of:
                rings_of[rollout.tenant_id] = list(
                    Ring.objects.filter(tenant_id=rollout.tenant_id).select_related("group").order_by("order")
                )
            rings = rings_of[rollout.tenant_id]
            health = rollout_health(rollout, rings)
            if rollout.release_id is not None:
                cohort.setdefault(rollout.release_id, []).extend(h for i, h in health.samples if i == 0)
            if rollout.state == RolloutState.IN_RING:
                outcome = rollout_gate_tick(rollout, rings, health)
                counts[outcome] = counts.get(outcome, 0) + 1
        for release_id, samples in cohort.items():
            if canary_gate_tick(release_id, samples):
                counts["recalled"] += 1
        return counts
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [TICK_LOCK])


@shared_task(name="rollout.rollouts.rollouts_tick_task", ignore_result=True)
def rollouts_tick_task() -> dict[str, int]:
    return rollouts_tick()

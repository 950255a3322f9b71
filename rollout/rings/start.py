from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.models import Tenant
from rollout.desired.publish import desired_changed
from rollout.models import (
    ContentRelease,
    ContentStage,
    Ring,
    Rollout,
    RolloutState,
    SensorUpdatePolicy,
)
from rollout.resolver.targets import version_key
from rollout.rings.events import ROLLOUT_STARTED
from rollout.rings.records import rollout_dict, rollout_event
from rollout.rings.transitions import rollouts_supersede


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
    rollout_event(rollout, "ring.entered", actor, **detail)
    audit_record(
        tenant=tenant, actor=actor, action=ROLLOUT_STARTED, target=rollout, after=rollout_dict(rollout)
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

    subject = f"sensor:{platform}"
    moved = {
        SENSOR_LEVELS[i]: (new, before[i] if i < len(before) else "")
        for i, new in enumerate(after[: len(SENSOR_LEVELS)])
        if i >= len(before) or version_key(new) > version_key(before[i])
    }
    if not moved:
        return []
    rollouts_supersede(subject, current=set(after), actor=actor)
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

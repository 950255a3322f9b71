"""Writes of a tenant's rings: create, update, delete and reorder, validated and audited.

The rules that keep rings and the rollout engine consistent:
- a tenant keeps at least one ring (without rings nothing is staged at all);
- hosts that no ring takes are handled by the engine (``rollout.rings.ring_membership``): they receive
  a release only once its rollout has passed the last ring, so the last ring need not be 100 %;
- a ring that a running or halted rollout has reached (its index is at or below the rollout's ring)
  cannot be deleted, nor its hosts (group, percentage) changed: hosts would silently change rings
  under a gate that already passed (409); its soak and thresholds can be changed;
- rings cannot be reordered while a rollout is running or halted (409): the order decides which hosts
  the current ring has reached. Create (appended last) and edits stay allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max

from console.access import Actor
from console.audit import audit_record
from console.editing import version_check
from console.errors import Conflict, InvalidInput
from console.models import Tenant
from rollout.desired.publish import desired_changed
from rollout.models import HostGroup, Ring, Rollout, RolloutState
from rollout.rings.events import RING_CREATED, RING_DELETED, RING_REORDERED, RING_UPDATED
from rollout.rings.gates import GateThresholds

DEFAULT_RINGS: tuple[tuple[str, Decimal, int], ...] = (
    ("canary", Decimal("1"), 30),
    ("early", Decimal("10"), 60),
    ("broad", Decimal("100"), 0),
)


LIVE = (RolloutState.IN_RING, RolloutState.HALTED)


def rings_defaults_ensure(*, tenant: Tenant, actor: Actor) -> list[Ring]:
    """canary 1 % -> early 10 % -> broad 100 %, so default policies give a staged rollout. Idempotent."""
    with transaction.atomic():
        if not Ring.objects.filter(tenant=tenant).exists():
            for order, (name, pct, soak) in enumerate(DEFAULT_RINGS, start=1):
                ring = Ring.objects.create(
                    tenant=tenant, order=order, name=name, percentage=pct, soak_minutes=soak
                )
                audit_record(
                    tenant=tenant, actor=actor, action=RING_CREATED, target=ring, after=ring_dict(ring)
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
        "statistical_gate": ring.statistical_gate,
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


RING_FIELDS = (
    "name",
    "percentage",
    "group",
    "soak_minutes",
    "max_crash_rate",
    "max_boot_loop_rate",
    "max_silence_rate",
    "max_update_failure_rate",
    "min_sample",
    "statistical_gate",
)


RATE_FIELDS = ("max_crash_rate", "max_boot_loop_rate", "max_silence_rate", "max_update_failure_rate")


MAX_SOAK_MINUTES = 60 * 24 * 14


MAX_MIN_SAMPLE = 1_000_000


def _number(value: Any, kind: type[int] | type[float]) -> int | float | None:
    try:
        number = kind(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if kind is int and isinstance(value, float) and value != number:
        return None
    return number


def ring_clean(*, tenant: Tenant, data: dict[str, Any], ring: Ring | None = None) -> dict[str, Any]:
    """The validated changes of ``data`` (every field for a new ring), or ``InvalidInput`` naming
    each bad field. ``group`` comes back as a ``HostGroup`` of ``tenant`` or None."""
    errors: dict[str, list[str]] = {}
    changes = {k: v for k, v in data.items() if k in RING_FIELDS}
    if "name" in changes or ring is None:
        name = str(changes.get("name") or "").strip()
        if not name or len(name) > 120:
            errors["name"] = ["A name of at most 120 characters is needed."]
        elif Ring.objects.filter(tenant=tenant, name=name).exclude(pk__in=[ring.pk] if ring else []).exists():
            errors["name"] = [f"Another ring is already called {name!r}."]
        changes["name"] = name
    if changes.get("group") not in (None, ""):
        group = None
        try:
            group = HostGroup.objects.filter(tenant=tenant, pk=str(changes["group"])).first()
        except ValidationError:  # a malformed id is simply no such group
            group = None
        if group is None:
            errors["group"] = ["No such host group."]
        changes["group"] = group
    elif "group" in changes:
        changes["group"] = None
    if changes.get("percentage") not in (None, ""):
        try:
            pct = Decimal(str(changes["percentage"]))
        except InvalidOperation:
            pct = Decimal("NaN")
        if pct.is_nan() or not (Decimal("0") < pct <= Decimal("100")) or pct != round(pct, 2):
            errors["percentage"] = ["Use a percentage above 0 and at most 100 (two decimals at most)."]
        changes["percentage"] = pct
    elif "percentage" in changes:
        changes["percentage"] = None
    for key in RATE_FIELDS:
        if key in changes:
            rate = _number(changes[key], float)
            if rate is None or not (0 <= rate <= 1):
                errors[key] = ["Use a rate between 0 and 1 (0.02 is 2 %)."]
            changes[key] = rate
    if "soak_minutes" in changes:
        soak = _number(changes["soak_minutes"], int)
        if soak is None or not (0 <= soak <= MAX_SOAK_MINUTES):
            errors["soak_minutes"] = [f"Use whole minutes from 0 to {MAX_SOAK_MINUTES}."]
        changes["soak_minutes"] = soak
    if "min_sample" in changes:
        sample = _number(changes["min_sample"], int)
        if sample is None or not (1 <= sample <= MAX_MIN_SAMPLE):
            errors["min_sample"] = ["Use at least 1 host."]
        changes["min_sample"] = sample
    if "statistical_gate" in changes:
        flag = changes["statistical_gate"]
        words = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}
        if isinstance(flag, bool):
            changes["statistical_gate"] = flag
        elif str(flag).strip().lower() in words:
            changes["statistical_gate"] = words[str(flag).strip().lower()]
        else:
            errors["statistical_gate"] = ["Use on or off."]
    pct_after = changes["percentage"] if "percentage" in changes else getattr(ring, "percentage", None)
    group_after = changes["group"] if "group" in changes else getattr(ring, "group", None)
    if pct_after is None and group_after is None and "percentage" not in errors and "group" not in errors:
        errors["percentage"] = ["A ring takes a host group or a percentage of hosts."]
    if errors:
        raise InvalidInput("The ring is not valid.", errors=errors)
    return changes


def _save(ring: Ring) -> None:
    try:
        with transaction.atomic():
            ring.save()
    except IntegrityError as exc:  # a concurrent write took the name
        raise InvalidInput(
            "The ring is not valid.", errors={"name": [f"Another ring is already called {ring.name!r}."]}
        ) from exc


def _live_rollouts(tenant: Tenant) -> list[Rollout]:
    return list(Rollout.objects.filter(tenant=tenant, state__in=LIVE).order_by("created_at"))


def _membership_moved(tenant: Tenant) -> None:
    # Which hosts a running rollout has reached may have changed: recompute the tenant.
    if Rollout.objects.filter(tenant=tenant, state__in=LIVE).exists():
        desired_changed(tenant.pk, "ring.advanced")


def _refuse_if_reached(tenant: Tenant, ring: Ring, what: str) -> None:
    """409 when a running or halted rollout has reached ``ring`` (its index is at or below the ring
    the rollout is in): changing which hosts it holds would offer the release past a gate."""
    index = Ring.objects.filter(tenant=tenant, order__lt=ring.order).count()
    using = [r for r in _live_rollouts(tenant) if r.ring_index >= index]
    if using:
        names = ", ".join(f"{r.subject} {r.version} ({r.get_state_display().lower()})" for r in using)
        raise Conflict(
            f"Ring {ring.name!r} is in use by a rollout that has reached it: {names}. {what} until the "
            "rollout completes or is rolled back."
        )


def ring_create(*, tenant: Tenant, actor: Actor, data: dict[str, Any]) -> Ring:
    """A new ring, placed last (reorder it afterwards); audited as ``ring.created``."""
    changes = ring_clean(tenant=tenant, data=data)
    with transaction.atomic():
        # Serialises concurrent creates of one tenant so they do not pick the same order.
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
        top = Ring.objects.filter(tenant=tenant).aggregate(top=Max("order"))["top"] or 0
        ring = Ring(tenant=tenant, order=top + 1, **changes)
        _save(ring)
        audit_record(tenant=tenant, actor=actor, action=RING_CREATED, target=ring, after=ring_dict(ring))
        _membership_moved(tenant)
    return ring


def ring_update(
    *, tenant: Tenant, actor: Actor, ring: Ring, data: dict[str, Any], expected_version: int | None = None
) -> Ring:
    """Changes a ring's membership (group or percentage), soak or gate thresholds; audited as
    ``ring.updated``. A stale ``expected_version`` is refused with 412."""
    changes = ring_clean(tenant=tenant, data=data, ring=ring)
    with transaction.atomic():
        ring = Ring.objects.select_for_update().get(pk=ring.pk)
        version_check(ring, expected_version)
        before = ring_dict(ring)
        moves_hosts = ("group" in changes and changes["group"] != ring.group) or (
            "percentage" in changes and changes["percentage"] != ring.percentage
        )
        if moves_hosts:
            _refuse_if_reached(tenant, ring, "Its hosts cannot be changed")
        for key, value in changes.items():
            setattr(ring, key, value)
        ring.version += 1
        _save(ring)
        audit_record(
            tenant=tenant,
            actor=actor,
            action=RING_UPDATED,
            target=ring,
            before=before,
            after=ring_dict(ring),
        )
        _membership_moved(tenant)
    return ring


def ring_delete(*, tenant: Tenant, actor: Actor, ring: Ring, expected_version: int | None = None) -> None:
    """Deletes a ring; the rings after it move up one place. Refused (409) for the last ring left and
    for a ring that a running or halted rollout has reached; audited as ``ring.deleted``."""
    with transaction.atomic():
        rings = list(Ring.objects.select_for_update().filter(tenant=tenant).order_by("order"))
        locked = next((r for r in rings if r.pk == ring.pk), None)
        if locked is None:
            return
        version_check(locked, expected_version)
        if len(rings) == 1:
            raise Conflict("A tenant keeps at least one ring: add another ring before deleting this one.")
        _refuse_if_reached(tenant, locked, "It cannot be deleted")
        before = ring_dict(locked)
        audit_record(tenant=tenant, actor=actor, action=RING_DELETED, target=locked, before=before)
        locked.delete()
        # Close the gap: the later rings move up one place (one statement, so the order stays unique).
        Ring.objects.filter(tenant=tenant, order__gt=before["order"]).update(order=F("order") - 1)
        _membership_moved(tenant)


def ring_reorder(*, tenant: Tenant, actor: Actor, order: Sequence[Any]) -> list[Ring]:
    """Sets the order of every ring of the tenant: ``order`` lists all their ids, first is ring 1.
    Refused (409) while a rollout is running or halted; audited as ``ring.reordered``."""
    with transaction.atomic():
        rings = list(Ring.objects.select_for_update().filter(tenant=tenant).order_by("order"))
        by_id = {str(r.pk): r for r in rings}
        wanted = [str(v) for v in order]
        if len(wanted) != len(set(wanted)) or set(wanted) != set(by_id):
            raise InvalidInput(
                "List every ring exactly once.",
                errors={
                    "order": ["List the id of every ring of the tenant exactly once (reload the rings)."]
                },
            )
        live = _live_rollouts(tenant)
        if live and wanted != list(by_id):
            names = ", ".join(f"{r.subject} {r.version}" for r in live)
            raise Conflict(
                f"Rings cannot be reordered while a rollout is running or halted ({names}): the order "
                "decides which hosts it has reached. Wait until it completes, or roll it back."
            )
        before = [ring_dict(r) for r in rings]
        if wanted == list(by_id):
            return rings
        # Two steps, so the unique (tenant, order) holds after each statement.
        Ring.objects.filter(tenant=tenant).update(order=F("order") + len(rings) + 1000)
        for position, ring_id in enumerate(wanted, start=1):
            Ring.objects.filter(pk=ring_id).update(order=position, version=F("version") + 1)
        after = list(Ring.objects.filter(tenant=tenant).order_by("order"))
        audit_record(
            tenant=tenant,
            actor=actor,
            action=RING_REORDERED,
            target=tenant,
            before={"order": [r["name"] for r in before]},
            after={"order": [r.name for r in after]},
        )
    return after


def ring_move(*, tenant: Tenant, actor: Actor, ring: Ring, direction: str) -> list[Ring]:
    """Moves a ring one place earlier (``up``) or later (``down``) through ``ring_reorder``."""
    if direction not in ("up", "down"):
        raise InvalidInput("Move a ring up or down.", errors={"direction": ["Use up or down."]})
    ids = [
        str(pk) for pk in Ring.objects.filter(tenant=tenant).order_by("order").values_list("pk", flat=True)
    ]
    index = ids.index(str(ring.pk))
    swap = index - 1 if direction == "up" else index + 1
    if 0 <= swap < len(ids):
        ids[index], ids[swap] = ids[swap], ids[index]
    return ring_reorder(tenant=tenant, actor=actor, order=ids)

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import time
from typing import Any

from console.access import Actor
from console.audit import audit_record
from console.editing import field_error, save_unique, tenant_row_lock, version_check
from console.errors import InvalidInput
from console.models import Tenant
from rollout.controls.events import WINDOW_CREATED, WINDOW_DELETED, WINDOW_UPDATED
from rollout.desired.changes import Outcome, measure
from rollout.models import MaintenanceWindow
from rollout.resolver.recurrence import MAX_DURATION_MINUTES, zone


def clock_clean(value: Any, field: str) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        raise field_error(field, "Use a 24-hour time like 01:30.")
    hours, minutes = (int(p) for p in value.strip().split(":"))
    if hours > 23 or minutes > 59:
        raise field_error(field, "Use a 24-hour time like 01:30.")
    return time(hours, minutes)


def weekdays_clean(value: Any, field: str) -> list[int]:
    if not isinstance(value, list) or not value:
        raise field_error(field, "Choose at least one weekday (0 = Monday ... 6 = Sunday).")
    if any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in value):
        raise field_error(field, "Weekdays are 0 (Monday) to 6 (Sunday).")
    if len(set(value)) != len(value):
        raise field_error(field, "A weekday is listed twice.")
    return sorted(value)


def timezone_clean(value: str, field: str = "timezone") -> str:
    try:
        zone(value)
    except ValueError:
        raise field_error(field, f"{value!r} is not an IANA timezone (like Europe/Berlin).") from None
    return value


def windows_resolve(tenant: Tenant, ids: Sequence[Any] | None) -> list[MaintenanceWindow]:
    if not ids:
        return []
    text = [str(i) for i in ids]
    if len(set(text)) != len(text):
        raise field_error("windows", "A window is listed twice.")
    try:
        wanted = [uuid.UUID(i) for i in text]
    except ValueError:
        raise field_error("windows", "Window ids must be UUIDs.") from None
    windows = list(MaintenanceWindow.objects.filter(tenant=tenant, pk__in=wanted))
    if len(windows) != len(wanted):
        raise field_error("windows", "Unknown maintenance windows.")
    return windows


def window_dict(window: MaintenanceWindow) -> dict[str, Any]:
    return {
        "name": window.name,
        "weekdays": list(window.weekdays),
        "start": window.start.strftime("%H:%M") if isinstance(window.start, time) else str(window.start),
        "duration_minutes": window.duration_minutes,
        "timezone": window.timezone,
        "version": window.version,
    }


def _window_fields(data: dict[str, Any], partial: bool) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "name" in data or not partial:
        name = data.get("name") or ""
        if not name.strip() or len(name) > 120:
            raise field_error("name", "A name of at most 120 characters is needed.")
        clean["name"] = name.strip()
    if "weekdays" in data or not partial:
        clean["weekdays"] = weekdays_clean(data.get("weekdays"), "weekdays")
    if "start" in data or not partial:
        clean["start"] = clock_clean(data.get("start"), "start")
    if "duration_minutes" in data or not partial:
        minutes = data.get("duration_minutes")
        if (
            not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or not 1 <= minutes <= MAX_DURATION_MINUTES
        ):
            raise field_error("duration_minutes", f"Between 1 and {MAX_DURATION_MINUTES} minutes.")
        clean["duration_minutes"] = minutes
    if "timezone" in data or not partial:
        clean["timezone"] = timezone_clean(data.get("timezone") or "")
    return clean


def window_create(*, tenant: Tenant, actor: Actor, data: dict[str, Any], dry_run: bool = False) -> Outcome:
    clean = _window_fields(data, partial=False)

    def change() -> MaintenanceWindow:
        window = MaintenanceWindow(tenant=tenant, **clean)
        save_unique(window)
        audit_record(
            tenant=tenant, actor=actor, action=WINDOW_CREATED, target=window, after=window_dict(window)
        )
        return window

    window, blast = measure(tenant, change, dry_run=dry_run, members_unchanged=True)
    return Outcome(window, blast, dry_run)


def window_update(
    *,
    tenant: Tenant,
    actor: Actor,
    window: MaintenanceWindow,
    expected_version: int | None,
    data: dict[str, Any],
    dry_run: bool = False,
) -> Outcome:
    clean = _window_fields(data, partial=True)

    def change() -> MaintenanceWindow:
        locked = tenant_row_lock(MaintenanceWindow, tenant, window.pk)
        version_check(locked, expected_version)
        before = window_dict(locked)
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.version += 1
        save_unique(locked)
        audit_record(
            tenant=tenant,
            actor=actor,
            action=WINDOW_UPDATED,
            target=locked,
            before=before,
            after=window_dict(locked),
        )
        return locked

    updated, blast = measure(tenant, change, dry_run=dry_run, members_unchanged=True)
    return Outcome(updated, blast, dry_run)


def window_delete(
    *,
    tenant: Tenant,
    actor: Actor,
    window: MaintenanceWindow,
    expected_version: int | None,
    dry_run: bool = False,
) -> Outcome:
    def change() -> MaintenanceWindow:
        locked = tenant_row_lock(MaintenanceWindow, tenant, window.pk)
        version_check(locked, expected_version)
        audit_record(
            tenant=tenant, actor=actor, action=WINDOW_DELETED, target=locked, before=window_dict(locked)
        )
        locked.delete()
        return window

    deleted, blast = measure(tenant, change, dry_run=dry_run, members_unchanged=True)
    return Outcome(deleted, blast, dry_run)


WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    """Update blocks as the edit form shows them: one ``Mon,Tue 09:00-17:00`` per line."""
    return "\n".join(
        f"{','.join(WEEKDAYS[d] for d in b.get('weekdays', []))} {b.get('start')}-{b.get('end')}"
        for b in blocks
    )


def blocks_parse(text: str) -> list[dict[str, Any]]:
    """The form's lines back to ``[{weekdays, start, end}]``; the service validates the values."""
    full = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    names = {d.lower(): i for i, d in enumerate(WEEKDAYS)} | {d: i for i, d in enumerate(full)}
    out: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        days, _, span = line.partition(" ")
        start, _, end = span.strip().partition("-")
        try:
            weekdays = [
                int(d) if d.strip().isascii() and d.strip().isdigit() else names[d.strip().lower()]
                for d in days.split(",")
            ]
        except KeyError:
            raise InvalidInput(
                "Bad weekday.",
                errors={"update_blocks": [f"Line {number}: use days like Mon,Tue then 09:00-17:00."]},
            ) from None
        out.append({"weekdays": weekdays, "start": start.strip(), "end": end.strip()})
    return out

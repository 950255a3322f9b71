from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.editing import field_error, save_unique, tenant_row_lock, version_check
from console.errors import Conflict, InvalidInput
from console.models import Tenant
from rollout.desired.changes import Outcome, measure
from rollout.groups.events import (
    HOST_GROUP_CREATED,
    HOST_GROUP_DELETED,
    HOST_GROUP_MEMBERS_CHANGED,
    HOST_GROUP_UPDATED,
)
from rollout.models import HostGroup, HostGroupMember, Pause
from rollout.selectors.rules import RuleError, rule_normalise, rule_parse, rule_to_text
from telemetry.models import Host


def group_rule_from_input(*, rule_text: str | None, rule: Any) -> tuple[dict[str, Any] | None, str]:
    """(normalised JSON rule, text form) from either input form; ``RuleError`` becomes a 400."""
    try:
        if rule is not None:
            normalised = rule_normalise(rule)
            return normalised, rule_to_text(normalised)
        if rule_text is not None and rule_text.strip():
            normalised = rule_parse(rule_text)
            return normalised, rule_text.strip()
    except RuleError as exc:
        field = "rule" if rule is not None else "rule_text"
        message = str(exc)
        raise InvalidInput(message, errors={exc.path or field: [message]}, position=exc.position) from None
    return None, ""


def host_group_dict(group: HostGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "description": group.description,
        "rule": group.rule_text,
        "version": group.version,
    }


def host_group_create(
    *,
    tenant: Tenant,
    actor: Actor,
    name: str,
    description: str = "",
    rule_text: str | None = None,
    rule: Any = None,
    dry_run: bool = False,
) -> Outcome:
    """Creates a host group (static and/or dynamic)."""
    if not name or not name.strip() or len(name) > 120:
        raise field_error("name", "A name of at most 120 characters is needed.")
    normalised, text = group_rule_from_input(rule_text=rule_text, rule=rule)

    def change() -> HostGroup:
        group = HostGroup(
            tenant=tenant, name=name.strip(), description=description, rule=normalised, rule_text=text
        )
        save_unique(group)
        audit_record(
            tenant=tenant, actor=actor, action=HOST_GROUP_CREATED, target=group, after=host_group_dict(group)
        )
        return group

    group, blast = measure(tenant, change, dry_run=dry_run)
    return Outcome(group, blast, dry_run)


_UNSET: Any = object()


def host_group_update(
    *,
    tenant: Tenant,
    actor: Actor,
    group: HostGroup,
    expected_version: int | None,
    name: str | None = None,
    description: str | None = None,
    rule_text: str | None = _UNSET,
    rule: Any = _UNSET,
    dry_run: bool = False,
) -> Outcome:
    """Edits a group; a stale ``expected_version`` is refused with 412."""
    new_rule: Any = _UNSET
    if rule is not _UNSET or rule_text is not _UNSET:
        new_rule = group_rule_from_input(
            rule_text=None if rule_text is _UNSET else rule_text, rule=None if rule is _UNSET else rule
        )
    if name is not None and (not name.strip() or len(name) > 120):
        raise field_error("name", "A name of at most 120 characters is needed.")

    def change() -> HostGroup:
        locked = tenant_row_lock(HostGroup, tenant, group.pk)
        version_check(locked, expected_version)
        before = host_group_dict(locked)
        if name is not None:
            locked.name = name.strip()
        if description is not None:
            locked.description = description
        if new_rule is not _UNSET:
            locked.rule, locked.rule_text = new_rule
        locked.version += 1
        locked.updated_at = timezone.now()
        save_unique(locked)
        audit_record(
            tenant=tenant,
            actor=actor,
            action=HOST_GROUP_UPDATED,
            target=locked,
            before=before,
            after=host_group_dict(locked),
        )
        return locked

    updated, blast = measure(tenant, change, dry_run=dry_run)
    return Outcome(updated, blast, dry_run)


def host_group_delete(
    *, tenant: Tenant, actor: Actor, group: HostGroup, expected_version: int | None, dry_run: bool = False
) -> Outcome:
    if Pause.objects.filter(tenant=tenant, group=group, resumed_at__isnull=True).exists():
        raise Conflict("The group has an active pause; resume it before deleting the group.")

    def change() -> HostGroup:
        locked = tenant_row_lock(HostGroup, tenant, group.pk)
        version_check(locked, expected_version)
        audit_record(
            tenant=tenant,
            actor=actor,
            action=HOST_GROUP_DELETED,
            target=locked,
            before=host_group_dict(locked),
        )
        locked.delete()
        return group

    deleted, blast = measure(tenant, change, dry_run=dry_run)
    return Outcome(deleted, blast, dry_run)


def _host_ids(tenant: Tenant, values: Iterable[str], field: str) -> list[uuid.UUID]:
    wanted: list[uuid.UUID] = []
    bad: list[str] = []
    for value in values:
        try:
            wanted.append(uuid.UUID(str(value)))
        except (ValueError, AttributeError):
            bad.append(str(value)[:60])
    found = set(Host.objects.filter(tenant=tenant, pk__in=wanted).values_list("pk", flat=True))
    bad += [str(v) for v in wanted if v not in found]
    if bad:
        raise field_error(
            field, f"Unknown host ids: {', '.join(bad[:10])}" + (" ..." if len(bad) > 10 else "")
        )
    return wanted


def members_from_csv(tenant: Tenant, text: str) -> list[str]:
    """Host ids from a CSV with a ``host_id`` or ``hostname`` column (or one bare column of either)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise field_error("csv", "The CSV file is empty.")
    header = [h.strip().lower() for h in rows[0]]
    column, data = 0, rows
    kind = "auto"
    for name in ("host_id", "id", "hostname"):
        if name in header:
            column, data, kind = header.index(name), rows[1:], ("hostname" if name == "hostname" else "id")
            break
    values = [r[column].strip() for r in data if len(r) > column and r[column].strip()]
    if len(values) > 100_000:
        raise field_error("csv", "At most 100,000 rows per upload.")
    ids: list[str] = []
    names: list[str] = []
    for value in values:
        is_uuid = re.fullmatch(r"[0-9a-fA-F-]{32,36}", value) is not None
        (ids if kind == "id" or (kind == "auto" and is_uuid) else names).append(value)
    if names:
        by_name = dict(Host.objects.filter(tenant=tenant, hostname__in=names).values_list("hostname", "pk"))
        missing = [n for n in names if n not in by_name]
        if missing:
            raise field_error(
                "csv", f"Unknown hostnames: {', '.join(missing[:10])}" + (" ..." if len(missing) > 10 else "")
            )
        ids += [str(by_name[n]) for n in names]
    return ids


def host_group_members_change(
    *,
    tenant: Tenant,
    actor: Actor,
    group: HostGroup,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    expected_version: int | None = None,
    dry_run: bool = False,
) -> Outcome:
    """Adds and removes static members by host id."""
    add_ids = _host_ids(tenant, add, "add")
    remove_ids = _host_ids(tenant, remove, "remove")

    def change() -> HostGroup:
        locked = tenant_row_lock(HostGroup, tenant, group.pk)
        version_check(locked, expected_version)
        existing = set(
            HostGroupMember.objects.filter(group=locked, host_id__in=add_ids).values_list(
                "host_id", flat=True
            )
        )
        HostGroupMember.objects.bulk_create(
            [
                HostGroupMember(tenant=tenant, group=locked, host_id=h)
                for h in dict.fromkeys(add_ids)
                if h not in existing
            ]
        )
        removed, _ = HostGroupMember.objects.filter(group=locked, host_id__in=remove_ids).delete()
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["version", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action=HOST_GROUP_MEMBERS_CHANGED,
            target=locked,
            after={
                "added": len(set(add_ids) - existing),
                "removed": removed,
                "added_ids": [str(h) for h in add_ids[:100]],
                "removed_ids": [str(h) for h in remove_ids[:100]],
            },
        )
        return locked

    updated, blast = measure(tenant, change, dry_run=dry_run)
    return Outcome(updated, blast, dry_run)


def groups_resolve(tenant: Tenant, ids: Sequence[Any] | None, field: str = "groups") -> list[HostGroup]:
    if not ids:
        return []
    text_ids = [str(i) for i in ids]
    if len(set(text_ids)) != len(text_ids):
        raise field_error(field, "A group is listed twice.")
    try:
        wanted = [uuid.UUID(i) for i in text_ids]
    except ValueError:
        raise field_error(field, "Group ids must be UUIDs.") from None
    groups = list(HostGroup.objects.filter(tenant=tenant, pk__in=wanted))
    if len(groups) != len(wanted):
        found = {g.pk for g in groups}
        raise field_error(
            field, "Unknown host groups: " + ", ".join(str(w) for w in wanted if w not in found)
        )
    return groups


ZERO_MATCH_WARNING = "The rule matches no hosts right now. That is allowed, but check it is what you meant."

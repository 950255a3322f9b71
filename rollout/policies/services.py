from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from console.access import Actor
from console.audit import audit_record
from console.editing import field_error, save_unique, tenant_row_lock, version_check
from console.errors import Conflict
from console.models import Tenant
from rollout.controls.windows import clock_clean, timezone_clean, weekdays_clean, windows_resolve
from rollout.desired.changes import Outcome, measure
from rollout.groups.services import groups_resolve
from rollout.models import (
    BuildStage,
    ContentCategory,
    ContentRelease,
    ContentStage,
    ContentUpdatePolicy,
    SensorBuild,
    SensorUpdatePolicy,
)
from rollout.policies.events import (
    CONTENT_POLICY_CREATED,
    CONTENT_POLICY_DELETED,
    CONTENT_POLICY_REORDERED,
    CONTENT_POLICY_UPDATED,
    SENSOR_POLICY_CREATED,
    SENSOR_POLICY_DELETED,
    SENSOR_POLICY_REORDERED,
    SENSOR_POLICY_UPDATED,
)
from rollout.resolver.targets import content_mode_parse, sensor_target_parse
from telemetry.models import Platform

DEFAULT_PRECEDENCE = 1_000_000


def update_blocks_clean(blocks: Any, field: str = "update_blocks") -> list[dict[str, Any]]:
    if blocks is None:
        return []
    if not isinstance(blocks, list) or len(blocks) > 50:
        raise field_error(field, "A list of at most 50 blocks.")
    out = []
    for index, block in enumerate(blocks):
        name = f"{field}[{index}]"
        if not isinstance(block, dict):
            raise field_error(name, "Each block is {weekdays, start, end}.")
        days = weekdays_clean(block.get("weekdays"), f"{name}.weekdays")
        start = clock_clean(block.get("start"), f"{name}.start")
        end = clock_clean(block.get("end"), f"{name}.end")
        if end <= start:
            raise field_error(
                f"{name}.end", "The end must be after the start (a block cannot cross midnight)."
            )
        out.append({"weekdays": days, "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")})
    return out


def _sensor_target_clean(platform: str, target: str) -> str:
    try:
        parsed = sensor_target_parse(target)
    except ValueError as exc:
        raise field_error("target", str(exc)) from None
    if parsed.kind == "pinned":
        build = SensorBuild.objects.filter(platform=platform, version=parsed.build).first()
        if build is None:
            raise field_error("target", f"Unknown {platform} sensor build {parsed.build!r}.")
        if build.stage == BuildStage.WITHDRAWN:
            raise field_error("target", f"Build {parsed.build} was withdrawn by the vendor.")
    return str(parsed)


def _content_mode_clean(category: ContentCategory, mode: str) -> str:
    try:
        parsed = content_mode_parse(mode)
    except ValueError as exc:
        raise field_error("mode", str(exc)) from None
    if parsed.kind == "pinned":
        release = ContentRelease.objects.filter(category=category, version=parsed.version).first()
        if release is None:
            raise field_error("mode", f"Unknown {category.key} version {parsed.version!r}.")
        if not release.valid or release.stage == ContentStage.RECALLED:
            raise field_error("mode", f"{category.key} {parsed.version} failed validation or was recalled.")
    if parsed.kind == "paused" and category.system_critical:
        raise field_error(
            "mode",
            f"{category.key} is system critical: it cannot be paused by policy. Use a pause "
            f"(at most {category.max_pause_hours} h).",
        )
    return str(parsed)


def sensor_policy_dict(policy: SensorUpdatePolicy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "platform": policy.platform,
        "target": policy.target,
        "update_blocks": policy.update_blocks,
        "timezone": policy.timezone,
        "uninstall_protection": policy.uninstall_protection,
        "precedence": policy.precedence,
        "is_default": policy.is_default,
        "version": policy.version,
        "groups": sorted(str(g) for g in policy.groups.values_list("name", flat=True)) if policy.pk else [],
    }


def content_policy_dict(policy: ContentUpdatePolicy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "category": policy.category.key,
        "mode": policy.mode,
        "critical_bypass_windows": policy.critical_bypass_windows,
        "precedence": policy.precedence,
        "is_default": policy.is_default,
        "version": policy.version,
        "groups": sorted(policy.groups.values_list("name", flat=True)) if policy.pk else [],
        "windows": sorted(policy.windows.values_list("name", flat=True)) if policy.pk else [],
    }


def platform_clean(value: str, field: str = "platform") -> str:
    if value not in Platform.values:
        raise field_error(field, f"{value!r} is not a platform: use {', '.join(Platform.values)}.")
    return value


def _name_clean(name: str) -> str:
    if not name or len(name) > 120:
        raise field_error("name", "A name of at most 120 characters is needed.")
    return name


def _sensor_scope_clean(scope: dict[str, Any]) -> None:
    platform_clean(scope["platform"])


def _content_scope_clean(scope: dict[str, Any]) -> None:
    """A category comes as a model instance: it was looked up by whoever passed it."""


def _sensor_fields_clean(scope: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "target" in fields:
        clean["target"] = _sensor_target_clean(scope["platform"], fields["target"])
    if "update_blocks" in fields:
        clean["update_blocks"] = update_blocks_clean(fields["update_blocks"])
    if "timezone" in fields:
        clean["timezone"] = timezone_clean(fields["timezone"])
    if "uninstall_protection" in fields:
        clean["uninstall_protection"] = bool(fields["uninstall_protection"])
    return clean


def _content_fields_clean(scope: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "mode" in fields:
        clean["mode"] = _content_mode_clean(scope["category"], fields["mode"])
    if "critical_bypass_windows" in fields:
        clean["critical_bypass_windows"] = bool(fields["critical_bypass_windows"])
    return clean


@dataclass(frozen=True)
class PolicyKind:
    """What differs between sensor-update and content-update policies; the write path is shared.

    ``scope`` is the precedence scope (``{"platform": ...}`` or ``{"category": ...}``): policies are
    ordered within it and a pinned target or mode is checked against it. ``fields_clean`` cleans the
    kind's own fields among those given (create passes them all, update only the changed ones)."""

    name: str
    model: type[SensorUpdatePolicy] | type[ContentUpdatePolicy]
    snapshot: Callable[[Any], dict[str, Any]]
    scope_of: Callable[[Any], dict[str, Any]]
    scope_clean: Callable[[dict[str, Any]], None]
    fields_clean: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
    has_windows: bool
    created: str
    updated: str
    deleted: str
    reordered: str


SENSOR = PolicyKind(
    name="sensor_policy",
    model=SensorUpdatePolicy,
    snapshot=sensor_policy_dict,
    scope_of=lambda policy: {"platform": policy.platform},
    scope_clean=_sensor_scope_clean,
    fields_clean=_sensor_fields_clean,
    has_windows=False,
    created=SENSOR_POLICY_CREATED,
    updated=SENSOR_POLICY_UPDATED,
    deleted=SENSOR_POLICY_DELETED,
    reordered=SENSOR_POLICY_REORDERED,
)

CONTENT = PolicyKind(
    name="content_policy",
    model=ContentUpdatePolicy,
    snapshot=content_policy_dict,
    scope_of=lambda policy: {"category": policy.category},
    scope_clean=_content_scope_clean,
    fields_clean=_content_fields_clean,
    has_windows=True,
    created=CONTENT_POLICY_CREATED,
    updated=CONTENT_POLICY_UPDATED,
    deleted=CONTENT_POLICY_DELETED,
    reordered=CONTENT_POLICY_REORDERED,
)


def policy_kind_of(policy: Any) -> PolicyKind:
    return SENSOR if isinstance(policy, SensorUpdatePolicy) else CONTENT


def _next_precedence(kind: PolicyKind, tenant: Tenant, scope: dict[str, Any]) -> int:
    top = kind.model.objects.filter(tenant=tenant, is_default=False, **scope).aggregate(
        top=Max("precedence")
    )["top"]
    return int(top or 0) + 1


def policy_create(
    kind: PolicyKind,
    *,
    tenant: Tenant,
    actor: Actor,
    name: str,
    scope: dict[str, Any],
    fields: dict[str, Any],
    group_ids: Sequence[Any] | None = None,
    window_ids: Sequence[Any] | None = None,
    dry_run: bool = False,
) -> Outcome:
    """A policy of ``kind`` in ``scope`` assigned to host groups (and, for content, windows), placed
    last in precedence."""
    _name_clean(name)
    kind.scope_clean(scope)
    clean = kind.fields_clean(scope, fields)
    groups = groups_resolve(tenant, group_ids)
    windows = windows_resolve(tenant, window_ids) if kind.has_windows else None

    def change() -> Any:
        policy: Any = kind.model(
            tenant=tenant,
            name=name,
            **scope,
            **clean,
            precedence=_next_precedence(kind, tenant, scope),
        )
        save_unique(policy)
        policy.groups.set(groups)
        if windows is not None:
            policy.windows.set(windows)
        audit_record(
            tenant=tenant, actor=actor, action=kind.created, target=policy, after=kind.snapshot(policy)
        )
        return policy

    # The outbox reason starts with the kind's name: a policy change moves targets, not members.
    policy, blast = measure(
        tenant, change, dry_run=dry_run, reason=f"{kind.name}_create", members_unchanged=True
    )
    return Outcome(policy, blast, dry_run)


def policy_update(
    kind: PolicyKind,
    *,
    tenant: Tenant,
    actor: Actor,
    policy: Any,
    expected_version: int | None,
    changes: dict[str, Any],
    dry_run: bool = False,
) -> Outcome:
    """Edits a policy (``changes``: name, groups, the kind's fields and, for content, windows); a
    default policy keeps no groups."""
    clean: dict[str, Any] = {}
    if "name" in changes:
        clean["name"] = _name_clean(changes["name"])
    clean |= kind.fields_clean(kind.scope_of(policy), changes)
    groups = windows = None
    if "groups" in changes:
        if policy.is_default and changes["groups"]:
            raise field_error(
                "groups", "The default policy applies to hosts no other policy reaches; it has no groups."
            )
        groups = groups_resolve(tenant, changes["groups"])
    if kind.has_windows and "windows" in changes:
        windows = windows_resolve(tenant, changes["windows"])

    def change() -> Any:
        locked = tenant_row_lock(kind.model, tenant, policy.pk)
        version_check(locked, expected_version)
        before = kind.snapshot(locked)
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.version += 1
        save_unique(locked)
        if groups is not None:
            locked.groups.set(groups)
        if windows is not None:
            locked.windows.set(windows)
        audit_record(
            tenant=tenant,
            actor=actor,
            action=kind.updated,
            target=locked,
            before=before,
            after=kind.snapshot(locked),
        )
        return locked

    updated, blast = measure(
        tenant, change, dry_run=dry_run, reason=f"{kind.name}_update", members_unchanged=True
    )
    return Outcome(updated, blast, dry_run)


def policy_delete(
    kind: PolicyKind,
    *,
    tenant: Tenant,
    actor: Actor,
    policy: Any,
    expected_version: int | None,
    dry_run: bool = False,
) -> Outcome:
    """Deletes a non-default policy; its hosts fall to the next policy that reaches them."""
    if policy.is_default:
        raise Conflict("The default policy cannot be deleted; change its target instead.")

    def change() -> Any:
        locked = tenant_row_lock(kind.model, tenant, policy.pk)
        version_check(locked, expected_version)
        audit_record(
            tenant=tenant, actor=actor, action=kind.deleted, target=locked, before=kind.snapshot(locked)
        )
        locked.delete()
        return policy

    # The outbox reason is the one deletes always had (not targets-only: groups are refreshed too).
    deleted, blast = measure(tenant, change, dry_run=dry_run, reason="_policy_delete", members_unchanged=True)
    return Outcome(deleted, blast, dry_run)


def policy_reorder(
    kind: PolicyKind,
    *,
    tenant: Tenant,
    actor: Actor,
    scope: dict[str, Any],
    order: Sequence[Any],
    dry_run: bool = False,
) -> Outcome:
    """Sets the precedence of the policies in ``scope``: ``order`` lists every non-default one, first
    wins."""
    kind.scope_clean(scope)
    text = [str(i) for i in order]
    duplicates = sorted({i for i in text if text.count(i) > 1})
    if duplicates:
        raise field_error("order", f"Each policy appears once; duplicated: {', '.join(duplicates)}.")
    current = {str(p.pk): p for p in kind.model.objects.filter(tenant=tenant, is_default=False, **scope)}
    unknown = [i for i in text if i not in current]
    missing = [i for i in current if i not in text]
    if unknown:
        raise field_error("order", f"Not policies of this scope: {', '.join(unknown[:10])}.")
    if missing:
        raise field_error(
            "order", f"Every non-default policy must be listed; missing: {', '.join(missing[:10])}."
        )

    def change() -> list[Any]:
        locked = {
            str(p.pk): p
            for p in kind.model.objects.select_for_update().filter(pk__in=list(current)).order_by("pk")
        }
        before = [str(p.pk) for p in sorted(locked.values(), key=lambda p: p.precedence)]
        for position, pk in enumerate(text, start=1):
            policy = locked[pk]
            if policy.precedence != position:
                policy.precedence = position
                policy.version += 1
                policy.save(update_fields=["precedence", "version"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action=kind.reordered,
            target_type=kind.model._meta.label_lower,
            target_label=str(scope),
            before={"order": before},
            after={"order": text},
        )
        return [locked[pk] for pk in text]

    # The outbox reason is the one reorders (and moves) always had.
    ordered, blast = measure(tenant, change, dry_run=dry_run, reason="_reorder", members_unchanged=True)
    return Outcome(ordered, blast, dry_run)


def policy_move(
    *, tenant: Tenant, actor: Actor, policy: Any, direction: str, dry_run: bool = False
) -> Outcome:
    """Moves a policy one place up (higher precedence) or down."""
    kind = policy_kind_of(policy)
    scope = kind.scope_of(policy)
    ids = [
        str(p.pk)
        for p in kind.model.objects.filter(tenant=tenant, is_default=False, **scope).order_by(
            "precedence", "pk"
        )
    ]
    index = ids.index(str(policy.pk))
    swap = index - 1 if direction == "up" else index + 1
    if 0 <= swap < len(ids):
        ids[index], ids[swap] = ids[swap], ids[index]
    return policy_reorder(kind, tenant=tenant, actor=actor, scope=scope, order=ids, dry_run=dry_run)


# The public per-kind entry points: the signatures callers (pages, API, policy as code) use.


def sensor_policy_create(
    *,
    tenant: Tenant,
    actor: Actor,
    name: str,
    platform: str,
    target: str,
    update_blocks: Any = None,
    timezone_name: str = "UTC",
    uninstall_protection: bool = True,
    group_ids: Sequence[Any] | None = None,
    dry_run: bool = False,
) -> Outcome:
    """A sensor policy for ``platform`` assigned to host groups, placed last in precedence."""
    return policy_create(
        SENSOR,
        tenant=tenant,
        actor=actor,
        name=name,
        scope={"platform": platform},
        fields={
            "target": target,
            "update_blocks": update_blocks,
            "timezone": timezone_name,
            "uninstall_protection": uninstall_protection,
        },
        group_ids=group_ids,
        dry_run=dry_run,
    )


def sensor_policy_update(
    *,
    tenant: Tenant,
    actor: Actor,
    policy: SensorUpdatePolicy,
    expected_version: int | None,
    changes: dict[str, Any],
    dry_run: bool = False,
) -> Outcome:
    """Edits a sensor policy (``changes``: name, target, update_blocks, timezone, uninstall_protection,
    groups); a default policy keeps no groups."""
    return policy_update(
        SENSOR,
        tenant=tenant,
        actor=actor,
        policy=policy,
        expected_version=expected_version,
        changes=changes,
        dry_run=dry_run,
    )


def sensor_policy_delete(
    *,
    tenant: Tenant,
    actor: Actor,
    policy: SensorUpdatePolicy,
    expected_version: int | None,
    dry_run: bool = False,
) -> Outcome:
    """Deletes a non-default sensor policy."""
    return policy_delete(
        SENSOR,
        tenant=tenant,
        actor=actor,
        policy=policy,
        expected_version=expected_version,
        dry_run=dry_run,
    )


def sensor_policy_reorder(
    *, tenant: Tenant, actor: Actor, platform: str, order: Sequence[Any], dry_run: bool = False
) -> Outcome:
    """Sets the precedence of ``platform``'s policies: ``order`` lists every non-default one, first wins."""
    return policy_reorder(
        SENSOR, tenant=tenant, actor=actor, scope={"platform": platform}, order=order, dry_run=dry_run
    )


def content_policy_create(
    *,
    tenant: Tenant,
    actor: Actor,
    name: str,
    category: ContentCategory,
    mode: str,
    window_ids: Sequence[Any] | None = None,
    critical_bypass_windows: bool = True,
    group_ids: Sequence[Any] | None = None,
    dry_run: bool = False,
) -> Outcome:
    """A content policy for ``category`` assigned to host groups and windows, placed last in precedence."""
    return policy_create(
        CONTENT,
        tenant=tenant,
        actor=actor,
        name=name,
        scope={"category": category},
        fields={"mode": mode, "critical_bypass_windows": critical_bypass_windows},
        group_ids=group_ids,
        window_ids=window_ids,
        dry_run=dry_run,
    )


def content_policy_update(
    *,
    tenant: Tenant,
    actor: Actor,
    policy: ContentUpdatePolicy,
    expected_version: int | None,
    changes: dict[str, Any],
    dry_run: bool = False,
) -> Outcome:
    """Edits a content policy (``changes``: name, mode, critical_bypass_windows, groups, windows)."""
    return policy_update(
        CONTENT,
        tenant=tenant,
        actor=actor,
        policy=policy,
        expected_version=expected_version,
        changes=changes,
        dry_run=dry_run,
    )


def content_policy_delete(
    *,
    tenant: Tenant,
    actor: Actor,
    policy: ContentUpdatePolicy,
    expected_version: int | None,
    dry_run: bool = False,
) -> Outcome:
    """Deletes a non-default content policy."""
    return policy_delete(
        CONTENT,
        tenant=tenant,
        actor=actor,
        policy=policy,
        expected_version=expected_version,
        dry_run=dry_run,
    )


def content_policy_reorder(
    *, tenant: Tenant, actor: Actor, category: ContentCategory, order: Sequence[Any], dry_run: bool = False
) -> Outcome:
    """Sets the precedence of ``category``'s policies: ``order`` lists every non-default one, first wins."""
    return policy_reorder(
        CONTENT, tenant=tenant, actor=actor, scope={"category": category}, order=order, dry_run=dry_run
    )

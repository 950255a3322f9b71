from __future__ import annotations

from collections.abc import Sequence
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


def _next_precedence(model: type[SensorUpdatePolicy] | type[ContentUpdatePolicy], **scope: Any) -> int:
    top = model.objects.filter(is_default=False, **scope).aggregate(top=Max("precedence"))["top"]
    return int(top or 0) + 1


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
    if not name or len(name) > 120:
        raise field_error("name", "A name of at most 120 characters is needed.")
    platform_clean(platform)
    clean_target = _sensor_target_clean(platform, target)
    blocks = update_blocks_clean(update_blocks)
    tz = timezone_clean(timezone_name)
    groups = groups_resolve(tenant, group_ids)

    def change() -> SensorUpdatePolicy:
        policy = SensorUpdatePolicy(
            tenant=tenant,
            name=name,
            platform=platform,
            target=clean_target,
            update_blocks=blocks,
            timezone=tz,
            uninstall_protection=uninstall_protection,
            precedence=_next_precedence(SensorUpdatePolicy, tenant=tenant, platform=platform),
        )
        save_unique(policy)
        policy.groups.set(groups)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="sensor_policy.create",
            target=policy,
            after=sensor_policy_dict(policy),
        )
        return policy

    policy, blast = measure(tenant, change, dry_run=dry_run, members_unchanged=True)
    return Outcome(policy, blast, dry_run)


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
    clean: dict[str, Any] = {}
    if "name" in changes:
        if not changes["name"] or len(changes["name"]) > 120:
            raise field_error("name", "A name of at most 120 characters is needed.")
        clean["name"] = changes["name"]
    if "target" in changes:
        clean["target"] = _sensor_target_clean(policy.platform, changes["target"])
    if "update_blocks" in changes:
        clean["update_blocks"] = update_blocks_clean(changes["update_blocks"])
    if "timezone" in changes:
        clean["timezone"] = timezone_clean(changes["timezone"])
    if "uninstall_protection" in changes:
        clean["uninstall_protection"] = bool(changes["uninstall_protection"])
    groups = None
    if "groups" in changes:
        if policy.is_default and changes["groups"]:
            raise field_error(
                "groups", "The default policy applies to hosts no other policy reaches; it has no groups."
            )
        groups = groups_resolve(tenant, changes["groups"])

    def change() -> SensorUpdatePolicy:
        locked = tenant_row_lock(SensorUpdatePolicy, tenant, policy.pk)
        version_check(locked, expected_version)
        before = sensor_policy_dict(locked)
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.version += 1
        save_unique(locked)
        if groups is not None:
            locked.groups.set(groups)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="sensor_policy.update",
            target=locked,
            before=before,
            after=sensor_policy_dict(locked),
        )
        return locked

    updated, blast = measure(tenant, change, dry_run=dry_run, members_unchanged=True)
    return Outcome(updated, blast, dry_run)


def _policy_delete(
    model: type[SensorUpdatePolicy] | type[ContentUpdatePolicy],
    action: str,
    *,
    tenant: Tenant,
    actor: Actor,
    policy: Any,
    expected_version: int | None,
    dry_run: bool,
) -> Outcome:
    if policy.is_default:
        raise Conflict("The default policy cannot be deleted; change its target instead.")

    def change() -> Any:
        locked = tenant_row_lock(model, tenant, policy.pk)
        version_check(locked, expected_version)
        snapshot = sensor_policy_dict(locked) if model is SensorUpdatePolicy else content_policy_dict(locked)
        audit_record(tenant=tenant, actor=actor, action=action, target=locked, before=snapshot)
        locked.delete()
        return policy

    deleted, blast = measure(tenant, change, dry_run=dry_run, members_unchanged=True)
    return Outcome(deleted, blast, dry_run)


def sensor_policy_delete(
    *,
    tenant: Tenant,
    actor: Actor,
    policy: SensorUpdatePolicy,
    expected_version: int | None,
    dry_run: bool = False,
) -> Outcome:
    return _policy_delete(
        SensorUpdatePolicy,
        "sensor_policy.delete",
        tenant=tenant,
        actor=actor,
        policy=policy,
        expected_version=expected_version,
        dry_run=dry_run,
    )


def _reorder(
    model: type[SensorUpdatePolicy] | type[ContentUpdatePolicy],
    action: str,
    *,
    tenant: Tenant,
    actor: Actor,
    order: Sequence[Any],
    scope: dict[str, Any],
    dry_run: bool,
) -> Outcome:
    text = [str(i) for i in order]
    duplicates = sorted({i for i in text if text.count(i) > 1})
    if duplicates:
        raise field_error("order", f"Each policy appears once; duplicated: {', '.join(duplicates)}.")
    current = {str(p.pk): p for p in model.objects.filter(tenant=tenant, is_default=False, **scope)}
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
            for p in model.objects.select_for_update().filter(pk__in=list(current)).order_by("pk")
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
            action=action,
            target_type=model._meta.label_lower,
            target_label=str(scope),
            before={"order": before},
            after={"order": text},
        )
        return [locked[pk] for pk in text]

    ordered, blast = measure(tenant, change, dry_run=dry_run, members_unchanged=True)
    return Outcome(ordered, blast, dry_run)


def sensor_policy_reorder(
    *, tenant: Tenant, actor: Actor, platform: str, order: Sequence[Any], dry_run: bool = False
) -> Outcome:
    """Sets the precedence of ``platform``'s policies: ``order`` lists every non-default one, first wins."""
    platform_clean(platform)
    return _reorder(
        SensorUpdatePolicy,
        "sensor_policy.reorder",
        tenant=tenant,
        actor=actor,
        order=order,
        scope={"platform": platform},
        dry_run=dry_run,
    )


def content_policy_reorder(
    *, tenant: Tenant, actor: Actor, category: ContentCategory, order: Sequence[Any], dry_run: bool = False
) -> Outcome:
    return _reorder(
        ContentUpdatePolicy,
        "content_policy.reorder",
        tenant=tenant,
        actor=actor,
        order=order,
        scope={"category": category},
        dry_run=dry_run,
    )


def policy_move(
    *, tenant: Tenant, actor: Actor, policy: Any, direction: str, dry_run: bool = False
) -> Outcome:
    """Moves a policy one place up (higher precedence) or down."""
    model = type(policy)
    scope = {"platform": policy.platform} if model is SensorUpdatePolicy else {"category": policy.category}
    ids = [
        str(p.pk)
        for p in model.objects.filter(tenant=tenant, is_default=False, **scope).order_by("precedence", "pk")
    ]
    index = ids.index(str(policy.pk))
    swap = index - 1 if direction == "up" else index + 1
    if 0 <= swap < len(ids):
        ids[index], ids[swap] = ids[swap], ids[index]
    if model is SensorUpdatePolicy:
        return sensor_policy_reorder(
            tenant=tenant, actor=actor, platform=policy.platform, order=ids, dry_run=dry_run
        )
    return content_policy_reorder(
        tenant=tenant, actor=actor, category=policy.category, order=ids, dry_run=dry_run
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
    if not name or len(name) > 120:
        raise field_error("name", "A name of at most 120 characters is needed.")
    clean_mode = _content_mode_clean(category, mode)
    groups = groups_resolve(tenant, group_ids)
    windows = windows_resolve(tenant, window_ids)

    def change() -> ContentUpdatePolicy:
        policy = ContentUpdatePolicy(
            tenant=tenant,
            name=name,
            category=category,
            mode=clean_mode,
            critical_bypass_windows=critical_bypass_windows,
            precedence=_next_precedence(ContentUpdatePolicy, tenant=tenant, category=category),
        )
        save_unique(policy)
        policy.groups.set(groups)
        policy.windows.set(windows)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="content_policy.create",
            target=policy,
            after=content_policy_dict(policy),
        )
        return policy

    policy, blast = measure(tenant, change, dry_run=dry_run, members_unchanged=True)
    return Outcome(policy, blast, dry_run)


def content_policy_update(
    *,
    tenant: Tenant,
    actor: Actor,
    policy: ContentUpdatePolicy,
    expected_version: int | None,
    changes: dict[str, Any],
    dry_run: bool = False,
) -> Outcome:
    clean: dict[str, Any] = {}
    if "name" in changes:
        if not changes["name"] or len(changes["name"]) > 120:
            raise field_error("name", "A name of at most 120 characters is needed.")
        clean["name"] = changes["name"]
    if "mode" in changes:
        clean["mode"] = _content_mode_clean(policy.category, changes["mode"])
    if "critical_bypass_windows" in changes:
        clean["critical_bypass_windows"] = bool(changes["critical_bypass_windows"])
    groups = windows = None
    if "groups" in changes:
        if policy.is_default and changes["groups"]:
            raise field_error(
                "groups", "The default policy applies to hosts no other policy reaches; it has no groups."
            )
        groups = groups_resolve(tenant, changes["groups"])
    if "windows" in changes:
        windows = windows_resolve(tenant, changes["windows"])

    def change() -> ContentUpdatePolicy:
        locked = tenant_row_lock(ContentUpdatePolicy, tenant, policy.pk)
        version_check(locked, expected_version)
        before = content_policy_dict(locked)
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
            action="content_policy.update",
            target=locked,
            before=before,
            after=content_policy_dict(locked),
        )
        return locked

    updated, blast = measure(tenant, change, dry_run=dry_run, members_unchanged=True)
    return Outcome(updated, blast, dry_run)


def content_policy_delete(
    *,
    tenant: Tenant,
    actor: Actor,
    policy: ContentUpdatePolicy,
    expected_version: int | None,
    dry_run: bool = False,
) -> Outcome:
    return _policy_delete(
        ContentUpdatePolicy,
        "content_policy.delete",
        tenant=tenant,
        actor=actor,
        policy=policy,
        expected_version=expected_version,
        dry_run=dry_run,
    )


def platform_clean(value: str, field: str = "platform") -> str:
    if value not in Platform.values:
        raise field_error(field, f"{value!r} is not a platform: use {', '.join(Platform.values)}.")
    return value

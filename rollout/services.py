"""Writes: catalog publishing (vendor), groups, policies, precedence, windows, freezes, pauses.

Every service validates its domain rules (raising ``InvalidInput`` naming the field), checks the
expected version of what it edits (``PreconditionFailed`` on a stale write), writes, and records
an audit event in the same transaction. Changes that can move hosts run through
``rollout.blast.measure`` so a dry run and a save report the same blast radius.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.errors import Conflict, Forbidden, InvalidInput, PreconditionFailed
from console.models import Tenant
from rollout import blast as _blast
from rollout import validation
from rollout.blast import BlastRadius
from rollout.models import (
    BuildStage,
    ContentCategory,
    ContentRelease,
    ContentStage,
    ContentUpdatePolicy,
    Freeze,
    HostGroup,
    HostGroupMember,
    MaintenanceWindow,
    Pause,
    PauseScope,
    SensorBuild,
    SensorUpdatePolicy,
    TemplateType,
)
from rollout.outbox import outbox_enqueue
from rollout.recurrence import MAX_DURATION_MINUTES, zone
from rollout.rules import RuleError, rule_normalise, rule_parse, rule_to_text
from rollout.selectors import catalog_state
from rollout.targets import (
    content_mode_parse,
    is_version,
    release_line,
    sensor_target_parse,
    version_key,
)
from telemetry.models import Host, Platform

T = TypeVar("T")
DEFAULT_PRECEDENCE = 1_000_000
DEFAULT_SENSOR_TARGET = "n-1"
DEFAULT_CONTENT_MODE = "ga"
STAGE_ORDER = [ContentStage.INTERNAL, ContentStage.CANARY, ContentStage.EARLY_ACCESS, ContentStage.GA]


@dataclass
class Outcome:
    """What a change did (or, in a dry run, would do)."""

    obj: Any
    blast: BlastRadius
    dry_run: bool


def _enqueue_all_tenants(reason: str) -> None:
    """A catalog change can move hosts of every tenant: one outbox row per tenant."""
    for tenant_id in Tenant.objects.values_list("pk", flat=True):
        outbox_enqueue(tenant_id=tenant_id, reason=reason)


def measure(
    tenant: Tenant,
    change: Callable[[], T],
    *,
    dry_run: bool,
    reason: str = "",
    members_unchanged: bool = False,
) -> tuple[T, BlastRadius]:
    """``rollout.blast.measure`` plus an outbox row for the tenant in the same savepoint (so a dry
    run, rolled back, enqueues nothing). ``members_unchanged``: policies, precedence and windows,
    which move no host between groups, are measured from the stored desired state."""

    def enqueuing() -> T:
        result = change()
        outbox_enqueue(tenant_id=tenant.pk, reason=reason or change.__qualname__.split(".")[0])
        return result

    return _blast.measure(tenant, enqueuing, dry_run=dry_run, members_unchanged=members_unchanged)


def measure_many(
    tenants: Sequence[Tenant], change: Callable[[], T], *, dry_run: bool
) -> tuple[T, dict[str, BlastRadius]]:
    def enqueuing() -> T:
        result = change()
        for tenant in tenants:
            outbox_enqueue(tenant_id=tenant.pk, reason=change.__qualname__.split(".")[0])
        return result

    return _blast.measure_many(tenants, enqueuing, dry_run=dry_run)


def _fail(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, errors={field: [message]})


def _check_version(obj: Any, expected: int | None) -> None:
    if expected is not None and int(expected) != obj.version:
        raise PreconditionFailed(
            f"{obj} was changed by someone else (it is now at version {obj.version}, you edited "
            f"version {expected}). Reload it and apply your change again.",
            current_version=obj.version,
        )


def _lock(model: type[Model], tenant: Tenant, pk: Any) -> Any:
    return model._default_manager.select_for_update().get(tenant=tenant, pk=pk)


def _save_unique(obj: Model, field: str = "name") -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise _fail(field, f"Another one is already called {getattr(obj, field)!r}.") from exc


# --- vendor catalog ------------------------------------------------------------------------------


def _platform(value: str, field: str = "platform") -> str:
    if value not in Platform.values:
        raise _fail(field, f"{value!r} is not a platform: use {', '.join(Platform.values)}.")
    return value


def sensor_build_publish(
    *, actor: Actor, platform: str, version: str, stage: str = BuildStage.EARLY_ADOPTER, notes: str = ""
) -> SensorBuild:
    """Adds a sensor build to the catalog (vendor)."""
    _platform(platform)
    if not is_version(version) or len(version_key(version)) < 3:
        raise _fail("version", f"{version!r} is not a build number like 7.11.18110.")
    if stage not in BuildStage.values:
        raise _fail("stage", f"Use one of {', '.join(BuildStage.values)}.")
    with transaction.atomic():
        build = SensorBuild(
            platform=platform, version=version, release_line=release_line(version), stage=stage, notes=notes
        )
        levels_before = _levels(platform)
        _save_unique(build, "version")
        audit_record(
            tenant=None, actor=actor, action="sensor_build.publish", target=build, after=_build_dict(build)
        )
        _sensor_rollouts_follow(build, levels_before, actor)
    return build


def _sensor_rollouts_follow(build: SensorBuild, levels_before: list[str], actor: Actor) -> None:
    """In the transaction of the catalog change: a build that moved N / N-1 / N-2 forward starts a ring
    rollout in every tenant tracking that level; a withdrawn build's rollouts are rolled back."""
    from rollout.rollouts import rollouts_rollback_withdrawn, rollouts_start_for_sensor_levels

    rollouts_start_for_sensor_levels(
        platform=build.platform, before=levels_before, after=_levels(build.platform), actor=actor
    )
    if build.stage == BuildStage.WITHDRAWN:
        rollouts_rollback_withdrawn(platform=build.platform, version=build.version, actor=actor)


def _build_dict(build: SensorBuild) -> dict[str, Any]:
    return {
        "platform": build.platform,
        "version": build.version,
        "line": build.release_line,
        "stage": build.stage,
    }


def sensor_build_stage_set(
    *, actor: Actor, build: SensorBuild, stage: str, dry_run: bool = False
) -> dict[str, Any]:
    """Moves a build to another vendor stage; reports how relative pins shift in every tenant."""
    if stage not in BuildStage.values:
        raise _fail("stage", f"Use one of {', '.join(BuildStage.values)}.")
    tenants = list(Tenant.objects.order_by("slug"))
    for tenant in tenants:  # every tenant has its defaults, so every host has a policy to shift
        policy_defaults_ensure(tenant=tenant, actor=Actor.system("rollout defaults"))
    levels_before = _levels(build.platform)

    def change() -> SensorBuild:
        locked = SensorBuild.objects.select_for_update().get(pk=build.pk)
        before = _build_dict(locked)
        locked.stage = stage
        locked.save(update_fields=["stage"])
        audit_record(
            tenant=None,
            actor=actor,
            action="sensor_build.stage",
            target=locked,
            before=before,
            after=_build_dict(locked),
        )
        _sensor_rollouts_follow(locked, levels_before, actor)
        return locked

    with transaction.atomic():
        result, radii = measure_many(tenants, change, dry_run=dry_run)
        levels_after = _levels(build.platform) if not dry_run else _levels_with(build, stage)
    return {
        "build": result,
        "dry_run": dry_run,
        "shifts": _shift_messages(build.platform, levels_before, levels_after, radii, tenants),
        "tenants": {t.slug: radii[str(t.pk)].as_dict() for t in tenants},
    }


def _levels(platform: str) -> list[str]:
    from rollout.resolver import n_levels

    return [b.version for b in n_levels(catalog_state(), platform)]


def _levels_with(build: SensorBuild, stage: str) -> list[str]:
    from dataclasses import replace

    from rollout.resolver import Catalog, n_levels

    catalog = catalog_state()
    builds = tuple(
        replace(b, stage=stage) if (b.platform, b.version) == (build.platform, build.version) else b
        for b in catalog.builds
    )
    return [
        b.version for b in n_levels(Catalog(builds, catalog.releases, catalog.categories), build.platform)
    ]


def _shift_messages(
    platform: str,
    before: list[str],
    after: list[str],
    radii: dict[str, BlastRadius],
    tenants: Sequence[Tenant],
) -> list[dict[str, Any]]:
    out = []
    for offset in range(3):
        old = before[offset] if offset < len(before) else None
        new = after[offset] if offset < len(after) else None
        if old == new:
            continue
        hosts = sum(
            row["hosts"]
            for t in tenants
            for row in radii[str(t.pk)].rows
            if row["subject"] == "sensor"
            and row["platform"] == platform
            and row["from"] == str(old)
            and row["to"] == str(new)
        )
        name = "N" if offset == 0 else f"N-{offset}"
        old_line = f"{release_line(old)}.x" if old else "nothing"
        new_line = f"{release_line(new)}.x" if new else "nothing"
        same_line = old and new and release_line(old) == release_line(new)
        text = (
            f"{name} will move from {old} to {new} for {hosts:,} hosts"
            if same_line
            else f"{name} will move from {old_line} to {new_line} for {hosts:,} hosts"
        )
        out.append(
            {"level": name, "platform": platform, "from": old, "to": new, "hosts": hosts, "message": text}
        )
    return out


def content_category_create(
    *, actor: Actor, key: str, name: str, system_critical: bool = False, max_pause_hours: int | None = None
) -> ContentCategory:
    """Adds a vendor content category (and a default content policy for it in every tenant)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,63}", key or ""):
        raise _fail("key", "Use lower-case letters, digits and underscores, like rapid_response.")
    if system_critical and not max_pause_hours:
        raise _fail("max_pause_hours", "A system-critical category needs a maximum pause (hours).")
    if max_pause_hours is not None and not 1 <= max_pause_hours <= 720:
        raise _fail("max_pause_hours", "Between 1 and 720 hours.")
    with transaction.atomic():
        category = ContentCategory(
            key=key, name=name or key, system_critical=system_critical, max_pause_hours=max_pause_hours
        )
        _save_unique(category, "key")
        audit_record(
            tenant=None,
            actor=actor,
            action="content_category.create",
            target=category,
            after={"key": key, "system_critical": system_critical, "max_pause_hours": max_pause_hours},
        )
        for tenant in Tenant.objects.all():
            policy_defaults_ensure(tenant=tenant, actor=Actor.system("rollout defaults"))
    return category


def template_type_create(
    *, actor: Actor, name: str, field_types: list[str], min_sensor_build: str
) -> TemplateType:
    if not name or len(name) > 120:
        raise _fail("name", "A name of at most 120 characters is needed.")
    if not isinstance(field_types, list) or not field_types or len(field_types) > validation.MAX_FIELDS:
        raise _fail("field_types", f"Between 1 and {validation.MAX_FIELDS} field types.")
    for index, kind in enumerate(field_types):
        if kind not in validation.FIELD_TYPES:
            raise _fail(
                f"field_types[{index}]", f"{kind!r} is not one of {', '.join(validation.FIELD_TYPES)}."
            )
    if not is_version(min_sensor_build):
        raise _fail("min_sensor_build", f"{min_sensor_build!r} is not a build number.")
    with transaction.atomic():
        template = TemplateType(name=name, field_types=field_types, min_sensor_build=min_sensor_build)
        _save_unique(template)
        audit_record(
            tenant=None,
            actor=actor,
            action="template_type.create",
            target=template,
            after={"name": name, "field_types": field_types, "min_sensor_build": min_sensor_build},
        )
    return template


def incompatible_hosts(min_build: str) -> dict[str, int]:
    """Hosts per tenant (slug) whose sensor build is older than ``min_build``."""
    expr = "array_remove(string_to_array(regexp_replace(h.sensor_build, '[^0-9.]', '', 'g'), '.'), '')::numeric[]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.slug, count(*) FROM telemetry_host h JOIN console_tenant t ON t.id = h.tenant_id "  # noqa: S608
            f"WHERE h.sensor_build <> '' AND {expr} < %s::numeric[] GROUP BY t.slug ORDER BY t.slug",
            [list(version_key(min_build))],
        )
        return {slug: int(n) for slug, n in cursor.fetchall()}


def content_validate(instances: Any, *, digest: str | None = None) -> dict[str, Any]:
    """The full validation report: schema of every instance, sizes, digest, sensor compatibility."""
    templates = {
        t.name: validation.TemplateSpec(t.name, tuple(t.field_types), t.min_sensor_build)
        for t in TemplateType.objects.all()
    }
    report = validation.validate_instances(instances, templates, claimed_digest=digest)
    compatibility: dict[str, dict[str, int]] = {}
    problems = [p.as_dict() for p in report.problems]
    for name in sorted(report.template_types):
        spec = templates[name]
        per_tenant = incompatible_hosts(spec.min_sensor_build)
        if per_tenant:
            compatibility[name] = per_tenant
            total = sum(per_tenant.values())
            problems.append(
                {
                    "code": "sensor_too_old",
                    "message": (
                        f"Template type {name} needs sensor {spec.min_sensor_build} or newer; "
                        f"{total:,} hosts run older builds ("
                        + ", ".join(f"{slug}: {n:,}" for slug, n in per_tenant.items())
                        + ")."
                    ),
                    "instance": "",
                    "field": None,
                }
            )
    return {
        "ok": not problems,
        "digest": report.digest,
        "instance_count": report.instance_count,
        "problems": problems,
        "incompatible_hosts": compatibility,
        "checked_at": timezone.now().isoformat(),
    }


def _report_errors(report: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for problem in report["problems"]:
        key = "instances" if problem["code"] not in ("digest", "sensor_too_old") else problem["code"]
        if problem["code"] == "sensor_too_old":
            key = "instances"
        if problem["code"] == "digest":
            key = "digest"
        errors.setdefault(key, []).append(problem["message"])
    return errors


def content_release_publish(
    *,
    actor: Actor,
    category: ContentCategory,
    version: str,
    instances: Any,
    notes: str = "",
    critical: bool = False,
    digest: str | None = None,
) -> ContentRelease:
    """Publishes a content release at stage ``internal``. A release whose instances do not match
    their template types is rejected outright (nothing stored); one that only fails the
    sensor-compatibility check is stored as invalid and cannot advance."""
    if not is_version(version):
        raise _fail("version", f"{version!r} is not a content version like 291.4.")
    if len(notes) > 100_000:
        raise _fail("notes", "Release notes are limited to 100,000 characters.")
    report = content_validate(instances, digest=digest)
    schema_problems = [p for p in report["problems"] if p["code"] != "sensor_too_old"]
    if schema_problems:
        raise InvalidInput(
            "The release failed validation and was not published.",
            errors=_report_errors({"problems": schema_problems}),
            report=report,
        )
    with transaction.atomic():
        release = ContentRelease(
            category=category,
            version=version,
            instances=instances,
            notes=notes,
            critical=critical,
            digest=report["digest"],
            valid=report["ok"],
            validation_report=report,
        )
        _save_unique(release, "version")
        audit_record(
            tenant=None,
            actor=actor,
            action="content_release.publish",
            target=release,
            after={
                "category": category.key,
                "version": version,
                "digest": report["digest"],
                "valid": report["ok"],
                "critical": critical,
            },
        )
    return release


def content_release_stage_set(*, actor: Actor, release: ContentRelease, stage: str) -> ContentRelease:
    """Advances a release through internal -> canary -> early_access -> ga (or recalls it).

    Validation runs again first; a release that fails it cannot advance to any stage."""
    if stage not in ContentStage.values:
        raise _fail("stage", f"Use one of {', '.join(ContentStage.values)}.")
    with transaction.atomic():
        locked = ContentRelease.objects.select_for_update().get(pk=release.pk)
        before = {"stage": locked.stage, "valid": locked.valid}
        now = timezone.now()
        if stage == ContentStage.RECALLED:
            locked.stage = stage
            locked.recalled_at = now
        else:
            if locked.stage == ContentStage.RECALLED:
                raise Conflict("A recalled release cannot be promoted again; publish a new version.")
            if STAGE_ORDER.index(ContentStage(stage)) <= STAGE_ORDER.index(ContentStage(locked.stage)):
                raise Conflict(f"The release is already at {locked.stage}; stages only move forward.")
            report = content_validate(locked.instances, digest=locked.digest)
            locked.validation_report = report
            locked.valid = report["ok"]
            if not report["ok"]:
                locked.save(update_fields=["validation_report", "valid"])
                audit_record(
                    tenant=None,
                    actor=actor,
                    action="content_release.stage_refused",
                    target=locked,
                    before=before,
                    after={"stage": stage, "problems": report["problems"][:20]},
                )
                raise Conflict(
                    "The release failed validation and cannot advance.",
                    errors=_report_errors(report),
                    report=report,
                )
            locked.stage = stage
            if stage in (ContentStage.EARLY_ACCESS, ContentStage.GA) and locked.early_access_at is None:
                locked.early_access_at = now
            if stage == ContentStage.GA:
                locked.ga_at = now
        locked.save()
        audit_record(
            tenant=None,
            actor=actor,
            action="content_release.stage",
            target=locked,
            before=before,
            after={"stage": locked.stage, "valid": locked.valid},
        )
        _enqueue_all_tenants("content_release.stage")
    return locked


# --- defaults ------------------------------------------------------------------------------------


def policy_defaults_ensure(*, tenant: Tenant, actor: Actor) -> None:
    """Every tenant has a default sensor policy per platform and a default content policy per
    category (they cannot be deleted). Idempotent."""
    with transaction.atomic():
        have_sensor = set(
            SensorUpdatePolicy.objects.filter(tenant=tenant, is_default=True).values_list(
                "platform", flat=True
            )
        )
        for platform in Platform.values:
            if platform not in have_sensor:
                policy, created = SensorUpdatePolicy.objects.get_or_create(
                    tenant=tenant,
                    platform=platform,
                    is_default=True,
                    defaults={
                        "name": f"Default {Platform(platform).label} sensor policy",
                        "target": DEFAULT_SENSOR_TARGET,
                        "precedence": DEFAULT_PRECEDENCE,
                    },
                )
                if created:
                    audit_record(
                        tenant=tenant,
                        actor=actor,
                        action="sensor_policy.create",
                        target=policy,
                        after=sensor_policy_dict(policy),
                    )
        have_content = set(
            ContentUpdatePolicy.objects.filter(tenant=tenant, is_default=True).values_list(
                "category_id", flat=True
            )
        )
        for category in ContentCategory.objects.exclude(pk__in=have_content):
            content, created = ContentUpdatePolicy.objects.get_or_create(
                tenant=tenant,
                category=category,
                is_default=True,
                defaults={
                    "name": f"Default {category.key} policy",
                    "mode": DEFAULT_CONTENT_MODE,
                    "precedence": DEFAULT_PRECEDENCE,
                },
            )
            if created:
                audit_record(
                    tenant=tenant,
                    actor=actor,
                    action="content_policy.create",
                    target=content,
                    after=content_policy_dict(content),
                )


# --- host groups ---------------------------------------------------------------------------------


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
        raise _fail("name", "A name of at most 120 characters is needed.")
    normalised, text = group_rule_from_input(rule_text=rule_text, rule=rule)

    def change() -> HostGroup:
        group = HostGroup(
            tenant=tenant, name=name.strip(), description=description, rule=normalised, rule_text=text
        )
        _save_unique(group)
        audit_record(
            tenant=tenant, actor=actor, action="host_group.create", target=group, after=host_group_dict(group)
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
        raise _fail("name", "A name of at most 120 characters is needed.")

    def change() -> HostGroup:
        locked = _lock(HostGroup, tenant, group.pk)
        _check_version(locked, expected_version)
        before = host_group_dict(locked)
        if name is not None:
            locked.name = name.strip()
        if description is not None:
            locked.description = description
        if new_rule is not _UNSET:
            locked.rule, locked.rule_text = new_rule
        locked.version += 1
        locked.updated_at = timezone.now()
        _save_unique(locked)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="host_group.update",
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
        locked = _lock(HostGroup, tenant, group.pk)
        _check_version(locked, expected_version)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="host_group.delete",
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
        raise _fail(field, f"Unknown host ids: {', '.join(bad[:10])}" + (" ..." if len(bad) > 10 else ""))
    return wanted


def members_from_csv(tenant: Tenant, text: str) -> list[str]:
    """Host ids from a CSV with a ``host_id`` or ``hostname`` column (or one bare column of either)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise _fail("csv", "The CSV file is empty.")
    header = [h.strip().lower() for h in rows[0]]
    column, data = 0, rows
    kind = "auto"
    for name in ("host_id", "id", "hostname"):
        if name in header:
            column, data, kind = header.index(name), rows[1:], ("hostname" if name == "hostname" else "id")
            break
    values = [r[column].strip() for r in data if len(r) > column and r[column].strip()]
    if len(values) > 100_000:
        raise _fail("csv", "At most 100,000 rows per upload.")
    ids: list[str] = []
    names: list[str] = []
    for value in values:
        is_uuid = re.fullmatch(r"[0-9a-fA-F-]{32,36}", value) is not None
        (ids if kind == "id" or (kind == "auto" and is_uuid) else names).append(value)
    if names:
        by_name = dict(Host.objects.filter(tenant=tenant, hostname__in=names).values_list("hostname", "pk"))
        missing = [n for n in names if n not in by_name]
        if missing:
            raise _fail(
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
        locked = _lock(HostGroup, tenant, group.pk)
        _check_version(locked, expected_version)
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
            action="host_group.members",
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


# --- policies ------------------------------------------------------------------------------------


def _groups(tenant: Tenant, ids: Sequence[Any] | None, field: str = "groups") -> list[HostGroup]:
    if not ids:
        return []
    text_ids = [str(i) for i in ids]
    if len(set(text_ids)) != len(text_ids):
        raise _fail(field, "A group is listed twice.")
    try:
        wanted = [uuid.UUID(i) for i in text_ids]
    except ValueError:
        raise _fail(field, "Group ids must be UUIDs.") from None
    groups = list(HostGroup.objects.filter(tenant=tenant, pk__in=wanted))
    if len(groups) != len(wanted):
        found = {g.pk for g in groups}
        raise _fail(field, "Unknown host groups: " + ", ".join(str(w) for w in wanted if w not in found))
    return groups


def _clock(value: Any, field: str) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        raise _fail(field, "Use a 24-hour time like 01:30.")
    hours, minutes = (int(p) for p in value.strip().split(":"))
    if hours > 23 or minutes > 59:
        raise _fail(field, "Use a 24-hour time like 01:30.")
    return time(hours, minutes)


def _weekdays(value: Any, field: str) -> list[int]:
    if not isinstance(value, list) or not value:
        raise _fail(field, "Choose at least one weekday (0 = Monday ... 6 = Sunday).")
    if any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in value):
        raise _fail(field, "Weekdays are 0 (Monday) to 6 (Sunday).")
    if len(set(value)) != len(value):
        raise _fail(field, "A weekday is listed twice.")
    return sorted(value)


def _timezone(value: str, field: str = "timezone") -> str:
    try:
        zone(value)
    except ValueError:
        raise _fail(field, f"{value!r} is not an IANA timezone (like Europe/Berlin).") from None
    return value


def update_blocks_clean(blocks: Any, field: str = "update_blocks") -> list[dict[str, Any]]:
    if blocks is None:
        return []
    if not isinstance(blocks, list) or len(blocks) > 50:
        raise _fail(field, "A list of at most 50 blocks.")
    out = []
    for index, block in enumerate(blocks):
        name = f"{field}[{index}]"
        if not isinstance(block, dict):
            raise _fail(name, "Each block is {weekdays, start, end}.")
        days = _weekdays(block.get("weekdays"), f"{name}.weekdays")
        start = _clock(block.get("start"), f"{name}.start")
        end = _clock(block.get("end"), f"{name}.end")
        if end <= start:
            raise _fail(f"{name}.end", "The end must be after the start (a block cannot cross midnight).")
        out.append({"weekdays": days, "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")})
    return out


def _sensor_target_clean(platform: str, target: str) -> str:
    try:
        parsed = sensor_target_parse(target)
    except ValueError as exc:
        raise _fail("target", str(exc)) from None
    if parsed.kind == "pinned":
        build = SensorBuild.objects.filter(platform=platform, version=parsed.build).first()
        if build is None:
            raise _fail("target", f"Unknown {platform} sensor build {parsed.build!r}.")
        if build.stage == BuildStage.WITHDRAWN:
            raise _fail("target", f"Build {parsed.build} was withdrawn by the vendor.")
    return str(parsed)


def _content_mode_clean(category: ContentCategory, mode: str) -> str:
    try:
        parsed = content_mode_parse(mode)
    except ValueError as exc:
        raise _fail("mode", str(exc)) from None
    if parsed.kind == "pinned":
        release = ContentRelease.objects.filter(category=category, version=parsed.version).first()
        if release is None:
            raise _fail("mode", f"Unknown {category.key} version {parsed.version!r}.")
        if not release.valid or release.stage == ContentStage.RECALLED:
            raise _fail("mode", f"{category.key} {parsed.version} failed validation or was recalled.")
    if parsed.kind == "paused" and category.system_critical:
        raise _fail(
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
        raise _fail("name", "A name of at most 120 characters is needed.")
    _platform(platform)
    clean_target = _sensor_target_clean(platform, target)
    blocks = update_blocks_clean(update_blocks)
    tz = _timezone(timezone_name)
    groups = _groups(tenant, group_ids)

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
        _save_unique(policy)
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
            raise _fail("name", "A name of at most 120 characters is needed.")
        clean["name"] = changes["name"]
    if "target" in changes:
        clean["target"] = _sensor_target_clean(policy.platform, changes["target"])
    if "update_blocks" in changes:
        clean["update_blocks"] = update_blocks_clean(changes["update_blocks"])
    if "timezone" in changes:
        clean["timezone"] = _timezone(changes["timezone"])
    if "uninstall_protection" in changes:
        clean["uninstall_protection"] = bool(changes["uninstall_protection"])
    groups = None
    if "groups" in changes:
        if policy.is_default and changes["groups"]:
            raise _fail(
                "groups", "The default policy applies to hosts no other policy reaches; it has no groups."
            )
        groups = _groups(tenant, changes["groups"])

    def change() -> SensorUpdatePolicy:
        locked = _lock(SensorUpdatePolicy, tenant, policy.pk)
        _check_version(locked, expected_version)
        before = sensor_policy_dict(locked)
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.version += 1
        _save_unique(locked)
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
        locked = _lock(model, tenant, policy.pk)
        _check_version(locked, expected_version)
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
        raise _fail("order", f"Each policy appears once; duplicated: {', '.join(duplicates)}.")
    current = {str(p.pk): p for p in model.objects.filter(tenant=tenant, is_default=False, **scope)}
    unknown = [i for i in text if i not in current]
    missing = [i for i in current if i not in text]
    if unknown:
        raise _fail("order", f"Not policies of this scope: {', '.join(unknown[:10])}.")
    if missing:
        raise _fail("order", f"Every non-default policy must be listed; missing: {', '.join(missing[:10])}.")

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
    _platform(platform)
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
        raise _fail("name", "A name of at most 120 characters is needed.")
    clean_mode = _content_mode_clean(category, mode)
    groups = _groups(tenant, group_ids)
    windows = _windows(tenant, window_ids)

    def change() -> ContentUpdatePolicy:
        policy = ContentUpdatePolicy(
            tenant=tenant,
            name=name,
            category=category,
            mode=clean_mode,
            critical_bypass_windows=critical_bypass_windows,
            precedence=_next_precedence(ContentUpdatePolicy, tenant=tenant, category=category),
        )
        _save_unique(policy)
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


def _windows(tenant: Tenant, ids: Sequence[Any] | None) -> list[MaintenanceWindow]:
    if not ids:
        return []
    text = [str(i) for i in ids]
    if len(set(text)) != len(text):
        raise _fail("windows", "A window is listed twice.")
    try:
        wanted = [uuid.UUID(i) for i in text]
    except ValueError:
        raise _fail("windows", "Window ids must be UUIDs.") from None
    windows = list(MaintenanceWindow.objects.filter(tenant=tenant, pk__in=wanted))
    if len(windows) != len(wanted):
        raise _fail("windows", "Unknown maintenance windows.")
    return windows


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
            raise _fail("name", "A name of at most 120 characters is needed.")
        clean["name"] = changes["name"]
    if "mode" in changes:
        clean["mode"] = _content_mode_clean(policy.category, changes["mode"])
    if "critical_bypass_windows" in changes:
        clean["critical_bypass_windows"] = bool(changes["critical_bypass_windows"])
    groups = windows = None
    if "groups" in changes:
        if policy.is_default and changes["groups"]:
            raise _fail(
                "groups", "The default policy applies to hosts no other policy reaches; it has no groups."
            )
        groups = _groups(tenant, changes["groups"])
    if "windows" in changes:
        windows = _windows(tenant, changes["windows"])

    def change() -> ContentUpdatePolicy:
        locked = _lock(ContentUpdatePolicy, tenant, policy.pk)
        _check_version(locked, expected_version)
        before = content_policy_dict(locked)
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.version += 1
        _save_unique(locked)
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


# --- windows and freezes -------------------------------------------------------------------------


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
            raise _fail("name", "A name of at most 120 characters is needed.")
        clean["name"] = name.strip()
    if "weekdays" in data or not partial:
        clean["weekdays"] = _weekdays(data.get("weekdays"), "weekdays")
    if "start" in data or not partial:
        clean["start"] = _clock(data.get("start"), "start")
    if "duration_minutes" in data or not partial:
        minutes = data.get("duration_minutes")
        if (
            not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or not 1 <= minutes <= MAX_DURATION_MINUTES
        ):
            raise _fail("duration_minutes", f"Between 1 and {MAX_DURATION_MINUTES} minutes.")
        clean["duration_minutes"] = minutes
    if "timezone" in data or not partial:
        clean["timezone"] = _timezone(data.get("timezone") or "")
    return clean


def window_create(*, tenant: Tenant, actor: Actor, data: dict[str, Any], dry_run: bool = False) -> Outcome:
    clean = _window_fields(data, partial=False)

    def change() -> MaintenanceWindow:
        window = MaintenanceWindow(tenant=tenant, **clean)
        _save_unique(window)
        audit_record(
            tenant=tenant, actor=actor, action="window.create", target=window, after=window_dict(window)
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
        locked = _lock(MaintenanceWindow, tenant, window.pk)
        _check_version(locked, expected_version)
        before = window_dict(locked)
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.version += 1
        _save_unique(locked)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="window.update",
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
        locked = _lock(MaintenanceWindow, tenant, window.pk)
        _check_version(locked, expected_version)
        audit_record(
            tenant=tenant, actor=actor, action="window.delete", target=locked, before=window_dict(locked)
        )
        locked.delete()
        return window

    deleted, blast = measure(tenant, change, dry_run=dry_run, members_unchanged=True)
    return Outcome(deleted, blast, dry_run)


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
        raise _fail("reason", "Say why (at most 300 characters).")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise _fail("starts_at", "Times need a timezone offset.")
    if ends_at <= starts_at:
        raise _fail("ends_at", "The end must be after the start.")
    if ends_at <= timezone.now():
        raise _fail("ends_at", "The freeze would already be over.")
    if ends_at - starts_at > timedelta(days=90):
        raise _fail("ends_at", "A freeze lasts at most 90 days.")

    def change() -> Freeze:
        freeze = Freeze.objects.create(
            tenant=tenant, reason=reason.strip(), starts_at=starts_at, ends_at=ends_at, created_by=actor.label
        )
        audit_record(
            tenant=tenant, actor=actor, action="freeze.create", target=freeze, after=freeze_dict(freeze)
        )
        return freeze

    freeze, blast = measure(tenant, change, dry_run=dry_run)
    return Outcome(freeze, blast, dry_run)


def freeze_lift_request(*, tenant: Tenant, actor: Actor, freeze: Freeze, reason: str) -> Freeze:
    """First step of lifting a freeze early: a second admin must approve."""
    if not reason or not reason.strip():
        raise _fail("reason", "Say why the freeze should end early.")
    with transaction.atomic():
        locked = _lock(Freeze, tenant, freeze.pk)
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
            action="freeze.lift_request",
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
        locked = _lock(Freeze, tenant, freeze.pk)
        before = freeze_dict(locked)
        locked.lifted_at = timezone.now()
        locked.lifted_by = actor.label
        locked.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="freeze.lift",
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
        raise _fail("reason", "Say why critical content must pass the freeze.")
    with transaction.atomic():
        locked = _lock(Freeze, tenant, freeze.pk)
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
            action="freeze.bypass_request",
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
        locked = _lock(Freeze, tenant, freeze.pk)
        locked.bypass_approved_at = timezone.now()
        locked.bypass_approved_by = actor.label
        locked.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="freeze.bypass",
            target=locked,
            after={"bypass_reason": locked.bypass_reason, "approved_by": actor.label},
        )
        return locked

    approved, blast = measure(tenant, change, dry_run=dry_run)
    return Outcome(approved, blast, dry_run)


# --- pauses --------------------------------------------------------------------------------------


def pause_dict(pause: Pause) -> dict[str, Any]:
    return {
        "scope": pause.scope,
        "group": pause.group.name if pause.group else None,
        "category": pause.category.key if pause.category else None,
        "reason": pause.reason,
        "expires_at": pause.expires_at.isoformat() if pause.expires_at else None,
        "resumed_at": pause.resumed_at.isoformat() if pause.resumed_at else None,
    }


def pause_create(
    *,
    tenant: Tenant,
    actor: Actor,
    scope: str,
    reason: str,
    group_id: Any = None,
    category_key: str | None = None,
    expires_at: datetime | None = None,
    dry_run: bool = False,
) -> Outcome:
    """Pauses a scope: nothing new reaches it; hosts keep what they have. A system-critical category
    is paused at most for its cap (the pause ends by itself then, and says so)."""
    if scope not in PauseScope.values:
        raise _fail("scope", f"Use one of {', '.join(PauseScope.values)}.")
    if not reason or not reason.strip() or len(reason) > 300:
        raise _fail("reason", "Say why (at most 300 characters).")
    now = timezone.now()
    if expires_at is not None and (expires_at.tzinfo is None or expires_at <= now):
        raise _fail("expires_at", "The expiry must be in the future (with a timezone offset).")
    group = None
    category = None
    if scope == PauseScope.HOST_GROUP:
        group = _groups(tenant, [group_id] if group_id else None, "group")[:1]
        if not group:
            raise _fail("group", "Choose the host group to pause.")
    if scope == PauseScope.CONTENT_CATEGORY:
        category = ContentCategory.objects.filter(key=category_key or "").first()
        if category is None:
            raise _fail("category", f"Unknown content category {category_key!r}.")
        if category.system_critical and category.max_pause_hours:
            cap = now + timedelta(hours=category.max_pause_hours)
            expires_at = min(expires_at, cap) if expires_at else cap

    def change() -> Pause:
        pause = Pause.objects.create(
            tenant=tenant,
            scope=scope,
            group=group[0] if group else None,
            category=category,
            reason=reason.strip(),
            created_by=actor.label,
            created_at=now,
            expires_at=expires_at,
        )
        audit_record(tenant=tenant, actor=actor, action="pause.create", target=pause, after=pause_dict(pause))
        # One hold on the backend once committed; no host is rewritten (DESIGN 4 rule 3).
        transaction.on_commit(lambda: _hold(pause, clear=False))
        _notify_pause(tenant, "rollout.paused", pause, actor)
        return pause

    pause, blast = _blast.measure(tenant, change, dry_run=dry_run)
    return Outcome(pause, blast, dry_run)


def _notify_pause(tenant: Tenant, event: str, pause: Pause, actor: Actor) -> None:
    """In-app and webhook notification; inside the change's savepoint, so a dry run sends nothing."""
    from rollout.rollouts import notify

    notify(tenant.pk, event, {"pause": pause_dict(pause), "by": actor.label})


def _hold(pause: Pause, *, clear: bool) -> None:
    from rollout.desired import pause_hold_clear, pause_hold_set

    (pause_hold_clear if clear else pause_hold_set)(pause)


def pause_resume(*, tenant: Tenant, actor: Actor, pause: Pause, dry_run: bool = False) -> Outcome:
    if pause.resumed_at is not None:
        raise Conflict("This pause was already resumed.")

    def change() -> Pause:
        locked = _lock(Pause, tenant, pause.pk)
        before = pause_dict(locked)
        locked.resumed_at = timezone.now()
        locked.resumed_by = actor.label
        locked.save(update_fields=["resumed_at", "resumed_by"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="pause.resume",
            target=locked,
            before=before,
            after=pause_dict(locked),
        )
        transaction.on_commit(lambda: _hold(locked, clear=True))
        _notify_pause(tenant, "rollout.resumed", locked, actor)
        return locked

    resumed, blast = measure(tenant, change, dry_run=dry_run, reason="pause.resume")
    return Outcome(resumed, blast, dry_run)


def run_measured(tenant: Tenant, change: Callable[[], T], *, dry_run: bool) -> tuple[T, BlastRadius]:
    """For composite changes (policy-as-code import): one savepoint, one blast radius."""
    return measure(tenant, change, dry_run=dry_run)

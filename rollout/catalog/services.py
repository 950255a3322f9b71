from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.editing import field_error, save_unique
from console.errors import Conflict, InvalidInput
from console.models import Tenant
from rollout.catalog.contracts import release_growth, release_matrix_store, sensor_capabilities_declare
from rollout.catalog.events import (
    CONTENT_CATEGORY_CREATED,
    CONTENT_RELEASE_APPROVED,
    CONTENT_RELEASE_PUBLISHED,
    CONTENT_RELEASE_STAGE_REFUSED,
    CONTENT_RELEASE_STAGED,
    SENSOR_BUILD_PUBLISHED,
    SENSOR_BUILD_STAGED,
    TEMPLATE_TYPE_CREATED,
)
from rollout.catalog.matrix import Cell, blocks_everywhere
from rollout.catalog.validation import FIELD_TYPES, MAX_FIELDS, TemplateSpec, validate_instances
from rollout.desired.blast import BlastRadius
from rollout.desired.changes import enqueue_all_tenants, measure_many
from rollout.models import (
    BuildStage,
    ContentCategory,
    ContentRelease,
    ContentStage,
    SensorBuild,
    TemplateType,
)
from rollout.policies.defaults import policy_defaults_ensure
from rollout.policies.services import platform_clean
from rollout.resolver import Catalog, n_levels
from rollout.resolver.targets import is_version, release_line, version_key
from rollout.rings.start import rollouts_start_for_sensor_levels
from rollout.rings.transitions import rollouts_rollback_withdrawn
from rollout.selectors.state import catalog_state

STAGE_ORDER = [ContentStage.INTERNAL, ContentStage.CANARY, ContentStage.EARLY_ACCESS, ContentStage.GA]


def sensor_build_publish(
    *,
    actor: Actor,
    platform: str,
    version: str,
    stage: str = BuildStage.EARLY_ADOPTER,
    notes: str = "",
    capabilities: list[Any] | None = None,
) -> SensorBuild:
    """Adds a sensor build to the catalog (vendor), with what its content interpreter supplies per
    template type (``capabilities``; without them the build interprets nothing new)."""
    platform_clean(platform)
    if not is_version(version) or len(version_key(version)) < 3:
        raise field_error("version", f"{version!r} is not a build number like 7.11.18110.")
    if stage not in BuildStage.values:
        raise field_error("stage", f"Use one of {', '.join(BuildStage.values)}.")
    with transaction.atomic():
        build = SensorBuild(
            platform=platform, version=version, release_line=release_line(version), stage=stage, notes=notes
        )
        levels_before = _levels(platform)
        save_unique(build, "version")
        audit_record(
            tenant=None, actor=actor, action=SENSOR_BUILD_PUBLISHED, target=build, after=_build_dict(build)
        )
        if capabilities:
            sensor_capabilities_declare(actor=actor, build=build, capabilities=capabilities)
        _sensor_rollouts_follow(build, levels_before, actor)
    return build


def _sensor_rollouts_follow(build: SensorBuild, levels_before: list[str], actor: Actor) -> None:
    """In the transaction of the catalog change: a build that moved N / N-1 / N-2 forward starts a ring
    rollout in every tenant tracking that level; a withdrawn build's rollouts are rolled back."""

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
        raise field_error("stage", f"Use one of {', '.join(BuildStage.values)}.")
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
            action=SENSOR_BUILD_STAGED,
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

    return [b.version for b in n_levels(catalog_state(), platform)]


def _levels_with(build: SensorBuild, stage: str) -> list[str]:
    from dataclasses import replace

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
        raise field_error("key", "Use lower-case letters, digits and underscores, like rapid_response.")
    if system_critical and not max_pause_hours:
        raise field_error("max_pause_hours", "A system-critical category needs a maximum pause (hours).")
    if max_pause_hours is not None and not 1 <= max_pause_hours <= 720:
        raise field_error("max_pause_hours", "Between 1 and 720 hours.")
    with transaction.atomic():
        category = ContentCategory(
            key=key, name=name or key, system_critical=system_critical, max_pause_hours=max_pause_hours
        )
        save_unique(category, "key")
        audit_record(
            tenant=None,
            actor=actor,
            action=CONTENT_CATEGORY_CREATED,
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
        raise field_error("name", "A name of at most 120 characters is needed.")
    if not isinstance(field_types, list) or not field_types or len(field_types) > MAX_FIELDS:
        raise field_error("field_types", f"Between 1 and {MAX_FIELDS} field types.")
    for index, kind in enumerate(field_types):
        if kind not in FIELD_TYPES:
            raise field_error(f"field_types[{index}]", f"{kind!r} is not one of {', '.join(FIELD_TYPES)}.")
    if not is_version(min_sensor_build):
        raise field_error("min_sensor_build", f"{min_sensor_build!r} is not a build number.")
    with transaction.atomic():
        template = TemplateType(name=name, field_types=field_types, min_sensor_build=min_sensor_build)
        save_unique(template)
        audit_record(
            tenant=None,
            actor=actor,
            action=TEMPLATE_TYPE_CREATED,
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
        t.name: TemplateSpec(t.name, tuple(t.field_types), t.min_sensor_build)
        for t in TemplateType.objects.all()
    }
    report = validate_instances(instances, templates, claimed_digest=digest)
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
        raise field_error("version", f"{version!r} is not a content version like 291.4.")
    if len(notes) > 100_000:
        raise field_error("notes", "Release notes are limited to 100,000 characters.")
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
        save_unique(release, "version")
        release_matrix_store(release)
        audit_record(
            tenant=None,
            actor=actor,
            action=CONTENT_RELEASE_PUBLISHED,
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


def content_release_stage_set(
    *, actor: Actor, release: ContentRelease, stage: str, reason: str = ""
) -> ContentRelease:
    """Advances a release through internal -> canary -> early_access -> ga (or recalls it).

    Validation runs again first; a release that fails it cannot advance to any stage. ``reason``
    (the console asks for one) is kept in the audit event."""
    if stage not in ContentStage.values:
        raise field_error("stage", f"Use one of {', '.join(ContentStage.values)}.")
    cells: list[Cell] = []
    if stage != ContentStage.RECALLED:
        # The contract matrix against the builds in use now, stored whatever the outcome (the page
        # shows why a release was refused).
        with transaction.atomic():
            cells = release_matrix_store(ContentRelease.objects.select_for_update().get(pk=release.pk))
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
                    action=CONTENT_RELEASE_STAGE_REFUSED,
                    target=locked,
                    before=before,
                    after={"stage": stage, "problems": report["problems"][:20]},
                )
                raise Conflict(
                    "The release failed validation and cannot advance.",
                    errors=_report_errors(report),
                    report=report,
                )
            _matrix_gate(locked, cells, actor, before, stage)
            held = locked.stage == ContentStage.INTERNAL and release_growth(locked).needs_second_approver
            if held and _first_approval(locked, actor):
                return locked  # held for a second approver
            locked.stage = stage
            if stage in (ContentStage.EARLY_ACCESS, ContentStage.GA) and locked.early_access_at is None:
                locked.early_access_at = now
            if stage == ContentStage.GA:
                locked.ga_at = now
        locked.save()
        audit_record(
            tenant=None,
            actor=actor,
            action=CONTENT_RELEASE_STAGED,
            target=locked,
            before=before,
            after={
                "stage": locked.stage,
                "valid": locked.valid,
                "first_approver": locked.first_approver or None,
                "incompatible_builds": [f"{c.platform} {c.version}" for c in cells if not c.deliverable],
            }
            | ({"reason": reason} if reason else {}),
        )
        enqueue_all_tenants("content_release.stage")
    return locked


def _matrix_gate(
    release: ContentRelease, cells: list[Cell], actor: Actor, before: dict[str, Any], stage: str
) -> None:
    """Refuses a release that no sensor build in use can interpret (hosts on the builds it is
    compatible with are the only ones ever offered it; when there are none it cannot advance)."""
    if not blocks_everywhere(cells):
        return
    reasons = [p["message"] for c in cells for p in c.problems][:20]
    audit_record(
        tenant=None,
        actor=actor,
        action=CONTENT_RELEASE_STAGE_REFUSED,
        target=release,
        before=before,
        after={"stage": stage, "matrix": reasons},
    )
    raise Conflict(
        "The release is incompatible with every sensor build in use and cannot advance.",
        errors={"instances": reasons},
    )


def _actor_key(actor: Actor) -> str:
    return f"{actor.kind}:{actor.id or actor.label}"[:64]


def _first_approval(release: ContentRelease, actor: Actor) -> bool:
    """A release at least twice the size (or entries) of the previous one of its category enters
    canary only with two approvers: records the first (True: the release waits), refuses the same
    approver twice, and lets a different second approver through (False)."""
    if not release.first_approver_id:
        release.first_approver_id = _actor_key(actor)
        release.first_approver = actor.label[:200]
        release.first_approved_at = timezone.now()
        release.save(update_fields=["first_approver_id", "first_approver", "first_approved_at"])
        audit_record(
            tenant=None,
            actor=actor,
            action=CONTENT_RELEASE_APPROVED,
            target=release,
            after={"first_approver": release.first_approver, "growth": release_growth(release).as_dict()},
        )
        return True
    if release.first_approver_id == _actor_key(actor):
        raise Conflict(
            f"The release at least doubles against the previous one and waits for a second approver; "
            f"{release.first_approver} approved it first and cannot be the second.",
            errors={"stage": ["A different release engineer must approve it."]},
        )
    return False

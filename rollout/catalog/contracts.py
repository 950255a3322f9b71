"""Sensor capabilities (what each build's content interpreter supplies) and the stored contract
matrix of each content release against every sensor build in use (``matrix`` holds the pure checks).

The builds in use are those any tenant's host runs or may be moved to: N, N-1 and N-2 of each
platform, every build a sensor policy pins, and every build hosts still report (a reported build
the catalog does not know declares nothing, so it is incompatible with everything new).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.editing import field_error
from rollout.catalog.events import SENSOR_CAPABILITIES_DECLARED
from rollout.catalog.matrix import BuildContract, Capability, Cell, Growth, growth_of, matrix_check
from rollout.catalog.validation import FIELD_TYPES, MAX_BYTES, MAX_FIELDS, MAX_INSTANCES
from rollout.desired.changes import enqueue_all_tenants
from rollout.models import (
    ContentRelease,
    ContentStage,
    ReleaseBuildCheck,
    SensorBuild,
    SensorCapability,
    SensorUpdatePolicy,
    TemplateType,
)
from rollout.resolver.targets import version_key
from rollout.selectors.state import catalog_state, n_levels
from telemetry.models import Host, Platform

LIVE_STAGES = (ContentStage.CANARY, ContentStage.EARLY_ACCESS, ContentStage.GA)


def capability_out(cap: SensorCapability) -> dict[str, Any]:
    return {
        "template_type": cap.template_type.name,
        "input_count": cap.input_count,
        "accepted_types": list(cap.accepted_types),
        "max_bytes": cap.max_bytes,
        "max_entries": cap.max_entries,
    }


def _capability_clean(index: int, raw: Any, templates: dict[str, TemplateType]) -> dict[str, Any]:
    where = f"capabilities[{index}]"
    if not isinstance(raw, dict):
        raise field_error(where, "Each capability is an object.")
    name = raw.get("template_type")
    if not isinstance(name, str) or name not in templates:
        raise field_error(f"{where}.template_type", f"Unknown template type {name!r}.")
    count = raw.get("input_count")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_FIELDS:
        raise field_error(f"{where}.input_count", f"A whole number of inputs between 1 and {MAX_FIELDS}.")
    types = raw.get("accepted_types")
    if not isinstance(types, list) or len(types) != count:
        raise field_error(f"{where}.accepted_types", f"One accepted type per input ({count}).")
    for position, kind in enumerate(types, start=1):
        if kind not in FIELD_TYPES:
            raise field_error(
                f"{where}.accepted_types",
                f"Input {position}: {kind!r} is not one of {', '.join(FIELD_TYPES)}.",
            )
    limits = {"max_bytes": MAX_BYTES, "max_entries": MAX_INSTANCES}
    out: dict[str, Any] = {"template_type": templates[name], "input_count": count, "accepted_types": types}
    for key, ceiling in limits.items():
        value = raw.get(key, ceiling)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= ceiling:
            raise field_error(f"{where}.{key}", f"A whole number between 1 and {ceiling:,}.")
        out[key] = value
    return out


def sensor_capabilities_declare(
    *, actor: Actor, build: SensorBuild, capabilities: Any, refresh: bool = True
) -> list[SensorCapability]:
    """Declares (or re-declares) what ``build`` interprets, one entry per template type; the
    matrices of the releases in the field are checked again, since hosts on this build may now get
    them (or no longer may)."""
    if not isinstance(capabilities, list) or not capabilities:
        raise field_error("capabilities", "At least one capability (a template type the build interprets).")
    templates = {t.name: t for t in TemplateType.objects.all()}
    cleaned = [_capability_clean(i, raw, templates) for i, raw in enumerate(capabilities)]
    names = [c["template_type"].name for c in cleaned]
    if len(set(names)) != len(names):
        raise field_error("capabilities", "Each template type at most once.")
    with transaction.atomic():
        locked = SensorBuild.objects.select_for_update().get(pk=build.pk)
        before = [capability_out(c) for c in locked.capabilities.select_related("template_type")]
        saved = []
        for data in cleaned:
            cap, _ = SensorCapability.objects.update_or_create(
                build=locked,
                template_type=data["template_type"],
                defaults={
                    "input_count": data["input_count"],
                    "accepted_types": data["accepted_types"],
                    "max_bytes": data["max_bytes"],
                    "max_entries": data["max_entries"],
                    "declared_at": timezone.now(),
                },
            )
            saved.append(cap)
        audit_record(
            tenant=None,
            actor=actor,
            action=SENSOR_CAPABILITIES_DECLARED,
            target=locked,
            before={"capabilities": before},
            after={"capabilities": [capability_out(c) for c in saved]},
        )
        if refresh:
            # Releases in the field that were checked before (one published before the matrix
            # existed stays unchecked: its hosts were never filtered and keep what they run).
            live = ContentRelease.objects.filter(stage__in=LIVE_STAGES, build_checks__isnull=False).distinct()
            used = builds_in_use()  # once for every release: it reads every tenant's hosts
            contracts = contracts_for(used)
            for release in live:
                release_matrix_store(release, used=used, contracts=contracts)
            enqueue_all_tenants("sensor_build.capabilities")
    return saved


def builds_in_use() -> dict[tuple[str, str], dict[str, Any]]:
    """``{(platform, version): {"hosts": n, "sources": [...]}}`` for every build any host runs or may
    be moved to (N / N-1 / N-2, pinned by a policy, reported by hosts)."""
    used: dict[tuple[str, str], dict[str, Any]] = {}

    def add(platform: str, version: str, source: str, hosts: int = 0) -> None:
        entry = used.setdefault((platform, version), {"hosts": 0, "sources": []})
        entry["hosts"] += hosts
        if source not in entry["sources"]:
            entry["sources"].append(source)

    catalog = catalog_state()
    for platform in Platform.values:
        for offset, build in enumerate(n_levels(platform, catalog)):
            add(platform, build.version, "n" if offset == 0 else f"n-{offset}")
    for platform, target in SensorUpdatePolicy.objects.filter(target__startswith="pinned:").values_list(
        "platform", "target"
    ):
        add(platform, target.removeprefix("pinned:"), "pinned")
    reported = (
        Host.objects.exclude(sensor_build="")
        .values("platform", "sensor_build")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in reported:
        add(row["platform"], row["sensor_build"], "reported", row["n"])
    return used


def contracts_for(keys: Iterable[tuple[str, str]]) -> list[BuildContract]:
    """The declared capabilities of each (platform, version), in platform then newest-first order."""
    ordered = sorted(set(keys), key=lambda k: (k[0], [-n for n in version_key(k[1])], k[1]))
    caps: dict[tuple[str, str], dict[str, Capability]] = {}
    rows = SensorCapability.objects.select_related("build", "template_type").filter(
        build__version__in={v for _, v in ordered}
    )
    for row in rows:
        caps.setdefault((row.build.platform, row.build.version), {})[row.template_type.name] = Capability(
            template_type=row.template_type.name,
            input_count=row.input_count,
            accepted_types=tuple(row.accepted_types),
            max_bytes=row.max_bytes,
            max_entries=row.max_entries,
        )
    return [BuildContract(p, v, caps.get((p, v), {})) for p, v in ordered]


def release_growth(release: ContentRelease) -> Growth:
    """The release's size and entries against the previous release of its category (the newest older
    version that left ``internal`` and was not recalled)."""
    older = [
        (pk, version)
        for pk, version in ContentRelease.objects.filter(category_id=release.category_id)
        .exclude(pk=release.pk)
        .exclude(stage__in=[ContentStage.INTERNAL, ContentStage.RECALLED])
        .values_list("pk", "version")
        if version_key(version) < version_key(release.version)
    ]
    if not older:
        return growth_of(release.instances)
    pk, version = max(older, key=lambda row: (version_key(row[1]), row[1]))
    previous = ContentRelease.objects.only("instances").get(pk=pk)
    return growth_of(release.instances, version, previous.instances)


def release_matrix_store(
    release: ContentRelease,
    *,
    used: dict[tuple[str, str], dict[str, Any]] | None = None,
    contracts: list[BuildContract] | None = None,
) -> list[Cell]:
    """Checks ``release`` against every build in use and stores the cells (replacing older ones).
    ``used`` and ``contracts``: what ``builds_in_use`` and ``contracts_for`` return, when the
    caller checks several releases against the same builds."""
    used = builds_in_use() if used is None else used
    cells = matrix_check(release.instances, contracts_for(used) if contracts is None else contracts)
    now = timezone.now()
    ReleaseBuildCheck.objects.filter(release=release).delete()
    ReleaseBuildCheck.objects.bulk_create(
        [
            ReleaseBuildCheck(
                release=release,
                platform=c.platform,
                build_version=c.version,
                status=c.status,
                problems=list(c.problems),
                untested=list(c.untested),
                hosts=used[(c.platform, c.version)]["hosts"],
                sources=used[(c.platform, c.version)]["sources"],
                checked_at=now,
            )
            for c in cells
        ]
    )
    return cells


def check_out(check: ReleaseBuildCheck) -> dict[str, Any]:
    return {
        "platform": check.platform,
        "build": check.build_version,
        "status": check.status,
        "problems": check.problems,
        "untested": check.untested,
        "hosts": check.hosts,
        "sources": check.sources,
        "checked_at": check.checked_at.isoformat(),
    }


def release_matrix(release: ContentRelease) -> dict[str, Any]:
    """The stored matrix of ``release`` (a read: nothing is computed or written)."""
    checks: Sequence[ReleaseBuildCheck] = list(release.build_checks.all())
    return {
        "release": str(release.pk),
        "version": release.version,
        "category": release.category.key,
        "cells": [check_out(c) for c in checks],
        "blocked_everywhere": bool(checks) and all(c.status == "incompatible" for c in checks),
        "growth": release_growth(release).as_dict(),
        "first_approver": release.first_approver or None,
        "first_approved_at": release.first_approved_at.isoformat() if release.first_approved_at else None,
    }


def capability_ensure(*, build: SensorBuild, template: TemplateType, input_count: int | None = None) -> None:
    """Seed data (demo, replay, tests): ``build`` interprets ``template`` with as many inputs as it has
    fields (or ``input_count``), the declared types, and the catalog's own size limits."""
    count = input_count if input_count is not None else template.field_count
    types = [*template.field_types[:count], *["str"] * max(0, count - template.field_count)]
    SensorCapability.objects.get_or_create(
        build=build,
        template_type=template,
        defaults={
            "input_count": count,
            "accepted_types": types,
            "max_bytes": MAX_BYTES,
            "max_entries": MAX_INSTANCES,
        },
    )

"""The database side of the replay: replay tenants on default policies and rings, the known-good
release, a telemetry pipeline client, the fleet registered as already enrolled, and the bad release."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.models import ApiClient, ApiScope, Tenant
from console.tokens import token_generate
from rollout.catalog.contracts import capability_ensure
from rollout.catalog.services import content_release_stage_set
from rollout.catalog.validation import canonical_digest
from rollout.distribution.credentials import edge_credential_cache
from rollout.models import (
    BuildStage,
    ContentCategory,
    ContentRelease,
    ContentStage,
    Ring,
    Rollout,
    SensorBuild,
    TemplateType,
)
from rollout.policies.defaults import policy_defaults_ensure
from rollout.resolver.targets import release_line, version_key
from rollout.rings.admin import ring_update, rings_defaults_ensure
from rollout.rings.start import rollouts_start_for_release
from rollout.rings.vendor import release_recall
from telemetry.credentials import HOST_PREFIX, credential_generate
from telemetry.demo import demo_enrolment_token_ensure
from telemetry.models import Host, HostStatus
from telemetry.sim_fleet import SENSOR_BUILDS
from telemetry.simulator import fleet_generate

CATEGORY = "rapid_response"
KNOWN_GOOD = "291.3"
BAD_RELEASE_NOTES = "Channel 291 replay: new named-pipe detections."
GOOD_RELEASE_NOTES = "Channel 291 replay (healthy): new named-pipe detections that load fine."


def replay_setup(count: int) -> tuple[list[Tenant], str, dict[str, str]]:
    """Replay tenants ``replay-01``... with default policies and rings (previous replay hosts and
    rollouts removed), the known-good release, and a telemetry pipeline client: the tenants, the
    pipeline's token and each tenant's enrolment token by slug."""
    actor = Actor.system("replay_incident")
    with transaction.atomic():
        category, _ = ContentCategory.objects.get_or_create(
            key=CATEGORY, defaults={"name": "Rapid response content"}
        )
        instances = instances_make(20)
        ContentRelease.objects.get_or_create(
            category=category,
            version=KNOWN_GOOD,
            defaults={
                "instances": instances,
                "digest": canonical_digest(instances),
                "valid": True,
                "stage": ContentStage.GA,
                "early_access_at": timezone.now(),
                "ga_at": timezone.now(),
            },
        )
        template_ensure()
        tenants = []
        for n in range(1, count + 1):
            tenant, _ = Tenant.objects.get_or_create(
                slug=f"replay-{n:02d}", defaults={"name": f"Replay tenant {n}"}
            )
            Host.objects.filter(tenant=tenant).delete()
            Rollout.objects.filter(tenant=tenant).delete()
            policy_defaults_ensure(tenant=tenant, actor=actor)
            rings_defaults_ensure(tenant=tenant, actor=actor)
            tenants.append(tenant)
        # A run that was stopped before its halt left its bad release in canary, where it would
        # start rollouts again in this run, and a healthy run left its release GA, where it would be
        # the known-good one: recall them first (the known-good release stays the newest GA one).
        for stale in ContentRelease.objects.filter(
            category=category, notes__startswith="Channel 291 replay"
        ).exclude(stage=ContentStage.RECALLED):
            release_recall(release=stale, actor=actor, reason="An earlier replay run left it out.")
        token, lookup, digest = token_generate()
        ApiClient.objects.create(
            tenant=None,
            name=f"replay pipeline {lookup}",
            prefix=lookup,
            token_hash=digest,
            scopes=[ApiScope.TELEMETRY],
        )
        tokens = {t.slug: demo_enrolment_token_ensure(t) for t in tenants}
    return tenants, token, tokens


def fleet_register(
    hosts: int, tenants: list[Tenant], seed: int, path: Path, log: Callable[[str], None]
) -> None:
    """The simulated fleet as already enrolled before the incident: the same hosts the simulator
    generates (same seed, same agent ids), registered in bulk with a credential each, and the
    credentials written where the simulated sensors keep them."""
    by_slug = {t.slug: t for t in tenants}
    fleet = fleet_generate(hosts, list(by_slug), seed)
    known: dict[str, str] = {}
    rows = []
    now = timezone.now()
    for sim_host in fleet:
        secret, lookup, digest = credential_generate(HOST_PREFIX)
        known[str(sim_host.agent_id)] = secret
        rows.append(
            Host(
                id=sim_host.agent_id,
                tenant=by_slug[sim_host.tenant],
                hostname=sim_host.hostname,
                platform=sim_host.platform,
                os_version=sim_host.os_version,
                tags=sim_host.tags,
                site=sim_host.site,
                sensor_build=sim_host.sensor_build,
                content_versions=dict(sim_host.content),
                status=HostStatus.OFFLINE,
                enrolled_at=now,
                credential_prefix=lookup,
                credential_hash=digest,
            )
        )
    for start in range(0, len(rows), 5000):
        Host.objects.bulk_create(rows[start : start + 5000])
    # What each host's first poll after enrolling would have left in the edge's cache.
    for row in rows:
        edge_credential_cache(str(row.id), str(row.tenant_id), row.credential_hash)
    path.write_text(json.dumps(known))
    path.chmod(0o600)
    log(f"registered {len(rows)} enrolled hosts")


def bad_release_publish(notes: str = BAD_RELEASE_NOTES) -> ContentRelease:
    """The vendor publishes the next rapid-response version, valid but crashing every Windows sensor
    that loads it (the simulator's marks decide that), moves it to canary and starts its rollouts."""
    category = ContentCategory.objects.get(key=CATEGORY)
    newest = max(
        ContentRelease.objects.filter(category=category).values_list("version", flat=True),
        key=version_key,
    )
    major, _, minor = newest.partition(".")
    version = f"{major}.{int(minor or 0) + 1}" if minor.isdigit() else f"{newest}.1"
    instances = instances_make(20)  # passes validation: the fault is in the sensor's interpreter
    release = ContentRelease.objects.create(
        category=category,
        version=version,
        instances=instances,
        digest=canonical_digest(instances),
        valid=True,
        notes=notes,
    )
    vendor = Actor.system("vendor release pipeline (replay)")
    release = content_release_stage_set(actor=vendor, release=release, stage="canary")
    rollouts_start_for_release(release=release, actor=vendor)
    return release


def release_promote(release: ContentRelease) -> ContentRelease:
    """The vendor moves a release that passed its canary cohort to GA (rollouts may then go past
    every tenant's first ring: ``rollout.rings.transitions.advance_allowed``)."""
    vendor = Actor.system("vendor release pipeline (replay)")
    for stage in ("early_access", "ga"):
        release = content_release_stage_set(actor=vendor, release=release, stage=stage)
    return release


def rings_soak_set(tenants: list[Tenant], minutes: int) -> None:
    """Every replay ring soaks ``minutes`` (the replay cannot wait the default 30 and 60 minutes)."""
    actor = Actor.system("replay_incident")
    for ring in Ring.objects.filter(tenant__in=tenants).select_related("tenant"):
        if ring.soak_minutes != minutes:
            ring_update(tenant=ring.tenant, actor=actor, ring=ring, data={"soak_minutes": minutes})


def instances_make(fields: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"ch291-{i:04d}",
            "template_type": "NamedPipe",
            "fields": [f"\\\\.\\pipe\\rule{i}-{f}" for f in range(fields - 1)] + [i],
        }
        for i in range(3)
    ]


def template_ensure() -> None:
    """The NamedPipe template type, and the builds the simulated fleet runs declaring it (the replay's
    bad release passes the contract matrix: the fault is in the interpreter, as on 19 July). A build
    the catalog lacks is added as early adopter, so it moves no N level."""
    template, _ = TemplateType.objects.get_or_create(
        name="NamedPipe", defaults={"field_types": ["str"] * 19 + ["int"], "min_sensor_build": "7.08.17706"}
    )
    for platform, versions in SENSOR_BUILDS.items():
        for version in versions:
            build, _ = SensorBuild.objects.get_or_create(
                platform=platform,
                version=version,
                defaults={"release_line": release_line(version), "stage": BuildStage.EARLY_ADOPTER},
            )
            capability_ensure(build=build, template=template)

"""Demo data of rollout: a catalog (builds for three platforms across 7.08-7.11, categories, a
template type, content releases), default policies, a few groups and policies per tenant, and ~50
hosts per tenant when telemetry has not enrolled any. Idempotent."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.models import Tenant
from rollout.catalog.contracts import capability_ensure
from rollout.catalog.validation import canonical_digest
from rollout.controls.windows import window_create
from rollout.groups.services import host_group_create
from rollout.models import (
    BuildStage,
    ContentCategory,
    ContentRelease,
    ContentStage,
    ContentUpdatePolicy,
    HostGroup,
    MaintenanceWindow,
    SensorBuild,
    SensorUpdatePolicy,
    TemplateType,
)
from rollout.policies.defaults import policy_defaults_ensure
from rollout.policies.services import content_policy_create, sensor_policy_create
from rollout.rings.admin import rings_defaults_ensure
from telemetry.models import Host

SYSTEM = Actor.system("seed_demo")
LINES = ("7.08", "7.09", "7.10", "7.11")
BUILD_NUMBERS = {
    "7.08": (17706, 17812),
    "7.09": (17901, 18003),
    "7.10": (18004, 18110),
    "7.11": (18110, 18212),
}
CATEGORIES = [
    ("rapid_response", "Rapid response content", False, None),
    ("sensor_operations", "Sensor operations", True, 24),
    ("vulnerability_management", "Vulnerability management", False, None),
    ("allow_block_lists", "Allow / block lists", False, None),
]
OS_VERSIONS = {
    "windows": ["10.0.19045", "10.0.22631", "10.0.17763"],
    "macos": ["14.5", "13.6"],
    "linux": ["6.1.0", "5.15.0"],
}


def _catalog() -> None:
    now = timezone.now()
    for platform in ("windows", "macos", "linux"):
        for age, line in enumerate(reversed(LINES)):
            for n, number in enumerate(BUILD_NUMBERS[line]):
                SensorBuild.objects.get_or_create(
                    platform=platform,
                    version=f"{line}.{number}",
                    defaults={
                        "release_line": line,
                        "stage": BuildStage.GA,
                        "released_at": now - timedelta(days=60 * age + 30 * (1 - n)),
                    },
                )
    SensorBuild.objects.get_or_create(
        platform="windows",
        version="7.12.18301",
        defaults={"release_line": "7.12", "stage": BuildStage.EARLY_ADOPTER},
    )
    for key, name, critical, cap in CATEGORIES:
        ContentCategory.objects.get_or_create(
            key=key, defaults={"name": name, "system_critical": critical, "max_pause_hours": cap}
        )
    template, _ = TemplateType.objects.get_or_create(
        name="NamedPipe", defaults={"field_types": ["str"] * 19 + ["int"], "min_sensor_build": "7.08.17706"}
    )
    for build in SensorBuild.objects.all():  # every demo build interprets NamedPipe as declared
        capability_ensure(build=build, template=template)
    instances = [
        {
            "id": f"ch291-{i:04d}",
            "template_type": "NamedPipe",
            "fields": [f"\\\\.\\pipe\\rule{i}-{f}" for f in range(19)] + [i],
        }
        for i in range(3)
    ]
    releases = [
        (
            "rapid_response",
            "291.3",
            ContentStage.GA,
            50,
            "Detections for *named-pipe* abuse.\n\n- 3 new rules",
        ),
        ("rapid_response", "291.4", ContentStage.EARLY_ACCESS, 3, "Tuned rule `ch291-0002`."),
        ("sensor_operations", "12.1", ContentStage.GA, 200, "Sensor health reporting."),
    ]
    for category, version, stage, hours, notes in releases:
        when = now - timedelta(hours=hours)
        ContentRelease.objects.get_or_create(
            category=ContentCategory.objects.get(key=category),
            version=version,
            defaults={
                "instances": instances,
                "digest": canonical_digest(instances),
                "valid": True,
                "notes": notes,
                "stage": stage,
                "early_access_at": when,
                "ga_at": when if stage == ContentStage.GA else None,
                "validation_report": {"ok": True, "problems": [], "digest": canonical_digest(instances)},
            },
        )


def _hosts(tenant: Tenant) -> None:
    if Host.objects.filter(tenant=tenant).exists():
        return
    rnd = random.Random(tenant.slug)  # stable demo data  # noqa: S311
    hosts = []
    for i in range(50):
        platform = rnd.choices(["windows", "macos", "linux"], weights=[6, 2, 2])[0]
        role = "lab" if i < 5 else ("canary" if i < 10 else "prod")
        line = rnd.choice(LINES[1:])
        hosts.append(
            Host(
                tenant=tenant,
                hostname=f"{role}-{platform[:3]}-{i:03d}",
                platform=platform,
                os_version=rnd.choice(OS_VERSIONS[platform]),
                tags=[role] + (["dc"] if rnd.random() < 0.2 else []),
                site=rnd.choice(["hq", "berlin", "ny"]),
                sensor_build=f"{line}.{BUILD_NUMBERS[line][1]}",
                content_versions={"rapid_response": "291.3", "sensor_operations": "12.1"},
            )
        )
    Host.objects.bulk_create(hosts)


def _tenant_setup(tenant: Tenant) -> None:

    policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    rings_defaults_ensure(tenant=tenant, actor=SYSTEM)
    groups = {
        "canaries": "tag:canary or tag:lab",
        "production windows": "platform:windows and tag:prod and not hostname:lab-*",
    }
    made = {}
    for name, rule in groups.items():
        group = HostGroup.objects.filter(tenant=tenant, name=name).first()
        made[name] = group or host_group_create(tenant=tenant, actor=SYSTEM, name=name, rule_text=rule).obj
    window = MaintenanceWindow.objects.filter(tenant=tenant, name="Nightly").first()
    if window is None:
        data = {
            "name": "Nightly",
            "weekdays": [0, 1, 2, 3, 4],
            "start": "01:30",
            "duration_minutes": 120,
            "timezone": tenant.timezone,
        }
        window = window_create(tenant=tenant, actor=SYSTEM, data=data).obj
    if not SensorUpdatePolicy.objects.filter(tenant=tenant, name="Canaries on N").exists():
        sensor_policy_create(
            tenant=tenant,
            actor=SYSTEM,
            name="Canaries on N",
            platform="windows",
            target="n",
            group_ids=[str(made["canaries"].pk)],
        )
    rapid = ContentCategory.objects.get(key="rapid_response")
    if not ContentUpdatePolicy.objects.filter(tenant=tenant, name="Canaries early access").exists():
        content_policy_create(
            tenant=tenant,
            actor=SYSTEM,
            name="Canaries early access",
            category=rapid,
            mode="early_access",
            group_ids=[str(made["canaries"].pk)],
        )
    if not ContentUpdatePolicy.objects.filter(tenant=tenant, name="Production GA+4 nightly").exists():
        content_policy_create(
            tenant=tenant,
            actor=SYSTEM,
            name="Production GA+4 nightly",
            category=rapid,
            mode="ga+4",
            window_ids=[str(window.pk)],
            group_ids=[str(made["production windows"].pk)],
        )


@transaction.atomic
def seed(result: dict[str, Any]) -> dict[str, Any]:
    _catalog()
    for slug in result.get("tenants", []):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            continue
        _hosts(tenant)
        _tenant_setup(tenant)
    return {
        "rollout": {
            "sensor_builds": SensorBuild.objects.count(),
            "content_releases": ContentRelease.objects.count(),
            "groups": HostGroup.objects.count(),
        }
    }

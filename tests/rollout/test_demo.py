"""Rollout's demo data: seeded next to the console's, idempotent, and coherent (hosts resolve)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from console.demo import seed_console
from console.models import AuditEvent, Tenant
from rollout import demo
from rollout.models import ContentRelease, HostGroup, SensorBuild, SensorUpdatePolicy
from rollout.selectors.state import host_explain
from telemetry.models import Host

pytestmark = pytest.mark.django_db


def test_it_seeds_idempotently_and_every_demo_host_resolves() -> None:
    result = seed_console()
    first = demo.seed(result)
    counts = (
        SensorBuild.objects.count(),
        ContentRelease.objects.count(),
        HostGroup.objects.count(),
        SensorUpdatePolicy.objects.count(),
        Host.objects.count(),
        AuditEvent.objects.count(),
    )
    second = demo.seed(result)
    assert first == second
    assert counts == (
        SensorBuild.objects.count(),
        ContentRelease.objects.count(),
        HostGroup.objects.count(),
        SensorUpdatePolicy.objects.count(),
        Host.objects.count(),
        AuditEvent.objects.count(),
    )
    acme = Tenant.objects.get(slug="acme")
    assert Host.objects.filter(tenant=acme).count() == 50
    assert SensorUpdatePolicy.objects.filter(tenant=acme, is_default=True).count() == 3
    for host in Host.objects.filter(tenant=acme)[:10]:
        resolution = host_explain(acme, host, timezone.now())
        assert resolution.sensor.target is not None
        assert set(resolution.content) >= {"rapid_response", "sensor_operations"}

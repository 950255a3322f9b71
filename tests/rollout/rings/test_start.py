"""Sensor-build rollouts through a tenant's rings: a build that moves the N level a tenant's policy
tracks starts in ring 1; the gate advances, halts and the operator rolls back, with a real worker
writing every host's desired state. Pinned policies are never staged; the owner / member / outsider
trio sees the rollout (or not) through the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from console.access import Actor
from console.models import AuditEvent, Role
from rollout.catalog.services import sensor_build_publish, sensor_build_stage_set
from rollout.models import (
    DesiredState,
    Ring,
    Rollout,
    RolloutEvent,
    RolloutState,
    SensorBuild,
    SensorUpdatePolicy,
)
from rollout.policies.defaults import policy_defaults_ensure
from rollout.rings.tick import rollouts_tick
from rollout.rings.transitions import rollout_rollback
from rollout.selectors.rings import ring_membership
from telemetry.models import CrashEvent, Host, HostStatus
from tests.conftest import wait_for
from tests.factories import HostFactory, TenantFactory, member, rollout_catalog

SYSTEM = Actor.system("test")
VENDOR = Actor.system("release engineering")
OLD, NEW = "7.10.200", "7.10.300"  # N-1 of windows moves from OLD to NEW


def sensor_tenant(slug: str, *, target: str = "n-1", windows: int = 80, linux: int = 5) -> Any:
    tenant = TenantFactory(slug=slug)
    policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    SensorUpdatePolicy.objects.filter(tenant=tenant, is_default=True).update(target=target)
    for order, (name, pct) in enumerate((("canary", "10"), ("early", "50"), ("broad", "100")), start=1):
        Ring.objects.create(
            tenant=tenant, order=order, name=name, percentage=Decimal(pct), soak_minutes=0, min_sample=2
        )
    now = timezone.now()
    for _ in range(windows):
        HostFactory(
            tenant=tenant, platform="windows", sensor_build=OLD, status=HostStatus.ONLINE, last_seen_at=now
        )
    for _ in range(linux):
        HostFactory(
            tenant=tenant, platform="linux", sensor_build="", status=HostStatus.ONLINE, last_seen_at=now
        )
    return tenant


def windows_rings(tenant: Any) -> dict[str, int]:
    rings = list(Ring.objects.filter(tenant=tenant).order_by("order"))
    ids = [
        str(h) for h in Host.objects.filter(tenant=tenant, platform="windows").values_list("pk", flat=True)
    ]
    return ring_membership(tenant.pk, rings, ids)


def desired_builds(tenant: Any) -> dict[str, str]:
    return {
        str(h): b
        for h, b in DesiredState.objects.filter(tenant=tenant).values_list("host_id", "sensor_build")
    }


def staged_upto(tenant: Any, membership: dict[str, int], ring_index: int) -> bool:
    """Every windows host of rings <= ring_index may have NEW, every other one OLD (desired state)."""
    desired = desired_builds(tenant)
    return all(desired.get(h) == (NEW if i <= ring_index else OLD) for h, i in membership.items())


@pytest.mark.django_db(transaction=True)
def test_it_stages_a_new_sensor_build_ring_by_ring_and_halts_and_rolls_back(celery_worker: Any) -> None:
    # given: a tenant whose default windows policy tracks N-1, with three rings
    rollout_catalog()
    tenant = sensor_tenant("acme")
    membership = windows_rings(tenant)
    first = [h for h, i in membership.items() if i == 0]
    second = [h for h, i in membership.items() if i == 1]
    assert len(first) >= 2 and second
    linux_before = set(Host.objects.filter(tenant=tenant, platform="linux").values_list("pk", flat=True))
    # when: the vendor publishes a GA build on the N-1 line
    sensor_build_publish(actor=VENDOR, platform="windows", version=NEW, stage="ga")
    # then: a rollout starts in ring 1, and the worker offers NEW to ring 1 only
    rollout = Rollout.objects.get(tenant=tenant, subject="sensor:windows", version=NEW)
    assert (rollout.state, rollout.ring_index, rollout.previous_version) == (RolloutState.IN_RING, 0, OLD)
    wait_for(lambda: staged_upto(tenant, membership, 0), timeout=60, what="ring 1 offered the new build")
    assert DesiredState.objects.get(host_id=first[0]).rules["sensor"][0] == "ring"
    # when: ring 1 runs it healthily and the gate ticks (soak 0)
    Host.objects.filter(pk__in=first).update(sensor_build=NEW, last_seen_at=timezone.now())
    assert rollouts_tick()["advanced"] == 1
    # then: ring 2 receives it next, ring 3 still does not
    rollout.refresh_from_db()
    assert (rollout.state, rollout.ring_index) == (RolloutState.IN_RING, 1)
    wait_for(lambda: staged_upto(tenant, membership, 1), timeout=60, what="ring 2 offered the new build")
    # when: ring 2's hosts crash on it
    now = timezone.now()
    for host_id in second:
        CrashEvent.objects.create(
            tenant=tenant,
            host_id=host_id,
            occurred_at=now,
            component="csagent.sys",
            category="sensor",
            content_version="",
            sensor_build=NEW,
        )
    Host.objects.filter(pk__in=second).update(status=HostStatus.CRASHED, last_crash_at=now, last_seen_at=now)
    assert rollouts_tick()["halted"] == 1
    # then: halted by the gate; ring 3 never received it
    rollout.refresh_from_db()
    assert rollout.state == RolloutState.HALTED
    assert "crash" in RolloutEvent.objects.get(rollout=rollout, kind="halted").detail["reason"]
    wait_for(
        lambda: all(desired_builds(tenant).get(h) == OLD for h, i in membership.items() if i == 2),
        timeout=60,
        what="ring 3 kept the old build",
    )
    # when: an operator rolls it back
    operator = member(tenant, Role.OPERATOR)
    rollout_rollback(tenant=tenant, actor=Actor.for_user(operator), rollout=rollout, reason="BSOD in ring 2")
    # then: every windows host goes back to the previous build; linux hosts were never part of it
    wait_for(
        lambda: all(desired_builds(tenant).get(h) == OLD for h in membership),
        timeout=60,
        what="every windows host back on the previous build",
    )
    assert (
        set(Host.objects.filter(tenant=tenant, platform="linux").values_list("pk", flat=True)) == linux_before
    )
    assert all(
        b != NEW
        for b in DesiredState.objects.filter(tenant=tenant, platform="linux").values_list(
            "sensor_build", flat=True
        )
    )
    assert AuditEvent.objects.filter(
        tenant=tenant, action="rollout.rollback", actor_id=str(operator.pk)
    ).exists()


@pytest.mark.django_db
def test_it_starts_sensor_rollouts_only_for_tenants_tracking_the_level_that_moved() -> None:
    # given: one tenant on N-1, one on N, one pinned to the old build, one on N-1 without rings
    rollout_catalog()
    tracking = sensor_tenant("tracking", windows=3, linux=0)
    on_n = sensor_tenant("newest", target="n", windows=3, linux=0)
    pinned = sensor_tenant("pinned", target=f"pinned:{OLD}", windows=3, linux=0)
    ringless = sensor_tenant("ringless", windows=3, linux=0)
    Ring.objects.filter(tenant=ringless).delete()
    build = sensor_build_publish(
        actor=VENDOR, platform="windows", version=NEW
    )  # early adopter: no level moves
    assert not Rollout.objects.filter(subject="sensor:windows").exists()
    # when: it goes GA (N-1 moves from OLD to NEW)
    sensor_build_stage_set(actor=VENDOR, build=build, stage="ga")
    # then: only the tenant tracking N-1 with rings stages it
    started = set(
        Rollout.objects.filter(subject="sensor:windows", version=NEW).values_list("tenant__slug", flat=True)
    )
    assert started == {tracking.slug}
    assert {on_n.slug, pinned.slug, ringless.slug}.isdisjoint(started)
    assert AuditEvent.objects.filter(tenant=tracking, action="rollout.start").exists()
    # and a dry run of the same move starts nothing
    Rollout.objects.all().delete()
    SensorBuild.objects.filter(pk=build.pk).update(stage="early_adopter")
    build.refresh_from_db()
    sensor_build_stage_set(actor=VENDOR, build=build, stage="ga", dry_run=True)
    assert not Rollout.objects.exists()


@pytest.mark.django_db
def test_it_rolls_back_a_sensor_rollout_when_the_vendor_withdraws_the_build() -> None:
    # given: a staged build
    rollout_catalog()
    tenant = sensor_tenant("acme", windows=3, linux=0)
    build = sensor_build_publish(actor=VENDOR, platform="windows", version=NEW, stage="ga")
    rollout = Rollout.objects.get(tenant=tenant, version=NEW)
    # when
    sensor_build_stage_set(actor=VENDOR, build=build, stage="withdrawn")
    # then
    rollout.refresh_from_db()
    assert rollout.state == RolloutState.ROLLED_BACK
    assert "withdrew" in rollout.halted_reason


@pytest.mark.django_db
def test_it_shows_sensor_rollouts_to_members_and_not_to_outsiders() -> None:
    # given
    rollout_catalog()
    tenant = sensor_tenant("acme", windows=3, linux=0)
    sensor_build_publish(actor=VENDOR, platform="windows", version=NEW, stage="ga")
    rollout = Rollout.objects.get(tenant=tenant, version=NEW)
    viewer, operator = member(tenant, Role.VIEWER), member(tenant, Role.OPERATOR)
    outsider = member(TenantFactory(slug="globex"), Role.OWNER)

    def client(user: Any) -> Client:
        c = Client()
        c.force_login(user)
        return c

    # then: members see it with its rings; the outsider sees nothing of it
    detail = client(viewer).get(f"/api/v1/rollouts/{rollout.pk}").json()
    assert detail["subject"] == "sensor:windows" and detail["previous_version"] == OLD
    assert [r["name"] for r in detail["rings"]] == ["canary", "early", "broad"]
    assert client(outsider).get(f"/api/v1/rollouts/{rollout.pk}").status_code == 404
    assert client(outsider).get("/api/v1/rollouts/").json()["results"] == []
    # the operator halts it; the viewer may not
    url = f"/api/v1/rollouts/{rollout.pk}/halt"
    assert client(viewer).post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    halted = client(operator).post(url, {"reason": "wait for the fix"}, content_type="application/json")
    assert halted.status_code == 200 and halted.json()["state"] == "halted"


@pytest.mark.django_db
def test_it_supersedes_an_unfinished_build_and_never_falls_back_to_it() -> None:
    # given: NEW is staged in ring 1 of the tenant
    rollout_catalog()
    tenant = sensor_tenant("acme", windows=3, linux=0)
    sensor_build_publish(actor=VENDOR, platform="windows", version=NEW, stage="ga")
    staged = Rollout.objects.get(tenant=tenant, version=NEW)
    # when: a newer build of the same line takes N-1 before NEW went through the rings
    sensor_build_publish(actor=VENDOR, platform="windows", version="7.10.400", stage="ga")
    # then: NEW's rollout ends as superseded, and the newer one falls back to OLD, not to unproven NEW
    staged.refresh_from_db()
    assert staged.state == RolloutState.SUPERSEDED
    assert RolloutEvent.objects.filter(rollout=staged, kind="superseded").exists()
    newer = Rollout.objects.get(tenant=tenant, version="7.10.400")
    assert (newer.state, newer.previous_version) == (RolloutState.IN_RING, OLD)
    assert AuditEvent.objects.filter(tenant=tenant, action="rollout.supersede").exists()


@pytest.mark.django_db
def test_it_stops_applying_a_rolled_back_build_once_a_newer_one_takes_its_level() -> None:
    from rollout.selectors.rings import ring_states_for_hosts, sensor_ring_key

    # given: NEW rolled back in the tenant
    rollout_catalog()
    tenant = sensor_tenant("acme", windows=3, linux=0)
    sensor_build_publish(actor=VENDOR, platform="windows", version=NEW, stage="ga")
    rollout_rollback(
        tenant=tenant, actor=SYSTEM, rollout=Rollout.objects.get(tenant=tenant, version=NEW), reason="bad"
    )
    ids = [str(h) for h in Host.objects.filter(tenant=tenant).values_list("pk", flat=True)]
    assert {k for states in ring_states_for_hosts(tenant.pk, ids).values() for k in states} == {
        sensor_ring_key("windows", NEW)
    }
    # when: a newer build takes N-1
    sensor_build_publish(actor=VENDOR, platform="windows", version="7.10.400", stage="ga")
    # then: only the newer build's rollout shapes what hosts get
    assert {k for states in ring_states_for_hosts(tenant.pk, ids).values() for k in states} == {
        sensor_ring_key("windows", "7.10.400")
    }
    assert Rollout.objects.get(tenant=tenant, version=NEW).state == RolloutState.ROLLED_BACK

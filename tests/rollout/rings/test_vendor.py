"""Vendor stages across tenants: the canary cohort gate halts a release everywhere and recalls it on
crashes or silence; a recalled release never reaches any ring (nor a tenant without rings); the
vendor halts or recalls by hand with a reason; tenants' credentials cannot."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from console.access import Actor
from console.errors import Conflict
from console.models import ApiScope, AuditEvent, Role
from rollout.catalog.services import content_release_stage_set
from rollout.models import ContentRelease, Rollout, RolloutEvent, RolloutState, RolloutStop
from rollout.policies.defaults import policy_defaults_ensure
from rollout.rings.start import rollouts_start_for_release
from rollout.rings.tick import rollouts_tick
from rollout.rings.transitions import rollout_resume
from telemetry.models import CrashEvent, Host, HostStatus
from tests.factories import (
    HostFactory,
    TenantFactory,
    api_client_with_token,
    content_release,
    member,
    rollout_catalog,
)
from tests.rollout.rings.test_transitions import crash, rings_of, staged_tenant, targets

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture
def fleet() -> dict[str, Any]:
    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    bad = content_release(catalog["rapid_response"], "291.4", stage="canary")
    tenants = [staged_tenant(f"t{i}", hosts=80) for i in range(3)]
    # a tenant without rings: only its policies decide, and a canary/recalled release never qualifies
    plain = TenantFactory(slug="plain")
    policy_defaults_ensure(tenant=plain, actor=SYSTEM)
    for _ in range(5):
        HostFactory(tenant=plain, content_versions={"rapid_response": "291.3"})
    return {"catalog": catalog, "bad": bad, "tenants": tenants, "plain": plain}


def vendor() -> Client:
    _, token = api_client_with_token(None, [ApiScope.VENDOR], name="vendor-release-pipeline")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_it_recalls_a_release_failing_the_canary_gate_before_any_tenant_ga_ring_receives_it(
    fleet: dict[str, Any],
) -> None:
    # given: the release is in the canary cohort of every tenant, and every canary host crashes on it
    bad = fleet["bad"]
    rollouts_start_for_release(release=bad, actor=SYSTEM)
    for tenant in fleet["tenants"]:
        for host_id, index in rings_of(tenant).items():
            if index == 0:
                crash(host_id)
    # when: one tick
    rollouts_tick()
    # then: recalled, every rollout rolled back, every host of every tenant targets the known good
    bad.refresh_from_db()
    assert bad.stage == "recalled" and bad.recalled_at is not None
    assert set(Rollout.objects.values_list("state", flat=True)) == {RolloutState.ROLLED_BACK}
    for tenant in [*fleet["tenants"], fleet["plain"]]:
        assert set(targets(tenant).values()) == {"291.3"}
    assert AuditEvent.objects.filter(tenant=None, action="content_release.recall").exists()
    assert "Recalled" in bad.notes
    # and: the vendor cannot move it on to GA afterwards; more ticks never restart it
    with pytest.raises(Conflict):
        content_release_stage_set(actor=SYSTEM, release=bad, stage="ga")
    rollouts_tick()
    assert set(Rollout.objects.values_list("state", flat=True)) == {RolloutState.ROLLED_BACK}
    broad = [h for t in fleet["tenants"] for h, i in rings_of(t).items() if i == 2]
    assert broad and set(
        Host.objects.filter(pk__in=broad).values_list("content_versions__rapid_response", flat=True)
    ) == {"291.3"}


def test_it_halts_everywhere_without_recall_when_only_update_failures_fail_the_gate(
    fleet: dict[str, Any],
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    bad = fleet["bad"]
    # given: the canary hosts were offered the release long ago and still run the old one
    rollouts_start_for_release(release=bad, actor=SYSTEM)
    long_ago = timezone.now() - timedelta(minutes=30)
    Rollout.objects.update(created_at=long_ago)
    RolloutEvent.objects.update(at=long_ago)
    Host.objects.update(update_offered_at=long_ago + timedelta(minutes=5), status=HostStatus.ONLINE)
    # when
    rollouts_tick()
    bad.refresh_from_db()
    assert bad.stage == "canary"
    assert set(Rollout.objects.values_list("state", flat=True)) == {RolloutState.HALTED}


def test_it_lets_a_release_engineer_recall_by_hand_and_refuses_tenants(fleet: dict[str, Any]) -> None:
    bad = fleet["bad"]
    rollouts_start_for_release(release=bad, actor=SYSTEM)
    tenant = fleet["tenants"][0]
    owner = member(tenant, Role.OWNER)
    as_tenant = Client()
    as_tenant.force_login(owner)
    url = f"/api/v1/vendor/content-releases/{bad.pk}/recall"
    # tenants cannot
    assert as_tenant.post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    _, token = api_client_with_token(tenant, [ApiScope.VENDOR], name="sneaky")
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        .post(url, {"reason": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    # bad input
    client = vendor()
    bad_input = client.post(url, {"reason": ""}, content_type="application/json")
    assert bad_input.status_code == 400 and bad_input["Content-Type"].startswith("application/problem+json")
    assert "reason" in bad_input.json()["errors"]
    assert (
        client.post(
            f"/api/v1/vendor/content-releases/{tenant.pk}/recall",
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    # halt, then recall
    halted = client.post(
        f"/api/v1/vendor/content-releases/{bad.pk}/halt",
        {"reason": "triage"},
        content_type="application/json",
    )
    assert halted.status_code == 200 and halted.json()["rollouts_halted"] == 3
    done = client.post(url, {"reason": "channel 291 crashes Windows"}, content_type="application/json")
    assert done.status_code == 200
    assert ContentRelease.objects.get(pk=bad.pk).stage == "recalled"
    assert client.post(url, {"reason": "again"}, content_type="application/json").status_code == 409
    # tenants see it with the release notes
    detail = as_tenant.get(f"/api/v1/rollouts/{Rollout.objects.get(tenant=tenant).pk}").json()
    assert detail["state"] == "rolled_back" and detail["release_stage"] == "recalled"
    assert "channel 291 crashes Windows" in detail["release_notes"]


def test_it_lets_a_release_engineer_recall_from_the_vendor_page(fleet: dict[str, Any]) -> None:
    from tests.factories import UserFactory

    bad = fleet["bad"]
    rollouts_start_for_release(release=bad, actor=SYSTEM)
    engineer = UserFactory(username="re@vendor.example", vendor_role="release_engineer")
    client = Client()
    client.force_login(engineer)
    page = client.get("/vendor/releases/")
    assert page.status_code == 200 and b"291.4" in page.content and b"in a ring: 3" in page.content
    # a reason is required; the page says so
    refused = client.post("/vendor/releases/", {"release": str(bad.pk), "verb": "recall", "reason": ""})
    assert refused.status_code == 400 and b"reason" in refused.content.lower()
    done = client.post("/vendor/releases/", {"release": str(bad.pk), "verb": "recall", "reason": "crashes"})
    assert done.status_code == 302
    assert ContentRelease.objects.get(pk=bad.pk).stage == "recalled"
    event = AuditEvent.objects.get(tenant=None, action="content_release.recall")
    assert event.actor_id == str(engineer.pk)
    # a tenant member is refused
    tenant_user = member(fleet["tenants"][0], Role.OWNER)
    other = Client()
    other.force_login(tenant_user)
    assert other.get("/vendor/releases/").status_code == 403


def test_it_republishes_a_tenant_without_rings_at_once_when_a_ga_release_is_recalled(
    fleet: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from rollout.desired.recompute import desired_state_recompute
    from rollout.models import DesiredState
    from rollout.rings.vendor import release_recall

    # given: a GA release that the tenant without rings took through its default policy
    plain = fleet["plain"]
    bad = content_release(fleet["catalog"]["rapid_response"], "291.5", hours_ago=50)
    desired_state_recompute(plain.pk)
    offered = DesiredState.objects.filter(tenant=plain, content__rapid_response="291.5")
    assert offered.count() == 5
    # when: the vendor recalls it (no worker runs: only the immediate publish after commit can act)
    with django_capture_on_commit_callbacks(execute=True):
        release_recall(release=bad, actor=SYSTEM, reason="channel 291 crashes Windows")
    # then: those hosts are already offered the known-good version again
    assert not offered.exists()
    assert DesiredState.objects.filter(tenant=plain, content__rapid_response="291.3").count() == 5


def canary_hosts_take(tenants: list[Any], version: str) -> None:
    canary = [h for t in tenants for h, i in rings_of(t).items() if i == 0]
    assert len(canary) >= 10  # enough hosts running it that one crash is not "all of them"
    Host.objects.filter(pk__in=canary).update(content_versions={"rapid_response": version})


def crash_in(host_id: str, component: str) -> None:
    crash(host_id)
    CrashEvent.objects.filter(host_id=host_id).update(component=component)


def test_it_halts_every_tenant_on_one_report_of_the_sensor_itself_faulting_on_the_release(
    fleet: dict[str, Any],
) -> None:
    # given: every tenant's canary ring took the release and runs it; one canary host of the first
    # tenant reports that the sensor's own driver faulted on it (below the canary gate's three)
    bad = fleet["bad"]
    rollouts_start_for_release(release=bad, actor=SYSTEM)
    canary_hosts_take(fleet["tenants"], "291.4")
    first, *others = fleet["tenants"]
    canary_host = next(h for h, i in rings_of(first).items() if i == 0)
    crash_in(canary_host, "csagent.sys")
    # when: one tick
    rollouts_tick()
    # then: every tenant's rollout is halted, not only the crashing tenant's; nothing is recalled
    bad.refresh_from_db()
    assert bad.stage == "canary"
    assert set(Rollout.objects.values_list("state", flat=True)) == {RolloutState.HALTED}
    # and: each of the other tenants got a release-wide stop (its hold goes out after that commit,
    # before any halt) saying why; the vendor's audit trail has the halt once
    for tenant in others:
        stop = RolloutStop.objects.get(tenant=tenant, release=bad, kind="halted")
        assert "csagent.sys" in stop.reason
        assert Rollout.objects.get(tenant=tenant, release=bad).halted_reason.startswith(
            "Halted by the vendor: The sensor itself (csagent.sys) crashed"
        )
    assert AuditEvent.objects.filter(tenant=None, action="content_release.halt").count() == 1
    rollouts_tick()  # a later tick adds nothing
    assert AuditEvent.objects.filter(tenant=None, action="content_release.halt").count() == 1
    # and: a tenant that resumes is not halted again on the same report
    resumed = Rollout.objects.get(tenant=others[0], release=bad)
    rollout_resume(tenant=others[0], actor=SYSTEM, rollout=resumed)
    rollouts_tick()
    assert Rollout.objects.get(pk=resumed.pk).state == RolloutState.IN_RING
    # but: a new report of the sensor faulting halts it again
    crash_in(next(h for h, i in rings_of(others[1]).items() if i == 0), "csagent.sys")
    rollouts_tick()
    assert Rollout.objects.get(pk=resumed.pk).state == RolloutState.HALTED


def test_it_leaves_other_tenants_running_when_another_component_crashed(fleet: dict[str, Any]) -> None:
    # given: a crash right after the update, in a storage driver (background noise, not the sensor)
    bad = fleet["bad"]
    rollouts_start_for_release(release=bad, actor=SYSTEM)
    canary_hosts_take(fleet["tenants"], "291.4")
    first, *others = fleet["tenants"]
    crash_in(next(h for h, i in rings_of(first).items() if i == 0), "storport.sys")
    # when
    rollouts_tick()
    # then: the other tenants' rollouts keep going (the first tenant's own one-host ring may judge
    # its single host by itself), and no release-wide stop was written
    for tenant in others:
        assert Rollout.objects.get(tenant=tenant, release=bad).state == RolloutState.IN_RING
    assert not RolloutStop.objects.filter(release=bad).exists()
    assert not AuditEvent.objects.filter(tenant=None, action="content_release.halt").exists()

"""The statistical gate on real rollouts (PostgreSQL): a ring compared with its control cohort (the
tenant's hosts not reached yet) halts on evidence of a rise the thresholds allow, keeps soaking past
its soak time while the evidence is inconclusive, and shows its verdict and evidence in the API and
on the rollout page; the owner / member / outsider trio."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from console.access import Actor
from console.models import AuditEvent, Role
from rollout.models import ContentRelease, Ring, Rollout, RolloutEvent, RolloutState
from rollout.policies.defaults import policy_defaults_ensure
from rollout.rings.start import rollouts_start_for_release
from rollout.rings.tick import rollouts_evaluate_tenant
from telemetry.models import CrashEvent, Host, HostStatus, Platform
from tests.factories import TenantFactory, content_release, member, rollout_catalog
from tests.rollout.conftest import session
from tests.rollout.rings.test_transitions import rings_of

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def tenant_with_control(slug: str, *, hosts: int, canary_pct: str, max_crash_rate: float = 0.05) -> Any:
    """A tenant whose first ring (``canary_pct`` % of hosts) has the statistical gate on, with a crash
    threshold the rises below stay within; the other hosts (ring 2) are the control cohort."""
    tenant = TenantFactory(slug=slug)
    policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    Ring.objects.create(
        tenant=tenant,
        order=1,
        name="canary",
        percentage=Decimal(canary_pct),
        soak_minutes=30,
        max_crash_rate=max_crash_rate,
        statistical_gate=True,
    )
    Ring.objects.create(tenant=tenant, order=2, name="broad", percentage=Decimal("100"), soak_minutes=0)
    now = timezone.now()
    Host.objects.bulk_create(
        Host(
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"test-stat-gate/{slug}/{n}"),
            tenant=tenant,
            hostname=f"{slug}-{n:05d}",
            platform=Platform.WINDOWS,
            sensor_build="7.11.18110",
            content_versions={"rapid_response": "291.3"},
            status=HostStatus.ONLINE,
            last_seen_at=now,
        )
        for n in range(hosts)
    )
    return tenant


def started(tenant: Any, release: Any, *, minutes_ago: float) -> Rollout:
    """The tenant's rollout of ``release``, its first ring entered ``minutes_ago``, every host of that
    ring on the new version."""
    rollouts_start_for_release(release=release, actor=SYSTEM)
    rollout = Rollout.objects.get(tenant=tenant, release=release)
    backdate(rollout, minutes_ago)
    first = [h for h, i in rings_of(tenant).items() if i == 0]
    Host.objects.filter(pk__in=first).update(content_versions={"rapid_response": "291.4"})
    return rollout


def backdate(rollout: Rollout, minutes_ago: float) -> None:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    Rollout.objects.filter(pk=rollout.pk).update(created_at=at, ring_entered_at=at)
    RolloutEvent.objects.filter(rollout=rollout, kind="ring.entered").update(at=at)


def crash(host_ids: list[str], version: str) -> None:
    now = timezone.now()
    for host in Host.objects.filter(pk__in=host_ids):
        CrashEvent.objects.create(
            tenant_id=host.tenant_id,
            host=host,
            occurred_at=now,
            component="csagent.sys",
            category="rapid_response",
            content_version=version,
        )
    Host.objects.filter(pk__in=host_ids).update(status=HostStatus.CRASHED, last_crash_at=now)


@pytest.fixture
def releases() -> dict[str, Any]:
    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    return {"new": content_release(catalog["rapid_response"], "291.4", stage="canary")}


def test_it_halts_a_ring_at_3_percent_crashes_against_a_control_at_0_2_percent(
    releases: dict[str, Any],
) -> None:
    # given: a canary of about 500 hosts 10 minutes in, 3 % of them crashed (under its 5 % threshold),
    # and a control of about 1,000 hosts of which 0.2 % crashed on the previous version
    tenant = tenant_with_control("stat-halt", hosts=1500, canary_pct="33", max_crash_rate=0.05)
    rollout = started(tenant, releases["new"], minutes_ago=10)
    membership = rings_of(tenant)
    first = sorted(h for h, i in membership.items() if i == 0)
    control = sorted(h for h, i in membership.items() if i > 0)
    crash(first[: round(len(first) * 0.03)], "291.4")
    crash(control[:2], "291.3")
    # when: the tenant's gates are evaluated
    rollouts_evaluate_tenant(tenant.pk)
    # then: halted on the statistical verdict, the thresholds alone would have let it through
    rollout.refresh_from_db()
    assert rollout.state == RolloutState.HALTED
    assert rollout.ring_index == 0
    gate = rollout.last_gate
    assert gate["verdict"] == "failed"
    assert not any(v["exceeded"] for v in gate["values"])
    stat = gate["statistical"]
    assert stat["verdict"] == "halt"
    crash_evidence = next(m for m in stat["measures"] if m["name"] == "crash")
    assert crash_evidence["treated"] == round(len(first) * 0.03)
    assert crash_evidence["control"] == 2
    assert crash_evidence["llr"] >= stat["halt_bound"]
    assert stat["control_hosts"] == len(control)
    halted = RolloutEvent.objects.get(rollout=rollout, kind="halted")
    assert "Statistical gate" in halted.detail["reason"]
    assert AuditEvent.objects.filter(tenant=tenant, action="rollout.halt", actor_label="health gate").exists()


def test_it_keeps_an_inconclusive_ring_soaking_past_its_soak_time(releases: dict[str, Any]) -> None:
    # given: a canary of about 40 hosts, 45 minutes in (its soak is 30), one crash; a quiet control
    tenant = tenant_with_control("stat-soak", hosts=240, canary_pct="17")
    rollout = started(tenant, releases["new"], minutes_ago=45)
    first = sorted(h for h, i in rings_of(tenant).items() if i == 0)
    crash(first[:1], "291.4")
    # when
    rollouts_evaluate_tenant(tenant.pk)
    # then: the thresholds pass it (one crash is background), the statistics cannot tell yet: it stays
    rollout.refresh_from_db()
    assert (rollout.state, rollout.ring_index) == (RolloutState.IN_RING, 0)
    assert rollout.last_gate["verdict"] == "waiting"
    assert rollout.last_gate["statistical"]["verdict"] == "inconclusive"
    assert "keep soaking" in rollout.last_gate["reason"]
    assert not RolloutEvent.objects.filter(rollout=rollout, kind="ring.entered", ring_index=1).exists()
    # when: three hours of exposure later, still one crash (and the vendor made the release GA, so
    # the tenant's default policy lets it past the canary)
    backdate(rollout, 180)
    ContentRelease.objects.filter(pk=releases["new"].pk).update(
        stage="ga",
        early_access_at=timezone.now() - timedelta(hours=1),
        ga_at=timezone.now() - timedelta(hours=1),
    )
    rollouts_evaluate_tenant(tenant.pk)
    # then: the evidence rules out an excess, and the ring passes
    rollout.refresh_from_db()
    assert rollout.ring_index == 1, rollout.last_gate
    entered = RolloutEvent.objects.get(rollout=rollout, kind="ring.entered", ring_index=1)
    assert "No excess over the control cohort" in entered.detail["why"]


def test_it_shows_the_statistical_verdict_in_the_api_to_members_only(releases: dict[str, Any]) -> None:
    # given
    tenant = tenant_with_control("stat-api", hosts=240, canary_pct="17")
    rollout = started(tenant, releases["new"], minutes_ago=45)
    viewer = member(tenant, Role.VIEWER)
    outsider = member(tenant_with_control("stat-other", hosts=3, canary_pct="50"), Role.OWNER)
    # when: read before any tick (computed live) and after one (stored)
    live = session(viewer).get(f"/api/v1/rollouts/{rollout.pk}").json()["gate"]
    rollouts_evaluate_tenant(tenant.pk)
    stored = session(viewer).get(f"/api/v1/rollouts/{rollout.pk}").json()["gate"]
    # then
    for gate in (live, stored):
        stat = gate["statistical"]
        assert stat["verdict"] == "inconclusive"
        assert [m["name"] for m in stat["measures"]] == ["crash", "boot_loop", "silence"]
        assert stat["control_hosts"] > 150 and stat["treated_hosts"] > 20
        assert stat["measures"][0]["treated_hours"] > 0 and stat["measures"][0]["control_hours"] > 0
    assert session(outsider).get(f"/api/v1/rollouts/{rollout.pk}").status_code == 404


def test_it_lets_admins_switch_the_statistical_gate_and_refuses_bad_values(releases: dict[str, Any]) -> None:
    tenant = tenant_with_control("stat-ring", hosts=3, canary_pct="50")
    ring = Ring.objects.get(tenant=tenant, order=2)
    admin, operator = member(tenant, Role.ADMIN), member(tenant, Role.OPERATOR)
    outsider = member(tenant_with_control("stat-ring-other", hosts=1, canary_pct="50"), Role.OWNER)
    url = f"/api/v1/rings/{ring.pk}"
    read = session(operator).get(url)
    assert read.json()["statistical_gate"] is False
    etag = read["ETag"]
    bad = session(admin).patch(
        url, {"statistical_gate": "maybe"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert bad.status_code == 400 and "statistical_gate" in bad.json()["errors"]
    assert (
        session(outsider)
        .patch(url, {"statistical_gate": True}, content_type="application/json", headers={"If-Match": etag})
        .status_code
        == 404
    )
    done = session(admin).patch(
        url, {"statistical_gate": True}, content_type="application/json", headers={"If-Match": etag}
    )
    assert done.status_code == 200 and done.json()["statistical_gate"] is True
    assert AuditEvent.objects.filter(tenant=tenant, action="ring.updated", actor_id=str(admin.pk)).exists()
    # and on the ring's page, as a select that keeps its value
    page = session(admin).get(f"/rollout/rings/{ring.pk}/").content.decode()
    assert '<option value="on" selected>' in page
    assert 'data-testid="ring-statistical"' in session(operator).get("/rollout/rings/").content.decode()
    # the page form: a bad value is named next to the field, a good one saved
    ring.refresh_from_db()
    form = {"version": str(ring.version)}
    refused = session(admin).post(f"/rollout/rings/{ring.pk}/", {**form, "statistical_gate": "maybe"})
    assert refused.status_code == 400 and "Use on or off." in refused.content.decode()
    saved = session(admin).post(f"/rollout/rings/{ring.pk}/", {**form, "statistical_gate": "off"})
    assert saved.status_code == 302
    ring.refresh_from_db()
    assert ring.statistical_gate is False


def test_it_shows_the_statistical_verdict_on_the_rollout_page_in_a_browser(
    live_server: Any, page: Any, releases: dict[str, Any]
) -> None:
    from tests.conftest import browser_login
    from tests.factories import PASSWORD

    # given: an inconclusive ring after one evaluation, and a viewer of the tenant
    tenant = tenant_with_control("stat-page", hosts=240, canary_pct="17")
    rollout = started(tenant, releases["new"], minutes_ago=45)
    first = sorted(h for h, i in rings_of(tenant).items() if i == 0)
    crash(first[:1], "291.4")
    rollouts_evaluate_tenant(tenant.pk)
    member(tenant, Role.VIEWER, username="viewer@stat-page.example")
    # when
    browser_login(page, live_server.url, "viewer@stat-page.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/rollouts/{rollout.pk}/")
    # then: the verdict, that it keeps soaking, and the evidence per measure
    verdict = page.locator("[data-testid=stat-verdict]")
    assert verdict.get_attribute("data-verdict") == "inconclusive"
    assert "keep soaking" in verdict.inner_text()
    crash_row = page.locator("[data-testid=stat-evidence] tr[data-measure=crash]")
    assert crash_row.locator("td").nth(1).inner_text().startswith("1 / ")
    assert "waiting" in page.locator("[data-testid=gate-verdict]").inner_text()

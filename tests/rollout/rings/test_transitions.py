"""Staged rollouts through a tenant's rings: ring states, the gate tick, halt, promote, resume and
rollback, through services and the API; the owner / member / outsider trio."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.access import Actor
from console.models import AuditEvent, Role
from rollout import resolver as rv
from rollout.models import ContentRelease, Ring, Rollout, RolloutEvent, RolloutState
from rollout.policies.defaults import policy_defaults_ensure
from rollout.rings.start import rollouts_start_for_release
from rollout.rings.tick import rollouts_tick
from rollout.rings.transitions import rollout_halt, rollout_rollback
from rollout.selectors.rings import ring_membership, ring_states_for_hosts
from rollout.selectors.state import host_facts, tenant_state
from telemetry.models import CrashEvent, Host, HostStatus
from tests.factories import HostFactory, TenantFactory, content_release, member, rollout_catalog
from tests.rollout.conftest import session

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def staged_tenant(slug: str, hosts: int = 100, min_sample: int = 2) -> Any:
    tenant = TenantFactory(slug=slug)
    policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    for order, (name, pct) in enumerate((("canary", "10"), ("early", "50"), ("broad", "100")), start=1):
        Ring.objects.create(
            tenant=tenant,
            order=order,
            name=name,
            percentage=Decimal(pct),
            soak_minutes=0,
            min_sample=min_sample,
        )
    for n in range(hosts):
        HostFactory(
            # ids fixed by slug and number: which hosts a percentage ring takes is the same every run
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"test-rings/{slug}/{n}"),
            tenant=tenant,
            content_versions={"rapid_response": "291.3"},
            status=HostStatus.ONLINE,
            last_seen_at=timezone.now(),
        )
    return tenant


def rollout_in_ring_1(release: ContentRelease, tenant: Any) -> Rollout:
    """The tenant's rollout of ``release``: started here, or already started when the release's
    creation was committed (transactional tests run the on-commit start)."""
    rollouts_start_for_release(release=release, actor=SYSTEM)
    return Rollout.objects.get(tenant=tenant, release=release)


@pytest.fixture
def world() -> dict[str, Any]:
    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    bad = content_release(catalog["rapid_response"], "291.4", stage="canary")
    tenant = staged_tenant("acme")
    return {"catalog": catalog, "bad": bad, "tenant": tenant}


def rings_of(tenant: Any) -> dict[str, int]:
    rings = list(Ring.objects.filter(tenant=tenant).order_by("order"))
    return ring_membership(
        tenant.pk, rings, [str(h) for h in Host.objects.filter(tenant=tenant).values_list("pk", flat=True)]
    )


def targets(tenant: Any) -> dict[str, str | None]:
    """What the resolver lets every host of ``tenant`` have for rapid_response now."""
    state = tenant_state(tenant)
    ids = [str(h.pk) for h in Host.objects.filter(tenant=tenant)]
    rings = ring_states_for_hosts(tenant.pk, ids)
    out = {}
    for host in Host.objects.filter(tenant=tenant):
        facts = replace(host_facts(host, set()), ring_states=rings.get(str(host.pk), {}))
        out[str(host.pk)] = rv.resolve_content(state, facts, "rapid_response", timezone.now()).target
    return out


def crash(host_id: str, version: str = "291.4") -> None:
    host = Host.objects.get(pk=host_id)
    now = timezone.now()
    CrashEvent.objects.create(
        tenant_id=host.tenant_id,
        host=host,
        occurred_at=now,
        component="csagent.sys",
        category="rapid_response",
        content_version=version,
    )
    Host.objects.filter(pk=host_id).update(status=HostStatus.CRASHED, last_crash_at=now, last_seen_at=now)


def test_it_allows_the_new_version_only_to_the_first_ring(world: dict[str, Any]) -> None:
    # given
    tenant = world["tenant"]
    # when
    rollouts_start_for_release(release=world["bad"], actor=SYSTEM)
    # then
    membership = rings_of(tenant)
    assert len(membership) == 100
    for host_id, target in targets(tenant).items():
        assert target == ("291.4" if membership[host_id] == 0 else "291.3")
    assert 0 < sum(1 for i in membership.values() if i == 0) < 30


def test_it_halts_on_a_ring_1_gate_failure_before_ring_2_receives_anything(world: dict[str, Any]) -> None:
    # given: the first ring's hosts took the release and crashed
    tenant = world["tenant"]
    (rollout,) = rollouts_start_for_release(release=world["bad"], actor=SYSTEM)
    membership = rings_of(tenant)
    first = [h for h, i in membership.items() if i == 0]
    for h in first:
        crash(h)
    # when: one tick
    rollouts_tick()
    # then
    rollout.refresh_from_db()
    # halted by the tenant's gate (and, with every canary crashing, recalled by the vendor's too)
    assert rollout.state in (RolloutState.HALTED, RolloutState.ROLLED_BACK)
    assert rollout.ring_index == 0
    halted = RolloutEvent.objects.get(rollout=rollout, kind="halted")
    assert "crash" in halted.detail["reason"]
    later = [t for h, t in targets(tenant).items() if membership[h] > 0]
    assert later and set(later) == {"291.3"}
    assert AuditEvent.objects.filter(tenant=tenant, action="rollout.halt", actor_label="health gate").exists()


def test_it_fails_a_gate_on_silence_like_on_crashes(world: dict[str, Any]) -> None:
    # given: the first ring's hosts were alive after the release reached them, then went silent
    tenant = world["tenant"]
    (rollout,) = rollouts_start_for_release(release=world["bad"], actor=SYSTEM)
    first = [h for h, i in rings_of(tenant).items() if i == 0]
    Host.objects.filter(pk__in=first).update(status=HostStatus.SILENT, last_seen_at=timezone.now())
    # when
    rollouts_tick()
    # then
    rollout.refresh_from_db()
    assert rollout.state in (RolloutState.HALTED, RolloutState.ROLLED_BACK)
    assert "silence" in RolloutEvent.objects.get(rollout=rollout, kind="halted").detail["reason"]


def test_it_advances_ring_by_ring_once_healthy_and_soaked(world: dict[str, Any]) -> None:
    # given: a release through the vendor stages, healthy in each ring
    tenant = world["tenant"]
    release = world["bad"]
    (rollout,) = rollouts_start_for_release(release=release, actor=SYSTEM)
    ContentRelease.objects.filter(pk=release.pk).update(
        stage="ga",
        early_access_at=timezone.now() - timedelta(hours=1),
        ga_at=timezone.now() - timedelta(hours=1),
    )
    membership = rings_of(tenant)
    seen = []
    for _ in range(4):
        rollout.refresh_from_db()
        seen.append((rollout.state, rollout.ring_index))
        if rollout.state == RolloutState.COMPLETED:
            break
        reached = [h for h, i in membership.items() if i <= rollout.ring_index]
        Host.objects.filter(pk__in=reached).update(content_versions={"rapid_response": "291.4"})
        rollouts_tick()
    # then
    assert seen == [("in_ring", 0), ("in_ring", 1), ("in_ring", 2), ("completed", 2)]
    kinds = list(RolloutEvent.objects.filter(rollout=rollout).values_list("kind", "ring_index"))
    assert kinds == [("ring.entered", 0), ("ring.entered", 1), ("ring.entered", 2), ("completed", 2)]


def test_it_rolls_back_every_host_of_the_rollout_to_the_previous_version(world: dict[str, Any]) -> None:
    # given: a rollout whose first ring already runs the new version
    tenant = world["tenant"]
    (rollout,) = rollouts_start_for_release(release=world["bad"], actor=SYSTEM)
    first = [h for h, i in rings_of(tenant).items() if i == 0]
    Host.objects.filter(pk__in=first).update(content_versions={"rapid_response": "291.4"})
    operator = member(tenant, Role.OPERATOR)
    # when
    rollout_rollback(tenant=tenant, actor=Actor.for_user(operator), rollout=rollout, reason="bad rules")
    # then
    assert set(targets(tenant).values()) == {"291.3"}
    event = AuditEvent.objects.get(tenant=tenant, action="rollout.rollback")
    assert event.actor_id == str(operator.pk)


def test_it_keeps_the_new_version_only_where_it_already_is_after_a_halt(world: dict[str, Any]) -> None:
    tenant = world["tenant"]
    (rollout,) = rollouts_start_for_release(release=world["bad"], actor=SYSTEM)
    first = [h for h, i in rings_of(tenant).items() if i == 0]
    Host.objects.filter(pk__in=first[:1]).update(content_versions={"rapid_response": "291.4"})
    rollout_halt(tenant=tenant, actor=SYSTEM, rollout=rollout, reason="looks odd")
    result = targets(tenant)
    assert result[first[0]] == "291.4"
    assert {t for h, t in result.items() if h != first[0]} == {"291.3"}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(st.sampled_from(["healthy", "crash", "silent", "tick", "promote"]), min_size=1, max_size=8)
)
def test_it_never_moves_backward_or_skips_a_ring(world: dict[str, Any], steps: list[str]) -> None:
    from rollout.rings.transitions import rollout_promote

    tenant = world["tenant"]
    Rollout.objects.filter(tenant=tenant).delete()
    Host.objects.filter(tenant=tenant).update(
        content_versions={"rapid_response": "291.3"}, status=HostStatus.ONLINE, last_seen_at=timezone.now()
    )
    CrashEvent.objects.filter(tenant=tenant).delete()
    ContentRelease.objects.filter(pk=world["bad"].pk).update(stage="canary", ga_at=None, early_access_at=None)
    world["bad"].refresh_from_db()
    (rollout,) = rollouts_start_for_release(release=world["bad"], actor=SYSTEM)
    ContentRelease.objects.filter(pk=world["bad"].pk).update(
        stage="ga",
        early_access_at=timezone.now() - timedelta(hours=1),
        ga_at=timezone.now() - timedelta(hours=1),
    )
    membership = rings_of(tenant)
    last = 0
    for step in steps:
        rollout.refresh_from_db()
        reached = [h for h, i in membership.items() if i <= rollout.ring_index]
        if step == "healthy":
            Host.objects.filter(pk__in=reached).update(content_versions={"rapid_response": "291.4"})
        elif step == "crash":
            crash(reached[0])
        elif step == "silent":
            Host.objects.filter(pk__in=reached).update(status=HostStatus.SILENT)
        elif step == "tick":
            rollouts_tick()
        elif rollout.state in (RolloutState.IN_RING, RolloutState.HALTED):
            rollout_promote(tenant=tenant, actor=SYSTEM, rollout=rollout)
        rollout.refresh_from_db()
        assert last <= rollout.ring_index <= last + 1
        last = rollout.ring_index
        # no host beyond the current ring may be offered the release
        for host_id, target in targets(tenant).items():
            if membership[host_id] > rollout.ring_index and rollout.state != RolloutState.COMPLETED:
                assert target == "291.3"


# --- API: owner / member / outsider ----------------------------------------------------------------


def test_it_lists_halts_resumes_and_rolls_back_through_the_api(world: dict[str, Any]) -> None:
    tenant = world["tenant"]
    (rollout,) = rollouts_start_for_release(release=world["bad"], actor=SYSTEM)
    operator, viewer = member(tenant, Role.OPERATOR), member(tenant, Role.VIEWER)
    outsider_tenant = staged_tenant("globex", hosts=3)
    outsider = member(outsider_tenant, Role.OWNER)
    # member reads
    listed = session(viewer).get("/api/v1/rollouts/").json()
    assert [r["id"] for r in listed["results"]] == [str(rollout.pk)]
    detail = session(viewer).get(f"/api/v1/rollouts/{rollout.pk}").json()
    assert detail["rings"][0]["name"] == "canary"
    # viewer cannot operate
    assert (
        session(viewer)
        .post(f"/api/v1/rollouts/{rollout.pk}/halt", {"reason": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    # outsider sees nothing
    assert session(outsider).get("/api/v1/rollouts/").json()["results"] == []
    assert session(outsider).get(f"/api/v1/rollouts/{rollout.pk}").status_code == 404
    assert (
        session(outsider)
        .post(f"/api/v1/rollouts/{rollout.pk}/halt", {"reason": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    # bad input
    bad = session(operator).post(
        f"/api/v1/rollouts/{rollout.pk}/halt", {"reason": ""}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad["Content-Type"].startswith("application/problem+json")
    assert "reason" in bad.json()["errors"]
    # operator verbs
    client = session(operator)
    assert (
        client.post(
            f"/api/v1/rollouts/{rollout.pk}/halt", {"reason": "wait"}, content_type="application/json"
        ).json()["state"]
        == "halted"
    )
    assert (
        client.post(f"/api/v1/rollouts/{rollout.pk}/resume", {}, content_type="application/json").json()[
            "state"
        ]
        == "in_ring"
    )
    assert (
        client.post(
            f"/api/v1/rollouts/{rollout.pk}/rollback", {"reason": "bad"}, content_type="application/json"
        ).json()["state"]
        == "rolled_back"
    )
    assert (
        client.post(f"/api/v1/rollouts/{rollout.pk}/resume", {}, content_type="application/json").status_code
        == 409
    )
    actions = list(
        AuditEvent.objects.filter(tenant=tenant, action__startswith="rollout.").values_list(
            "action", "actor_id"
        )
    )
    assert ("rollout.halt", str(operator.pk)) in actions and ("rollout.rollback", str(operator.pk)) in actions


def test_it_shows_a_halt_on_the_rollouts_pages_in_a_browser(
    live_server: Any, page: Any, world: dict[str, Any]
) -> None:
    from tests.conftest import browser_login
    from tests.factories import PASSWORD

    # given: a rollout in its first ring and an operator of the tenant
    tenant = world["tenant"]
    rollout = rollout_in_ring_1(world["bad"], tenant)
    operator = member(tenant, Role.OPERATOR, username="operator@acme.example")
    browser_login(page, live_server.url, "operator@acme.example", PASSWORD)
    page.on("dialog", lambda dialog: dialog.accept())
    # when: the operator halts it from the detail page
    page.goto(f"{live_server.url}/rollout/rollouts/{rollout.pk}/")
    assert page.locator("[data-testid=rings] tbody tr").count() == 3
    page.fill("input[aria-label='Reason to halt']", "canary hosts look wrong")
    page.click("[data-testid=halt]")
    page.wait_for_selector("[data-testid=halted-reason]")
    # then: the detail and the list show the halt, and the audit names the operator
    assert "canary hosts look wrong" in page.locator("[data-testid=halted-reason]").inner_text()
    assert page.locator("[data-testid=resume]").count() == 1
    page.goto(f"{live_server.url}/rollout/rollouts/")
    assert page.locator("[data-testid=rollout-row]").get_attribute("data-state") == "halted"
    assert "Halted" in page.locator("[data-testid=rollout-state]").inner_text()
    assert AuditEvent.objects.filter(tenant=tenant, action="rollout.halt", actor_id=str(operator.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_it_notifies_the_open_dashboard_of_a_gate_halt_live(asgi_server: str, page: Any) -> None:
    from tests.conftest import browser_login
    from tests.factories import PASSWORD

    # given: a viewer watching the dashboard while a rollout runs in ring 1
    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    release = content_release(catalog["rapid_response"], "291.4", stage="canary")
    tenant = staged_tenant("live", hosts=60)
    member(tenant, Role.VIEWER, username="viewer@live.example")
    rollout = rollout_in_ring_1(release, tenant)
    browser_login(page, asgi_server, "viewer@live.example", PASSWORD)
    page.goto(f"{asgi_server}/")
    page.wait_for_selector("body[data-events=live]")  # the page listens to the tenant's events
    # when: the first ring's hosts crash and the gate tick runs
    for host_id, index in rings_of(tenant).items():
        if index == 0:
            crash(host_id)

    # (in a thread of its own: Playwright owns this thread's event loop, and publishing needs one)
    def tick() -> None:
        from django.db import connection

        try:
            rollouts_tick()
        finally:
            connection.close()

    worker = threading.Thread(target=tick)
    worker.start()
    worker.join()
    # then: the banner appears without a reload
    page.wait_for_selector("[data-testid=rollout-notification]")
    texts = page.locator("[data-testid=rollout-notification]").all_inner_texts()
    assert any("halted" in t.lower() and "291.4" in t for t in texts)
    rollout.refresh_from_db()
    assert rollout.state in (RolloutState.HALTED, RolloutState.ROLLED_BACK)


def test_it_lets_admins_change_a_ring_and_refuses_bad_values_and_outsiders(world: dict[str, Any]) -> None:
    tenant = world["tenant"]
    ring = Ring.objects.get(tenant=tenant, order=1)
    admin, operator = member(tenant, Role.ADMIN), member(tenant, Role.OPERATOR)
    outsider = member(staged_tenant("other", hosts=1), Role.OWNER)
    url = f"/api/v1/rings/{ring.pk}"
    # operators read but cannot change rings
    read = session(operator).get(url)
    assert read.json()["name"] == "canary"
    etag = read["ETag"]
    assert (
        session(operator)
        .patch(url, {"soak_minutes": 5}, content_type="application/json", headers={"If-Match": etag})
        .status_code
        == 403
    )
    # bad values name their field
    bad = session(admin).patch(
        url,
        {"percentage": "250", "max_crash_rate": 3},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/problem+json")
    assert {"percentage", "max_crash_rate"} <= set(bad.json()["errors"])
    # the outsider gets 404, like a missing ring
    assert session(outsider).get(url).status_code == 404
    assert (
        session(outsider)
        .patch(url, {"soak_minutes": 1}, content_type="application/json", headers={"If-Match": etag})
        .status_code
        == 404
    )
    # the admin changes it, audited; without If-Match or with a stale one it is refused
    assert session(admin).patch(url, {"soak_minutes": 15}, content_type="application/json").status_code == 428
    done = session(admin).patch(
        url,
        {"soak_minutes": 15, "min_sample": 20},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert done.status_code == 200 and done.json()["soak_minutes"] == 15
    assert done["ETag"] != etag
    stale = session(admin).patch(
        url, {"soak_minutes": 16}, content_type="application/json", headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert AuditEvent.objects.filter(tenant=tenant, action="ring.updated", actor_id=str(admin.pk)).exists()

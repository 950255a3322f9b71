"""What a host is told is one truth, and staging never moves a host backward (DESIGN section 4
rules 2 and 11): explain, the stored desired state and what the edge serves agree for every host,
ring state, holds and recalls included, and only a rollback or a recall moves a host to an older
version than it runs. Real PostgreSQL and Redis; the owner / member / outsider trio on the API."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.access import Actor
from console.models import ApiScope, Role, Tenant
from rollout.catalog.services import sensor_build_publish, sensor_build_stage_set
from rollout.controls.pauses import pause_create, pause_resume
from rollout.desired.holds import pause_hold_set
from rollout.desired.publish import desired_state_publish, outbox_process
from rollout.desired.recompute import desired_state_recompute
from rollout.distribution.base import HostState
from rollout.distribution.edge import EmbeddedEdgeBackend
from rollout.models import (
    BuildStage,
    ContentCategory,
    ContentRelease,
    ContentStage,
    DesiredState,
    Pause,
    Ring,
    Rollout,
    RolloutState,
    SensorBuild,
    SensorUpdatePolicy,
)
from rollout.policies.defaults import policy_defaults_ensure
from rollout.resolver import Resolution
from rollout.resolver.running import older
from rollout.resolver.targets import version_key
from rollout.rings.start import rollouts_start_for_release
from rollout.rings.transitions import ring_advance, rollout_halt, rollout_rollback
from rollout.rings.vendor import release_recall
from rollout.selectors.rings import ring_membership
from rollout.selectors.state import host_explain
from telemetry.models import Host
from tests.factories import (
    TenantFactory,
    api_client_with_token,
    content_release,
    host_with_credential,
    member,
    rollout_catalog,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("redis_flush")]
SYSTEM = Actor.system("test")
VENDOR = Actor.system("release engineering")
RAPID = "rapid_response"
OPS = "sensor_operations"


def ringed_tenant(slug: str, *, target: str = "n-1") -> Tenant:
    """A tenant with default policies (sensor target ``target``) and two rings: half, then everyone."""
    tenant = TenantFactory(slug=slug)
    policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    SensorUpdatePolicy.objects.filter(tenant=tenant, is_default=True).update(target=target)
    for order, (name, pct) in enumerate((("canary", "50"), ("broad", "100")), start=1):
        Ring.objects.create(
            tenant=tenant, order=order, name=name, percentage=Decimal(pct), soak_minutes=0, min_sample=1
        )
    return tenant


def ring_of(tenant: Tenant, host: Host) -> int:
    rings = list(Ring.objects.filter(tenant=tenant).order_by("order"))
    return ring_membership(tenant.pk, rings, [str(host.pk)])[str(host.pk)]


def hosts_by_ring(tenant: Tenant, **attributes: Any) -> dict[int, tuple[Host, str]]:
    """One enrolled host (with its edge credential) in ring 1 (index 0) and one in ring 2 (index 1)."""
    found: dict[int, tuple[Host, str]] = {}
    while len(found) < 2:
        host, secret = host_with_credential(tenant, platform="windows", **attributes)
        index = ring_of(tenant, host)
        if index in found:
            host.delete()
        else:
            found[index] = (host, secret)
    return found


def edge_get(host: Host, secret: str) -> dict[str, Any]:
    response = Client().get("/edge/v1/desired-state", headers={"Authorization": f"Host {host.pk}:{secret}"})
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def api_get(token: str, url: str) -> Any:
    return Client().get(url, headers={"Authorization": f"Bearer {token}"})


# --- regression: explain named the staged build while desired and the edge served the previous one


def test_it_explains_a_staged_content_rollout_as_desired_state_and_the_edge_serve_it() -> None:
    # given a GA content release staged in ring 1 of a tenant whose hosts run the previous one
    catalog = rollout_catalog()
    content_release(catalog[RAPID], "291.3", hours_ago=100)
    tenant = ringed_tenant("acme")
    hosts = hosts_by_ring(tenant, content_versions={RAPID: "291.3"}, sensor_build="7.10.200")
    new = content_release(catalog[RAPID], "291.4", hours_ago=0)
    assert [r.tenant_id for r in rollouts_start_for_release(release=new, actor=VENDOR)] == [tenant.pk]
    desired_state_recompute(tenant.pk)
    desired_state_publish(tenant.pk)
    _, token = api_client_with_token(tenant, [ApiScope.READ])
    viewer = Client()
    viewer.force_login(member(tenant, Role.VIEWER))
    for index, expected, rule in ((0, "291.4", "ring"), (1, "291.3", "ring")):
        host, secret = hosts[index]
        # when an automation client asks why, and what the host is told, and the host polls the edge
        explain = api_get(token, f"/api/v1/hosts/{host.pk}/explain")
        desired = api_get(token, f"/api/v1/hosts/{host.pk}/desired")
        edge = edge_get(host, secret)
        # then all three name the same version and rule
        assert explain.status_code == 200 and desired.status_code == 200
        decision = explain.json()["content"][RAPID]
        assert (decision["target"], decision["rule"]) == (expected, rule), decision
        assert "ring" in decision["reason"]
        assert explain.json()["desired_state"]["agrees"] is True
        assert desired.json()["content"][RAPID] == expected
        assert desired.json()["rules"][RAPID]["rule"] == rule
        assert edge["content"][RAPID] == expected
        # and the host's "why" page says the same
        page = viewer.get(f"/rollout/hosts/{host.pk}/why/").content.decode()
        assert f"<strong>{expected}</strong></td><td>{rule}</td>" in page
        assert "which the edge serves, says the same" in page


def test_it_explains_the_fallback_the_edge_serves_even_while_a_pause_holds_the_host() -> None:
    # given ring 1 of a staged content rollout told 291.4 (it runs 291.3), and a tenant pause
    catalog = rollout_catalog()
    content_release(catalog[RAPID], "291.3", hours_ago=100)
    tenant = ringed_tenant("acme")
    host, secret = hosts_by_ring(tenant, content_versions={RAPID: "291.3"}, sensor_build="7.10.200")[0]
    new = content_release(catalog[RAPID], "291.4", hours_ago=0)
    rollouts_start_for_release(release=new, actor=VENDOR)
    pause_create(tenant=tenant, actor=SYSTEM, scope="tenant", reason="change freeze")
    desired_state_recompute(tenant.pk)
    desired_state_publish(tenant.pk)
    _, token = api_client_with_token(tenant, [ApiScope.READ])
    viewer = Client()
    viewer.force_login(member(tenant, Role.VIEWER))
    # when an automation client asks why and what the host is told, and the host polls the edge
    explain = api_get(token, f"/api/v1/hosts/{host.pk}/explain").json()
    desired = api_get(token, f"/api/v1/hosts/{host.pk}/desired").json()
    edge = edge_get(host, secret)
    # then explain holds the host (pause) and names the fallback the edge serves: what it runs now
    assert explain["content"][RAPID]["rule"] == "pause"
    assert explain["fallback"] == desired["fallback"] == edge["fallback"]
    assert explain["fallback"]["content"][RAPID] == "291.3"
    assert explain["desired_state"]["agrees"] is True
    # and the "why" page shows it too
    page = viewer.get(f"/rollout/hosts/{host.pk}/why/").content.decode()
    assert f"{RAPID} 291.3." in page


def test_it_lets_a_system_critical_category_through_a_tenant_pause_after_its_cap_on_the_edge_too(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given sensor_operations (system critical, cap 24 h) at 1.2 GA, hosts on 1.1, and a tenant pause
    catalog = rollout_catalog()
    content_release(catalog[OPS], "1.1", hours_ago=200)
    content_release(catalog[OPS], "1.2", hours_ago=100)
    tenant = ringed_tenant("acme")
    host, secret = host_with_credential(
        tenant, platform="windows", sensor_build="7.10.200", content_versions={OPS: "1.1"}
    )
    with django_capture_on_commit_callbacks(execute=True):  # the hold reaches the edge
        outcome = pause_create(tenant=tenant, actor=SYSTEM, scope="tenant", reason="change freeze")
    pause = Pause.objects.get(tenant=tenant)
    desired_state_recompute(tenant.pk)
    desired_state_publish(tenant.pk)
    # then within the cap both hold the category
    assert outcome is not None and host_explain(tenant, host, timezone.now()).content[OPS].rule == "pause"
    assert edge_get(host, secret)["frozen"] == {"sensor_build": True, "content": ["*"]}
    # when the pause is older than the cap (created 30 h ago; its hold is sent again as the console does)
    Pause.objects.filter(pk=pause.pk).update(created_at=timezone.now() - timedelta(hours=30))
    pause_hold_set(Pause.objects.get(pk=pause.pk))
    explained = host_explain(tenant, host, timezone.now())
    edge = edge_get(host, secret)
    # then explain lets 1.2 through and the edge no longer freezes the category (the rest stays held)
    assert (explained.content[OPS].target, explained.sensor.rule) == ("1.2", "pause")
    assert explained.content[OPS].rule != "pause"
    assert edge["content"][OPS] == "1.2"
    assert OPS not in edge["frozen"]["content"] and "*" not in edge["frozen"]["content"]
    assert edge["frozen"]["sensor_build"] is True and edge["paused"] is True
    assert OPS in edge["holds"][0]["reason"]


def test_it_shows_explain_to_members_and_answers_404_to_outsiders() -> None:
    # given a host of acme and a member of globex
    rollout_catalog()
    tenant = ringed_tenant("acme")
    host, _ = host_with_credential(tenant)
    other = TenantFactory(slug="globex")
    viewer, outsider = Client(), Client()
    viewer.force_login(member(tenant, Role.VIEWER))
    outsider.force_login(member(other, Role.OWNER))
    # when both ask
    mine = viewer.get(f"/api/v1/hosts/{host.pk}/explain")
    theirs = outsider.get(f"/api/v1/hosts/{host.pk}/explain")
    # then the member sees it, the outsider gets the same 404 as a missing host
    assert mine.status_code == 200 and mine.json()["host_id"] == str(host.pk)
    assert theirs.status_code == 404 and theirs["Content-Type"] == "application/problem+json"


# --- regression: levels 7.14 / 7.13 / 7.12, the level's previous rollout unfinished ---------------


def test_it_never_moves_a_held_host_below_the_build_it_runs_while_a_new_line_is_staged() -> None:
    # given levels 7.13 / 7.12 / 7.11, a tenant tracking N-1 with rings, and 7.12.200 staged in ring 1
    for line in ("7.11", "7.12", "7.13"):
        for patch in ("100", "200") if line != "7.12" else ("100",):
            SensorBuild.objects.create(
                platform="windows", version=f"{line}.{patch}", release_line=line, stage=BuildStage.GA
            )
    rollout_catalog(lines=())
    tenant = ringed_tenant("acme", target="n-1")
    old = hosts_by_ring(tenant, sensor_build="7.12.100")
    sensor_build_publish(actor=VENDOR, platform="windows", version="7.12.200", stage=BuildStage.GA)
    staged = Rollout.objects.get(tenant=tenant, version="7.12.200")
    assert (staged.state, staged.ring_index, staged.previous_version) == (RolloutState.IN_RING, 0, "7.12.100")
    # and a host in the later ring already runs 7.12.200 (reinstalled from the new image)
    ahead = hosts_by_ring(tenant, sensor_build="7.12.200")[1]
    # when 7.14 is published: levels 7.14 / 7.13 / 7.12, and the new N-1 rollout (7.13.200) falls
    # back to 7.12.100 because 7.12.200's rollout has not completed
    sensor_build_publish(actor=VENDOR, platform="windows", version="7.14.100", stage=BuildStage.GA)
    n1 = Rollout.objects.get(tenant=tenant, version="7.13.200")
    assert (n1.ring_index, n1.previous_version) == (0, "7.12.100")
    desired_state_recompute(tenant.pk)
    desired_state_publish(tenant.pk)
    # then the held host on 7.12.200 keeps it (explain says why), the one on 7.12.100 keeps that,
    # and ring 1 gets the new N-1
    told = {
        "ahead": (ahead, "7.12.200", "keep_running"),
        "held": (old[1], "7.12.100", "ring"),
        "ring 1": (old[0], "7.13.200", "ring"),
    }
    for name, ((host, secret), build, rule) in told.items():
        explain = host_explain(tenant, host, timezone.now()).sensor
        row = DesiredState.objects.get(host=host)
        assert (explain.target, explain.rule) == (build, rule), name
        assert (row.sensor_build, row.rules["sensor"][0]) == (build, rule), name
        assert edge_get(host, secret)["sensor_build"] == build, name
    reason = host_explain(tenant, ahead[0], timezone.now()).sensor.reason
    assert "already runs 7.12.200" in reason and "rollback or a recall" in reason


# --- property: one truth, never backward ---------------------------------------------------------

step = st.one_of(
    st.tuples(st.just("content"), st.just(0)),
    st.tuples(st.just("sensor"), st.sampled_from(["patch", "line"])),
    st.tuples(st.just("advance"), st.sampled_from(["content", "sensor"])),
    st.tuples(st.just("halt"), st.sampled_from(["content", "sensor"])),
    st.tuples(st.just("rollback"), st.sampled_from(["content", "sensor"])),
    st.tuples(st.just("pause"), st.sampled_from(["tenant", "sensor", RAPID])),
    st.tuples(st.just("resume"), st.just(0)),
    st.tuples(st.just("recall"), st.just(0)),
    st.tuples(st.just("withdraw"), st.just(0)),
)


class Rollback(Exception):
    """Undoes one example's database changes (the catalog is global)."""


def _live(tenant: Tenant, kind: str, states: tuple[str, ...]) -> Rollout | None:
    prefix = "content:" if kind == "content" else "sensor:"
    rollouts = Rollout.objects.filter(tenant=tenant, subject__startswith=prefix, state__in=states)
    return max(rollouts, key=lambda r: (version_key(r.version), r.version), default=None)


def _apply(tenant: Tenant, kind: str, value: Any, rapid: ContentCategory) -> None:
    if kind == "content":
        newest = max(
            ContentRelease.objects.filter(category=rapid).values_list("version", flat=True), key=version_key
        )
        major, minor = version_key(newest)[:2]
        release = content_release(rapid, f"{major}.{minor + 1}", hours_ago=0)
        rollouts_start_for_release(release=release, actor=VENDOR)
    elif kind == "sensor":
        newest = max(SensorBuild.objects.filter(platform="windows"), key=lambda b: version_key(b.version))
        major, minor, patch = version_key(newest.version)[:3]
        version = f"{major}.{minor}.{patch + 100}" if value == "patch" else f"{major}.{minor + 1}.100"
        sensor_build_publish(actor=VENDOR, platform="windows", version=version, stage=BuildStage.GA)
    elif kind == "advance":
        rollout = _live(tenant, value, (RolloutState.IN_RING,))
        if rollout is not None:
            ring_advance(
                rollout, list(Ring.objects.filter(tenant=tenant).order_by("order")), SYSTEM, why="test"
            )
    elif kind == "halt":
        rollout = _live(tenant, value, (RolloutState.IN_RING,))
        if rollout is not None:
            rollout_halt(tenant=tenant, actor=SYSTEM, rollout=rollout, reason="test")
    elif kind == "rollback":
        rollout = _live(tenant, value, (RolloutState.IN_RING, RolloutState.HALTED))
        if rollout is not None and rollout.previous_version:
            rollout_rollback(tenant=tenant, actor=SYSTEM, rollout=rollout, reason="test")
    elif kind == "pause":
        if value in ("tenant", "sensor"):
            pause_create(tenant=tenant, actor=SYSTEM, scope=value, reason="test")
        else:
            pause_create(
                tenant=tenant, actor=SYSTEM, scope="content_category", reason="test", category_key=value
            )
    elif kind == "resume":
        for pause in Pause.objects.filter(tenant=tenant, resumed_at__isnull=True):
            pause_resume(tenant=tenant, actor=SYSTEM, pause=pause)
    elif kind == "withdraw":
        newest = max(
            SensorBuild.objects.filter(platform="windows", stage=BuildStage.GA),
            key=lambda b: version_key(b.version),
        )
        sensor_build_stage_set(actor=VENDOR, build=newest, stage=BuildStage.WITHDRAWN)
    else:
        release = (
            ContentRelease.objects.filter(category=rapid)
            .exclude(stage=ContentStage.RECALLED)
            .order_by("-created_at")
            .first()
        )
        if release is not None:
            release_recall(release=release, actor=VENDOR, reason="test")


def _told(state: HostState, running: str | None, subject: str) -> str | None:
    """What the edge tells the host for ``subject``: the published version, unless a hold freezes it."""
    frozen = state.frozen()
    if subject == "sensor":
        return running if frozen["sensor_build"] else state.assignment.sensor_build
    if "*" in frozen["content"] or subject in frozen["content"]:
        return running
    return state.assignment.content.get(subject)


def _moved_back_by_rollback_or_recall(tenant: Tenant, subject: str, running: str, told: str | None) -> bool:
    if subject == "sensor":
        recalled = SensorBuild.objects.filter(version=running, stage=BuildStage.WITHDRAWN).exists()
        key = "sensor:windows"
    else:
        recalled = (
            ContentRelease.objects.filter(category__key=subject, version=running)
            .filter(Q(stage=ContentStage.RECALLED) | Q(valid=False))
            .exists()
        )
        key = f"content:{subject}"
    rolled_back = Rollout.objects.filter(
        tenant=tenant, subject=key, state=RolloutState.ROLLED_BACK, previous_version=told or ""
    ).exists()
    return recalled or rolled_back


def _check_one_truth(tenant: Tenant, hosts: list[Host], at: datetime) -> None:
    """Explain, desired state and the edge agree; nobody moves back but by rollback or recall; then
    every host takes what it is told (as a sensor polling the edge would). The outbox is processed
    as the worker would, so a halt's or recall's stop hold goes once the publish caught up."""
    outbox_process(tenant.pk)
    desired_state_recompute(tenant.pk, at=at)
    desired_state_publish(tenant.pk)
    edge = EmbeddedEdgeBackend()
    for stale in hosts:
        host = Host.objects.get(pk=stale.pk)
        explained: Resolution = host_explain(tenant, host, at)
        row = DesiredState.objects.get(host=host)
        state = edge.host_state(str(tenant.pk), str(host.pk))
        assert state is not None
        assert state.assignment.sensor_build == (row.sensor_build or None)
        assert dict(state.assignment.content) == dict(row.content)
        # and the fallback (last known-good per subject) is the same one in all three, pauses or not
        assert dict(state.assignment.fallback) == dict(row.fallback or {}) == dict(explained.fallback)
        running = {"sensor": host.sensor_build or None, **(host.content_versions or {})}
        told: dict[str, str | None] = {}
        for subject, decision in [("sensor", explained.sensor), *explained.content.items()]:
            told[subject] = _told(state, running.get(subject), subject)
            assert decision.target == told[subject], (subject, decision, state)
            if decision.rule != "pause":
                assert row.rules[subject][0] == decision.rule, (subject, decision, row.rules)
            if older(told[subject], running.get(subject)):
                assert _moved_back_by_rollback_or_recall(
                    tenant, subject, str(running[subject]), told[subject]
                ), (subject, running[subject], decision)
        Host.objects.filter(pk=host.pk).update(
            sensor_build=told["sensor"] or "",
            content_versions={k: v for k, v in told.items() if k != "sensor" and v is not None},
        )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=st.sampled_from(["n", "n-1", "n-2"]),
    steps=st.lists(step, min_size=1, max_size=6),
)
def test_it_tells_every_host_one_truth_and_never_moves_it_back_but_by_rollback_or_recall(
    django_capture_on_commit_callbacks: Any, target: str, steps: list[tuple[str, Any]]
) -> None:
    try:
        with transaction.atomic():
            # given three GA lines, one GA content release, a ringed tenant and hosts on mixed builds
            catalog = rollout_catalog(lines=("7.10", "7.11", "7.12"))
            content_release(catalog[RAPID], "291.1", hours_ago=100)
            tenant = ringed_tenant("truth", target=target)
            builds = ["7.10.100", "7.11.200", "7.12.200", "7.12.100", "7.10.200", ""]
            hosts = [
                host_with_credential(
                    tenant, platform="windows", sensor_build=b, content_versions={RAPID: "291.1"}
                )[0]
                for b in builds
            ]
            _check_one_truth(tenant, hosts, timezone.now())
            for kind, value in steps:
                # when the catalog, the rings, the pauses or a recall move
                with django_capture_on_commit_callbacks(execute=True):  # holds reach the edge
                    _apply(tenant, kind, value, catalog[RAPID])
                # then explain, desired state and the edge agree and nobody moved back without cause
                _check_one_truth(tenant, hosts, timezone.now())
            raise Rollback
    except Rollback:
        pass


def test_it_says_when_the_stored_desired_state_has_not_caught_up_with_explain() -> None:
    # given a staged content rollout whose desired state was computed with ring 1 only
    catalog = rollout_catalog()
    content_release(catalog[RAPID], "291.3", hours_ago=100)
    tenant = ringed_tenant("acme")
    later, _ = hosts_by_ring(tenant, content_versions={RAPID: "291.3"}, sensor_build="7.10.200")[1]
    new = content_release(catalog[RAPID], "291.4", hours_ago=0)
    (rollout,) = rollouts_start_for_release(release=new, actor=VENDOR)
    desired_state_recompute(tenant.pk)
    _, token = api_client_with_token(tenant, [ApiScope.READ])
    assert api_get(token, f"/api/v1/hosts/{later.pk}/explain").json()["desired_state"]["agrees"] is True
    # when the rollout reaches ring 2 and the recompute has not run yet
    ring_advance(rollout, list(Ring.objects.filter(tenant=tenant).order_by("order")), SYSTEM, why="test")
    body = api_get(token, f"/api/v1/hosts/{later.pk}/explain").json()
    # then explain names the new version and says the stored state (what the edge serves) lags
    assert (body["content"][RAPID]["target"], body["content"][RAPID]["rule"]) == ("291.4", "ring")
    # (and its fallback: the host would now fall back to 291.3, which it runs)
    assert body["desired_state"] == {"revision": 1, "agrees": False, "differs": ["fallback", RAPID]}
    assert body["fallback"]["content"][RAPID] == "291.3"
    # and once recomputed, they agree again
    desired_state_recompute(tenant.pk)
    assert api_get(token, f"/api/v1/hosts/{later.pk}/explain").json()["desired_state"]["agrees"] is True

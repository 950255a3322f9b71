"""Desired state: incremental, set-based recompute that writes only what changes; pauses are holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.access import Actor
from rollout.controls.pauses import pause_create, pause_resume
from rollout.desired.publish import desired_digest, desired_state_publish
from rollout.desired.recompute import desired_state_recompute
from rollout.distribution.backends import backend_for
from rollout.groups.services import host_group_members_change
from rollout.models import (
    ContentCategory,
    ContentUpdatePolicy,
    DesiredState,
    Pause,
    SensorUpdatePolicy,
    TenantRevision,
)
from rollout.policies.defaults import policy_defaults_ensure
from rollout.policies.services import (
    content_policy_create,
    content_policy_update,
    sensor_policy_create,
    sensor_policy_update,
)
from telemetry.models import Host
from tests.factories import HostFactory, content_release, host_group, rollout_catalog
from tests.rollout.conftest import TenantWorld

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def rows(tenant: Any) -> dict[str, tuple[Any, ...]]:
    return {
        str(d.host_id): (d.platform, sorted(d.groups), d.sensor_build, d.content, d.rules)
        for d in DesiredState.objects.filter(tenant=tenant)
    }


def revision(tenant: Any) -> int:
    return TenantRevision.objects.get(tenant=tenant).revision


@pytest.fixture
def fleet(tenant_world: TenantWorld) -> dict[str, Any]:
    catalog = rollout_catalog(lines=("7.09", "7.10", "7.11"), platforms=("windows", "linux"))
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    content_release(catalog["rapid_response"], "291.4", hours_ago=2)
    acme, globex = tenant_world.tenant, tenant_world.other_tenant
    for tenant in (acme, globex):
        policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    web = [
        HostFactory(tenant=acme, hostname=f"web-{i}", tags=["prod"], sensor_build="7.10.200")
        for i in range(6)
    ]
    lab = [
        HostFactory(tenant=acme, hostname=f"lab-{i}", tags=["lab"], sensor_build="7.10.100", platform="linux")
        for i in range(4)
    ]
    HostFactory(tenant=globex, hostname="web-x", tags=["prod"])
    return {"acme": acme, "globex": globex, "web": web, "lab": lab, "owner": tenant_world.owner}


def test_it_writes_every_host_once_and_a_no_op_recompute_writes_nothing(fleet: dict[str, Any]) -> None:
    # given
    acme = fleet["acme"]
    first = desired_state_recompute(acme.pk)
    assert first.changed == 10 and first.revision == 1
    assert first.combinations <= 3  # 10 hosts, three distinct combinations at most
    before = rows(acme)
    # when
    again = desired_state_recompute(acme.pk)
    # then
    assert again.changed == 0 and again.removed == 0
    assert revision(acme) == 1
    assert rows(acme) == before
    assert not DesiredState.objects.filter(tenant=fleet["globex"]).exists()


def test_it_recomputes_only_the_affected_hosts_on_a_policy_change_and_bumps_the_revision_once(
    fleet: dict[str, Any],
) -> None:
    # given
    acme = fleet["acme"]
    desired_state_recompute(acme.pk)
    lab = host_group(acme, "lab", rule_text="tag:lab")
    desired_state_recompute(acme.pk)  # a group no policy uses changes the hosts' groups only
    assert revision(acme) == 2
    # when: the lab (linux) hosts are pinned to an older build
    sensor_policy_create(
        tenant=acme,
        actor=SYSTEM,
        name="lab pin",
        platform="linux",
        target="pinned:7.09.100",
        group_ids=[lab.pk],
    )
    result = desired_state_recompute(acme.pk)
    # then
    assert result.changed == 4
    assert revision(acme) == 3
    changed = DesiredState.objects.filter(tenant=acme, revision=3)
    assert {str(d.host_id) for d in changed} == {str(h.pk) for h in fleet["lab"]}
    assert {d.sensor_build for d in changed} == {"7.09.100"}
    assert {d.rules["sensor"][0] for d in changed} == {"pin"}
    assert desired_state_recompute(acme.pk).changed == 0


def test_it_recomputes_a_policy_change_over_the_hosts_of_its_groups_unless_time_moved_others(
    fleet: dict[str, Any],
) -> None:
    # given: web hosts follow GA + 24 h by default (the 2 h old 291.4 is not theirs yet), lab a group
    acme = fleet["acme"]
    default = ContentUpdatePolicy.objects.get(tenant=acme, is_default=True, category__key="rapid_response")
    content_policy_update(
        tenant=acme, actor=SYSTEM, policy=default, expected_version=None, changes={"mode": "ga+24"}
    )
    lab = host_group(acme, "lab", rule_text="tag:lab")
    desired_state_recompute(acme.pk)
    assert {d.content["rapid_response"] for d in DesiredState.objects.filter(tenant=acme)} == {"291.3"}
    # when: the lab hosts are pinned (a policy change, the outbox's targets-only pass)
    policy = sensor_policy_create(
        tenant=acme,
        actor=SYSTEM,
        name="lab pin",
        platform="linux",
        target="pinned:7.09.100",
        group_ids=[lab.pk],
    ).obj
    scoped = desired_state_recompute(acme.pk, refresh_hosts=False)
    # then only the lab hosts were read and written
    assert (scoped.hosts, scoped.changed) == (4, 4)
    # when: the pin changes again once the delay has elapsed for every host
    sensor_policy_update(
        tenant=acme, actor=SYSTEM, policy=policy, expected_version=None, changes={"target": "n-2"}
    )
    later = desired_state_recompute(acme.pk, refresh_hosts=False, at=timezone.now() + timedelta(hours=23))
    # then the pass covers every host, because hosts outside the lab group moved too
    assert later.hosts == 10 and later.changed == 10
    assert {d.content["rapid_response"] for d in DesiredState.objects.filter(tenant=acme)} == {"291.4"}
    # and a default policy change is never narrowed to groups
    content_policy_update(
        tenant=acme, actor=SYSTEM, policy=ContentUpdatePolicy.objects.get(pk=default.pk), expected_version=None,
        changes={"mode": "pinned:291.3"},
    )  # fmt: skip
    assert desired_state_recompute(acme.pk, refresh_hosts=False).hosts == 10
    incremental = rows(acme)
    DesiredState.objects.filter(tenant=acme).delete()
    desired_state_recompute(acme.pk)
    assert rows(acme) == incremental


def test_it_pauses_with_one_hold_without_rewriting_hosts(
    fleet: dict[str, Any], django_capture_on_commit_callbacks: Any, redis_flush: None
) -> None:
    # given
    acme = fleet["acme"]
    desired_state_recompute(acme.pk)
    desired_state_publish(acme.pk)
    before = rows(acme)
    backend = backend_for(__import__("django.conf").conf.settings)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        pause = pause_create(tenant=acme, actor=SYSTEM, scope="tenant", reason="incident 42").obj
    # then
    snapshot = backend.snapshot(str(acme.pk))
    assert [(h.scope, h.key, h.reason) for h in snapshot.holds] == [("tenant", "*", "incident 42")]
    assert desired_state_recompute(acme.pk).changed == 0
    assert rows(acme) == before and revision(acme) == 1
    state = backend.host_state(str(acme.pk), str(fleet["web"][0].pk))
    assert state is not None and state.paused and state.frozen()["content"] == ["*"]
    # when: resumed, the hold goes and the recompute (enqueued) writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        pause_resume(tenant=acme, actor=SYSTEM, pause=Pause.objects.get(pk=pause.pk))
    assert backend.snapshot(str(acme.pk)).holds == ()
    assert desired_state_recompute(acme.pk).changed == 0


def test_it_removes_a_deleted_host_and_publishes_in_full(fleet: dict[str, Any], redis_flush: None) -> None:
    # given
    acme = fleet["acme"]
    desired_state_recompute(acme.pk)
    desired_state_publish(acme.pk)
    gone = fleet["web"][0]
    # when
    Host.objects.filter(pk=gone.pk).delete()
    result = desired_state_recompute(acme.pk)
    published = desired_state_publish(acme.pk)
    # then
    assert result.removed == 1 and result.revision == 2
    assert published is not None and published.full
    snapshot = backend_for(__import__("django.conf").conf.settings).snapshot(str(acme.pk))
    assert snapshot.host_count == 9 and snapshot.digest == desired_digest(str(acme.pk))


def test_it_explains_a_host_from_desired_state(fleet: dict[str, Any]) -> None:
    # given
    acme = fleet["acme"]
    desired_state_recompute(acme.pk)
    # when
    row = DesiredState.objects.get(host=fleet["web"][0])
    # then
    assert row.sensor_build == "7.10.200"  # the default sensor policy is N-1 (7.10's newest GA build)
    assert set(row.rules) == {"sensor", "rapid_response", "sensor_operations"}
    assert row.rules["sensor"] == ["stage", row.rules["sensor"][1]] and row.rules["sensor"][1]
    assert row.content == {"rapid_response": "291.4"}  # the default content mode takes GA at once


# --- property: incremental == from scratch ---------------------------------------------------------

change = st.one_of(
    st.tuples(st.just("target"), st.sampled_from(["n", "n-1", "n-2", "pinned:7.09.200", "off"])),
    st.tuples(st.just("content"), st.sampled_from(["ga", "early_access", "ga+48", "paused", "pinned:291.3"])),
    st.tuples(st.just("pause"), st.sampled_from(["tenant", "sensor", "rapid_response"])),
    st.tuples(st.just("resume"), st.just("")),
    st.tuples(st.just("member"), st.integers(min_value=0, max_value=9)),
    st.tuples(st.just("platform"), st.integers(min_value=0, max_value=9)),
    st.tuples(st.just("recompute"), st.just("")),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(change, min_size=1, max_size=8))
def test_it_keeps_incremental_desired_state_equal_to_a_recompute_from_scratch(
    fleet: dict[str, Any], steps: list[tuple[str, Any]]
) -> None:
    acme = fleet["acme"]
    hosts = fleet["web"] + fleet["lab"]
    group = host_group(acme, "picked")
    policy = sensor_policy_create(
        tenant=acme, actor=SYSTEM, name="picked", platform="windows", target="n", group_ids=[group.pk]
    ).obj
    content = content_policy_create(
        tenant=acme,
        actor=SYSTEM,
        name="picked content",
        category=ContentCategory.objects.get(key="rapid_response"),
        mode="ga",
        group_ids=[group.pk],
    ).obj
    desired_state_recompute(acme.pk)
    try:
        for kind, value in steps:
            if kind == "target":
                policy = SensorUpdatePolicy.objects.get(pk=policy.pk)
                sensor_policy_update(
                    tenant=acme, actor=SYSTEM, policy=policy, expected_version=None, changes={"target": value}
                )
                desired_state_recompute(acme.pk, refresh_hosts=False)  # the outbox path of such a change
            elif kind == "content":
                content = type(content).objects.get(pk=content.pk)
                content_policy_update(
                    tenant=acme, actor=SYSTEM, policy=content, expected_version=None, changes={"mode": value}
                )
                desired_state_recompute(acme.pk, refresh_hosts=False)  # the outbox path of such a change
            elif kind == "pause":
                scope = {"tenant": "tenant", "sensor": "sensor"}.get(value, "content_category")
                pause_create(tenant=acme, actor=SYSTEM, scope=scope, reason="p", category_key=value)
                desired_state_recompute(acme.pk, refresh_hosts=False)  # the outbox path of such a change
            elif kind == "resume":
                for pause in Pause.objects.filter(tenant=acme, resumed_at__isnull=True):
                    pause_resume(tenant=acme, actor=SYSTEM, pause=pause)
                desired_state_recompute(acme.pk, refresh_hosts=False)  # the outbox path of such a change
            elif kind == "member":
                host = hosts[value]
                in_group = group.members.filter(host=host).exists()
                host_group_members_change(
                    tenant=acme,
                    actor=SYSTEM,
                    group=type(group).objects.get(pk=group.pk),
                    add=[] if in_group else [str(host.pk)],
                    remove=[str(host.pk)] if in_group else [],
                )
                desired_state_recompute(acme.pk, host_ids=[str(host.pk)])
            elif kind == "platform":
                host = hosts[value]
                Host.objects.filter(pk=host.pk).update(
                    platform="linux" if Host.objects.get(pk=host.pk).platform == "windows" else "windows"
                )
                desired_state_recompute(acme.pk, host_ids=[str(host.pk)])
            else:
                assert desired_state_recompute(acme.pk).changed == 0
        incremental = rows(acme)
        at_revision = revision(acme)
        DesiredState.objects.filter(tenant=acme).delete()
        desired_state_recompute(acme.pk)
        assert rows(acme) == incremental
        assert at_revision >= 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        Pause.objects.filter(tenant=acme).delete()
        SensorUpdatePolicy.objects.filter(pk=policy.pk).delete()
        type(content).objects.filter(pk=content.pk).delete()
        group.delete()
        Host.objects.filter(pk__in=[h.pk for h in hosts]).update(platform="windows")
        Host.objects.filter(pk__in=[h.pk for h in fleet["lab"]]).update(platform="linux")
        DesiredState.objects.filter(tenant=acme).delete()
        TenantRevision.objects.filter(tenant=acme).delete()

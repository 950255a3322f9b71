"""A pass over every host is skipped when nothing it reads changed, and never when something did:
each kind of input (policies, groups, memberships, host attributes, hosts added or removed,
catalog, freezes, rings, rollouts) and time (a GA + delay elapsing, a freeze ending) makes it run,
and what it then writes is what a recompute from scratch writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from console.access import Actor
from rollout.controls.freezes import freeze_create
from rollout.desired.recompute import desired_state_recompute
from rollout.groups.services import host_group_members_change, host_group_update
from rollout.models import (
    ContentUpdatePolicy,
    DesiredState,
    HostGroup,
    Ring,
    Rollout,
    RolloutState,
    SensorUpdatePolicy,
    TenantRevision,
)
from rollout.policies.services import content_policy_update, sensor_policy_create, sensor_policy_update
from telemetry.models import Host
from tests.factories import HostFactory, content_release, host_group
from tests.rollout.desired.test_recompute import fleet, rows  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def _from_scratch_equal(tenant: Any) -> None:
    incremental = rows(tenant)
    DesiredState.objects.filter(tenant=tenant).delete()
    TenantRevision.objects.filter(tenant=tenant).update(inputs={}, combo_cache={})
    desired_state_recompute(tenant.pk)
    assert rows(tenant) == incremental


def test_a_pass_whose_inputs_did_not_change_is_skipped(fleet: dict[str, Any]) -> None:  # noqa: F811
    # given
    acme = fleet["acme"]
    first = desired_state_recompute(acme.pk)
    assert not first.skipped and first.changed == 10
    # when / then: a refresh and a targets-only pass, now and a minute later
    again = desired_state_recompute(acme.pk)
    assert again.skipped and again.changed == 0 and again.revision == first.revision
    later = desired_state_recompute(acme.pk, refresh_hosts=False, at=timezone.now() + timedelta(minutes=1))
    assert later.skipped
    # a pass over named hosts is never skipped, and the next full pass runs again after it
    named = desired_state_recompute(acme.pk, host_ids=[str(fleet["web"][0].pk)])
    assert not named.skipped and named.hosts == 1
    assert not desired_state_recompute(acme.pk).skipped
    assert desired_state_recompute(acme.pk).skipped


def test_a_targets_only_pass_keeps_a_refresh_skippable_only_if_host_inputs_did_not_change(
    fleet: dict[str, Any],  # noqa: F811
) -> None:
    # given
    acme = fleet["acme"]
    desired_state_recompute(acme.pk)
    lab = HostGroup.objects.create(tenant=acme, name="later lab")
    # when: the targets-only pass runs over the changed membership (groups not refreshed)
    HostFactory(tenant=acme, hostname="new-1")
    assert not desired_state_recompute(acme.pk, refresh_hosts=False).skipped
    # then: the refresh is not skipped (the stored groups may be stale), and writes the groups
    lab.delete()
    refreshed = desired_state_recompute(acme.pk)
    assert not refreshed.skipped
    assert desired_state_recompute(acme.pk).skipped
    _from_scratch_equal(acme)


def _policy_created(f: dict[str, Any]) -> None:
    lab = host_group(f["acme"], "lab", rule_text="tag:lab")
    sensor_policy_create(
        tenant=f["acme"], actor=SYSTEM, name="lab pin", platform="linux", target="pinned:7.09.100",
        group_ids=[lab.pk],
    )  # fmt: skip


def _default_policy_changed(f: dict[str, Any]) -> None:
    policy = SensorUpdatePolicy.objects.get(tenant=f["acme"], platform="windows", is_default=True)
    sensor_policy_update(
        tenant=f["acme"], actor=SYSTEM, policy=policy, expected_version=None, changes={"target": "n-2"}
    )


def _group_rule_changed(f: dict[str, Any]) -> None:
    group = host_group(f["acme"], "web", rule_text="tag:prod")
    desired_state_recompute(f["acme"].pk)
    host_group_update(tenant=f["acme"], actor=SYSTEM, group=group, expected_version=None, rule_text="tag:lab")


def _member_added(f: dict[str, Any]) -> None:
    group = host_group(f["acme"], "static")
    desired_state_recompute(f["acme"].pk)
    host_group_members_change(tenant=f["acme"], actor=SYSTEM, group=group, add=[str(f["web"][0].pk)])


def _content_version_reported(f: dict[str, Any]) -> None:
    # the heartbeat flush's way: no changed_xid stamp for content versions
    Host.objects.filter(pk=f["web"][1].pk).update(content_versions={"rapid_response": "291.4"})


def _sensor_build_reported(f: dict[str, Any]) -> None:
    Host.objects.filter(pk=f["lab"][0].pk).update(sensor_build="7.11.100")


def _host_enrolled(f: dict[str, Any]) -> None:
    HostFactory(tenant=f["acme"], hostname="web-new", tags=["prod"])


def _host_removed(f: dict[str, Any]) -> None:
    Host.objects.filter(pk=f["lab"][1].pk).delete()


def _release_published(f: dict[str, Any]) -> None:
    from rollout.models import ContentCategory

    content_release(ContentCategory.objects.get(key="rapid_response"), "291.5", hours_ago=1)


def _freeze_created(f: dict[str, Any]) -> None:
    now = timezone.now()
    freeze_create(
        tenant=f["acme"], actor=SYSTEM, reason="change freeze", starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=4),
    )  # fmt: skip


def _ring_created(f: dict[str, Any]) -> None:
    Ring.objects.create(tenant=f["acme"], name="canary", order=1, percentage=10)


def _rollout_advanced(f: dict[str, Any]) -> None:
    Ring.objects.create(tenant=f["acme"], name="canary", order=1, percentage=100)
    rollout = Rollout.objects.create(
        tenant=f["acme"], subject="content:rapid_response", version="291.4", previous_version="291.3",
        state=RolloutState.IN_RING, ring_index=0, ring_entered_at=timezone.now(),
    )  # fmt: skip
    desired_state_recompute(f["acme"].pk)
    Rollout.objects.filter(pk=rollout.pk).update(state=RolloutState.HALTED)


CHANGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "policy created": _policy_created,
    "default policy changed": _default_policy_changed,
    "group rule changed": _group_rule_changed,
    "static member added": _member_added,
    "content version reported": _content_version_reported,
    "sensor build reported": _sensor_build_reported,
    "host enrolled": _host_enrolled,
    "host removed": _host_removed,
    "release published": _release_published,
    "freeze created": _freeze_created,
    "ring created": _ring_created,
    "rollout halted": _rollout_advanced,
}


@pytest.mark.parametrize("refresh", [True, False], ids=["refresh", "targets-only"])
@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_each_kind_of_input_change_makes_the_pass_run(
    fleet: dict[str, Any],  # noqa: F811
    change: str,
    refresh: bool,
) -> None:
    # given
    acme = fleet["acme"]
    desired_state_recompute(acme.pk)
    assert desired_state_recompute(acme.pk).skipped
    # when
    CHANGES[change](fleet)
    result = desired_state_recompute(acme.pk, refresh_hosts=refresh)
    # then
    assert not result.skipped
    assert desired_state_recompute(acme.pk, refresh_hosts=refresh).skipped
    if refresh:
        _from_scratch_equal(acme)


def test_a_delay_elapsing_makes_the_pass_run_with_no_input_changed(fleet: dict[str, Any]) -> None:  # noqa: F811
    # given: GA + 24 h; 291.4 went GA 2 h ago, so it is due in 22 h
    acme = fleet["acme"]
    default = ContentUpdatePolicy.objects.get(tenant=acme, is_default=True, category__key="rapid_response")
    content_policy_update(
        tenant=acme, actor=SYSTEM, policy=default, expected_version=None, changes={"mode": "ga+24"}
    )
    now = timezone.now()
    desired_state_recompute(acme.pk, at=now)
    assert desired_state_recompute(acme.pk, at=now + timedelta(hours=21), refresh_hosts=False).skipped
    # when: the delay has elapsed
    due = desired_state_recompute(acme.pk, at=now + timedelta(hours=23), refresh_hosts=False)
    # then
    assert not due.skipped and due.changed == 10
    assert {d.content["rapid_response"] for d in DesiredState.objects.filter(tenant=acme)} == {"291.4"}


def test_a_freeze_ending_makes_the_pass_run_with_no_input_changed(fleet: dict[str, Any]) -> None:  # noqa: F811
    # given: a freeze that holds the hosts on their current content... no: on what they had
    acme = fleet["acme"]
    now = timezone.now()
    freeze_create(
        tenant=acme, actor=SYSTEM, reason="quarter end", starts_at=now - timedelta(hours=3),
        ends_at=now + timedelta(hours=1),
    )  # fmt: skip
    frozen = desired_state_recompute(acme.pk, at=now)
    assert desired_state_recompute(acme.pk, at=now + timedelta(minutes=59)).skipped
    # when
    thawed = desired_state_recompute(acme.pk, at=now + timedelta(hours=1, minutes=1))
    # then
    assert not thawed.skipped and thawed.changed > 0 and thawed.revision == frozen.revision + 1


def test_desired_rows_deleted_behind_its_back_make_the_pass_run(fleet: dict[str, Any]) -> None:  # noqa: F811
    # given
    acme = fleet["acme"]
    desired_state_recompute(acme.pk)
    before = rows(acme)
    # when
    DesiredState.objects.filter(tenant=acme, host_id=fleet["web"][0].pk).delete()
    result = desired_state_recompute(acme.pk)
    # then
    assert not result.skipped and result.changed == 1
    assert rows(acme) == before

"""The blast radius of a policy change from the census of combinations the last full recompute left
(no host read), with the numbers of the measurement over the hosts themselves."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from console.access import Actor
from rollout.desired.recompute import desired_state_recompute
from rollout.models import OutboxEntry, TenantRevision
from rollout.policies.services import sensor_policy_create, sensor_policy_update
from tests.factories import host_group
from tests.rollout.desired.test_recompute import fleet  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def _census(tenant: Any) -> dict[str, Any]:
    return TenantRevision.objects.get(tenant=tenant).census


def test_a_policy_change_is_measured_from_the_census_with_the_numbers_of_the_hosts(
    fleet: dict[str, Any],  # noqa: F811
) -> None:
    # given: the lab hosts pinned by a policy, and every host's combination counted
    acme = fleet["acme"]
    lab = host_group(acme, "lab", rule_text="tag:lab")
    policy = sensor_policy_create(
        tenant=acme, actor=SYSTEM, name="lab pin", platform="linux", target="pinned:7.09.100",
        group_ids=[lab.pk],
    ).obj  # fmt: skip
    desired_state_recompute(acme.pk)
    OutboxEntry.objects.filter(tenant=acme).update(processed_at=timezone.now())  # what the worker does
    census = _census(acme)
    assert str(lab.pk) in census["refs"] and sum(census["hosts"].values()) == 10

    def preview() -> dict[str, Any]:
        return sensor_policy_update(
            tenant=acme, actor=SYSTEM, policy=policy, expected_version=None, changes={"target": "n-2"},
            dry_run=True,
        ).blast.as_dict()  # fmt: skip

    # when
    with CaptureQueriesContext(connection) as queries:
        from_census = preview()
    # then: no host was read, and the lab hosts move
    assert not [q["sql"] for q in queries.captured_queries if "telemetry_host" in q["sql"]]
    assert (from_census["hosts_total"], from_census["hosts_changing"]) == (10, 4)
    # and the measurement over the hosts' stored desired state gives the same numbers
    TenantRevision.objects.filter(tenant=acme).update(census={})
    with CaptureQueriesContext(connection) as queries:
        from_hosts = preview()
    assert [q["sql"] for q in queries.captured_queries if "telemetry_host" in q["sql"]]
    assert from_hosts == from_census


def test_the_census_goes_with_a_pass_over_some_hosts_and_stays_with_a_policy_scoped_one(
    fleet: dict[str, Any],  # noqa: F811
) -> None:
    # given
    acme = fleet["acme"]
    lab = host_group(acme, "lab", rule_text="tag:lab")
    policy = sensor_policy_create(
        tenant=acme, actor=SYSTEM, name="lab pin", platform="linux", target="pinned:7.09.100",
        group_ids=[lab.pk],
    ).obj  # fmt: skip
    desired_state_recompute(acme.pk)
    counted = _census(acme)
    # when: a policy change recomputed over its groups' hosts only
    sensor_policy_update(
        tenant=acme, actor=SYSTEM, policy=policy, expected_version=None, changes={"target": "n-2"}
    )
    scoped = desired_state_recompute(acme.pk, refresh_hosts=False)
    # then
    assert scoped.hosts == 4 and _census(acme) == counted
    # when: some hosts recomputed by id (their combination may have changed)
    desired_state_recompute(acme.pk, host_ids=[str(fleet["web"][0].pk)])
    # then
    assert _census(acme) == {}
    desired_state_recompute(acme.pk)
    assert _census(acme) == counted

"""Query-count baselines of the hot read paths (the N+1 guard).

Each path is measured with ``CaptureQueriesContext`` on two fleets of the same shape, 50 hosts in
4 groups and 300 hosts in 8, each group with a policy of its own; the count must be the same at
both sizes (a query per host, per group member or per group shows up as a difference) and at most the committed baseline
in ``tests/query_baselines.json``. A change that adds queries fails until the baseline is raised on
purpose::

    UPDATE_QUERY_BASELINES=1 .venv/bin/pytest tests/test_query_counts.py -q

which rewrites the file with the counts measured (review the diff, commit it with the reason).
A path that got cheaper passes; tighten its baseline the same way so it stays a real guard.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from console.models import Role, Tenant
from rollout.desired.publish import desired_state_publish
from rollout.desired.recompute import desired_state_recompute
from rollout.models import SensorUpdatePolicy
from telemetry.models import Host
from tests.factories import (
    TenantFactory,
    content_release,
    host_group,
    host_with_credential,
    member,
    rollout_catalog,
)
from tests.rollout.conftest import session

pytestmark = pytest.mark.django_db

BASELINES = Path(__file__).with_name("query_baselines.json")
UPDATE = os.environ.get("UPDATE_QUERY_BASELINES") == "1"
SIZES = ((50, 4), (300, 8))  # (hosts, groups)


class Fleet:
    """One tenant: ``hosts`` Windows/Linux hosts tagged into ``groups`` groups, a sensor policy per
    group, desired state computed and published to the edge, an owner's session and one host
    with an edge credential."""

    def __init__(self, hosts: int, groups: int) -> None:
        self.tenant: Tenant = TenantFactory()
        Host.objects.bulk_create(
            [
                Host(
                    tenant=self.tenant,
                    hostname=f"h-{i:05d}",
                    platform=("windows", "windows", "linux")[i % 3],
                    sensor_build="7.10.100",
                    tags=[f"g{i % groups}"],
                    content_versions={"rapid_response": "291.3"},
                )
                for i in range(hosts)
            ]
        )
        self.host, self.credential = host_with_credential(
            self.tenant, tags=["g0"], sensor_build="7.10.100", content_versions={"rapid_response": "291.3"}
        )
        self.policies: list[SensorUpdatePolicy] = []
        for g in range(groups):
            group = host_group(self.tenant, f"g{g}", f"tag:g{g}")
            policy = SensorUpdatePolicy.objects.create(
                tenant=self.tenant,
                name=f"p{g}",
                platform="windows",
                target=("n", "n-1", "n-2")[g % 3],
                precedence=10 + g,
            )
            policy.groups.add(group)
            self.policies.append(policy)
        desired_state_recompute(self.tenant.pk)
        desired_state_publish(self.tenant.pk)
        self.owner: Client = session(member(self.tenant, Role.OWNER))

    def edge(self) -> Client:
        return Client(headers={"Authorization": f"Host {self.host.pk}:{self.credential}"})


def _host_list(fleet: Fleet) -> Any:
    return fleet.owner.get("/api/v1/hosts/?page_size=100")


def _host_explain(fleet: Fleet) -> Any:
    return fleet.owner.get(f"/api/v1/hosts/{fleet.host.pk}/explain")


def _host_desired(fleet: Fleet) -> Any:
    return fleet.owner.get(f"/api/v1/hosts/{fleet.host.pk}/desired")


def _edge_desired_state(fleet: Fleet) -> Any:
    """Served from Redis (the published state, the cached credential): no PostgreSQL at all once
    the credential is cached, which is what the baseline of 0 holds it to."""
    response = fleet.edge().get("/edge/v1/desired-state")
    assert response.json()["host_id"] == str(fleet.host.pk), response.content
    return response


def _policy_write(fleet: Fleet) -> Any:
    """A PATCH of the policy on group g0 with If-Match; its response carries the blast radius.
    Alternates the target, so every call changes the desired state of g0's hosts."""
    policy = SensorUpdatePolicy.objects.get(pk=fleet.policies[0].pk)
    target = "n-2" if policy.target == "n" else "n"
    response = fleet.owner.patch(
        f"/api/v1/sensor-policies/{policy.pk}",
        {"target": target},
        content_type="application/json",
        headers={"If-Match": f'"{policy.version}"'},
    )
    assert response.json()["blast_radius"]["hosts_changing"] > 0, response.content
    return response


PATHS: dict[str, Callable[[Fleet], Any]] = {
    "host_list": _host_list,
    "host_explain": _host_explain,
    "host_desired": _host_desired,
    "edge_desired_state": _edge_desired_state,
    "policy_write_with_blast_radius": _policy_write,
}


def _count(fleet: Fleet, call: Callable[[Fleet], Any]) -> tuple[int, list[str]]:
    call(fleet)  # warm: per-process caches (content types, catalog) are not what this guards
    with CaptureQueriesContext(connection) as captured:
        response = call(fleet)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), [q["sql"] for q in captured.captured_queries]


def _baselines() -> dict[str, int]:
    return json.loads(BASELINES.read_text()) if BASELINES.exists() else {}


@pytest.fixture
def fleets(redis_flush: None) -> list[Fleet]:
    rollout_catalog(lines=("7.09", "7.10", "7.11"), platforms=("windows", "linux"))
    content_release(rollout_catalog()["rapid_response"], "291.3", hours_ago=100)
    return [Fleet(hosts, groups) for hosts, groups in SIZES]


@pytest.mark.parametrize("path", sorted(PATHS))
def test_it_keeps_each_hot_path_within_its_query_baseline_whatever_the_fleet_size(
    path: str, fleets: list[Fleet]
) -> None:
    # given: two fleets of the same shape, 50 hosts in 4 groups and 300 in 8
    call = PATHS[path]
    # when: the path is called on each (once to warm, once counted)
    counted = [_count(fleet, call) for fleet in fleets]
    counts = [c for c, _ in counted]
    # then: the same number of queries at both sizes (no query per host, member or group) ...
    assert counts[0] == counts[1], (
        f"{path}: {counts[0]} queries at {SIZES[0]} (hosts, groups) but {counts[1]} at {SIZES[1]}: a "
        "query per host, member or group crept in.\n" + "\n".join(counted[1][1])
    )
    # ... and no more than the committed baseline
    if UPDATE:
        baselines = _baselines()
        baselines[path] = counts[0]
        BASELINES.write_text(json.dumps(dict(sorted(baselines.items())), indent=2) + "\n")
        return
    baseline = _baselines().get(path)
    how = "run UPDATE_QUERY_BASELINES=1 .venv/bin/pytest tests/test_query_counts.py and commit the file"
    assert baseline is not None, f"{path} has no baseline in {BASELINES.name}: {how}"
    assert counts[0] <= baseline, (
        f"{path} issues {counts[0]} queries, its baseline is {baseline}. If that is on purpose, {how}.\n"
        + "\n".join(counted[0][1])
    )

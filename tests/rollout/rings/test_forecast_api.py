"""``GET /api/v1/releases/<id>/forecast`` and ``/rollouts/<id>/forecast``: the caller's tenant only,
a validated horizon, problem+json errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from console.access import Actor
from rollout.models import Rollout, RolloutState
from rollout.policies.defaults import policy_defaults_ensure
from rollout.rings.admin import rings_defaults_ensure
from tests.console.conftest import api_as
from tests.factories import HostFactory, content_release, rollout_catalog
from tests.rollout.conftest import TenantWorld

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture
def world(tenant_world: TenantWorld) -> dict[str, Any]:
    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=200)
    release = content_release(catalog["rapid_response"], "291.4", hours_ago=100)
    internal = content_release(catalog["rapid_response"], "291.5", stage="internal")
    acme, globex = tenant_world.tenant, tenant_world.other_tenant
    for tenant in (acme, globex):
        policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    for i in range(3):
        HostFactory(
            tenant=acme,
            hostname=f"a-{i}",
            sensor_build="7.11.200",
            content_versions={"rapid_response": "291.3"},
        )
    HostFactory(
        tenant=globex, hostname="g-0", sensor_build="7.11.200", content_versions={"rapid_response": "291.3"}
    )
    rings_defaults_ensure(tenant=globex, actor=SYSTEM)
    staged = Rollout.objects.create(
        tenant=globex, subject="content:rapid_response", version="291.4", previous_version="291.3",
        release=release, state=RolloutState.IN_RING, ring_entered_at=timezone.now(),
    )  # fmt: skip
    return {"release": release, "internal": internal, "globex_rollout": staged, **vars(tenant_world)}


def test_it_forecasts_over_the_callers_hosts_only(world: dict[str, Any]) -> None:
    # given
    api = api_as(world["viewer"], world["tenant"])
    # when
    response = api.get(f"/api/v1/releases/{world['release'].pk}/forecast?hours=24")
    # then: acme's three hosts (GA 100 h ago, default GA policy): all of them from the first hour
    assert response.status_code == 200
    body = response.json()
    assert body["hosts_total"] == 3 and body["hours"] == 24 and len(body["points"]) == 25
    assert body["points"][0]["hosts"] == 3 and body["hosts_reached"] == 3
    assert body["milestones"][0] == {**body["milestones"][0], "hosts": 1, "hour": 0}
    assert body["staged"] is False


@pytest.mark.parametrize("hours", ["0", "169", "-1", "abc", "1.5", "²", "٣"])
def test_it_answers_problem_json_to_a_bad_horizon(world: dict[str, Any], hours: str) -> None:
    api = api_as(world["viewer"], world["tenant"])
    response = api.get(f"/api/v1/releases/{world['release'].pk}/forecast?hours={hours}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "hours" in response.json()["errors"]


def test_it_answers_404_for_an_internal_release_and_for_another_tenants_rollout(
    world: dict[str, Any],
) -> None:
    api = api_as(world["owner"], world["tenant"])
    internal = api.get(f"/api/v1/releases/{world['internal'].pk}/forecast")
    other = api.get(f"/api/v1/rollouts/{world['globex_rollout'].pk}/forecast")
    assert internal.status_code == 404 and other.status_code == 404
    assert other["Content-Type"].startswith("application/problem+json")


def test_it_forecasts_a_staged_rollout_for_its_own_tenant(world: dict[str, Any]) -> None:
    # given globex's rollout of 291.4 in its first ring
    api = api_as(world["outsider"], world["other_tenant"])
    # when
    response = api.get(f"/api/v1/rollouts/{world['globex_rollout'].pk}/forecast")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["staged"] is True and body["hosts_total"] == 1 and body["hours"] == 72

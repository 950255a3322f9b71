"""The desired state names the fallback (last known-good version and the rule for using it), and it
travels through publish to the edge and to ``GET /api/v1/hosts/<id>/desired``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from console.access import Actor
from rollout.desired.publish import desired_digest, desired_state_publish, desired_state_recompute
from rollout.distribution.backends import backend_for
from rollout.models import DesiredState
from rollout.policies.defaults import policy_defaults_ensure
from rollout.resolver import RECOVERY_RULE
from tests.factories import content_release, host_with_credential, rollout_catalog
from tests.rollout.conftest import TenantWorld

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture
def fleet(tenant_world: TenantWorld, redis_flush: None) -> dict[str, Any]:
    catalog = rollout_catalog(lines=("7.09", "7.10", "7.11"), platforms=("windows",))
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    content_release(catalog["rapid_response"], "291.4", hours_ago=2)
    acme = tenant_world.tenant
    policy_defaults_ensure(tenant=acme, actor=SYSTEM)
    moving, moving_secret = host_with_credential(
        acme, hostname="moving", sensor_build="7.10.100", content_versions={"rapid_response": "291.3"}
    )
    settled, _ = host_with_credential(
        acme, hostname="settled", sensor_build="7.10.200", content_versions={"rapid_response": "291.4"}
    )
    return {
        "acme": acme,
        "moving": moving,
        "moving_secret": moving_secret,
        "settled": settled,
        "world": tenant_world,
    }


def test_it_stores_the_known_good_version_per_subject(fleet: dict[str, Any]) -> None:
    # given hosts on default policies (N-1 = 7.10.200, GA content = 291.4)
    # when
    desired_state_recompute(fleet["acme"].pk)
    # then the host being moved falls back to what it runs now
    moving = DesiredState.objects.get(host=fleet["moving"])
    assert moving.content == {"rapid_response": "291.4"}
    assert moving.fallback == {"sensor": "7.10.100", "rapid_response": "291.3"}
    # and the host already on the targets falls back to the newest older version that passed its gates
    settled = DesiredState.objects.get(host=fleet["settled"])
    assert settled.fallback == {"sensor": "7.10.100", "rapid_response": "291.3"}


def test_it_serves_the_fallback_and_its_rule_on_the_edge(fleet: dict[str, Any]) -> None:
    # given
    acme = fleet["acme"]
    desired_state_recompute(acme.pk)
    desired_state_publish(acme.pk)
    host = fleet["moving"]
    # when the sensor polls
    response = Client().get(
        "/edge/v1/desired-state", headers={"Authorization": f"Host {host.pk}:{fleet['moving_secret']}"}
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["content"] == {"rapid_response": "291.4"}
    assert body["fallback"] == {
        "sensor_build": "7.10.100",
        "content": {"rapid_response": "291.3"},
        "rule": dict(RECOVERY_RULE),
    }
    # and what the edge holds hashes like the database's desired state (no drift from the new field)
    assert backend_for(__import__("django.conf").conf.settings).snapshot(
        str(acme.pk)
    ).digest == desired_digest(str(acme.pk))


def test_it_shows_the_fallback_in_the_host_desired_api_to_members_only(fleet: dict[str, Any]) -> None:
    # given
    world: TenantWorld = fleet["world"]
    desired_state_recompute(fleet["acme"].pk)
    host = fleet["moving"]
    # when
    mine = world.session(world.viewer).get(f"/api/v1/hosts/{host.pk}/desired")
    owner = world.session(world.owner).get(f"/api/v1/hosts/{host.pk}/desired")
    theirs = world.session(world.outsider).get(f"/api/v1/hosts/{host.pk}/desired")
    # then
    assert mine.status_code == 200 and owner.status_code == 200
    assert mine.json()["fallback"]["content"] == {"rapid_response": "291.3"}
    assert mine.json()["fallback"]["rule"] == dict(RECOVERY_RULE)
    assert theirs.status_code == 404


def test_it_names_no_fallback_when_nothing_older_passed_its_gates(tenant_world: TenantWorld) -> None:
    # given a catalog with one build per line and a single GA release the host already runs
    catalog = rollout_catalog(lines=("7.11",), platforms=("windows",))
    content_release(catalog["rapid_response"], "291.4", hours_ago=100)
    acme = tenant_world.tenant
    policy_defaults_ensure(tenant=acme, actor=SYSTEM)
    host, _ = host_with_credential(
        acme, hostname="only", sensor_build="7.11.100", content_versions={"rapid_response": "291.4"}
    )
    # when
    desired_state_recompute(acme.pk)
    # then only the sensor has an older GA build (7.11.100 < 7.11.200), no content fallback
    row = DesiredState.objects.get(host=host)
    assert "rapid_response" not in row.fallback

"""Policy as code is strict: an unknown key or a wrong type is a 400 naming its path in the
document (with the key it probably meant), and nothing is applied; a well-formed document still
applies, written by hand in YAML (unquoted times included)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from django.test import Client
from jsonschema import Draft202012Validator

from console.models import AuditEvent
from rollout.models import SensorUpdatePolicy
from tests.factories import rollout_catalog
from tests.rollout.conftest import TenantWorld, session

pytestmark = pytest.mark.django_db

POLICY = {
    "name": "prod N-1",
    "platform": "windows",
    "target": "n-1",
    "update_blocks": [{"weekdays": [0, 1, 2, 3, 4], "start": "08:00", "end": "18:00"}],
}


def post(world: TenantWorld, document: Any, *, dry_run: bool = False) -> Any:
    text = document if isinstance(document, str) else yaml.safe_dump(document)
    return session(world.owner).post(
        "/api/v1/policy/import" + ("?dry_run=true" if dry_run else ""),
        {"document": text},
        content_type="application/json",
    )


@pytest.fixture
def world(tenant_world: TenantWorld) -> TenantWorld:
    rollout_catalog(lines=("7.09", "7.10", "7.11"), platforms=("windows", "linux"))
    return tenant_world


def test_it_refuses_a_misspelt_key_naming_its_path_and_the_key_meant(world: TenantWorld) -> None:
    # given a policy whose update blocks are under a misspelt key
    policy = {**POLICY, "updte_blocks": POLICY["update_blocks"]}
    del policy["update_blocks"]
    audit_before = AuditEvent.objects.filter(tenant=world.tenant).count()
    # when it is imported
    response = post(world, {"version": 1, "sensor_policies": [policy]})
    # then it is a 400 naming the key by its path, suggesting the right one, and nothing changed
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors == {"sensor_policies[0].updte_blocks": ["Unknown key. Did you mean 'update_blocks'?"]}
    assert not SensorUpdatePolicy.objects.filter(tenant=world.tenant, name="prod N-1").exists()
    assert AuditEvent.objects.filter(tenant=world.tenant).count() == audit_before


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        ({"version": 1, "sensor_polices": []}, "sensor_polices", "Did you mean 'sensor_policies'?"),
        ({"version": 1, "groups": {"name": "x"}}, "groups", "Expected a list, got a mapping."),
        ({"version": 1, "groups": [{"name": 7}]}, "groups[0].name", "Expected a string, got an integer."),
        (
            {"version": 1, "sensor_policies": [{**POLICY, "uninstall_protection": "yes"}]},
            "sensor_policies[0].uninstall_protection",
            "Expected a boolean, got a string.",
        ),
        (
            {
                "version": 1,
                "sensor_policies": [{**POLICY, "update_blocks": [{"weekdays": [0], "start": "08:00"}]}],
            },
            "sensor_policies[0].update_blocks[0].end",
            "Required.",
        ),
        (
            {"version": 1, "windows": [{"name": "w", "weekdays": [9], "start": "02:00"}]},
            "windows[0].weekdays[0]",
            "9 is greater than the maximum of 6",
        ),
        (
            {
                "version": 1,
                "content_policies": [{"name": "c", "category": "rapid_response", "windows": "nightly"}],
            },
            "content_policies[0].windows",
            "Expected a list of names, got a string.",
        ),
    ],
)
def test_it_names_the_path_of_each_shape_error(
    world: TenantWorld, document: Any, path: str, message: str
) -> None:
    # when a document with one wrong key or type is planned
    response = post(world, document, dry_run=True)
    # then the 400 names that path
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert path in errors, errors
    assert any(message in m for m in errors[path]), errors[path]


def test_it_hints_at_quoting_an_unquoted_yaml_time(world: TenantWorld) -> None:
    # given a hand-written window whose start YAML reads as a number (2:00 is 120 in YAML 1.1)
    text = "version: 1\nwindows:\n- name: nightly\n  weekdays: [6]\n  start: 2:00\n  duration_minutes: 60\n"
    # when it is imported
    response = post(world, text)
    # then the message says what to write
    assert response.status_code == 400
    assert response.json()["errors"]["windows[0].start"] == [
        'Expected a time "HH:MM" (quote it in YAML), got an integer.'
    ]


def test_it_applies_a_hand_written_document_with_unquoted_iso_times(world: TenantWorld) -> None:
    # given a hand-written document with a policy and a freeze whose times YAML reads as datetimes
    text = """
version: 1
sensor_policies:
- name: prod N-1
  platform: windows
  target: n-1
  update_blocks:
  - {weekdays: [0, 1, 2, 3, 4], start: "08:00", end: "18:00"}
freezes:
- reason: quarter close
  starts_at: 2030-03-28T00:00:00+00:00
  ends_at: 2030-04-02T00:00:00+00:00
"""
    # when it is applied
    response = post(world, text)
    # then the policy has its update blocks
    assert response.status_code == 200, response.content
    policy = SensorUpdatePolicy.objects.get(tenant=world.tenant, name="prod N-1")
    assert policy.update_blocks == POLICY["update_blocks"]


def test_it_refuses_a_document_nested_too_deeply_to_read(world: TenantWorld) -> None:
    # when a YAML document nests thousands of flow lists
    response = post(world, "version: 1\ngroups: " + "[" * 20_000 + "]" * 20_000)
    # then it is a 400, not a 500
    assert response.status_code == 400
    assert "document" in response.json()["errors"]


# --- the published schema, and apply bound to its plan


def test_it_publishes_the_schema_the_import_validates_with(world: TenantWorld) -> None:
    # given a tenant with a policy, exported as automation would keep it in a repository
    assert post(world, {"version": 1, "sensor_policies": [POLICY]}).status_code == 200
    exported = session(world.owner).get("/api/v1/policy/export?format=json").json()
    # when an editor fetches the schema from its stable URL, with no credentials
    response = Client().get("/api/v1/policy/schema.json")
    # then it is a JSON Schema that accepts the export and refuses what the import refuses
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    schema = response.json()
    assert schema["$id"].endswith("/api/v1/policy/schema.json")
    validator = Draft202012Validator(schema)
    assert list(validator.iter_errors(exported)) == []
    misspelt = {**POLICY, "updte_blocks": []}
    refused = post(world, {"version": 1, "sensor_policies": [misspelt]})
    assert refused.status_code == 400
    assert not validator.is_valid({"version": 1, "sensor_policies": [misspelt]})


def plan_of(world: TenantWorld, document: Any) -> str:
    planned = post(world, document, dry_run=True)
    assert planned.status_code == 200, planned.content
    return str(planned.json()["fingerprint"])


def apply_planned(world: TenantWorld, document: Any, fingerprint: str) -> Any:
    return session(world.owner).post(
        "/api/v1/policy/import",
        {"document": yaml.safe_dump(document), "plan_fingerprint": fingerprint},
        content_type="application/json",
    )


def test_it_applies_a_plan_whose_state_has_not_moved(world: TenantWorld) -> None:
    # given a plan of a new policy, made twice on the same state
    document = {"version": 1, "sensor_policies": [POLICY]}
    fingerprint = plan_of(world, document)
    assert plan_of(world, document) == fingerprint
    # when it is applied bound to that plan
    response = apply_planned(world, document, fingerprint)
    # then it is applied, and the state now has another fingerprint
    assert response.status_code == 200, response.content
    assert SensorUpdatePolicy.objects.filter(tenant=world.tenant, name="prod N-1").exists()
    assert plan_of(world, document) != fingerprint


def test_it_refuses_a_stale_plan_naming_what_changed(world: TenantWorld) -> None:
    # given a reviewed plan of a new policy, and an operator who then adds a window and a group
    document = {"version": 1, "sensor_policies": [POLICY]}
    fingerprint = plan_of(world, document)
    operator = session(world.owner)
    window = {"name": "nightly", "weekdays": [6], "start": "02:00", "duration_minutes": 60, "timezone": "UTC"}
    assert operator.post("/api/v1/windows/", window, content_type="application/json").status_code == 201
    audit_before = AuditEvent.objects.filter(tenant=world.tenant).count()
    # when the plan is applied
    response = apply_planned(world, document, fingerprint)
    # then it is a 409 naming the window that appeared, with the new plan, and nothing was applied
    assert response.status_code == 409, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"change": "created", "kind": "window", "name": "nightly"} in body["changed"]
    assert "window 'nightly' created" in body["errors"]["plan_fingerprint"][0]
    assert body["codes"]["plan_fingerprint"] == ["stale_plan"]
    assert {"action": "create", "kind": "sensor_policy", "name": "prod N-1"} in body["plan"]["actions"]
    assert body["plan"]["fingerprint"] != fingerprint
    assert not SensorUpdatePolicy.objects.filter(tenant=world.tenant, name="prod N-1").exists()
    assert AuditEvent.objects.filter(tenant=world.tenant).count() == audit_before
    # and the new plan's fingerprint applies
    assert apply_planned(world, document, body["plan"]["fingerprint"]).status_code == 200


def test_it_refuses_a_fingerprint_that_is_not_one(world: TenantWorld) -> None:
    # when an apply names a plan fingerprint in the wrong shape
    response = apply_planned(world, {"version": 1}, "not-a-fingerprint")
    # then it is a 400 naming the field
    assert response.status_code == 400
    assert "plan_fingerprint" in response.json()["errors"]


def test_it_applies_from_the_page_only_the_plan_it_showed(world: TenantWorld) -> None:
    # given an admin who asked the page for the plan of a new policy
    page = session(world.owner)
    text = yaml.safe_dump({"version": 1, "sensor_policies": [POLICY]})
    shown = page.post("/rollout/policy-as-code/", {"document": text, "action": "preview"})
    fingerprint = re.search(r'name="plan_fingerprint" value="([0-9a-f]{32})"', shown.content.decode())
    assert fingerprint is not None
    # and someone else who then adds a window
    window = {"name": "nightly", "weekdays": [6], "start": "02:00", "duration_minutes": 60, "timezone": "UTC"}
    assert page.post("/api/v1/windows/", window, content_type="application/json").status_code == 201
    # when the admin presses Apply
    applied = page.post(
        "/rollout/policy-as-code/",
        {"document": text, "action": "save", "plan_fingerprint": fingerprint.group(1)},
    )
    # then nothing is applied, the page says what changed and shows the new plan to apply instead
    assert applied.status_code == 409
    body = applied.content.decode()
    assert "window &#x27;nightly&#x27; created" in body or "window 'nightly' created" in body
    assert 'name="plan_fingerprint"' in body
    assert not SensorUpdatePolicy.objects.filter(tenant=world.tenant, name="prod N-1").exists()

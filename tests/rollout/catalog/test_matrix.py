"""Sensor capabilities and the content/sensor contract matrix (19 July: the IPC template type defined
21 inputs, the sensor supplied 20, and field 21 was a wildcard in every test instance). Real
PostgreSQL and Redis; the vendor / tenant / outsider trio on the endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from console.access import Actor
from console.models import ApiScope, AuditEvent, Role
from rollout.desired.recompute import desired_state_recompute
from rollout.models import ContentRelease, ReleaseBuildCheck, SensorBuild
from rollout.policies.defaults import policy_defaults_ensure
from rollout.selectors.state import host_explain
from telemetry.models import Host
from tests.factories import (
    HostFactory,
    TenantFactory,
    api_client_with_token,
    member,
    rollout_catalog,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("redis_flush")]
RAPID = "rapid_response"
IPC_FIELDS = 21


def vendor(name: str = "vendor-release-pipeline") -> Client:
    _, token = api_client_with_token(None, [ApiScope.VENDOR], name=name)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def ipc(ident: str, field_21: Any = "\\\\.\\pipe\\rpc-21") -> dict[str, Any]:
    return {
        "id": ident,
        "template_type": "IPC",
        "fields": [f"\\\\.\\pipe\\rpc-{i}" for i in range(1, IPC_FIELDS)] + [field_21],
    }


def build_id(version: str) -> str:
    return str(SensorBuild.objects.get(platform="windows", version=version).pk)


def declare_ipc(client: Client, version: str, inputs: int, **limits: int) -> Any:
    capability = {"template_type": "IPC", "input_count": inputs, "accepted_types": ["str"] * inputs, **limits}
    return post(
        client,
        f"/api/v1/vendor/sensor-builds/{build_id(version)}/capabilities",
        {"capabilities": [capability]},
    )


@pytest.fixture
def ipc_world() -> dict[str, Any]:
    """Windows N-2..N (7.09, 7.10, 7.11); the IPC template type (21 fields); 7.11.200 supplies 21
    inputs, 7.10.200 supplies 20 (the 19 July sensor); a tenant with one host on each, on 291.3."""
    catalog = rollout_catalog()
    client = vendor()
    response = post(
        client,
        "/api/v1/vendor/template-types/",
        {"name": "IPC", "field_types": ["str"] * IPC_FIELDS, "min_sensor_build": "7.09.100"},
    )
    assert response.status_code == 201, response.content
    assert declare_ipc(client, "7.11.200", 21).status_code == 201
    assert declare_ipc(client, "7.10.200", 20).status_code == 201
    assert declare_ipc(client, "7.09.200", 21).status_code == 201
    tenant = TenantFactory(slug="acme")
    policy_defaults_ensure(tenant=tenant, actor=Actor.system("test"))
    old = HostFactory(
        tenant=tenant, platform="windows", sensor_build="7.10.200", content_versions={RAPID: "291.3"}
    )
    new = HostFactory(
        tenant=tenant, platform="windows", sensor_build="7.11.200", content_versions={RAPID: "291.3"}
    )
    return {"client": client, "tenant": tenant, "old": old, "new": new, "catalog": catalog}


def publish(client: Client, version: str, instances: list[dict[str, Any]]) -> str:
    response = post(
        client,
        "/api/v1/vendor/content-releases/",
        {"category": RAPID, "version": version, "instances": instances},
    )
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def stage(client: Client, release_id: str, to: str) -> Any:
    return post(client, f"/api/v1/vendor/content-releases/{release_id}/stage", {"stage": to})


def cells_of(client: Client, release_id: str) -> dict[str, dict[str, Any]]:
    response = client.get(f"/api/v1/vendor/content-releases/{release_id}/matrix")
    assert response.status_code == 200, response.content
    return {c["build"]: c for c in response.json()["cells"]}


def test_it_blocks_the_21_input_release_for_the_build_supplying_20_and_never_offers_it_there(
    ipc_world: dict[str, Any],
) -> None:
    client, tenant, old, new = (ipc_world[k] for k in ("client", "tenant", "old", "new"))
    # given a release whose instances fill all 21 IPC fields
    release_id = publish(client, "291.4", [ipc("ch291-0001"), ipc("ch291-0002")])
    # when it moves through the vendor stages to GA
    for to in ("canary", "early_access", "ga"):
        assert stage(client, release_id, to).status_code == 200
    # then the matrix blocks it for 7.10.200 naming the instance and field 21, and passes 7.11.200
    cells = cells_of(client, release_id)
    blocked = cells["7.10.200"]
    assert blocked["status"] == "incompatible"
    arity = blocked["problems"][0]
    assert (arity["code"], arity["instance"], arity["field"]) == ("arity", "ch291-0001", 21)
    assert "supplies 20 inputs: field 21 has no input" in arity["message"]
    assert blocked["hosts"] == 1 and "n-1" in blocked["sources"] and "reported" in blocked["sources"]
    assert cells["7.11.200"]["status"] == "compatible"
    assert cells["7.09.200"]["status"] == "compatible"
    # and hosts on 7.10.200 are never offered it (explain and the stored desired state), 7.11.200 gets it
    desired_state_recompute(tenant.pk)
    _, token = api_client_with_token(tenant, [ApiScope.READ])
    for host, expected, rule in ((old, "291.3", "incompatible"), (new, "291.4", "stage")):
        explain = host_explain(
            tenant, Host.objects.get(pk=host.pk), ContentRelease.objects.get(pk=release_id).ga_at
        )
        decision = explain.content[RAPID]
        assert (decision.target, decision.rule) == (expected, rule), decision
        desired = Client().get(
            f"/api/v1/hosts/{host.pk}/desired", headers={"Authorization": f"Bearer {token}"}
        )
        assert desired.status_code == 200
        assert desired.json()["content"][RAPID] == expected
    why = Client()
    why.force_login(member(tenant, Role.VIEWER))
    page = why.get(f"/rollout/hosts/{old.pk}/why/").content.decode()
    assert "incompatible with sensor windows 7.10.200" in page and "field 21 has no input" in page


def test_it_flags_a_field_that_is_a_wildcard_in_every_instance_as_untested(ipc_world: dict[str, Any]) -> None:
    client = ipc_world["client"]
    # given field 21 is a wildcard in every instance (the 19 July test content)
    release_id = publish(client, "291.4", [ipc("ch291-0001", "*"), ipc("ch291-0002", "*")])
    # when it enters canary
    assert stage(client, release_id, "canary").status_code == 200
    # then it is flagged untested on the builds that take it, and still blocked where 20 inputs
    cells = cells_of(client, release_id)
    assert cells["7.11.200"]["status"] == "untested"
    assert cells["7.11.200"]["untested"][0]["field"] == 21
    assert "untested on windows 7.11.200" in cells["7.11.200"]["untested"][0]["message"]
    assert cells["7.10.200"]["status"] == "incompatible"


def test_it_refuses_a_release_no_build_in_use_can_interpret(ipc_world: dict[str, Any]) -> None:
    client = ipc_world["client"]
    # given every build in use supplies at most 100 bytes of IPC
    for version in ("7.11.200", "7.09.200", "7.10.200"):
        assert declare_ipc(client, version, 21, max_bytes=100).status_code == 201
    release_id = publish(client, "291.4", [ipc("ch291-0001")])
    # when release engineering moves it to canary
    response = stage(client, release_id, "canary")
    # then a 409 problem names why, the release stays internal, and the refusal is audited
    assert response.status_code == 409, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert any("loads at most 100" in m for m in response.json()["errors"]["instances"])
    assert ContentRelease.objects.get(pk=release_id).stage == "internal"
    assert cells_of(client, release_id)["7.11.200"]["status"] == "incompatible"


def test_it_holds_a_release_twice_the_previous_size_for_a_second_approver(ipc_world: dict[str, Any]) -> None:
    first, second = ipc_world["client"], vendor("second-release-engineer")
    previous = publish(first, "291.4", [ipc("ch291-0001")])
    assert stage(first, previous, "canary").status_code == 200
    # given a release with twice the entries of the previous one
    doubled = publish(first, "291.5", [ipc("ch291-0001"), ipc("ch291-0002")])
    assert cells_of(first, doubled)  # the matrix is there from publication
    # when the first engineer moves it to canary, it waits (202) with the approval recorded
    response = stage(first, doubled, "canary")
    assert response.status_code == 202, response.content
    assert ContentRelease.objects.get(pk=doubled).stage == "internal"
    matrix = first.get(f"/api/v1/vendor/content-releases/{doubled}/matrix").json()
    assert matrix["growth"]["needs_second_approver"] and matrix["first_approver"]
    # then the same engineer cannot be the second approver
    again = stage(first, doubled, "canary")
    assert again.status_code == 409 and "cannot be the second" in again.json()["detail"]
    assert ContentRelease.objects.get(pk=doubled).stage == "internal"
    # and another engineer lets it through
    assert stage(second, doubled, "canary").status_code == 200
    assert ContentRelease.objects.get(pk=doubled).stage == "canary"
    actions = list(AuditEvent.objects.filter(target_id=doubled).values_list("action", flat=True))
    assert "content_release.approve" in actions and "content_release.stage" in actions


def test_it_publishes_a_build_with_its_capabilities_and_audits_a_declaration(
    ipc_world: dict[str, Any],
) -> None:
    client = ipc_world["client"]
    response = post(
        client,
        "/api/v1/vendor/sensor-builds/",
        {
            "platform": "windows",
            "version": "7.12.100",
            "capabilities": [{"template_type": "IPC", "input_count": 21, "accepted_types": ["str"] * 21}],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["capabilities"][0]["input_count"] == 21
    listed = client.get(f"/api/v1/vendor/sensor-builds/{response.json()['id']}/capabilities").json()
    assert [c["template_type"] for c in listed["capabilities"]] == ["IPC"]
    assert AuditEvent.objects.filter(
        action="sensor_build.capabilities", target_id=response.json()["id"]
    ).exists()


def test_it_answers_bad_capabilities_with_problem_json_and_unknown_objects_with_404(
    ipc_world: dict[str, Any],
) -> None:
    client = ipc_world["client"]
    url = f"/api/v1/vendor/sensor-builds/{build_id('7.11.200')}/capabilities"
    cases = [
        {"capabilities": []},
        {"capabilities": [{"template_type": "IPC", "input_count": 0, "accepted_types": []}]},
        {"capabilities": [{"template_type": "IPC", "input_count": 2, "accepted_types": ["blob", "str"]}]},
        {"capabilities": [{"template_type": "IPC", "input_count": 3, "accepted_types": ["str"]}]},
        {"capabilities": [{"template_type": "Nope", "input_count": 1, "accepted_types": ["str"]}]},
        {"capabilities": "all"},
        {
            "capabilities": [
                {"template_type": "IPC", "input_count": 1, "accepted_types": ["str"], "max_bytes": -1}
            ]
        },
    ]
    for body in cases:
        response = post(client, url, body)
        assert response.status_code == 400, (body, response.content)
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["errors"], response.json()
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/api/v1/vendor/sensor-builds/{missing}/capabilities").status_code == 404
    assert client.get(f"/api/v1/vendor/content-releases/{missing}/matrix").status_code == 404


def test_it_refuses_capabilities_and_matrices_to_tenant_credentials(ipc_world: dict[str, Any]) -> None:
    # the owner / member / outsider trio: vendor staff may read and write; a tenant's owner (session)
    # and a tenant's API client may do neither
    tenant = ipc_world["tenant"]
    release_id = publish(ipc_world["client"], "291.4", [ipc("ch291-0001")])
    _, token = api_client_with_token(tenant, [ApiScope.READ, ApiScope.WRITE])
    owner = Client()
    owner.force_login(member(tenant, Role.OWNER))
    tenant_client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for client in (owner, tenant_client):
        assert client.get(f"/api/v1/vendor/content-releases/{release_id}/matrix").status_code == 403
        response = post(
            client,
            f"/api/v1/vendor/sensor-builds/{build_id('7.11.200')}/capabilities",
            {"capabilities": [{"template_type": "IPC", "input_count": 1, "accepted_types": ["str"]}]},
        )
        assert response.status_code == 403
    assert ReleaseBuildCheck.objects.filter(release_id=release_id).count() >= 3

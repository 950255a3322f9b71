"""Enrolment tokens (tenant admins) and host enrolment through the real API."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from console.models import ApiScope, AuditEvent, Role
from telemetry.demo import demo_enrolment_token, seed
from telemetry.models import EnrolmentToken, Host
from tests.factories import TenantFactory, api_client_with_token, enrolment_token, member
from tests.telemetry.conftest import heartbeat, post_heartbeats

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("redis_flush")]


def _enrol(client: Client, token: str, **extra: object) -> object:
    body = {
        "enrolment_token": token,
        "hostname": "ws-0001",
        "platform": "windows",
        "os_version": "10.0.19045",
        "tags": ["finance"],
        "site": "nyc",
    }
    body.update(extra)
    return client.post("/api/v1/telemetry/enrol", body, content_type="application/json")


def test_it_lets_admins_create_list_and_revoke_enrolment_tokens_and_audits_it(client: Client) -> None:
    # given an owner, a viewer of acme and an outsider
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    owner, viewer, outsider = member(acme, Role.OWNER), member(acme, Role.VIEWER), member(globex, Role.ADMIN)
    # when the owner creates a token
    client.force_login(owner)
    response = client.post("/api/v1/enrolment-tokens/", {"name": "laptops"}, content_type="application/json")
    # then the secret is shown once, only its hash is stored, and the creation is audited
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["token"].startswith("uce_") and created["active"] is True
    stored = EnrolmentToken.objects.get(pk=created["id"])
    assert created["token"] not in (stored.token_hash, stored.prefix)
    listed = client.get("/api/v1/enrolment-tokens/").json()["results"]
    assert [t["id"] for t in listed] == [created["id"]] and "token" not in listed[0]
    assert AuditEvent.objects.filter(
        tenant=acme, action="enrolment_token.create", target_id=created["id"]
    ).exists()
    # and a viewer may not see or create tokens
    client.force_login(viewer)
    assert client.get("/api/v1/enrolment-tokens/").status_code == 403
    assert (
        client.post("/api/v1/enrolment-tokens/", {"name": "x"}, content_type="application/json").status_code
        == 403
    )
    # and the outsider's tenant knows nothing of it
    client.force_login(outsider)
    assert client.get(f"/api/v1/enrolment-tokens/{created['id']}/").status_code == 404
    assert client.delete(f"/api/v1/enrolment-tokens/{created['id']}/").status_code == 404
    assert client.get("/api/v1/enrolment-tokens/").json()["results"] == []
    # when the owner revokes it
    client.force_login(owner)
    assert client.delete(f"/api/v1/enrolment-tokens/{created['id']}/").status_code == 204
    # then it no longer enrols, and the revocation is audited
    assert _enrol(Client(), created["token"]).status_code == 403
    assert AuditEvent.objects.filter(tenant=acme, action="enrolment_token.revoke").count() == 1


def test_it_refuses_a_nameless_token_with_a_field_error(client: Client) -> None:
    acme = TenantFactory(slug="acme")
    client.force_login(member(acme, Role.ADMIN))
    response = client.post("/api/v1/enrolment-tokens/", {"name": "  "}, content_type="application/json")
    assert response.status_code == 400
    assert "name" in response.json()["errors"]


def test_it_enrols_a_host_into_the_tokens_tenant_with_its_own_credential(client: Client) -> None:
    # given acme's enrolment token
    acme = TenantFactory(slug="acme")
    _, secret = enrolment_token(acme)
    agent_id = uuid.uuid4()
    # when a sensor enrols
    response = _enrol(client, secret, agent_id=str(agent_id))
    # then the host exists in acme with the attributes it sent and a credential that works
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["host_id"] == str(agent_id) and body["tenant"] == "acme"
    host = Host.objects.get(pk=agent_id)
    assert (host.tenant, host.hostname, host.platform, host.tags, host.site) == (
        acme,
        "ws-0001",
        "windows",
        ["finance"],
        "nyc",
    )
    assert post_heartbeats(client, body["credential"], [heartbeat(host)]).json()["accepted"] == 1
    assert AuditEvent.objects.filter(tenant=acme, action="host.enrol", target_id=str(agent_id)).exists()
    assert EnrolmentToken.objects.get(tenant=acme).hosts_enrolled == 1
    # when it enrols again (re-imaged) the credential rotates: the old one stops working
    again = _enrol(client, secret, agent_id=str(agent_id)).json()
    assert again["credential"] != body["credential"]
    assert post_heartbeats(client, body["credential"], [heartbeat(host)]).status_code == 401
    assert Host.objects.filter(pk=agent_id).count() == 1


def test_it_refuses_an_agent_id_enrolled_in_another_tenant(client: Client) -> None:
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    _, acme_secret = enrolment_token(acme)
    _, globex_secret = enrolment_token(globex)
    agent_id = str(uuid.uuid4())
    assert _enrol(client, acme_secret, agent_id=agent_id).status_code == 201
    response = _enrol(client, globex_secret, agent_id=agent_id)
    assert response.status_code == 409
    assert Host.objects.get(pk=agent_id).tenant == acme


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"platform": "beos"}, "platform"),
        ({"hostname": ""}, "hostname"),
        ({"tags": "prod"}, "tags"),
        ({"agent_id": "nope"}, "agent_id"),
    ],
)
def test_it_refuses_bad_enrolment_input_per_field(client: Client, extra: dict, field: str) -> None:
    _, secret = enrolment_token(TenantFactory())
    response = _enrol(client, secret, **extra)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_it_refuses_unknown_and_malformed_enrolment_tokens_alike(client: Client) -> None:
    # given a tenant's API token, which is not an enrolment token
    tenant = TenantFactory()
    _, api_token = api_client_with_token(tenant, [ApiScope.ADMIN])
    for token in ("uce_0123456789ab_" + "y" * 40, "garbage", api_token):
        response = _enrol(client, token)
        assert response.status_code == 403
        assert response.json()["detail"] == "This enrolment token is not valid."
    assert not Host.objects.exists()


def test_it_seeds_a_stable_demo_enrolment_token_per_tenant(client: Client) -> None:
    TenantFactory(slug="acme")
    TenantFactory(slug="globex")
    first = seed({"tenants": ["acme", "globex"]})
    second = seed({"tenants": ["acme", "globex"]})
    assert first == second
    assert [t["tenant"] for t in first["enrolment_tokens"]] == ["acme", "globex"]
    assert first["enrolment_tokens"][0]["token"] == demo_enrolment_token("acme")[0]
    assert _enrol(client, first["enrolment_tokens"][0]["token"]).json()["tenant"] == "acme"

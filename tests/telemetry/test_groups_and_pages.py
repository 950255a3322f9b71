"""Host-group filters through the membership interface, and the enrolment-token page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.test import Client

from console.models import AuditEvent, Role
from telemetry import membership
from telemetry.membership import GroupRef
from telemetry.models import EnrolmentToken
from telemetry.selectors import fleet_snapshot
from tests.factories import HostFactory, TenantFactory, enrolment_token, member

pytestmark = pytest.mark.django_db

FINANCE = uuid.UUID("00000000-0000-0000-0000-00000000f1a0")


class TagGroups:
    """A HostGroupSource where each group is one tag (rollout's real source is rule-based)."""

    def groups(self, tenant_id: uuid.UUID) -> list[GroupRef]:
        return [GroupRef(FINANCE, "Finance")]

    def host_ids_sql(self, tenant_id: uuid.UUID, group_id: uuid.UUID) -> tuple[str, list[object]]:
        return "SELECT id FROM telemetry_host WHERE tenant_id = %s AND %s = ANY(tags)", [tenant_id, "finance"]


@pytest.fixture
def tag_groups() -> Iterator[None]:
    previous = membership.group_source()
    membership.group_source_register(TagGroups())
    yield
    membership._source = previous


def test_it_filters_hosts_and_fleet_health_by_host_group(client: Client, tag_groups: None) -> None:
    # given acme with two finance hosts (one boot-looping) and a globex finance host
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    HostFactory(tenant=acme, hostname="fin-1", tags=["finance"])
    HostFactory(tenant=acme, hostname="fin-2", tags=["finance"], status="boot_loop")
    HostFactory(tenant=acme, hostname="eng-1", tags=["engineering"])
    HostFactory(tenant=globex, hostname="fin-x", tags=["finance"])
    client.force_login(member(acme, Role.VIEWER))
    # when
    listed = client.get(f"/api/v1/hosts/?group={FINANCE}").json()["results"]
    health = client.get(f"/api/v1/fleet/health/?group={FINANCE}").json()
    # then only acme's finance hosts count
    assert [h["hostname"] for h in listed] == ["fin-1", "fin-2"]
    assert health["total"] == 2 and health["status"]["boot_loop"] == 1
    assert health["groups"] == [{"id": str(FINANCE), "name": "Finance"}]
    assert fleet_snapshot(globex.pk, group_id=FINANCE)["total"] == 1
    assert "fin-1" in client.get(f"/hosts/?group={FINANCE}").content.decode()
    dashboard = client.get("/")
    assert dashboard.context["groups"] == [
        {
            "id": str(FINANCE),
            "name": "Finance",
            "total": 2,
            "status": {
                **dict.fromkeys(dashboard.context["groups"][0]["status"], 0),
                "online": 1,
                "boot_loop": 1,
            },
        }
    ]
    assert client.get(f"/api/v1/hosts/?group={uuid.uuid4()}").status_code == 400


def test_it_lets_an_admin_create_and_revoke_tokens_on_the_page(client: Client) -> None:
    # given acme's admin, a viewer and globex's owner
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    admin, viewer, outsider = member(acme, Role.ADMIN), member(acme, Role.VIEWER), member(globex, Role.OWNER)
    client.force_login(admin)
    # when the admin submits an empty name, the error is next to the field and nothing is created
    bad = client.post("/enrolment-tokens/", {"name": ""})
    assert bad.status_code == 400 and 'data-testid="name-error"' in bad.content.decode()
    # when a good one
    created = client.post("/enrolment-tokens/", {"name": "laptops"})
    # then the secret is shown once
    assert created.status_code == 201
    html = created.content.decode()
    assert 'data-testid="token-secret">uce_' in html
    token = EnrolmentToken.objects.get(tenant=acme, name="laptops")
    assert "uce_" not in client.get("/enrolment-tokens/").content.decode()
    # and the viewer and the outsider can neither see nor revoke it
    client.force_login(viewer)
    assert client.get("/enrolment-tokens/").status_code == 403
    assert client.post(f"/enrolment-tokens/{token.pk}/revoke/").status_code == 403
    client.force_login(outsider)
    assert "laptops" not in client.get("/enrolment-tokens/").content.decode()
    assert client.post(f"/enrolment-tokens/{token.pk}/revoke/").status_code == 404
    # when the admin revokes it
    client.force_login(admin)
    response = client.post(f"/enrolment-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(tenant=acme, action="enrolment_token.revoke").count() == 1


def test_it_lists_a_tenants_tokens_only(client: Client) -> None:
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    enrolment_token(acme, name="acme-servers")
    enrolment_token(globex, name="globex-servers")
    client.force_login(member(acme, Role.OWNER))
    html = client.get("/enrolment-tokens/").content.decode()
    assert "acme-servers" in html and "globex-servers" not in html

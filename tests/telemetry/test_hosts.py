"""Hosts: the cursor-paginated, filtered list and the detail, in the API and the pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from console.models import ApiScope, AuditEvent, Role
from telemetry.models import CrashEvent, Host
from tests.factories import HostFactory, TenantFactory, api_client_with_token, host_with_credential, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet() -> dict:
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    hosts = [
        HostFactory(
            tenant=acme, hostname="nyc-001", platform="windows", site="nyc", tags=["finance"], status="online"
        ),
        HostFactory(
            tenant=acme,
            hostname="nyc-002",
            platform="windows",
            site="nyc",
            status="boot_loop",
            content_versions={"rapid_response": "291.4"},
        ),
        HostFactory(
            tenant=acme, hostname="ber-001", platform="linux", site="berlin", sensor_build="7.10.17706"
        ),
        HostFactory(
            tenant=acme, hostname="mac-001", platform="macos", site="berlin", tags=["finance", "exec"]
        ),
    ]
    theirs = HostFactory(tenant=globex, hostname="nyc-999")
    return {"acme": acme, "globex": globex, "hosts": hosts, "theirs": theirs}


def _names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [h["hostname"] for h in response.json()["results"]]


def test_it_lists_only_the_tenants_hosts_by_hostname_to_owner_and_viewer(client: Client, fleet: dict) -> None:
    # given the owner and a viewer of acme, and an outsider
    owner, viewer, outsider = (
        member(fleet["acme"], Role.OWNER),
        member(fleet["acme"], Role.VIEWER),
        member(fleet["globex"]),
    )
    # then owner and viewer see acme's hosts in hostname order, the outsider only globex's
    for user in (owner, viewer):
        client.force_login(user)
        assert _names(client.get("/api/v1/hosts/")) == ["ber-001", "mac-001", "nyc-001", "nyc-002"]
    client.force_login(outsider)
    assert _names(client.get("/api/v1/hosts/")) == ["nyc-999"]
    # and another tenant's host answers 404 exactly like a missing one
    assert client.get(f"/api/v1/hosts/{fleet['hosts'][0].pk}/").status_code == 404
    assert client.get("/api/v1/hosts/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.delete(f"/api/v1/hosts/{fleet['hosts'][0].pk}/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=boot_loop", ["nyc-002"]),
        ("platform=windows", ["nyc-001", "nyc-002"]),
        ("sensor_build=7.10.17706", ["ber-001"]),
        ("content=rapid_response:291.4", ["nyc-002"]),
        ("site=berlin", ["ber-001", "mac-001"]),
        ("tag=finance", ["mac-001", "nyc-001"]),
        ("q=nyc", ["nyc-001", "nyc-002"]),
        ("platform=windows&site=nyc&status=online", ["nyc-001"]),
    ],
)
def test_it_filters_hosts(client: Client, fleet: dict, query: str, expected: list[str]) -> None:
    client.force_login(member(fleet["acme"], Role.VIEWER))
    assert _names(client.get(f"/api/v1/hosts/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=dead", "status"),
        ("platform=beos", "platform"),
        ("content=291.4", "content"),
        ("group=nope", "group"),
    ],
)
def test_it_names_a_bad_filter(client: Client, fleet: dict, query: str, field: str) -> None:
    client.force_login(member(fleet["acme"]))
    response = client.get(f"/api/v1/hosts/?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_it_pages_with_a_cursor(client: Client) -> None:
    # given 25 hosts, some sharing a hostname
    tenant = TenantFactory()
    for n in range(22):
        HostFactory(tenant=tenant, hostname=f"h-{n:03d}")
    for _ in range(3):
        HostFactory(tenant=tenant, hostname="h-010")
    _, token = api_client_with_token(tenant, [ApiScope.READ])
    # when walking the pages of 10
    seen: list[str] = []
    url = "/api/v1/hosts/?page_size=10"
    while url:
        body = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").json()
        seen += [h["id"] for h in body["results"]]
        url = body["next"]
    # then every host comes exactly once
    assert len(seen) == 25 == len(set(seen))


def test_it_shows_a_host_with_its_recent_crashes_and_lets_an_admin_delete_it(
    client: Client, fleet: dict
) -> None:
    host = fleet["hosts"][1]
    CrashEvent.objects.create(
        tenant=fleet["acme"],
        host=host,
        occurred_at=datetime.now(UTC),
        component="csagent.sys",
        category="rapid_response",
        content_version="291.4",
    )
    viewer, admin = member(fleet["acme"], Role.VIEWER), member(fleet["acme"], Role.ADMIN)
    client.force_login(viewer)
    body = client.get(f"/api/v1/hosts/{host.pk}/").json()
    assert body["hostname"] == "nyc-002" and body["status"] == "boot_loop"
    assert body["recent_crashes"][0]["content_version"] == "291.4"
    assert "credential_hash" not in body and "credential_prefix" not in body
    assert client.delete(f"/api/v1/hosts/{host.pk}/").status_code == 403
    client.force_login(admin)
    assert client.delete(f"/api/v1/hosts/{host.pk}/").status_code == 204
    assert not Host.objects.filter(pk=host.pk).exists()
    assert AuditEvent.objects.filter(
        tenant=fleet["acme"], action="host.delete", target_id=str(host.pk)
    ).exists()


def test_it_does_not_let_a_host_credential_see_hosts(client: Client, fleet: dict) -> None:
    # given a host with its own credential
    host, credential = host_with_credential(fleet["acme"], hostname="self-001")
    neighbour = fleet["hosts"][0]
    # then it can read neither the list, its neighbour nor even itself through the tenant API
    for url in (
        "/api/v1/hosts/",
        f"/api/v1/hosts/{neighbour.pk}/",
        f"/api/v1/hosts/{host.pk}/",
        "/api/v1/fleet/health/",
    ):
        for auth in (f"Bearer {credential}", f"Host {host.pk}:{credential}"):
            response = client.get(url, HTTP_AUTHORIZATION=auth)
            assert response.status_code in (401, 403), (url, auth, response.status_code)


def test_it_renders_the_hosts_page_with_filters_and_keyset_pages(client: Client, fleet: dict) -> None:
    for n in range(55):
        HostFactory(tenant=fleet["acme"], hostname=f"zz-{n:03d}", platform="linux")
    client.force_login(member(fleet["acme"], Role.VIEWER))
    first = client.get("/hosts/?platform=linux")
    assert first.status_code == 200
    html = first.content.decode()
    assert "ber-001" in html and "zz-048" in html and "zz-049" not in html and "nyc-001" not in html
    next_link = first.context["next_query"]
    assert "platform=linux" in next_link
    second = client.get(f"/hosts/?{next_link}").content.decode()
    assert "zz-049" in second and "zz-054" in second and "ber-001" not in second
    bad = client.get("/hosts/?status=dead")
    assert bad.status_code == 200 and "One of online" in bad.content.decode()


def test_it_renders_a_host_page_and_404s_across_tenants(client: Client, fleet: dict) -> None:
    client.force_login(member(fleet["acme"], Role.VIEWER))
    assert "nyc-002" in client.get(f"/hosts/{fleet['hosts'][1].pk}/").content.decode()
    assert client.get(f"/hosts/{fleet['theirs'].pk}/").status_code == 404
    client.force_login(member(fleet["globex"], Role.OWNER))
    assert client.get(f"/hosts/{fleet['hosts'][1].pk}/").status_code == 404

"""Every list of the rollout API is a cursor page: automation walks ``next`` until it is null and
sees every object once, however many there are (no list is cut at 200 or 500)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from console.access import Actor
from console.models import ApiScope
from rollout.controls.windows import window_create
from rollout.models import ContentCategory, TemplateType
from rollout.notifications.webhooks import webhook_create
from rollout.policies.defaults import policy_defaults_ensure
from rollout.policies.services import sensor_policy_create
from rollout.rings.admin import rings_defaults_ensure
from tests.factories import api_client_with_token, host_group, rollout_catalog
from tests.rollout.conftest import TenantWorld, session

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
TENANT_LISTS = (
    "/api/v1/host-groups/",
    "/api/v1/windows/",
    "/api/v1/webhooks/",
    "/api/v1/rings/",
    "/api/v1/sensor-policies/",
    "/api/v1/content-policies/",
)
VENDOR_LISTS = ("/api/v1/vendor/content-categories/", "/api/v1/vendor/template-types/")
BUILDS = "/api/v1/vendor/sensor-builds/"


def walk(client: Client, url: str, page_size: int) -> tuple[list[Any], int]:
    """Every item of a list, following ``next``; and how many pages it took."""
    items: list[Any] = []
    pages = 0
    link: str | None = f"{url}?page_size={page_size}"
    while link:
        response = client.get(link)
        assert response.status_code == 200, (link, response.content[:300])
        body = response.json()
        assert {"next", "previous", "results"} <= set(body), url
        items += body["results"]
        pages += 1
        link = body["next"]
        assert pages < 50, f"{url} does not end"
    return items, pages


@pytest.fixture
def world(tenant_world: TenantWorld) -> TenantWorld:
    # given three or more of everything a tenant lists
    tenant = tenant_world.tenant
    rollout_catalog(platforms=("windows", "linux"))
    ContentCategory.objects.create(key="allow_block_lists", name="Allow/block lists")
    policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    rings_defaults_ensure(tenant=tenant, actor=SYSTEM)
    for n in range(3):
        host_group(tenant, name=f"group {n}")
        window_create(
            tenant=tenant,
            actor=SYSTEM,
            data={
                "name": f"w{n}",
                "weekdays": [n],
                "start": "02:00",
                "duration_minutes": 60,
                "timezone": "UTC",
            },
        )
        webhook_create(tenant=tenant, actor=SYSTEM, name=f"hook {n}", url=f"https://hooks{n}.example.com/in")
        sensor_policy_create(
            tenant=tenant,
            actor=SYSTEM,
            name=f"windows {n}",
            platform="windows",
            target="n-1",
            update_blocks=[],
            timezone_name="UTC",
            uninstall_protection=True,
            group_ids=[],
        )
    # and one of each in another tenant, which must never show
    other = tenant_world.other_tenant
    host_group(other, name="globex group")
    return tenant_world


@pytest.mark.parametrize("url", TENANT_LISTS)
def test_it_pages_through_every_tenant_list(world: TenantWorld, url: str) -> None:
    client = session(world.owner)
    everything = client.get(f"{url}?page_size=1000").json()["results"]
    assert len(everything) >= 3
    # when automation walks the list two at a time
    items, pages = walk(client, url, page_size=2)
    # then it took several pages and saw each object once, in the list's own order
    assert pages >= 2
    assert [i["id"] for i in items] == [i["id"] for i in everything]


def test_it_keeps_precedence_order_across_pages(world: TenantWorld) -> None:
    # when the sensor policies are walked one per page
    items, _ = walk(session(world.owner), "/api/v1/sensor-policies/", page_size=1)
    # then each platform's policies come in precedence order, its default last
    windows = [i for i in items if i["platform"] == "windows"]
    assert [i["name"] for i in windows[:3]] == ["windows 0", "windows 1", "windows 2"]
    assert windows[-1]["is_default"] is True


def test_it_pages_the_vendor_lists() -> None:
    # given three categories and three template types
    rollout_catalog()
    ContentCategory.objects.create(key="allow_block_lists", name="Allow/block lists")
    for n in range(2):
        TemplateType.objects.create(name=f"Template {n}", field_types=["str"], min_sensor_build="7.09.100")
    _, token = api_client_with_token(None, [ApiScope.VENDOR], name="vendor-release-pipeline")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for url in VENDOR_LISTS:
        # when the vendor walks the list two at a time
        items, pages = walk(client, url, page_size=2)
        # then every one is there, over two pages
        assert pages == 2 and len(items) == 3, url


def test_it_pages_the_sensor_builds_with_their_n_levels_on_every_page() -> None:
    # given six builds of one platform
    rollout_catalog()
    _, token = api_client_with_token(None, [ApiScope.VENDOR], name="vendor-release-pipeline")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    # when the vendor walks them four at a time
    first = client.get(f"{BUILDS}?page_size=4").json()
    items, pages = walk(client, BUILDS, page_size=4)
    # then all six come, once each, over two pages, and each page says what N, N-1, N-2 are
    assert pages == 2 and len(items) == 6
    assert first["n_levels"]["windows"][0] == "7.11.200"
    assert len({i["id"] for i in items}) == 6

"""Lists the API used to cap silently (pauses and freezes at 200, group members at 500, rollouts
at 200, vendor releases at 500) are cursor-paginated through the one shared class: every object is
reachable page by page, none twice, and the outsider sees none of them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from console.models import ApiScope
from rollout.models import Freeze, Pause
from tests.factories import HostFactory, TenantFactory, api_client_with_token, host_group

pytestmark = pytest.mark.django_db


def _token_client(tenant: Any) -> Client:
    _, token = api_client_with_token(tenant, [ApiScope.READ])
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _walk(client: Client, url: str) -> list[dict[str, Any]]:
    """Every item of a paginated list, following ``next`` two at a time."""
    items: list[dict[str, Any]] = []
    next_url: str | None = f"{url}?page_size=2"
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.content
        page = response.json()
        assert set(page) == {"next", "previous", "results"}
        assert len(page["results"]) <= 2
        items += page["results"]
        next_url = page["next"]
    return items


@pytest.fixture
def world() -> dict[str, Any]:
    tenant, other = TenantFactory(slug="paged"), TenantFactory(slug="outsider")
    now = timezone.now()
    for i in range(5):
        Pause.objects.create(
            tenant=tenant, scope="sensor", reason=f"p{i}", created_at=now - timedelta(minutes=i)
        )
        Freeze.objects.create(
            tenant=tenant,
            reason=f"f{i}",
            starts_at=now + timedelta(days=i),
            ends_at=now + timedelta(days=i + 1),
        )
    hosts = [HostFactory(tenant=tenant, tags=["prod"]) for _ in range(5)]
    group = host_group(tenant, rule_text="tag:prod")
    return {"tenant": tenant, "other": other, "hosts": hosts, "group": group}


@pytest.mark.parametrize(
    ("path", "count", "key"),
    [("/api/v1/pauses/", 5, "reason"), ("/api/v1/freezes/", 5, "reason"), ("members", 5, "hostname")],
)
def test_it_pages_through_every_item_once(world: dict[str, Any], path: str, count: int, key: str) -> None:
    # given a tenant with more items than one page
    url = f"/api/v1/host-groups/{world['group'].pk}/members" if path == "members" else path
    # when its owner's automation walks the pages two at a time
    items = _walk(_token_client(world["tenant"]), url)
    # then every item comes once
    assert len(items) == count
    assert len({item["id"] for item in items}) == count


def test_it_pages_pauses_newest_first_and_freezes_latest_first(world: dict[str, Any]) -> None:
    client = _token_client(world["tenant"])
    assert [p["reason"] for p in _walk(client, "/api/v1/pauses/")] == [f"p{i}" for i in range(5)]
    assert [f["reason"] for f in _walk(client, "/api/v1/freezes/")] == [f"f{i}" for i in reversed(range(5))]


def test_it_shows_the_outsider_none_of_it(world: dict[str, Any]) -> None:
    outsider = _token_client(world["other"])
    assert _walk(outsider, "/api/v1/pauses/") == []
    assert _walk(outsider, "/api/v1/freezes/") == []
    assert outsider.get(f"/api/v1/host-groups/{world['group'].pk}/members").status_code == 404


def test_it_answers_a_bad_cursor_with_a_problem(world: dict[str, Any]) -> None:
    response = _token_client(world["tenant"]).get("/api/v1/pauses/?cursor=not-a-cursor")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")

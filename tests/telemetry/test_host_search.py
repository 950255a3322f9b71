"""Finding a host (issue 15): by any part of its hostname in any case ("-srv-", "WIN"), served by
a trigram index, or by its id; the filters stay in the page's URL and the page and the API say how
many hosts match. The outsider finds none of them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from console.models import Role
from telemetry.models import Host
from telemetry.selectors import host_filters_apply
from tests.conftest import browser_login
from tests.console.test_layout_browser import PHONE
from tests.factories import PASSWORD, HostFactory, TenantFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet() -> dict[str, Any]:
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    names = ["nyc-srv-01.corp", "nyc-srv-02.corp", "WIN-finance-7", "ber-win-desk", "mac-exec-1"]
    hosts = {name: HostFactory(tenant=acme, hostname=name, platform="windows") for name in names}
    theirs = HostFactory(tenant=globex, hostname="globex-srv-01")
    return {"acme": acme, "globex": globex, "hosts": hosts, "theirs": theirs}


def _api(client: Client, query: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/hosts/?{query}")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def test_it_finds_hosts_by_any_part_of_the_name_in_any_case_and_by_id(client: Client, fleet: dict) -> None:
    # given a viewer of acme
    client.force_login(member(fleet["acme"], Role.VIEWER))
    # when they search for the middle of a name, or a word in another case
    srv = _api(client, "q=-srv-")
    win = _api(client, "q=win")
    # then every host containing it is found, and the total says how many
    assert [h["hostname"] for h in srv["results"]] == ["nyc-srv-01.corp", "nyc-srv-02.corp"]
    assert srv["count"] == 2 and srv["count_is_lower_bound"] is False
    assert [h["hostname"] for h in win["results"]] == ["WIN-finance-7", "ber-win-desk"]
    # and a host id pasted from an alert finds that host
    mac = fleet["hosts"]["mac-exec-1"]
    assert [h["hostname"] for h in _api(client, f"q={mac.pk}")["results"]] == ["mac-exec-1"]
    # and another tenant's host is found neither by name nor by id
    assert _api(client, "q=globex")["count"] == 0
    assert _api(client, f"q={fleet['theirs'].pk}")["results"] == []


def test_it_keeps_the_search_in_the_page_url_with_the_total(client: Client, fleet: dict) -> None:
    client.force_login(member(fleet["acme"], Role.VIEWER))
    # when the hosts page is asked for "-srv-" on windows
    response = client.get("/hosts/?q=-srv-&platform=windows")
    html = response.content.decode()
    # then it lists the two, says so, and the form keeps what was searched
    assert "nyc-srv-01.corp" in html and "nyc-srv-02.corp" in html and "WIN-finance-7" not in html
    assert "2 hosts match" in html
    assert 'value="-srv-"' in html and '<option value="windows" selected>' in html


def test_it_searches_substrings_through_the_trigram_index(fleet: dict) -> None:
    # given the search as the selector builds it (without the tenant, whose index a small test
    # table would be read through instead), and the planner told not to scan the whole table
    queryset = host_filters_apply(Host.objects.all(), tenant_id=fleet["acme"].pk, params={"q": "-srv-"})
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # then the substring match is answered by the hostname trigram index
    assert "host_hostname_trgm" in plan, plan


@pytest.mark.browser
def test_it_searches_from_a_phone_without_sideways_scrolling(
    live_server: Any, browser: Any, fleet: dict
) -> None:
    member(fleet["acme"], Role.VIEWER, username="viewer@acme.example")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    browser_login(page, live_server.url, "viewer@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/hosts/")
    page.fill("#f-q", "WIN")
    page.click("[data-testid=host-filters] button[type=submit]")
    page.wait_for_url("**/hosts/?q=WIN*")
    assert page.locator("[data-testid=host-total]").inner_text().startswith("2 hosts match")
    assert page.locator("[data-testid=host-table] tbody tr").count() == 2
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

"""One navigation (issue 15): on a phone the pages are listed once, behind the Menu button, not a
second time as a sub-menu under the header; and the pages reached from it fit 390 px."""

from __future__ import annotations

import json
from typing import Any

import pytest

from console.access import Actor
from console.models import Role
from rollout.policies.defaults import policy_defaults_ensure
from rollout.rings.admin import rings_defaults_ensure
from tests.conftest import ARTIFACTS, browser_login
from tests.console.test_layout_browser import PHONE, WIDEST, axe_serious, slug
from tests.factories import (
    PASSWORD,
    HostFactory,
    TenantFactory,
    UserFactory,
    content_release,
    member,
    rollout_catalog,
)

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.fixture
def acme() -> dict[str, Any]:
    catalog = rollout_catalog(lines=("7.10", "7.11"))
    content_release(catalog["rapid_response"], "291.3")
    tenant = TenantFactory(slug="acme", name="Acme Corporation", timezone="America/New_York")
    policy_defaults_ensure(tenant=tenant, actor=Actor.system("t"))
    rings_defaults_ensure(tenant=tenant, actor=Actor.system("t"))
    HostFactory(tenant=tenant, hostname="finance-ws-1.corp.acme.example", sensor_build="7.11.200")
    member(tenant, Role.ADMIN, username="admin@acme.example")
    UserFactory(username="re@vendor.example", vendor_role="release_engineer")
    return {"tenant": tenant}


def test_it_lists_every_page_once_on_a_phone(acme: dict[str, Any], live_server: Any, browser: Any) -> None:
    # given an admin on a phone
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    # when they open a rollout page
    page.goto(f"{live_server.url}/rollout/pauses/")
    # then there is one navigation, folded: no sub-menu repeating it above the page
    assert page.locator("nav").count() == 1
    assert page.locator("a[href='/rollout/pauses/']").count() == 1
    assert page.locator("main a[href='/rollout/groups/']").count() == 0
    # and the pages the sub-menu used to carry are in the menu
    page.click("[data-testid=nav-toggle]")
    for path in ("/rollout/rings/", "/rollout/policy-as-code/", "/rollout/webhooks/", "/rollout/sync/"):
        assert page.locator(f"#mainnav a[href='{path}']").is_visible(), path
    # and the open menu marks where they are
    assert page.locator("#mainnav a[aria-current=page]").get_attribute("href") == "/rollout/pauses/"
    context.close()


def test_it_fits_390_px_on_the_pages_of_the_menu(
    acme: dict[str, Any], live_server: Any, browser: Any
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    problems: dict[str, Any] = {}
    for user, paths in (
        ("admin@acme.example", ["/rollout/policy-as-code/", "/rollout/webhooks/", "/rollout/sync/",
                                "/rollout/rings/", "/rollout/policies/", "/rollout/windows/", "/audit/"]),
        ("re@vendor.example", ["/vendor/catalog/"]),
    ):  # fmt: skip
        context = browser.new_context(viewport=PHONE, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(20_000)
        browser_login(page, live_server.url, user, PASSWORD)
        for path in paths:
            # when the page is opened on a phone
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("networkidle")
            # then nothing scrolls sideways and axe finds nothing critical or serious
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems[f"{path} scrollWidth"] = [width, page.evaluate(WIDEST)]
            violations = axe_serious(page)
            if violations:
                problems[f"{path} axe"] = violations
            page.screenshot(path=str(ARTIFACTS / f"nav-phone-{slug(path)}.png"), full_page=True)
        context.close()
    assert not problems, json.dumps(problems, indent=1, default=str)

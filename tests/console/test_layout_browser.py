"""The pages of a 3 a.m. journey on a phone (390x844) and a desktop (1280x800): nothing scrolls
sideways, the navigation folds behind a Menu button, the header stays readable, and axe-core finds
no critical or serious accessibility violation. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from console.access import Actor
from console.models import Role, SupportGrant
from rollout.controls.pauses import pause_create
from rollout.controls.windows import window_create
from rollout.groups.services import host_group_create
from rollout.policies.defaults import policy_defaults_ensure
from tests.conftest import ARTIFACTS, browser_login
from tests.console.conftest import staff
from tests.factories import PASSWORD, HostFactory, TenantFactory, content_release, member, rollout_catalog

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

AXE = Path(__file__).resolve().parent.parent / "assets" / "axe-4.14.1.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def acme() -> dict[str, Any]:
    catalog = rollout_catalog(lines=("7.10", "7.11"))
    content_release(catalog["rapid_response"], "291.3")
    tenant = TenantFactory(slug="acme", name="Acme Corporation", timezone="America/New_York")
    system = Actor.system("t")
    policy_defaults_ensure(tenant=tenant, actor=system)
    for i in range(6):
        HostFactory(
            tenant=tenant,
            hostname=f"finance-workstation-with-a-long-name-{i}.corp.acme.example",
            tags=["finance", "prod"],
            sensor_build="7.11.200",
        )
    group = host_group_create(tenant=tenant, actor=system, name="finance", rule_text="tag:finance").obj
    window_create(
        tenant=tenant,
        actor=system,
        data={"name": "nights", "weekdays": [0, 1, 2, 3, 4], "start": "01:00", "duration_minutes": 120,
              "timezone": "America/New_York"},
    )  # fmt: skip
    pause_create(tenant=tenant, actor=system, scope="tenant", reason="bad channel file 291")
    member(tenant, Role.ADMIN, username="admin@acme.example")
    return {"tenant": tenant, "group": group, "host": tenant.hosts.first()}


def journey(acme: dict[str, Any]) -> list[str]:
    return [
        "/",
        "/hosts/",
        f"/hosts/{acme['host'].pk}/",
        "/rollout/groups/",
        f"/rollout/groups/{acme['group'].pk}/",
        "/rollout/policies/",
        "/rollout/windows/",
        "/rollout/pauses/",
        "/rollout/rings/",
        "/rollout/rollouts/",
        "/audit/",
        "/members/",
    ]


@pytest.fixture
def contexts(browser: Any) -> Iterator[dict[str, Any]]:
    made = {
        name: browser.new_context(viewport=size, bypass_csp=True)
        for name, size in (("phone", PHONE), ("desktop", DESKTOP))
    }
    yield made
    for context in made.values():
        context.close()


def axe_serious(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result
        if v["impact"] in ("critical", "serious")
    ]


# what sticks out to the right (the deepest elements), to say why a page scrolls sideways
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 391 && ![...e.children].some(c => c.getBoundingClientRect().right > 391))
  .slice(0, 4).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40))"""


def slug(path: str) -> str:
    """A file name for ``path``, the same every run (an id becomes ``detail``)."""
    return re.sub(r"[0-9a-f-]{36}", "detail", path).strip("/").replace("/", "_") or "home"


def test_it_fits_a_phone_and_passes_axe_on_every_page_of_the_journey(
    acme: dict[str, Any], live_server: Any, contexts: dict[str, Any]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    problems: dict[str, Any] = {}
    for name, context in contexts.items():
        page = context.new_page()
        page.set_default_timeout(20_000)
        browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
        for path in journey(acme):
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("networkidle")
            if name == "phone":
                width = page.evaluate("() => document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    problems[f"{name} {path} scrollWidth"] = [width, page.evaluate(WIDEST)]
                # the folded navigation leaves the screen to the page; the header is on its dark bar
                header = page.locator("header.topbar").bounding_box()
                assert header is not None
                if header["height"] > 140:
                    problems[f"{name} {path} header height"] = header["height"]
                who = page.locator(".who").bounding_box()
                if who is None or who["y"] + who["height"] > header["y"] + header["height"] + 1:
                    problems[f"{name} {path} user name outside the header"] = who
            # people's words: no Python or machine values in what the page says
            text = page.locator("main").inner_text()
            said = [word for word in (" None", "boot_loop", "{'", "rapid_response ") if word in text]
            if said:
                problems[f"{name} {path} words"] = said
            violations = axe_serious(page)
            if violations:
                problems[f"{name} {path} axe"] = violations
            page.screenshot(path=str(ARTIFACTS / f"journey-{name}-{slug(path)}.png"), full_page=True)
        page.close()
    assert not problems, json.dumps(problems, indent=1, default=str)


def test_it_opens_the_folded_navigation_with_the_menu_button(
    acme: dict[str, Any], live_server: Any, contexts: dict[str, Any]
) -> None:
    page = contexts["phone"].new_page()
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/")
    assert not page.locator("#mainnav a[href='/rollout/pauses/']").is_visible()
    page.click("[data-testid=nav-toggle]")
    assert page.get_attribute("[data-testid=nav-toggle]", "aria-expanded") == "true"
    page.click("#mainnav a[href='/rollout/pauses/']")
    page.wait_for_url("**/rollout/pauses/")
    # on a desktop the navigation is simply there
    desktop = contexts["desktop"].new_page()
    browser_login(desktop, live_server.url, "admin@acme.example", PASSWORD)
    assert desktop.locator("#mainnav a[href='/rollout/pauses/']").is_visible()
    assert not desktop.locator("[data-testid=nav-toggle]").is_visible()


def test_it_passes_axe_in_a_read_only_support_session(
    acme: dict[str, Any], live_server: Any, contexts: dict[str, Any]
) -> None:
    # given vendor support acting in acme under a read-only grant (the purple banner with its id)
    now = timezone.now()
    grant = SupportGrant.objects.create(
        tenant=acme["tenant"],
        staff=staff(username="support@vendor.example"),
        scope="read",
        reason="case 42",
        starts_at=now,
        expires_at=now + timedelta(hours=1),
        approved_by=member(acme["tenant"], Role.OWNER),
    )
    problems: dict[str, Any] = {}
    for name, context in contexts.items():
        page = context.new_page()
        browser_login(page, live_server.url, "support@vendor.example", PASSWORD)
        page.goto(f"{live_server.url}/vendor/")
        page.evaluate(
            """async (url) => fetch(url, {method: 'POST', headers: {'X-CSRFToken':
                 document.querySelector('meta[name=csrf-token]').content}})""",
            f"/vendor/grants/{grant.pk}/enter/",
        )
        for path in ("/", "/rollout/pauses/", "/audit/"):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            assert page.locator("[data-testid=support-banner]").count() == 1
            if (
                name == "phone"
                and page.evaluate("() => document.documentElement.scrollWidth") > PHONE["width"]
            ):
                problems[f"{name} {path} scrollWidth"] = page.evaluate(WIDEST)
            violations = axe_serious(page)
            if violations:
                problems[f"{name} {path} axe"] = violations
            page.screenshot(path=str(ARTIFACTS / f"support-{name}-{slug(path)}.png"), full_page=True)
        page.close()
    assert not problems, json.dumps(problems, indent=1, default=str)

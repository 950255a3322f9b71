"""Live rollout progress, the dashboard overview and the notification centre in Chromium: a halt
changes the rollout's page without a reload (never "In ring" under a "halted" banner), the dashboard
lists running rollouts and pauses, a notification survives a reload until it is marked read, and
axe-core finds no critical or serious violation on these pages at 1280x800 and 390x844.
Screenshots go to test-artifacts/uilive-*.png."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from console.access import Actor
from console.models import AuditEvent, Role
from rollout.controls.pauses import pause_create
from rollout.models import Rollout
from rollout.rings.transitions import rollout_halt, rollout_promote, rollout_resume
from tests.conftest import ARTIFACTS, browser_login
from tests.console.test_layout_browser import DESKTOP, PHONE, WIDEST, axe_serious
from tests.factories import PASSWORD, content_release, member, rollout_catalog
from tests.rollout.rings.test_transitions import rollout_in_ring_1, staged_tenant

pytestmark = [pytest.mark.browser]
SYSTEM = Actor.system("test")


@pytest.fixture
def w(db: None) -> dict[str, Any]:
    """acme with three percentage rings, 40 hosts, an operator and a rollout in its first ring.
    Requested before ``page``: building it publishes to the channel layer, which cannot happen in a
    thread where Playwright's event loop runs."""
    slug = "acme"
    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    release = content_release(catalog["rapid_response"], "291.4", stage="canary")
    tenant = staged_tenant(slug, hosts=40)
    member(tenant, Role.OPERATOR, username=f"operator@{slug}.example")
    return {"tenant": tenant, "rollout": rollout_in_ring_1(release, tenant)}


def in_a_thread(change: Callable[[], Any]) -> None:
    """Runs a service the way a worker would: Playwright owns this thread's event loop, and
    publishing to the channel layer needs one of its own."""

    def run() -> None:
        from django.db import connection

        try:
            change()
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()


@pytest.mark.django_db(transaction=True)
def test_it_changes_a_rollout_page_from_in_ring_to_halted_live_without_a_reload(
    w: dict[str, Any], asgi_server: str, page: Any
) -> None:
    # given an operator on the page of a rollout in its first ring, with the events socket live
    rollout: Rollout = w["rollout"]
    browser_login(page, asgi_server, "operator@acme.example", PASSWORD)
    page.goto(f"{asgi_server}/rollout/rollouts/{rollout.pk}/")
    page.wait_for_selector("body[data-events=live]")
    assert page.locator("[data-testid=rollout-state]").inner_text() == "In ring"
    assert page.locator("[data-testid=rollout-headline]").inner_text() == "In ring 1 of 3 (canary)"
    assert page.locator("[data-testid=ring-step]").count() == 3
    page.evaluate("() => { window.notReloaded = true; }")
    page.fill("#rollback-reason", "half-typed reason")
    # when someone else halts it (another tab, the API, the gate tick)
    in_a_thread(
        lambda: rollout_halt(tenant=w["tenant"], actor=SYSTEM, rollout=rollout, reason="canary looks wrong")
    )
    # then the banner and the page agree, without a reload
    expect(page.locator("[data-testid=rollout-state]")).to_have_text("Halted")
    assert "halted" in page.locator("[data-testid=rollout-notification]").first.inner_text().lower()
    assert page.locator("[data-testid=rollout-headline]").inner_text() == "Halted in ring 1 of 3 (canary)"
    assert page.locator("[data-testid=ring-step]").first.get_attribute("data-status") == "halted"
    assert "canary looks wrong" in page.locator("[data-testid=halted-reason]").inner_text()
    assert (
        page.locator("[data-testid=halt]").count() == 0 and page.locator("[data-testid=resume]").count() == 1
    )
    assert page.evaluate("() => window.notReloaded === true")
    assert page.input_value("#rollback-reason") == "half-typed reason"  # what the operator typed stays
    # and after a resume, a promotion (a ring advance, which sends no banner) moves the stepper live too
    in_a_thread(lambda: rollout_resume(tenant=w["tenant"], actor=SYSTEM, rollout=rollout))
    expect(page.locator("[data-testid=rollout-state]")).to_have_text("In ring")
    in_a_thread(lambda: rollout_promote(tenant=w["tenant"], actor=SYSTEM, rollout=rollout))
    expect(page.locator("[data-testid=rollout-headline]")).to_have_text("In ring 2 of 3 (early)")
    assert page.locator("[data-testid=ring-step]").first.get_attribute("data-status") == "done"
    assert page.evaluate("() => window.notReloaded === true")
    page.screenshot(path=str(ARTIFACTS / "uilive-rollout-live.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_it_updates_the_rollouts_list_live(w: dict[str, Any], asgi_server: str, page: Any) -> None:
    browser_login(page, asgi_server, "operator@acme.example", PASSWORD)
    page.goto(f"{asgi_server}/rollout/rollouts/")
    page.wait_for_selector("body[data-events=live]")
    assert page.locator("[data-testid=rollout-row]").get_attribute("data-state") == "in_ring"
    in_a_thread(lambda: rollout_halt(tenant=w["tenant"], actor=SYSTEM, rollout=w["rollout"], reason="stop"))
    expect(page.locator("[data-testid=rollout-row]")).to_have_attribute("data-state", "halted")
    assert page.locator("[data-testid=rollout-row] [data-testid=rollout-state]").inner_text() == "Halted"


@pytest.mark.django_db
def test_it_lists_an_active_rollout_and_a_pause_on_the_dashboard(
    w: dict[str, Any], live_server: Any, page: Any
) -> None:
    # given a rollout in its first ring and a paused host group... here the whole tenant
    in_a_thread(
        lambda: pause_create(tenant=w["tenant"], actor=SYSTEM, scope="sensor", reason="driver regression")
    )
    browser_login(page, live_server.url, "operator@acme.example", PASSWORD)
    # when the operator opens the dashboard
    page.goto(f"{live_server.url}/")
    # then the overview sits next to the fleet cards with the rollout's progress and the pause
    rollout = page.locator("[data-testid=overview-rollout]")
    expect(rollout).to_have_count(1)
    assert "291.4" in rollout.inner_text() and "In ring 1 of 3 (canary)" in rollout.inner_text()
    assert "% deployed" in rollout.inner_text()
    pause = page.locator("[data-testid=overview-pause]")
    assert "sensor updates" in pause.inner_text() and "driver regression" in pause.inner_text()
    assert page.locator("[data-testid=overview-sync]").count() == 1
    assert page.locator("[data-testid=fleet-total]").count() == 1


@pytest.mark.django_db
def test_it_keeps_a_notification_through_a_reload_until_it_is_marked_read(
    w: dict[str, Any], live_server: Any, page: Any
) -> None:
    # given acme paused while nobody was looking (the live banner went nowhere)
    in_a_thread(
        lambda: pause_create(tenant=w["tenant"], actor=SYSTEM, scope="tenant", reason="bad channel file 291")
    )
    browser_login(page, live_server.url, "operator@acme.example", PASSWORD)
    # when the operator opens the console, and reloads
    page.goto(f"{live_server.url}/rollout/rollouts/")
    expect(page.locator("[data-testid=bell-count]")).to_have_text("1")
    page.reload()
    expect(page.locator("[data-testid=bell-count]")).to_have_text("1")
    # then the notification centre lists it, also after a reload
    page.click("[data-testid=bell]")
    page.wait_for_url("**/notifications/")
    page.reload()
    row = page.locator("[data-testid=notification]")
    assert row.count() == 1 and row.get_attribute("data-read") == "0"
    assert "Paused: everything (bad channel file 291)" in row.inner_text()
    # and marking it read drops the count, audited under the operator's name
    page.click("[data-testid=mark-read]")
    page.wait_for_selector("[data-testid=notification][data-read='1']")
    expect(page.locator("[data-testid=bell]")).to_have_attribute("data-unread", "0")
    assert page.locator("[data-testid=bell-count]").count() == 0
    assert AuditEvent.objects.filter(tenant=w["tenant"], action="notification.read").count() == 1


@pytest.mark.django_db
def test_it_passes_axe_and_fits_a_phone_on_the_progress_pages(
    w: dict[str, Any], live_server: Any, browser: Any
) -> None:
    # given a halted rollout, a running one, a pause and a notification
    in_a_thread(
        lambda: rollout_halt(
            tenant=w["tenant"], actor=SYSTEM, rollout=w["rollout"], reason="crashes in canary"
        )
    )
    in_a_thread(
        lambda: pause_create(tenant=w["tenant"], actor=SYSTEM, scope="sensor", reason="driver regression")
    )
    paths = ["/", "/rollout/rollouts/", f"/rollout/rollouts/{w['rollout'].pk}/", "/notifications/"]
    names = ["dashboard", "rollouts", "rollout", "notifications"]
    problems: dict[str, Any] = {}
    ARTIFACTS.mkdir(exist_ok=True)
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=size, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(20_000)
        browser_login(page, live_server.url, "operator@acme.example", PASSWORD)
        for path, name in zip(paths, names, strict=True):
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("networkidle")
            if path == "/":
                page.wait_for_selector("[data-testid=overview]")
            if (
                size_name == "phone"
                and page.evaluate("() => document.documentElement.scrollWidth") > size["width"]
            ):
                problems[f"{size_name} {path} scrollWidth"] = page.evaluate(WIDEST)
            violations = axe_serious(page)
            if violations:
                problems[f"{size_name} {path} axe"] = violations
            page.screenshot(path=str(ARTIFACTS / f"uilive-{size_name}-{name}.png"), full_page=True)
        context.close()
    assert not problems, json.dumps(problems, indent=1, default=str)

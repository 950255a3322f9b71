"""A vendor stage move of a content release is never one click: the page names the stage it moves
to, what it reaches (tenants and hosts of the canary cohort) and asks for a reason, kept in the
audit log. Halt is offered only for a release some tenant is rolling out."""

from __future__ import annotations

from typing import Any

import pytest

from console.access import Actor
from console.models import AuditEvent
from rollout.models import ContentRelease
from rollout.rings.admin import rings_defaults_ensure
from tests.conftest import browser_login
from tests.factories import (
    PASSWORD,
    HostFactory,
    TenantFactory,
    UserFactory,
    content_release,
    rollout_catalog,
)

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.fixture
def world() -> dict[str, Any]:
    catalog = rollout_catalog(lines=("7.10", "7.11"))
    content_release(catalog["rapid_response"], "291.3")
    ga = ContentRelease.objects.get(version="291.3")
    fresh = content_release(catalog["rapid_response"], "291.4", stage="internal")
    acme = TenantFactory(slug="acme", name="Acme Corporation")
    TenantFactory(slug="globex", name="Globex")  # no rings: not in the canary cohort
    for i in range(3):
        HostFactory(tenant=acme, hostname=f"web-{i}", sensor_build="7.11.200")
    rings_defaults_ensure(tenant=acme, actor=Actor.system("t"))
    UserFactory(username="re@vendor.example", vendor_role="release_engineer")
    return {"ga": ga, "fresh": fresh}


def test_it_asks_for_a_reason_and_shows_the_cohort_before_moving_a_release_to_canary(
    live_server: Any, page: Any, world: dict[str, Any]
) -> None:
    browser_login(page, live_server.url, "re@vendor.example", PASSWORD)
    page.goto(f"{live_server.url}/vendor/catalog/")
    # a GA release offers no earlier stage: nothing preselects "canary" on it
    ga_card = page.locator("[data-testid=release]", has_text="291.3")
    assert ga_card.locator("select[name=stage]").count() == 0
    # when the engineer picks canary for the internal release
    card = page.locator("[data-testid=release]", has_text="291.4")
    assert card.locator("select[name=stage]").input_value() == ""
    card.locator("select[name=stage]").select_option("canary")
    card.locator("[data-testid=release-move]").click()
    # then nothing moved yet, and the page says what it reaches
    confirm = page.locator("[data-testid=move-confirm]")
    confirm.wait_for()
    assert "to canary" in confirm.locator("h2").inner_text()
    effect = confirm.locator("[data-testid=move-effect]").inner_text()
    assert "1 tenant" in effect and "Acme Corporation" in effect and "3 hosts" in effect
    assert "Globex" not in effect
    assert ContentRelease.objects.get(pk=world["fresh"].pk).stage == "internal"
    # a confirmation without a reason is refused next to the field
    # (the browser's own required check stops an empty submit; bypass it to see the server's)
    page.evaluate("() => document.getElementById('move-reason').removeAttribute('required')")
    page.click("[data-testid=move-confirm-button]")
    page.wait_for_selector("#move-reason[aria-invalid=true]")
    assert ContentRelease.objects.get(pk=world["fresh"].pk).stage == "internal"
    # with a reason, it moves, and the audit log keeps the reason
    page.fill("#move-reason", "internal soak clean for 24 h")
    page.click("[data-testid=move-confirm-button]")
    page.wait_for_selector("[data-testid=vendor-message]")
    assert "291.4 is now canary" in page.locator("[data-testid=vendor-message]").inner_text()
    assert ContentRelease.objects.get(pk=world["fresh"].pk).stage == "canary"
    event = AuditEvent.objects.filter(action="content_release.stage").latest("pk")
    assert event.after["reason"] == "internal soak clean for 24 h"


def test_it_offers_halt_only_for_a_release_being_rolled_out(
    live_server: Any, page: Any, world: dict[str, Any]
) -> None:
    browser_login(page, live_server.url, "re@vendor.example", PASSWORD)
    page.goto(f"{live_server.url}/vendor/releases/")
    rows = page.locator("[data-testid=vendor-releases] tbody tr")
    assert rows.count() == 2
    assert page.locator("button:has-text('Halt everywhere')").count() == 0
    assert page.locator("button:has-text('Recall')").count() == 2

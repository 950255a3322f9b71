"""One time zone per person (DESIGN rule 10): pages show times in the user's zone, else the
tenant's, with the zone named; the dashboard's chart axes are told the same zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from console.access import Actor
from console.models import Role
from rollout.controls.pauses import pause_create
from rollout.controls.windows import window_create, window_update
from rollout.models import MaintenanceWindow, Pause
from tests.conftest import browser_login
from tests.factories import PASSWORD, TenantFactory, member

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.fixture
def acme() -> Any:
    tenant = TenantFactory(slug="acme", name="Acme Corporation", timezone="America/New_York")
    pause_create(tenant=tenant, actor=Actor.system("t"), scope="tenant", reason="bad channel file")
    member(tenant, Role.OPERATOR, username="ny@acme.example")
    tokyo = member(tenant, Role.OPERATOR, username="tokyo@acme.example")
    tokyo.timezone = "Asia/Tokyo"
    tokyo.save(update_fields=["timezone"])
    return tenant


def since_cell(page: Any) -> str:
    return str(page.locator("[data-testid=active-pauses] tbody tr td").nth(3).inner_text())


def test_it_shows_times_in_the_tenant_zone_then_the_users_own(acme: Any, live_server: Any, page: Any) -> None:
    created = Pause.objects.get(tenant=acme).created_at
    browser_login(page, live_server.url, "ny@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/pauses/")
    ny = created.astimezone(ZoneInfo("America/New_York"))
    assert since_cell(page).startswith(f"{ny:%Y-%m-%d %H:%M} {ny.tzname()}"), since_cell(page)
    assert "ago" in since_cell(page) or "just now" in since_cell(page)
    page.goto(f"{live_server.url}/audit/")
    times = page.locator("[data-testid=audit-events] tbody td:nth-child(2)").all_inner_texts()
    assert times and all(ny.tzname() in t and "UTC" not in t for t in times), times
    page.goto(f"{live_server.url}/")
    assert page.get_attribute("meta[name=console-timezone]", "content") == "America/New_York"
    # a user with a zone of their own sees that one
    page.context.clear_cookies()
    browser_login(page, live_server.url, "tokyo@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/pauses/")
    tokyo = created.astimezone(ZoneInfo("Asia/Tokyo"))
    assert since_cell(page).startswith(f"{tokyo:%Y-%m-%d %H:%M} JST"), since_cell(page)
    page.goto(f"{live_server.url}/")
    assert page.get_attribute("meta[name=console-timezone]", "content") == "Asia/Tokyo"
    # the chart axis labels use that zone, not the browser's (this browser runs in UTC)
    label = page.evaluate(
        """() => new Intl.DateTimeFormat([], {hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
                 timeZone: document.querySelector('meta[name=console-timezone]').content})
                 .format(new Date('2026-01-01T00:00:00Z'))"""
    )
    assert label == f"{datetime(2026, 1, 1, tzinfo=ZoneInfo('UTC')).astimezone(ZoneInfo('Asia/Tokyo')):%H:%M}"


def test_it_shows_the_audit_change_as_a_field_diff_in_words(acme: Any, live_server: Any, page: Any) -> None:
    system = Actor.system("t")
    window_create(
        tenant=acme,
        actor=system,
        data={"name": "nights", "weekdays": [0, 1], "start": "01:00", "duration_minutes": 120,
              "timezone": "America/New_York"},
    )  # fmt: skip
    window = MaintenanceWindow.objects.get(tenant=acme, name="nights")
    window_update(tenant=acme, actor=system, window=window, expected_version=window.version,
                  data={"duration_minutes": 90})  # fmt: skip
    member(acme, Role.OWNER, username="owner@acme.example")
    browser_login(page, live_server.url, "owner@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/audit/")
    changes = page.locator("[data-testid=audit-change]").all_inner_texts()
    text = "\n".join(changes)
    assert "duration minutes: 120 → 90" in text, text
    assert "weekdays: Mon, Tue" in text, text
    assert "{" not in text and "None" not in text and "'" not in text, text

"""Forms in Chromium keep exactly what the user entered after a preview or an error: selections,
checkboxes and times; errors sit next to their fields (``aria-invalid`` / ``aria-describedby``)
and focus lands on the first error or on the preview's result, shown next to the Save button."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from console.access import Actor
from console.models import Role
from rollout.controls.windows import window_create
from rollout.groups.services import host_group_create
from rollout.models import ContentUpdatePolicy, MaintenanceWindow, SensorUpdatePolicy
from rollout.policies.defaults import policy_defaults_ensure
from rollout.policies.services import sensor_policy_update
from telemetry.models import Host
from tests.conftest import browser_login
from tests.factories import PASSWORD, HostFactory, TenantFactory, member, rollout_catalog

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.fixture
def acme() -> dict[str, Any]:
    rollout_catalog(lines=("7.10", "7.11"))
    tenant = TenantFactory(slug="acme", name="Acme Corporation", timezone="Europe/Berlin")
    for i in range(3):
        HostFactory(tenant=tenant, hostname=f"web-{i}", tags=["prod"], sensor_build="7.11.200")
    HostFactory(tenant=tenant, hostname="db-1", tags=["db"], sensor_build="7.11.200")
    system = Actor.system("t")
    web = host_group_create(tenant=tenant, actor=system, name="web", rule_text="hostname:web-*").obj
    db = host_group_create(tenant=tenant, actor=system, name="db", rule_text="tag:db").obj
    night = window_create(
        tenant=tenant,
        actor=system,
        data={"name": "nights", "weekdays": [0, 1, 2], "start": "01:00", "duration_minutes": 120,
              "timezone": "Europe/Berlin"},
    ).obj  # fmt: skip
    member(tenant, Role.ADMIN, username="admin@acme.example")
    return {"tenant": tenant, "web": web, "db": db, "night": night}


def selected(page: Any, selector: str) -> list[str]:
    """The values chosen in a select or a checkbox list."""
    return sorted(
        page.eval_on_selector_all(
            f"{selector} option:checked, {selector} input:checked", "els => els.map(e => e.value)"
        )
    )


def check_all(page: Any, selector: str, values: list[str]) -> None:
    for value in values:
        page.check(f"{selector} input[value='{value}']")


FOCUSED = "() => document.activeElement && (document.activeElement.id || document.activeElement.dataset.testid || '')"


def focused_id(page: Any, expected: str) -> str:
    """The id (or test id) of the focused element, once it is ``expected`` (focus moves on load)."""
    # the caller's assertion says what was focused instead
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => ({FOCUSED})() === {expected!r}", timeout=5_000)
    return str(page.evaluate(FOCUSED))


def test_it_keeps_groups_windows_and_the_bypass_box_through_a_preview_and_saves_them(
    live_server: Any, page: Any, acme: dict[str, Any]
) -> None:
    # given a new content policy filled in, critical bypass turned off
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/policies/")
    page.fill("#cp-name", "web slow")
    page.select_option("#cp-cat", "rapid_response")
    page.check("#cp-mode input[value=ga_delay]")
    page.fill("#cp-delay", "24")
    check_all(page, "#cp-windows", [str(acme["night"].pk)])
    page.uncheck("#cp-bypass")
    check_all(page, "#cp-groups", [str(acme["web"].pk), str(acme["db"].pk)])
    # when the admin previews the blast radius
    page.click("[data-testid=content-preview]")
    page.wait_for_selector("[data-testid=content-policy-form] [data-testid=blast-radius]")
    # then every choice is still there, and focus is on the result next to Save
    assert page.input_value("#cp-name") == "web slow"
    assert selected(page, "#cp-mode") == ["ga_delay"] and page.input_value("#cp-delay") == "24"
    assert selected(page, "#cp-cat") == ["rapid_response"]
    assert selected(page, "#cp-windows") == [str(acme["night"].pk)]
    assert selected(page, "#cp-groups") == sorted([str(acme["web"].pk), str(acme["db"].pk)])
    assert not page.is_checked("#cp-bypass")
    assert focused_id(page, "blast-radius") == "blast-radius"
    assert not ContentUpdatePolicy.objects.filter(name="web slow").exists()
    # and the next Save creates the policy the admin chose, not one with no groups
    page.click("[data-testid=content-save]")
    page.wait_for_selector("[data-testid=saved-title]")
    policy = ContentUpdatePolicy.objects.get(tenant=acme["tenant"], name="web slow")
    assert {g.name for g in policy.groups.all()} == {"web", "db"}
    assert [w.name for w in policy.windows.all()] == ["nights"]
    assert policy.critical_bypass_windows is False and policy.mode == "ga+24"


def test_it_shows_an_error_next_to_its_field_focuses_it_and_keeps_the_rest(
    live_server: Any, page: Any, acme: dict[str, Any]
) -> None:
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/policies/")
    page.fill("#cp-name", "broken")
    page.check("#cp-mode input[value=pinned]")  # and no version chosen
    check_all(page, "#cp-groups", [str(acme["db"].pk)])
    page.uncheck("#cp-bypass")
    page.click("[data-testid=content-save]")
    page.wait_for_selector("#cp-mode[aria-invalid=true]")
    described = page.get_attribute("#cp-mode", "aria-describedby")
    assert described and page.locator(f"#{described}").inner_text().strip() == "Choose the version to pin."
    assert focused_id(page, "cp-mode") == "cp-mode"
    assert selected(page, "#cp-groups") == [str(acme["db"].pk)]
    assert not page.is_checked("#cp-bypass")
    assert page.input_value("#cp-name") == "broken"
    # the sensor form, untouched, shows no error
    assert page.locator("#sp-target[aria-invalid]").count() == 0
    assert not ContentUpdatePolicy.objects.filter(name="broken").exists()


def test_it_keeps_the_weekdays_of_a_new_window_through_a_preview(
    live_server: Any, page: Any, acme: dict[str, Any]
) -> None:
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/windows/")
    form = page.locator("[data-testid=window-form]")
    form.locator("#w-name").fill("weekend")
    form.locator("input[name=weekdays][value='5']").check()
    form.locator("input[name=weekdays][value='6']").check()
    form.locator("#w-start").fill("22:30")
    form.locator("#w-dur").fill("90")
    page.click("[data-testid=window-preview]")
    page.wait_for_selector("[data-testid=window-form] [data-testid=blast-radius]")
    checked = page.eval_on_selector_all(
        "[data-testid=window-form] input[name=weekdays]:checked", "els => els.map(e => e.value)"
    )
    assert checked == ["5", "6"]
    assert page.input_value("#w-start") == "22:30" and page.input_value("#w-dur") == "90"
    assert page.input_value("#w-tz") == "Europe/Berlin"
    # an error keeps them too
    page.fill("#w-start", "25:99")
    page.click("[data-testid=window-save]")
    page.wait_for_selector("#w-start[aria-invalid=true]")
    checked = page.eval_on_selector_all(
        "[data-testid=window-form] input[name=weekdays]:checked", "els => els.map(e => e.value)"
    )
    assert checked == ["5", "6"] and focused_id(page, "w-start") == "w-start"
    page.fill("#w-start", "22:30")
    page.click("[data-testid=window-save]")
    page.wait_for_selector("[data-testid=saved-title]")
    window = MaintenanceWindow.objects.get(tenant=acme["tenant"], name="weekend")
    assert window.weekdays == [5, 6]
    # and the table says days by name
    page.goto(f"{live_server.url}/rollout/windows/")
    assert "Sat, Sun" in page.locator("table").first.inner_text()


def test_it_previews_a_pause_in_words_and_keeps_the_form(
    live_server: Any, page: Any, acme: dict[str, Any]
) -> None:
    # given the fleet follows N (7.11.200) while the web hosts still run 7.10.200
    tenant = acme["tenant"]
    system = Actor.system("t")
    policy_defaults_ensure(tenant=tenant, actor=system)
    default = SensorUpdatePolicy.objects.get(tenant=tenant, platform="windows", is_default=True)
    sensor_policy_update(
        tenant=tenant, actor=system, policy=default, expected_version=None, changes={"target": "n"}
    )
    Host.objects.filter(tenant=tenant, hostname__startswith="web-").update(sensor_build="7.10.200")
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/pauses/")
    page.select_option("#p-scope", "host_group")
    page.select_option("#p-group", str(acme["web"].pk))
    page.fill("#p-reason", "bad build on web")
    page.click("[data-testid=pause-preview]")
    page.wait_for_selector("[data-testid=blast-radius] table")
    table = page.locator("[data-testid=blast-radius] table").inner_text()
    assert "stays on 7.10.200 (paused)" in table, table
    assert "7.11.200" in table
    # the form still says what the operator chose
    assert page.input_value("#p-reason") == "bad build on web"
    assert selected(page, "#p-scope") == ["host_group"] and selected(page, "#p-group") == [
        str(acme["web"].pk)
    ]

"""Structured values are picked, not typed (issue 15): a sensor target (N / N-1 / N-2 / a pinned
build from the catalog / off) and a content mode (early access / GA / GA after a delay / a pinned
version / paused) are radio choices whose dependent field shows only when it applies; a time zone
is searched in the IANA list with the tenant's zone preselected; groups and windows are ticked,
not Ctrl-clicked."""

from __future__ import annotations

from typing import Any

import pytest

from console.access import Actor
from console.models import Role
from rollout.controls.windows import window_create
from rollout.groups.services import host_group_create
from rollout.models import ContentUpdatePolicy, SensorUpdatePolicy
from rollout.policies.defaults import policy_defaults_ensure
from tests.conftest import browser_login
from tests.factories import PASSWORD, HostFactory, TenantFactory, content_release, member, rollout_catalog

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


@pytest.fixture
def acme() -> dict[str, Any]:
    catalog = rollout_catalog(lines=("7.10", "7.11"))
    content_release(catalog["rapid_response"], "291.3")
    tenant = TenantFactory(slug="acme", name="Acme Corporation", timezone="America/Chicago")
    system = Actor.system("t")
    policy_defaults_ensure(tenant=tenant, actor=system)
    HostFactory(tenant=tenant, hostname="web-1", tags=["prod"], sensor_build="7.11.200")
    web = host_group_create(tenant=tenant, actor=system, name="web", rule_text="hostname:web-*").obj
    night = window_create(
        tenant=tenant,
        actor=system,
        data={"name": "nights", "weekdays": [0, 1, 2], "start": "01:00", "duration_minutes": 120,
              "timezone": "America/Chicago"},
    ).obj  # fmt: skip
    member(tenant, Role.ADMIN, username="admin@acme.example")
    return {"tenant": tenant, "web": web, "night": night}


def test_it_pins_a_sensor_build_picked_from_the_catalog(
    live_server: Any, page: Any, acme: dict[str, Any]
) -> None:
    # given an admin on the policies page
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/policies/")
    form = page.locator("[data-testid=sensor-policy-form]")
    # the target is a choice, N-1 by default, with no build list until "pinned" is chosen
    assert form.locator("#sp-target input[value=n-1]").is_checked()
    assert not form.locator("#sp-build").is_visible()
    # and the zone is the tenant's, searchable in the IANA list
    assert form.locator("#sp-tz").input_value() == "America/Chicago"
    zones = form.locator("#sp-zones option").evaluate_all("os => os.map(o => o.value)")
    assert "America/New_York" in zones and "Asia/Kolkata" in zones
    # when they pin a build from the catalog and tick a group
    form.locator("#sp-name").fill("web pinned")
    form.locator("#sp-target").get_by_label("A pinned build").check()
    assert form.locator("#sp-build").is_visible()
    form.locator("#sp-build").select_option("7.10.200")
    form.locator("#sp-groups").get_by_label("web").check()
    form.locator("[data-testid=sensor-save]").click()
    page.wait_for_selector("[data-testid=saved-title]")
    # then the policy pins that build for that group
    policy = SensorUpdatePolicy.objects.get(tenant=acme["tenant"], name="web pinned")
    assert policy.target == "pinned:7.10.200"
    assert policy.timezone == "America/Chicago"
    assert [g.name for g in policy.groups.all()] == ["web"]
    # and its page shows the same choice, in words on the list
    page.goto(f"{live_server.url}/rollout/policies/sensor/{policy.pk}/")
    assert page.locator("#p-target input[value=pinned]").is_checked()
    assert page.locator("#p-build").input_value() == "7.10.200"
    page.goto(f"{live_server.url}/rollout/policies/")
    assert "pinned to 7.10.200" in page.locator("main").inner_text()
    assert page.locator("select[multiple]").count() == 0


def test_it_shows_the_delay_only_for_ga_after_a_delay_and_the_version_only_when_pinned(
    live_server: Any, page: Any, acme: dict[str, Any]
) -> None:
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/policies/")
    form = page.locator("[data-testid=content-policy-form]")
    mode = form.locator("#cp-mode")
    # each choice shows only the field it needs
    for choice, delay, version in (
        ("early_access", False, False),
        ("ga", False, False),
        ("ga_delay", True, False),
        ("pinned", False, True),
        ("paused", False, False),
    ):
        mode.locator(f"input[value={choice}]").check()
        assert form.locator("#cp-delay").is_visible() is delay, choice
        assert form.locator("#cp-version").is_visible() is version, choice
    # when the admin saves GA after 6 hours, in a ticked window, for a ticked group
    form.locator("#cp-name").fill("web slow")
    form.locator("#cp-cat").select_option("rapid_response")
    mode.get_by_label("GA after a delay").check()
    form.locator("#cp-delay").fill("6")
    form.locator("#cp-windows").get_by_label("nights").check()
    form.locator("#cp-groups").get_by_label("web").check()
    form.locator("[data-testid=content-save]").click()
    page.wait_for_selector("[data-testid=saved-title]")
    # then the policy holds exactly that
    policy = ContentUpdatePolicy.objects.get(tenant=acme["tenant"], name="web slow")
    assert policy.mode == "ga+6"
    assert [w.name for w in policy.windows.all()] == ["nights"]
    # and pinning it to a released version from its page is a choice too
    page.goto(f"{live_server.url}/rollout/policies/content/{policy.pk}/")
    assert page.locator("#p-mode input[value=ga_delay]").is_checked()
    assert page.locator("#p-delay").input_value() == "6"
    page.locator("#p-mode").get_by_label("A pinned version").check()
    page.locator("#p-version").select_option("291.3")
    page.locator("[data-testid=policy-form] button[value=save]").click()
    page.wait_for_selector("[data-testid=saved-title]")
    policy.refresh_from_db()
    assert policy.mode == "pinned:291.3"


def test_it_preselects_the_tenant_zone_for_a_new_window_from_the_iana_list(
    live_server: Any, page: Any, acme: dict[str, Any]
) -> None:
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/windows/")
    assert page.locator("#w-tz").input_value() == "America/Chicago"
    assert page.locator("#w-tz").get_attribute("list") == "w-zones"
    assert page.locator("#w-zones option[value='Europe/Berlin']").count() == 1

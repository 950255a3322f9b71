"""The exposure forecast in Chromium: on a rollout's page and on the preview of a content policy
edit (hours until each host count is reached, in the tenant's zone, with its chart)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from console.access import Actor
from console.models import Role
from rollout.models import ContentUpdatePolicy, Rollout, RolloutState
from rollout.policies.defaults import policy_defaults_ensure
from rollout.rings.admin import rings_defaults_ensure
from tests.conftest import browser_login
from tests.factories import PASSWORD, HostFactory, TenantFactory, content_release, member, rollout_catalog

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
SYSTEM = Actor.system("test")


@pytest.fixture
def acme() -> dict[str, Any]:
    """acme (Berlin time), 4 hosts on 291.3; 291.4 went GA 10.5 h ago and is staged in acme's rings."""
    catalog = rollout_catalog(lines=("7.10", "7.11"))
    content_release(catalog["rapid_response"], "291.3", hours_ago=300)
    release = content_release(catalog["rapid_response"], "291.4", hours_ago=10.5)
    tenant = TenantFactory(slug="acme", name="Acme Corporation", timezone="Europe/Berlin")
    policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    for i in range(4):
        HostFactory(tenant=tenant, hostname=f"web-{i}", sensor_build="7.11.200",
                    content_versions={"rapid_response": "291.3"})  # fmt: skip
    member(tenant, Role.ADMIN, username="admin@acme.example")
    return {"tenant": tenant, "release": release, "catalog": catalog}


def test_it_shows_a_rollouts_forecast_with_its_chart_in_the_tenants_zone(
    live_server: Any, page: Any, acme: dict[str, Any]
) -> None:
    # given a rollout of 291.4 just entering the tenant's first ring
    rings_defaults_ensure(tenant=acme["tenant"], actor=SYSTEM)
    rollout = Rollout.objects.create(
        tenant=acme["tenant"], subject="content:rapid_response", version="291.4", previous_version="291.3",
        release=acme["release"], state=RolloutState.IN_RING, ring_entered_at=timezone.now(),
    )  # fmt: skip
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    # when the admin opens the rollout
    page.goto(f"{live_server.url}/rollout/rollouts/{rollout.pk}/")
    # then the forecast says when every host has it, through the rings, in Berlin time, and draws it
    section = page.locator("[data-testid=forecast]")
    assert "4 of 4 hosts" in section.locator("[data-testid=forecast-summary]").inner_text()
    assert "through the rings" in section.inner_text()
    last = section.locator("[data-testid=forecast-milestones] tr[data-share='1.0'] td").nth(2).inner_text()
    assert "CET" in last or "CEST" in last
    page.wait_for_selector("canvas[data-forecast][data-drawn=true]")


def test_it_compares_the_forecast_before_and_after_a_previewed_policy_edit(
    live_server: Any, page: Any, acme: dict[str, Any]
) -> None:
    # given the default rapid-response policy (GA, so every host has 291.4 at once)
    policy = ContentUpdatePolicy.objects.get(tenant=acme["tenant"], category=acme["catalog"]["rapid_response"],
                                             is_default=True)  # fmt: skip
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/policies/content/{policy.pk}/")
    # when the admin previews GA + 20 h (291.4 went GA 10.5 h ago: 9.5 h to go, reached at the 10th hour)
    page.locator("#p-mode").get_by_label("GA after a delay").check()
    page.fill("#p-delay", "20")
    page.click("button[name=action][value=preview]")
    page.wait_for_selector("[data-testid=forecast]")
    # then all four hosts are reached in 10 h after the change, at once without it; nothing saved
    row = page.locator("[data-testid=forecast-milestones] tr[data-share='1.0'] td")
    assert row.nth(1).inner_text() == "10 h"
    assert row.nth(3).inner_text() == "0 h"
    page.wait_for_selector("canvas[data-forecast][data-drawn=true]")
    policy.refresh_from_db()
    assert policy.mode == "ga"

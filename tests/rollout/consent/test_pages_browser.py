"""The tenant's admin approves a vendor override from the pause page, in Chromium: the request is
shown with who asked and why, Approve asks for confirmation, and then the release passes the freeze."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from console.access import Actor
from console.models import AuditEvent, Role
from rollout.consent.services import override_request_create
from rollout.controls.freezes import freeze_create
from rollout.models import OverrideRequest
from rollout.policies.defaults import policy_defaults_ensure
from rollout.selectors.state import host_explain
from tests.conftest import browser_login
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


def test_it_lets_an_admin_approve_a_vendor_override_from_the_pause_page(live_server: Any, page: Any) -> None:
    # given: acme under a freeze, and the vendor's request to let critical 291.9 through it
    catalog = rollout_catalog(lines=("7.10", "7.11"))
    content_release(catalog["rapid_response"], "291.3")
    critical = content_release(catalog["rapid_response"], "291.9", hours_ago=1, critical=True)
    acme = TenantFactory(slug="acme", name="Acme Corporation")
    policy_defaults_ensure(tenant=acme, actor=Actor.system("t"))
    for i in range(2):
        HostFactory(
            tenant=acme,
            hostname=f"web-{i}",
            sensor_build="7.11.200",
            content_versions={"rapid_response": "291.3"},
        )
    now = timezone.now()
    freeze_create(
        tenant=acme,
        actor=Actor.system("t"),
        reason="quarter close",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    vendor = Actor.for_user(UserFactory(username="re@vendor.example", vendor_role="release_engineer"))
    request = override_request_create(
        tenant=acme, actor=vendor, release=critical, overrides=["freeze"], reason="zero-day detection"
    )
    admin = member(acme, Role.ADMIN, username="admin@acme.example")
    member(acme, Role.OPERATOR, username="ops@acme.example")
    # when: an operator opens the pause page, the request is shown but there is nothing to click
    browser_login(page, live_server.url, "ops@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/pauses/")
    row = page.locator("[data-testid=override-request]", has_text="291.9")
    assert "zero-day detection" in row.inner_text() and "re@vendor.example" in row.inner_text()
    assert row.locator("[data-testid=override-approve]").count() == 0
    assert "An admin decides" in row.inner_text()
    page.context.clear_cookies()
    # when: the admin opens it, dismisses the confirmation once, then accepts it
    browser_login(page, live_server.url, admin.username, PASSWORD)
    page.goto(f"{live_server.url}/rollout/pauses/")
    row = page.locator("[data-testid=override-request]", has_text="291.9")
    page.once("dialog", lambda dialog: dialog.dismiss())
    row.locator("[data-testid=override-approve]").click()
    assert OverrideRequest.objects.get(pk=request.pk).state == "pending"
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("[data-testid=override-approve]").click()
    page.wait_for_selector("[data-testid=override-request][data-state=approved]")
    # then: approved by that admin, in both trails, and the hosts are offered 291.9 through the freeze
    assert OverrideRequest.objects.get(pk=request.pk).decided_by == admin.username
    assert AuditEvent.objects.filter(tenant=acme, action="override.approve").count() == 1
    assert AuditEvent.objects.filter(tenant=None, action="override.approve").count() == 1
    explained = host_explain(acme, acme.hosts.first(), timezone.now())
    assert explained.content["rapid_response"].target == "291.9"

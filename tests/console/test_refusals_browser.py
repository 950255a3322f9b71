"""A viewer, and vendor support under a read-only grant, see no controls they cannot use; an action
refused anyway renders a styled page with the navigation and the reason; so does a missing page
(the server runs with DEBUG off here, as in production)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from console.access import Actor
from console.models import Role, SupportGrant
from rollout.controls.pauses import pause_create
from rollout.models import Pause, SensorUpdatePolicy
from rollout.policies.defaults import policy_defaults_ensure
from tests.conftest import browser_login
from tests.console.conftest import staff
from tests.factories import PASSWORD, TenantFactory, member, rollout_catalog

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

SUBMIT_PAUSE = """() => {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = '/rollout/pauses/';
  for (const [name, value] of [['csrfmiddlewaretoken', document.querySelector('meta[name=csrf-token]').content],
                               ['form', 'pause'], ['scope', 'tenant'], ['reason', 'sneaky'], ['action', 'save']]) {
    const input = document.createElement('input');
    input.type = 'hidden'; input.name = name; input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}"""


@pytest.fixture
def acme() -> Any:
    rollout_catalog(lines=("7.10", "7.11"))
    tenant = TenantFactory(slug="acme", name="Acme Corporation")
    policy_defaults_ensure(tenant=tenant, actor=Actor.system("t"))
    pause_create(tenant=tenant, actor=Actor.system("t"), scope="tenant", reason="bad channel file")
    return tenant


def assert_read_only(page: Any, base: str) -> None:
    page.goto(f"{base}/rollout/pauses/")
    assert page.locator("[data-testid=active-pauses]").inner_text().count("bad channel file") == 1
    assert page.locator("[data-testid=pause-form]").count() == 0
    assert page.locator("[data-testid=resume]").count() == 0
    assert page.locator("[data-testid=read-only]").count() == 1
    page.goto(f"{base}/rollout/policies/")
    assert page.locator("[data-testid=sensor-policy-form], [data-testid=content-policy-form]").count() == 0
    assert page.locator("button[aria-label^='Move']").count() == 0
    policy = SensorUpdatePolicy.objects.filter(is_default=True).first()
    assert policy is not None
    page.goto(f"{base}/rollout/policies/sensor/{policy.pk}/")
    assert page.locator("[data-testid=policy-form] button[type=submit]").count() == 0
    assert page.locator("[data-testid=policy-form] fieldset[disabled]").count() == 1
    page.goto(f"{base}/rollout/windows/")
    assert page.locator("[data-testid=window-form]").count() == 0
    page.goto(f"{base}/rollout/groups/")
    assert page.locator("[data-testid=group-form]").count() == 0
    # a refused action (a form kept open from before, a crafted post) is a styled page with the reason
    page.goto(f"{base}/rollout/pauses/")
    with page.expect_navigation():
        page.evaluate(SUBMIT_PAUSE)
    assert page.locator("[data-testid=refused]").count() == 1
    assert page.locator("nav.mainnav a[href='/rollout/pauses/']").count() == 1
    assert page.evaluate("() => getComputedStyle(document.body).fontFamily").startswith("system-ui")


def test_it_shows_a_viewer_no_controls_and_a_styled_refusal(acme: Any, live_server: Any, page: Any) -> None:
    member(acme, Role.VIEWER, username="viewer@acme.example")
    browser_login(page, live_server.url, "viewer@acme.example", PASSWORD)
    assert_read_only(page, live_server.url)
    reason = page.locator("[data-testid=refused-reason]").inner_text()
    assert "viewer" in reason and "operator" in reason
    assert Pause.objects.filter(reason="sneaky").count() == 0


def test_it_shows_a_read_only_support_session_no_controls(acme: Any, live_server: Any, page: Any) -> None:
    engineer = staff(username="support@vendor.example")
    now = timezone.now()
    grant = SupportGrant.objects.create(
        tenant=acme,
        staff=engineer,
        scope="read",
        reason="case 42",
        starts_at=now,
        expires_at=now + timedelta(hours=1),
        approved_by=member(acme, Role.OWNER),
    )
    browser_login(page, live_server.url, "support@vendor.example", PASSWORD)
    page.goto(f"{live_server.url}/vendor/")
    status = page.evaluate(
        """async (url) => (await fetch(url, {method: 'POST', headers: {'X-CSRFToken':
             document.querySelector('meta[name=csrf-token]').content}})).status""",
        f"/vendor/grants/{grant.pk}/enter/",
    )
    assert status in (200, 302)
    assert_read_only(page, live_server.url)
    assert "in a read-only support session" in page.locator("[data-testid=refused-reason]").inner_text()
    assert Pause.objects.filter(reason="sneaky").count() == 0


def test_it_shows_a_styled_not_found_page_with_navigation(acme: Any, live_server: Any, page: Any) -> None:
    member(acme, Role.VIEWER, username="viewer@acme.example")
    browser_login(page, live_server.url, "viewer@acme.example", PASSWORD)
    response = page.goto(f"{live_server.url}/rollout/policies/sensor/{uuid.uuid4()}/")
    assert response is not None and response.status == 404
    assert page.locator("[data-testid=not-found]").count() == 1
    assert page.locator("nav.mainnav a[href='/rollout/policies/']").count() == 1

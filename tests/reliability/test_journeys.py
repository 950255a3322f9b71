"""End-to-end journeys in Chromium, each from sign-in, against the real ASGI server (issue 7).

The screenshot of each journey's last step is saved under ``test-artifacts/journey-*.png`` (and the
``page`` fixture saves the final page as ``<test name>.png``).
"""

from __future__ import annotations

from typing import Any

import pytest

from console.models import Role
from tests.conftest import ARTIFACTS, browser_login
from tests.factories import PASSWORD, HostFactory, TenantFactory, member, rollout_catalog

pytestmark = pytest.mark.browser


def _nav_pages(page: Any, base_url: str) -> list[str]:
    """Every page the main navigation links to (what "every page" means to a user)."""
    hrefs = page.eval_on_selector_all("nav.mainnav a[href]", "els => els.map(e => e.getAttribute('href'))")
    pages = sorted({h for h in hrefs if h.startswith("/") and not h.startswith(("/api/", "/logout"))})
    assert len(pages) >= 5, f"navigation has only {pages}"
    return pages


def test_it_pauses_the_tenant_everywhere_and_resumes_it(asgi_server: str, page: Any) -> None:
    # given acme with hosts, and an operator signed in
    rollout_catalog()
    acme = TenantFactory(slug="acme", name="Acme Corporation")
    HostFactory.create_batch(3, tenant=acme, tags=["prod"])
    operator = member(acme, Role.OPERATOR, username="operator@acme.example")
    browser_login(page, asgi_server, operator.username, PASSWORD)
    # when the operator pauses the whole tenant from the pauses page
    page.goto(f"{asgi_server}/rollout/pauses/")
    page.select_option("#p-scope", "tenant")
    page.fill("#p-reason", "incident bridge: hold everything")
    page.click("[data-testid=pause-save]")
    page.wait_for_load_state("networkidle")
    # then every page of the navigation shows the pause
    pages = _nav_pages(page, asgi_server)
    for path in pages:
        page.goto(f"{asgi_server}{path}")
        banner = page.locator("[data-testid=pause-banner]")
        assert banner.is_visible(), f"{path} does not show the tenant pause"
        assert "incident bridge" in banner.inner_text()
    # when the operator resumes
    page.goto(f"{asgi_server}/rollout/pauses/")
    page.click("[data-testid=resume]")
    page.wait_for_load_state("networkidle")
    # then no page shows it any more
    for path in pages:
        page.goto(f"{asgi_server}{path}")
        assert page.locator("[data-testid=pause-banner]").count() == 0, f"{path} still shows the pause"
    page.goto(f"{asgi_server}/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "journey-2-pause-resume.png"), full_page=True)

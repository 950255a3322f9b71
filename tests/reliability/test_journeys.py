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


def test_it_pins_a_new_group_to_n_minus_1_and_the_dashboard_shows_the_hosts_move(
    asgi_server: str, page: Any
) -> None:
    # given acme with six finance hosts still on N-2 (7.09.200), four lab hosts on N (7.11.200) and
    # its admin signed in, on the dashboard (finance moves up to N-1, not N: a policy never moves a
    # host to an older build than it runs, only a rollback or a recall does; docs/RESOLUTION.md)
    import threading

    import httpx

    from console.models import ApiScope
    from telemetry.tasks import telemetry_tick_task
    from tests.factories import api_client_with_token

    rollout_catalog()
    acme = TenantFactory(slug="acme", name="Acme Corporation")
    hosts = HostFactory.create_batch(6, tenant=acme, tags=["finance"], sensor_build="7.09.200")
    HostFactory.create_batch(4, tenant=acme, tags=["lab"], sensor_build="7.11.200")
    # (acme's default sensor policy follows N; the product's default is N-1)
    from console.access import Actor
    from rollout.models import SensorUpdatePolicy
    from rollout.policies.defaults import policy_defaults_ensure

    policy_defaults_ensure(tenant=acme, actor=Actor.system("test"))
    SensorUpdatePolicy.objects.filter(tenant=acme).update(target="n")
    admin = member(acme, Role.ADMIN, username="admin@acme.example")
    _, pipeline = api_client_with_token(None, [ApiScope.TELEMETRY], name="pipeline")
    _, reader = api_client_with_token(acme, [ApiScope.READ], name="reader")
    browser_login(page, asgi_server, admin.username, PASSWORD)
    # when the admin creates the "finance" group
    page.goto(f"{asgi_server}/rollout/groups/")
    page.fill("#g-name", "finance")
    page.fill("#g-rule", "tag:finance")
    page.click("[data-testid=group-save]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{asgi_server}/rollout/groups/")
    assert "finance" in page.locator("[data-testid=group-table]").inner_text()
    # and pins it to N-1 with a sensor policy, previewing the blast radius before saving
    page.goto(f"{asgi_server}/rollout/policies/")
    form = page.locator("[data-testid=sensor-policy-form]")
    form.locator("#sp-name").fill("finance on N-1")
    form.locator("#sp-platform").select_option("windows")
    form.locator("#sp-target input[value=n-1]").check()
    form.locator("#sp-groups").get_by_label("finance").check()
    form.locator("[data-testid=sensor-preview]").click()
    page.wait_for_selector("[data-testid=blast-radius]")
    summary = page.locator("[data-testid=blast-summary]").inner_text()
    assert "6 of 10" in summary, summary
    page.locator("[data-testid=sensor-policy-form] [data-testid=sensor-save]").click()
    page.wait_for_load_state("networkidle")
    # then each finance host is told N-1
    explained = httpx.get(
        f"{asgi_server}/api/v1/hosts/{hosts[0].pk}/explain",
        headers={"Authorization": f"Bearer {reader}"},
        timeout=10,
    )
    assert explained.status_code == 200 and "7.10.200" in explained.text, explained.text[:500]
    # when the hosts install it and report it (heartbeats, then the telemetry tick)
    page.goto(f"{asgi_server}/")
    page.wait_for_load_state("networkidle")
    from datetime import UTC, datetime

    beats = [
        {
            "host_id": str(h.pk),
            "time": datetime.now(UTC).isoformat(),
            "sensor_build": "7.10.200",
            "content_versions": {"rapid_response": "291.3"},
            "status": "online",
            "interval_s": 10,
        }
        for h in hosts
    ]
    posted = httpx.post(
        f"{asgi_server}/api/v1/telemetry/heartbeats",
        json={"heartbeats": beats},
        headers={"Authorization": f"Bearer {pipeline}"},
        timeout=10,
    )
    assert posted.status_code == 202, posted.text

    def tick() -> None:
        from django.db import connection

        try:
            telemetry_tick_task()
        finally:
            connection.close()

    ticker = threading.Thread(target=tick)
    ticker.start()
    ticker.join()
    # then the open dashboard's adoption chart shows six hosts on 7.10.200, without a reload
    adoption = (
        "() => { const c = window.Chart && Chart.getChart(document.getElementById('fleet-adoption-chart'));"
        " if (!c) return null; const i = c.data.labels.indexOf('sensor windows 7.10.200');"
        " return i < 0 ? null : c.data.datasets[0].data[i]; }"
    )
    # (a function, not an expression string: Playwright evals strings in the page, which the CSP forbids)
    page.wait_for_function(f"() => ({adoption})() === 6")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "journey-1-pin-n-1.png"), full_page=True)


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


def test_it_runs_a_support_session_from_request_to_expiry(asgi_server: str, page: Any, browser: Any) -> None:
    # given acme's owner and a vendor support engineer, each signed in to their own browser
    from django.utils import timezone

    from console.models import SupportGrant, VendorRole
    from tests.factories import UserFactory

    rollout_catalog()
    acme = TenantFactory(slug="acme", name="Acme Corporation")
    HostFactory.create_batch(2, tenant=acme)
    owner = member(acme, Role.OWNER, username="owner@acme.example")
    staff = UserFactory(username="eng@vendor.example", vendor_role=VendorRole.SUPPORT_ENGINEER)
    owner_context = browser.new_context(viewport={"width": 1280, "height": 900})
    owner_page = owner_context.new_page()
    owner_page.set_default_timeout(20_000)
    for p in (page, owner_page):
        p.on("dialog", lambda dialog: dialog.accept())
    try:
        browser_login(page, asgi_server, staff.username, PASSWORD)
        browser_login(owner_page, asgi_server, owner.username, PASSWORD)
        # when the engineer requests operate access to acme
        page.goto(f"{asgi_server}/vendor/")
        page.select_option("#id_tenant", "acme")
        page.fill("#id_case_id", "CASE-4711")
        page.fill("#id_reason", "sensor crash loop on finance hosts")
        page.select_option("form[action='/vendor/requests/'] #id_scope", "operate")
        page.fill("#id_duration", "1")
        page.click("button:has-text('Request access')")
        page.wait_for_load_state("networkidle")
        assert page.locator(".errorlist").count() == 0, page.locator("main").inner_text()[:1500]
        # and acme's owner approves it
        from console.models import SupportRequest

        assert SupportRequest.objects.filter(tenant=acme).exists(), page.locator("main").inner_text()[:1500]
        owner_page.goto(f"{asgi_server}/support/")
        assert owner_page.locator("[data-testid=support-requests] button:has-text('Approve')").count(), (
            owner_page.locator("main").inner_text()[:1500]
        )
        owner_page.locator("[data-testid=support-requests] button:has-text('Approve')").click()
        owner_page.wait_for_load_state("networkidle")
        # and the engineer enters acme
        page.goto(f"{asgi_server}/vendor/")
        page.click("[data-testid=enter-acme]")
        page.wait_for_load_state("networkidle")
        # then every page carries the support banner
        banner = page.locator("[data-testid=support-banner]")
        assert banner.is_visible() and "Acme Corporation" in banner.inner_text()
        # when the engineer acts (pauses sensor updates)
        page.goto(f"{asgi_server}/rollout/pauses/")
        assert page.locator("[data-testid=support-banner]").is_visible()
        page.select_option("#p-scope", "sensor")
        page.fill("#p-reason", "CASE-4711 hold sensor updates")
        page.click("[data-testid=pause-save]")
        page.wait_for_load_state("networkidle")
        # then acme's audit log shows the action with the engineer acting under the grant
        owner_page.goto(f"{asgi_server}/audit/")
        audit = owner_page.locator("main").inner_text()
        assert "pause" in audit.lower() and staff.username in audit, audit[:2000]
        # when the grant expires
        grant = SupportGrant.objects.get(tenant=acme, staff=staff)
        SupportGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
        # then the engineer's next page ends the session: no banner, no acme data
        page.goto(f"{asgi_server}/rollout/pauses/")
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=support-banner]").count() == 0
        assert "CASE-4711 hold sensor updates" not in page.content()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "journey-4-support-expired.png"), full_page=True)
    finally:
        owner_context.close()


def test_it_halts_a_bad_content_release_at_the_canary_gate_live(
    asgi_server: str, page: Any, browser: Any
) -> None:
    # given acme on three rings watching its dashboard, a known-good 291.3 and a new 291.4
    import threading

    from console.models import VendorRole
    from rollout.models import Rollout
    from rollout.rings.tick import rollouts_tick
    from tests.factories import UserFactory, content_release
    from tests.rollout.rings.test_transitions import crash, rings_of, staged_tenant, targets

    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    content_release(catalog["rapid_response"], "291.4", stage="internal")
    acme = staged_tenant("acme", hosts=60)
    viewer = member(acme, Role.VIEWER, username="viewer@acme.example")
    engineer = UserFactory(username="releng@vendor.example", vendor_role=VendorRole.RELEASE_ENGINEER)
    vendor_context = browser.new_context(viewport={"width": 1280, "height": 900})
    vendor_page = vendor_context.new_page()
    vendor_page.set_default_timeout(20_000)
    try:
        browser_login(page, asgi_server, viewer.username, PASSWORD)
        page.goto(f"{asgi_server}/")
        page.wait_for_selector("body[data-events=live]")  # the dashboard listens to acme's events
        # when the release engineer moves 291.4 to canary from the vendor catalog
        browser_login(vendor_page, asgi_server, engineer.username, PASSWORD)
        vendor_page.goto(f"{asgi_server}/vendor/catalog/")
        release = vendor_page.locator("[data-testid=release]", has_text="291.4")
        release.locator("select[name=stage]").select_option("canary")
        release.locator("button:has-text('Move')").click()
        vendor_page.fill("#move-reason", "291.4 passed internal soak")
        vendor_page.click("[data-testid=move-confirm-button]")
        vendor_page.wait_for_load_state("networkidle")
        assert "291.4 is now canary" in vendor_page.locator("main").inner_text()

        # (gate ticks in a thread of their own: Playwright owns this thread's event loop, and
        # publishing needs one)
        def tick() -> None:
            from django.db import connection

            try:
                rollouts_tick()
            finally:
                connection.close()

        def run_tick() -> None:
            ticker = threading.Thread(target=tick)
            ticker.start()
            ticker.join()

        # then the next gate tick starts acme's rollout in its canary ring
        run_tick()
        assert Rollout.objects.filter(tenant=acme).exists()
        # when acme's canary hosts crash on it, and the gate tick runs
        for host_id, index in rings_of(acme).items():
            if index == 0:
                crash(host_id)
        run_tick()
        # then acme's open dashboard shows the halt without a reload
        page.wait_for_selector("[data-testid=rollout-notification]")
        page.wait_for_selector("[data-testid=rollout-notification]:has-text('Rollout halted')")
        shown = " ".join(page.locator("[data-testid=rollout-notification]").all_inner_texts())
        assert "291.4" in shown, shown
        # and every host of acme is back to the known-good version
        assert set(targets(acme).values()) == {"291.3"}
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "journey-3-canary-halt.png"), full_page=True)
    finally:
        vendor_context.close()

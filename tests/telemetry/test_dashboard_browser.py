"""The live dashboard in Chromium: heartbeats ingested through the real API show up without a reload."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from console.models import Role
from telemetry.fleet import telemetry_tick
from tests.conftest import browser_login
from tests.factories import PASSWORD, HostFactory, TenantFactory, member
from tests.telemetry.conftest import heartbeat, outside_event_loop

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("redis_flush")]


def test_it_updates_the_dashboard_live_after_heartbeats_are_ingested(
    asgi_server: str, page, pipeline_token: str
) -> None:
    # given acme's viewer on the dashboard (the tenant home), with 3 hosts that never reported
    acme = TenantFactory(slug="acme", name="Acme Corporation")
    member(acme, Role.VIEWER, username="viewer@acme.example")
    hosts = [HostFactory(tenant=acme, status="offline") for _ in range(3)]
    browser_login(page, asgi_server, "viewer@acme.example", PASSWORD)
    page.goto(f"{asgi_server}/")
    page.wait_for_selector("[data-testid=fleet-connection][data-state=live]")
    assert page.locator("[data-testid=fleet-status-offline]").inner_text() == "3"
    assert page.locator("[data-testid=fleet-status-online]").inner_text() == "0"
    # when the pipeline reports two hosts online and one crashing, and one tick runs
    crash = {"component": "csagent.sys", "category": "rapid_response", "content_version": "291.4"}
    response = httpx.post(
        f"{asgi_server}/api/v1/telemetry/heartbeats",
        json={
            "heartbeats": [
                heartbeat(hosts[0]),
                heartbeat(hosts[1]),
                heartbeat(hosts[2], status="crashed", crashes=[crash]),
            ]
        },
        headers={"Authorization": f"Bearer {pipeline_token}"},
    )
    assert response.status_code == 202 and response.json()["accepted"] == 3
    outside_event_loop(telemetry_tick)
    # then the counts, the sequence number and the staleness update without a reload
    expect(page.locator("[data-testid=fleet-status-online]")).to_have_text("2")
    assert page.locator("[data-testid=fleet-status-crashed]").inner_text() == "1"
    assert page.locator("[data-testid=fleet-status-offline]").inner_text() == "0"
    assert page.locator("[data-testid=fleet-seq]").inner_text() == "1"
    assert page.locator("[data-testid=fleet-crashes]").inner_text() == "1"
    assert page.locator("[data-testid=fleet-staleness]").inner_text().startswith("as of ")
    assert "291.4" in page.locator("[data-testid=fleet-content]").inner_text()
    # and both charts were drawn by Chart.js (no inline script needed)
    assert page.evaluate(
        "!!window.Chart && !!Chart.getChart('fleet-series-chart') && !!Chart.getChart('fleet-adoption-chart')"
    )
    points = page.evaluate(
        "Chart.getChart('fleet-series-chart').data.datasets.find(d => d.label === 'online').data"
    )
    assert points[-1] == 2

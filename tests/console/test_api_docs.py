"""The interactive API docs (/api/v1/docs/) render in Chromium under the console's strict CSP."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_it_lists_the_operations_in_the_api_docs_with_no_csp_violation(asgi_server: str, page: Any) -> None:
    # given a browser that records console errors and CSP violations
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda exc: messages.append(f"pageerror: {exc}"))
    # when it opens the docs
    response = page.goto(f"{asgi_server}/api/v1/docs/")
    # then the page keeps the strict policy and Swagger UI lists the operations by tag
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    page.locator(".opblock-tag").first.wait_for(state="visible")
    page.locator(".opblock-summary").first.wait_for(state="attached")
    assert page.locator(".opblock").count() >= 5
    # (Swagger UI renders a long operation list virtually, as it scrolls into view: a reader scrolling
    # to the end reaches the last tag, and the list holds every operation and tag)
    webhooks = page.locator("[data-tag=webhooks]")
    for _ in range(60):
        if webhooks.count():
            break
        page.mouse.wheel(0, 4000)
        page.wait_for_timeout(100)
    webhooks.first.wait_for(state="attached")
    last = page.locator(".operations-virtual__item").last.get_attribute("data-index")
    assert last is not None and int(last) > 100, last
    assert page.locator("text=Update-control console API").first.is_visible()
    violations = [
        m for m in messages if "Content Security Policy" in m or m.startswith(("error", "pageerror"))
    ]
    assert violations == [], violations

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
    page.locator(".opblock-tag-section").first.wait_for(state="visible")
    page.locator(".opblock-summary").first.wait_for(state="attached")
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert any("webhooks" in t for t in tags), tags
    assert page.locator(".opblock").count() > 20
    assert page.locator("text=Update-control console API").first.is_visible()
    violations = [
        m for m in messages if "Content Security Policy" in m or m.startswith(("error", "pageerror"))
    ]
    assert violations == [], violations

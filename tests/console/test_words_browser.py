"""People's words (issue 15): what screenshots showed, fixed. The vendor catalog names content
categories and stages as people say them, and the audit log's column headers never break inside
a word when a change list is long."""

from __future__ import annotations

from typing import Any

import pytest

from console.access import Actor
from console.audit import audit_record
from console.models import Role
from tests.conftest import browser_login
from tests.factories import PASSWORD, TenantFactory, UserFactory, content_release, member, rollout_catalog

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def test_it_names_categories_and_stages_in_words_on_the_vendor_catalog(live_server: Any, page: Any) -> None:
    # given a catalog with a rapid-response release
    catalog = rollout_catalog(lines=("7.10", "7.11"))
    content_release(catalog["rapid_response"], "291.3")
    UserFactory(username="re@vendor.example", vendor_role="release_engineer")
    # when a release engineer opens the catalog
    browser_login(page, live_server.url, "re@vendor.example", PASSWORD)
    page.goto(f"{live_server.url}/vendor/catalog/")
    text = page.locator("main").inner_text()
    # then no machine key shows
    for raw in ("rapid_response", "early_adopter"):
        assert raw not in text, raw
    assert catalog["rapid_response"].name in text


def test_it_keeps_each_audit_column_header_on_one_line(live_server: Any, page: Any) -> None:
    # given an audit row with a long change list that squeezes the other columns
    tenant = TenantFactory(slug="acme", name="Acme Corporation")
    member(tenant, Role.ADMIN, username="admin@acme.example")
    audit_record(
        tenant=tenant,
        actor=Actor.system("nightly"),
        action="policy.updated",
        target_type="content_policy",
        target_label="a-policy-with-a-rather-long-name-for-the-target-column",
        before={f"field_{i}": "x" * 40 for i in range(6)},
        after={f"field_{i}": "y" * 40 for i in range(6)},
    )
    # when the admin reads the log in a narrow window (a tablet, a laptop split in two)
    page.set_viewport_size({"width": 780, "height": 900})
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/audit/")
    # then every header is one line high ("ACTOR", not "ACTO" / "R"), and so are the actor and
    # action of a row ("nightly", not "nightl" / "y")
    heights = page.eval_on_selector_all(
        "[data-testid=audit-events] th, [data-testid=audit-events] td:nth-child(3), [data-testid=audit-events] td:nth-child(4) code",
        """els => els.map(e => {
             const words = document.createRange();
             words.selectNodeContents(e.firstChild);  // the text itself: one box per line it takes
             return [e.innerText, words.getClientRects().length, e.getBoundingClientRect().height];
           })""",
    )
    header = min(h for _, _, h in heights[:7])
    assert all(h <= header + 1 for _, _, h in heights[:7]), heights
    assert all(lines == 1 for _, lines, _ in heights[7:]), heights

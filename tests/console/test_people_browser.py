"""People and access in Chromium: an admin invites a member; vendor support asks, the tenant
approves, support acts under the banner, and the tenant reads that action in its audit log."""

from __future__ import annotations

from typing import Any

import pytest

from console.models import AuditEvent, Membership, Role, SupportGrant, VendorRole
from tests.conftest import browser_login, wait_for
from tests.factories import PASSWORD, TenantFactory, UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accept_confirmations(page: Any) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def test_it_lets_an_admin_invite_a_member_who_joins_by_the_link(
    live_server: Any, page: Any, browser: Any
) -> None:
    # given acme's admin (and an outsider tenant that must stay invisible)
    acme = TenantFactory(slug="acme", name="Acme Corporation")
    globex = TenantFactory(slug="globex", name="Globex Industries")
    member(acme, Role.OWNER, username="owner@acme.example")
    member(acme, Role.ADMIN, username="admin@acme.example")
    member(globex, Role.OWNER, username="owner@globex.example")
    _accept_confirmations(page)
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    # when the admin invites an operator from the members page, using the keyboard
    page.click("text=Members")
    page.fill("#id_email", "new.operator@example.test")
    page.select_option("#id_role", "operator")
    page.focus("#id_expires_at")
    page.keyboard.press("Enter")
    link = page.locator("[data-testid=invite-url] code").inner_text()
    assert "/invitations/accept/" in link
    # and the invitee opens the link in their own browser and creates an account
    invitee = browser.new_context().new_page()
    invitee.goto(link.replace("http://testserver", live_server.url))
    invitee.fill("#id_password", "a-long-enough-pass-2024")
    invitee.fill("#id_password2", "a-long-enough-pass-2024")
    invitee.click("text=Create account and join")
    # then they are in acme as an operator, with acme named in the header
    assert invitee.locator("[data-testid=current-tenant]").inner_text() == "Acme Corporation"
    assert Membership.objects.get(user__username="new.operator@example.test").role == Role.OPERATOR
    page.reload()
    assert "new.operator@example.test" in page.locator("[data-testid=members]").inner_text()
    assert "owner@globex.example" not in page.content()
    invitee.context.close()


def test_it_walks_a_support_request_from_vendor_to_tenant_audit_log(
    live_server: Any, page: Any, browser: Any
) -> None:
    # given acme's admin, a vendor support engineer, and globex
    acme = TenantFactory(slug="acme", name="Acme Corporation")
    TenantFactory(slug="globex", name="Globex Industries")
    member(acme, Role.OWNER, username="owner@acme.example")
    member(acme, Role.ADMIN, username="admin@acme.example")
    UserFactory(username="support@vendor.example", vendor_role=VendorRole.SUPPORT_ENGINEER)
    support = browser.new_context().new_page()
    _accept_confirmations(support)
    _accept_confirmations(page)
    # when support files a request on the vendor page
    browser_login(support, live_server.url, "support@vendor.example", PASSWORD)
    support.goto(f"{live_server.url}/vendor/")
    support.select_option("#id_tenant", "acme")
    support.fill("#id_case_id", "CASE-0719")
    support.fill("#id_reason", "Hosts crash after content 291; need to see the update policy")
    support.select_option("#id_scope", "operate")
    support.click("button:has-text('Request access')")
    assert "Pending" in support.locator("tr", has_text="CASE-0719").inner_text()
    # and acme's admin approves it on the access page
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    page.click("text=Support access")
    page.locator("tr[data-request=CASE-0719] >> text=Approve").click()
    wait_for(lambda: SupportGrant.objects.filter(tenant=acme).exists(), what="grant")
    grant = SupportGrant.objects.get(tenant=acme)
    # and support starts acting in acme
    support.goto(f"{live_server.url}/vendor/")
    support.click("[data-testid=enter-acme]")
    # then every page shows the banner: who, which tenant, which grant, until when
    banner = support.locator("[data-testid=support-banner]")
    assert "support@vendor.example" in banner.inner_text()
    assert "Acme Corporation" in banner.inner_text() and str(grant.pk) in banner.inner_text()
    support.click("text=Members")
    assert support.locator("[data-testid=support-banner]").is_visible()
    assert "owner@acme.example" in support.locator("[data-testid=members]").inner_text()
    # when support finishes and ends the session
    support.click("[data-testid=end-support-session]")
    wait_for(
        lambda: AuditEvent.objects.filter(grant_id=grant.pk, action="support_session.ended").exists(),
        what="session end audited",
    )
    # then acme's admin sees support's actions, under the grant, in the audit log
    page.goto(f"{live_server.url}/audit/?grant={grant.pk}")
    log = page.locator("[data-testid=audit-events]").inner_text()
    assert "support_session.started" in log and "support_session.ended" in log
    assert "support@vendor.example (vendor support)" in log
    assert page.locator("[data-testid=under-grant]").count() == 2
    support.context.close()

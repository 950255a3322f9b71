"""Every people-and-access page renders for those allowed; the OpenAPI schema documents the API;
the demo data has a pending support request and stays idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from console.models import SupportGrant, SupportRequest, SupportRequestStatus, VendorRole
from tests.console.conftest import acting_under, staff

pytestmark = pytest.mark.django_db
CSP_FORBIDS = ("<script>", "style=", "onclick=", "onsubmit=")


@pytest.mark.parametrize(
    "path",
    ["/members/", "/api-clients/", "/support/", "/audit/", "/settings/security/", "/account/two-factor/"],
)
def test_it_renders_each_tenant_page_for_the_owner_without_inline_code(trio: Any, path: str) -> None:
    client = Client()
    client.force_login(trio.owner)
    response = client.get(path)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="current-tenant">Acme Corporation<' in content or path == "/account/two-factor/"
    assert not [bad for bad in CSP_FORBIDS if bad in content], "CSP forbids inline scripts and styles"


def test_it_renders_the_public_sign_in_pages() -> None:
    for path in ("/login/", "/password-reset/", "/invitations/accept/not-a-real-token/"):
        response = Client().get(path)
        assert response.status_code in (200, 404), path
        assert b"<form" in response.content or b"not valid" in response.content


def test_it_shows_vendor_pages_by_role_and_the_banner_while_acting(trio: Any) -> None:
    # given a support lead with a grant to acme, and a release engineer
    lead = staff(VendorRole.SUPPORT_LEAD)
    release = staff(VendorRole.RELEASE_ENGINEER)
    now = timezone.now()
    grant = SupportGrant.objects.create(
        tenant=trio.tenant, staff=lead, reason="r", starts_at=now, expires_at=now + timedelta(hours=1)
    )
    lead_client, release_client = Client(), Client()
    lead_client.force_login(lead)
    release_client.force_login(release)
    # when each opens the vendor page
    lead_page = lead_client.get("/vendor/").content.decode()
    release_page = release_client.get("/vendor/").content.decode()
    # then the lead sees requests, grants and break-glass; the release engineer none of it
    assert "Break glass" in lead_page and "Acme Corporation" in lead_page
    assert "Request access" not in release_page
    # and while acting under the grant, even the vendor page carries the banner
    acting_under(lead_client, grant)
    assert 'data-testid="support-banner"' in lead_client.get("/vendor/").content.decode()
    # and a member of a tenant has no vendor page, an outsider none of acme's support page
    viewer = Client()
    viewer.force_login(trio.member)
    assert viewer.get("/vendor/").status_code == 302
    outsider = Client()
    outsider.force_login(trio.outsider)
    assert str(grant.pk) not in outsider.get("/support/").content.decode()


def test_it_documents_the_people_and_access_api() -> None:
    client = Client()
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/members/{id}/",
        "/api/v1/invitations/",
        "/api/v1/api-clients/{id}/rotate/",
        "/api/v1/support/requests/{id}/approve/",
        "/api/v1/support/grants/{id}/",
        "/api/v1/audit-events/",
        "/api/v1/audit-events/export.csv",
        "/api/v1/vendor/break-glass/",
    ):
        assert path in paths, path
    assert schema.json()["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    assert client.get("/api/v1/docs/").status_code == 200


def test_it_seeds_one_pending_support_request_idempotently() -> None:
    from console.demo import DEMO_CASE_ID, seed_console

    first = seed_console()
    second = seed_console()
    assert first == second
    pending = SupportRequest.objects.filter(case_id=DEMO_CASE_ID, status=SupportRequestStatus.PENDING)
    assert pending.count() == 1 and pending.get().tenant.slug == "acme"
    roles = {login["what"] for login in first["logins"]}
    assert {"acme owner", "acme admin", "acme operator", "acme viewer", "globex viewer"} <= roles
    assert {t["tenant"] for t in first["api_tokens"]} >= {"acme", "globex"}

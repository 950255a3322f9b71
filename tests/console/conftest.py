"""Fixtures for the people-and-access tests: the acme / globex trio, API callers, vendor staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from console.access import SESSION_GRANT_KEY, SESSION_TENANT_KEY
from console.models import Role, SupportGrant, Tenant, User, VendorRole
from tests.factories import TenantFactory, UserFactory, member


@dataclass
class Trio:
    """acme's owner, an acme member (viewer unless said), and globex's owner: the outsider."""

    tenant: Tenant
    owner: User
    member: User
    other_tenant: Tenant
    outsider: User


@pytest.fixture
def trio(db: None) -> Trio:
    acme = TenantFactory(slug="acme", name="Acme Corporation")
    globex = TenantFactory(slug="globex", name="Globex Industries")
    return Trio(
        tenant=acme,
        owner=member(acme, Role.OWNER, username="owner@acme.example"),
        member=member(acme, Role.VIEWER, username="viewer@acme.example"),
        other_tenant=globex,
        outsider=member(globex, Role.OWNER, username="owner@globex.example"),
    )


def api_as(user: User, tenant: Tenant | None = None) -> APIClient:
    """An API client signed in as ``user`` (session), acting in ``tenant`` if given."""
    client = APIClient()
    client.force_login(user)
    if tenant is not None:
        session = client.session
        session[SESSION_TENANT_KEY] = str(tenant.pk)
        session.save()
    return client


def api_bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def staff(role: str = VendorRole.SUPPORT_ENGINEER, username: str | None = None) -> User:
    """A new vendor staff member (a fresh username each time unless one is given)."""
    if username is None:
        return UserFactory(vendor_role=role)
    return UserFactory(username=username, vendor_role=role)


def acting_under(client: Any, grant: SupportGrant) -> Any:
    """Puts ``grant`` into the signed-in vendor client's session (what 'Act in tenant' does)."""
    session = client.session
    session[SESSION_GRANT_KEY] = str(grant.pk)
    session.save()
    return client


def problem(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/problem+json"), (
        response.status_code,
        response["Content-Type"],
        response.content[:300],
    )
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    return body


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Test users' passwords need no brute-force resistance; PBKDF2 would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

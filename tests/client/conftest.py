"""Fixtures of the client tests: a tenant with an automation token, and another tenant's token
(the outsider), both valid against the live ASGI server the tests start."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from console.models import ApiScope, Tenant
from tests.factories import TenantFactory, api_client_with_token


@dataclass
class Automation:
    """acme's automation token (read, write, pause) and globex's: the outsider."""

    tenant: Tenant
    token: str
    outsider_token: str


@pytest.fixture
def automation(transactional_db: None) -> Automation:
    acme = TenantFactory(slug="acme")
    globex = TenantFactory(slug="globex")
    scopes = [ApiScope.READ, ApiScope.WRITE, ApiScope.PAUSE]
    _, token = api_client_with_token(acme, scopes, name="pipeline")
    _, outsider_token = api_client_with_token(globex, scopes, name="globex pipeline")
    return Automation(tenant=acme, token=token, outsider_token=outsider_token)

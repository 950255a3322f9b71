"""Fixtures of the rollout tests: a tenant world (owner, operator, viewer and an outsider) and
signed-in Django test clients for any of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from console.models import Role, Tenant, User
from tests.factories import TenantFactory, member


def session(user: User) -> Client:
    """A Django test client signed in as ``user`` (a session, as a browser has)."""
    client = Client()
    client.force_login(user)
    return client


@dataclass
class TenantWorld:
    """acme's owner, operator and viewer, and globex's owner: the outsider."""

    tenant: Tenant
    owner: User
    operator: User
    viewer: User
    other_tenant: Tenant
    outsider: User
    session: Callable[[User], Client] = session


@pytest.fixture
def tenant_world(db: None) -> TenantWorld:
    acme = TenantFactory(slug="acme")
    globex = TenantFactory(slug="globex")
    return TenantWorld(
        tenant=acme,
        owner=member(acme, Role.OWNER),
        operator=member(acme, Role.OPERATOR),
        viewer=member(acme, Role.VIEWER),
        other_tenant=globex,
        outsider=member(globex, Role.OWNER),
    )

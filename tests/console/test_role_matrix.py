"""Who may do what (DESIGN section 2), from one table: each role x each action -> allowed or 403.

API tokens are checked in the same table through their scopes (``token:read``, ``token:admin``...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from console.access import SESSION_TENANT_KEY
from console.models import Role, SupportGrant, Tenant, User, VendorRole
from console.support.services import support_request_create
from tests.console.conftest import api_as, api_bearer
from tests.factories import TenantFactory, UserFactory, api_client_with_token, member

pytestmark = pytest.mark.django_db

OWNER, ADMIN, OPERATOR, VIEWER = "owner", "admin", "operator", "viewer"
EVERY_ROLE = {OWNER, ADMIN, OPERATOR, VIEWER}
MANAGERS = {OWNER, ADMIN}
EVERY_TOKEN = {"token:read", "token:write", "token:pause", "token:admin"}  # every scope includes read


@dataclass(frozen=True)
class Action:
    name: str
    method: str
    url: Callable[[dict[str, Any]], str]
    allowed: set[str]
    body: Callable[[dict[str, Any]], dict[str, Any]] = lambda _: {}
    page: bool = False


def _staff() -> User:
    return UserFactory(vendor_role=VendorRole.SUPPORT_ENGINEER)


def _world(tenant: Tenant) -> dict[str, Any]:
    """Objects the actions work on, in ``tenant``."""
    target = member(tenant, Role.VIEWER)
    staff = _staff()
    now = timezone.now()
    return {
        "membership": target.memberships.get(tenant=tenant).pk,
        "request": support_request_create(tenant=tenant, staff=staff, case_id="C-7", reason="crash").pk,
        "grant": SupportGrant.objects.create(
            tenant=tenant, staff=staff, reason="r", starts_at=now, expires_at=now + timedelta(hours=1)
        ).pk,
        "staff": staff.username,
    }


ACTIONS = [
    Action("see members", "get", lambda w: "/api/v1/members/", EVERY_ROLE | EVERY_TOKEN),
    Action(
        "invite a member",
        "post",
        lambda w: "/api/v1/invitations/",
        MANAGERS | {"token:admin"},
        lambda w: {"email": "new@example.test", "role": "viewer"},
    ),
    Action(
        "change a role",
        "patch",
        lambda w: f"/api/v1/members/{w['membership']}/",
        MANAGERS | {"token:admin"},
        lambda w: {"role": "operator"},
    ),
    Action(
        "remove a member",
        "delete",
        lambda w: f"/api/v1/members/{w['membership']}/",
        MANAGERS | {"token:admin"},
    ),
    Action("list API clients", "get", lambda w: "/api/v1/api-clients/", MANAGERS | {"token:admin"}),
    Action(
        "create an API client",
        "post",
        lambda w: "/api/v1/api-clients/",
        MANAGERS | {"token:admin"},
        lambda w: {"name": "ci", "scopes": ["read"]},
    ),
    Action("see support grants", "get", lambda w: "/api/v1/support/grants/", EVERY_ROLE | EVERY_TOKEN),
    Action(
        "grant vendor support access",
        "post",
        lambda w: "/api/v1/support/grants/",
        MANAGERS,  # a person decides: an admin token is refused by the service (403)
        lambda w: {"staff": w["staff"], "reason": "case", "scope": "read"},
    ),
    Action(
        "approve a support request",
        "post",
        lambda w: f"/api/v1/support/requests/{w['request']}/approve/",
        MANAGERS,
    ),
    Action(
        "revoke a support grant",
        "delete",
        lambda w: f"/api/v1/support/grants/{w['grant']}/",
        MANAGERS | {"token:admin"},
    ),
    Action("read the audit log", "get", lambda w: "/api/v1/audit-events/", EVERY_ROLE | EVERY_TOKEN),
    Action(
        "export the audit log", "get", lambda w: "/api/v1/audit-events/export.csv", EVERY_ROLE | EVERY_TOKEN
    ),
    Action(
        "make two-factor mandatory",
        "patch",
        lambda w: "/api/v1/tenant/",
        {OWNER},
        lambda w: {"require_2fa": True},
    ),
    Action("members page", "get", lambda w: "/members/", EVERY_ROLE, page=True),
    Action("API clients page", "get", lambda w: "/api-clients/", MANAGERS, page=True),
    Action("support access page", "get", lambda w: "/support/", EVERY_ROLE, page=True),
    Action("audit log page", "get", lambda w: "/audit/", EVERY_ROLE, page=True),
    Action(
        "remove a member (page)",
        "post",
        lambda w: f"/members/{w['membership']}/remove/",
        MANAGERS,
        page=True,
    ),
    Action(
        "approve a support request (page)",
        "post",
        lambda w: f"/support/requests/{w['request']}/approve/",
        MANAGERS,
        page=True,
    ),
    Action(
        "make two-factor mandatory (page)",
        "post",
        lambda w: "/settings/security/",
        {OWNER},
        lambda w: {"require_2fa": "on"},
        page=True,
    ),
]
CALLERS = [OWNER, ADMIN, OPERATOR, VIEWER, "token:read", "token:write", "token:pause", "token:admin"]
CASES = [
    (action, caller)
    for action in ACTIONS
    for caller in CALLERS
    if not (action.page and caller.startswith("token:"))
]


@pytest.mark.parametrize(("action", "caller"), CASES, ids=[f"{a.name}-{c}" for a, c in CASES])
def test_it_allows_or_refuses_each_role_each_action(action: Action, caller: str) -> None:
    # given a tenant, its objects, and the caller (a member of that role, or a token of that scope)
    tenant = TenantFactory(slug="acme")
    member(tenant, Role.OWNER, username="first-owner@acme.example")  # so demoting never hits "last owner"
    world = _world(tenant)
    if caller.startswith("token:"):
        _, token = api_client_with_token(tenant, [caller.split(":")[1]])
        client: Any = api_bearer(token)
    elif action.page:
        client = Client()
        client.force_login(member(tenant, caller))
        session = client.session
        session[SESSION_TENANT_KEY] = str(tenant.pk)
        session.save()
    else:
        client = api_as(member(tenant, caller), tenant)
    # when
    url, body = action.url(world), action.body(world)
    if action.method == "get":
        response = client.get(url)
    elif action.page:
        response = getattr(client, action.method)(url, data=body)
    else:
        response = getattr(client, action.method)(url, data=body, format="json")
    # then
    if caller in action.allowed:
        assert response.status_code < 400, (action.name, caller, response.status_code, response.content[:300])
    else:
        assert response.status_code == 403, (
            action.name,
            caller,
            response.status_code,
            response.content[:300],
        )


def test_it_gives_an_outsider_no_tenant_at_all(trio: Any) -> None:
    # given globex's owner calls acme's member list naming acme
    client = api_as(trio.outsider)
    # when
    response = client.get("/api/v1/members/", HTTP_X_TENANT="acme")
    # then there is no access to acme (not a member), and nothing about acme leaks
    assert response.status_code == 403
    assert b"acme.example" not in response.content


def test_it_lets_a_member_and_the_owner_read_and_only_the_owner_change_security(trio: Any) -> None:
    # given the trio
    owner, viewer = api_as(trio.owner, trio.tenant), api_as(trio.member, trio.tenant)
    # when / then
    assert viewer.get("/api/v1/tenant/").json()["require_2fa"] is False
    assert viewer.patch("/api/v1/tenant/", {"require_2fa": True}, format="json").status_code == 403
    assert owner.patch("/api/v1/tenant/", {"require_2fa": True}, format="json").json()["require_2fa"] is True
    assert api_as(trio.outsider, trio.other_tenant).get("/api/v1/tenant/").json()["slug"] == "globex"

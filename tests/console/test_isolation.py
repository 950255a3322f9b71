"""Generic tenant isolation: every route with an object id, of every app, proves that globex gets
404 for acme's objects and cannot mutate them. Unregistered routes fail (see tests/isolation.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from console.models import AuditEvent, Role
from tests.console.conftest import api_as, api_bearer
from tests.factories import api_client_with_token, member
from tests.isolation import EXEMPT, ROUTES, load_registrations

pytestmark = pytest.mark.django_db
METHODS = ("get", "post", "put", "patch", "delete")
ALL_TENANT_SCOPES = ["read", "write", "pause", "admin"]


def _walk(
    patterns: list[Any], prefix: str = "", has_kwargs: bool = False
) -> Iterator[tuple[str, URLPattern, bool]]:
    for p in patterns:
        pattern = p.pattern
        kwargs = bool(getattr(pattern, "converters", None)) or bool(
            getattr(pattern.regex, "groupindex", None)
        )
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(pattern), has_kwargs or kwargs)
        else:
            yield prefix + str(pattern), p, has_kwargs or kwargs


def routes_with_ids() -> list[tuple[str, str, URLPattern]]:
    """(name, route, pattern) of every route that takes URL kwargs (API and pages)."""
    found = []
    for route, pattern, has_kwargs in _walk(get_resolver().url_patterns):
        if has_kwargs:
            found.append((pattern.name or f"<unnamed {route}>", route, pattern))
    return found


def implemented_methods(pattern: URLPattern) -> list[str]:
    view_class = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
    if view_class is None:
        return list(METHODS)  # function view: try everything
    return [m for m in METHODS if hasattr(view_class, m)]


load_registrations()
ROUTES_WITH_IDS = routes_with_ids()


def test_it_has_found_the_console_routes_it_must_guard() -> None:
    names = {name for name, _, _ in ROUTES_WITH_IDS}
    assert {"api-member", "api-support-grant", "console-member-remove"} <= names


def test_it_has_no_stale_registrations() -> None:
    names = {name for name, _, _ in ROUTES_WITH_IDS}
    stale = sorted((set(ROUTES) | set(EXEMPT)) - names)
    assert not stale, f"registered in tests/isolation.py but no such route: {stale}"


@pytest.mark.parametrize(
    ("name", "route", "pattern"), ROUTES_WITH_IDS, ids=[n for n, _, _ in ROUTES_WITH_IDS]
)
def test_it_answers_404_to_another_tenant_for_every_route_with_an_id(
    name: str, route: str, pattern: URLPattern
) -> None:
    if name in EXEMPT:
        return  # covered where the exemption says
    assert name in ROUTES, (
        f"route {route!r} (name {name!r}) takes an id but is not in the isolation registry: register a "
        "factory for it in tests/<app>/isolation_routes.py (see tests/isolation.py)"
    )
    # given acme's object, acme's owner, and globex's owner and all-scopes token
    from tests.factories import TenantFactory

    acme = TenantFactory(slug="acme", name="Acme Corporation")
    globex = TenantFactory(slug="globex", name="Globex Industries")
    acme_owner = member(acme, Role.OWNER, username="owner@acme.example")
    outsider = member(globex, Role.OWNER, username="owner@globex.example")
    _, globex_token = api_client_with_token(globex, ALL_TENANT_SCOPES, name="globex-all")
    url = reverse(name, kwargs=ROUTES[name](acme))
    methods = implemented_methods(pattern)
    audit_before = AuditEvent.objects.filter(tenant=acme).count()
    callers: list[tuple[str, Any]] = [("globex owner (session)", api_as(outsider, globex))]
    if route.startswith("api/"):
        callers.append(("globex token (all scopes)", api_bearer(globex_token)))
    # when globex tries every method
    for label, caller in callers:
        for method in methods:
            response = (
                getattr(caller, method)(url, data={}, format="json") if method != "get" else caller.get(url)
            )
            # then it is answered exactly like a missing object
            assert response.status_code in (404, 405), (
                f"{label} {method.upper()} {url} answered {response.status_code}: {response.content[:300]!r}"
            )
    assert AuditEvent.objects.filter(tenant=acme).count() == audit_before, "globex changed acme's data"
    # and acme's owner does reach the object (the factory built the right thing)
    if "get" in methods:
        own = api_as(acme_owner, acme).get(url)
        assert own.status_code != 404, f"acme's owner gets 404 on {url}: the factory is wrong"


def test_it_refuses_an_outsider_on_pages_without_an_id_too(trio: Any) -> None:
    # given acme data and globex's owner
    # when globex's owner opens the member list and the audit log
    client = Client()
    client.force_login(trio.outsider)
    members = client.get("/members/")
    # then they see globex, never acme
    assert members.status_code == 200
    assert b"viewer@acme.example" not in members.content
    assert b"owner@globex.example" in members.content

"""One path style: every API route ends with a slash (or a file name), and its other form is
answered by the same view without a redirect, so a POST or PATCH written against the old mixed
paths keeps its body (see console/api_paths.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from console.api_paths import route_is_canonical
from console.models import AuditEvent, Role
from tests.console.conftest import api_as
from tests.factories import TenantFactory, member

SAMPLES = {"uuid": str(uuid.UUID(int=7)), "str": "sample", "int": "3", "slug": "sample", "path": "a/b"}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def api_routes() -> list[tuple[str, URLPattern]]:
    return [(route, p) for route, p in _walk(get_resolver().url_patterns) if route.startswith("api/v1/")]


def sample_kwargs(pattern: URLPattern) -> dict[str, str]:
    converters = getattr(pattern.pattern, "converters", {})
    kinds = {type(c).__name__.removesuffix("Converter").lower() for c in converters.values()}
    assert kinds <= set(SAMPLES), f"{pattern.name}: no sample for {kinds - set(SAMPLES)}"
    return {
        name: SAMPLES[type(c).__name__.removesuffix("Converter").lower()] for name, c in converters.items()
    }


def test_it_walks_every_api_route() -> None:
    # the registry is read, not a copy of it: a new route is covered without editing this test
    assert len(api_routes()) > 60


@pytest.mark.parametrize(("route", "pattern"), api_routes(), ids=lambda v: v if isinstance(v, str) else "")
def test_it_answers_both_forms_of_every_route_with_the_same_view(route: str, pattern: URLPattern) -> None:
    # given the route's canonical path, as reverse() and the schema give it
    assert route_is_canonical(route), f"{route} does not end with a slash (nor names a file)"
    kwargs = sample_kwargs(pattern)
    canonical = reverse(pattern.name, kwargs=kwargs) if pattern.name else None
    assert canonical is not None and canonical.startswith("/api/v1/"), route
    other = canonical[:-1] if canonical.endswith("/") else canonical + "/"
    # when both forms are resolved
    first, second = resolve(canonical), resolve(other)
    # then they reach the same view with the same arguments
    assert first.func is second.func, f"{other} reaches another view than {canonical}"
    assert first.url_name == second.url_name == pattern.name
    assert first.kwargs == second.kwargs


@pytest.mark.django_db
def test_it_creates_and_patches_through_the_unslashed_form_without_a_redirect() -> None:
    # given an admin whose automation was written against the old paths (no trailing slash)
    acme = TenantFactory(slug="acme")
    client = api_as(member(acme, Role.ADMIN), acme)
    # when it creates a group on the collection without its slash
    created = client.post("/api/v1/host-groups", {"name": "prod"}, format="json")
    # then the group is created, not redirected
    assert created.status_code == 201, created.content
    group = created.json()["object"]
    # and a PATCH on the detail without a slash changes it, with its If-Match, audited once
    audit_before = AuditEvent.objects.filter(tenant=acme).count()
    patched = client.patch(
        f"/api/v1/host-groups/{group['id']}",
        {"description": "production"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["object"]["description"] == "production"
    assert AuditEvent.objects.filter(tenant=acme).count() == audit_before + 1
    # and the canonical form (with the slash) reads the same object
    assert client.get(f"/api/v1/host-groups/{group['id']}/").json()["description"] == "production"


def test_it_accepts_only_the_two_forms() -> None:
    # when a path carries a doubled slash
    # then it is not a third form of the route
    with pytest.raises(Resolver404):
        resolve("/api/v1/host-groups//")

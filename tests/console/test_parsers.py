"""Deeply nested, huge or over-long JSON bodies are a 400 naming the limit, on every endpoint that
takes a body; never a 500 (RecursionError) and never a fully built object tree first.

The walker finds every POST / PATCH / PUT route in the URL registry (routes with ids get a real
object of the caller's tenant from the isolation registry, so the view reaches the body) and sends
10, 1,000 and 100,000-level nested objects and arrays as an owner session, an all-scopes token and,
for vendor routes, a vendor token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from console.json_bounds import JsonLimitExceeded, JsonLimits, json_loads_bounded
from console.models import ApiScope, Role
from tests.console.conftest import api_as, api_bearer, problem
from tests.factories import TenantFactory, api_client_with_token, host_with_credential, member
from tests.isolation import ROUTES, load_registrations

BODY_METHODS = ("post", "put", "patch")
DEPTHS = (10, 1_000, 100_000)
ALL_TENANT_SCOPES = [ApiScope.READ, ApiScope.WRITE, ApiScope.PAUSE, ApiScope.ADMIN]


def nested(depth: int, kind: str) -> str:
    if kind == "object":
        return '{"a":' * depth + "1" + "}" * depth
    return "[" * depth + "]" * depth


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def body_routes() -> list[tuple[str, str, URLPattern, list[str]]]:
    """(name, route, pattern, methods) of every API and edge route whose view takes a body."""
    found = []
    for route, pattern in walk(get_resolver().url_patterns):
        if not route.startswith(("api/", "edge/")) or "schema" in route or "docs" in route:
            continue
        view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
        methods = [m for m in BODY_METHODS if view is None or hasattr(view, m)]
        if methods:
            found.append((pattern.name or route, route, pattern, methods))
    return found


def placeholder_kwargs(pattern: URLPattern) -> dict[str, Any]:
    """Kwargs for a route outside the isolation registry (vendor objects): a missing object."""
    converters = getattr(pattern.pattern, "converters", {})
    return {key: uuid4() if "UUID" in type(c).__name__ else "1" for key, c in converters.items()}


load_registrations()
BODY_ROUTES = body_routes()


def test_it_finds_the_endpoints_named_in_the_issue() -> None:
    routes = {route for _, route, _, _ in BODY_ROUTES}
    assert {"api/v1/sensor-policies/", "api/v1/host-groups/", "api/v1/telemetry/heartbeats/"} <= routes


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "route", "pattern", "methods"), BODY_ROUTES, ids=[r[0] for r in BODY_ROUTES]
)
def test_it_never_answers_500_to_a_deeply_nested_body(
    name: str, route: str, pattern: URLPattern, methods: list[str]
) -> None:
    # given a tenant's owner, its all-scopes token, a vendor token, and a real object when the
    # route takes an id
    acme = TenantFactory(slug="acme")
    owner = member(acme, Role.OWNER, username="owner@acme.example")
    _, token = api_client_with_token(acme, ALL_TENANT_SCOPES, name="all")
    _, vendor = api_client_with_token(None, [ApiScope.VENDOR, ApiScope.TELEMETRY], name="vendor")
    kwargs = ROUTES[name](acme) if name in ROUTES else placeholder_kwargs(pattern)
    url = reverse(name, kwargs=kwargs) if pattern.name else "/" + route
    callers = [api_as(owner, acme), api_bearer(token), api_bearer(vendor)]
    for caller in callers:
        for method in methods:
            for depth in DEPTHS:
                for kind in ("object", "array"):
                    # when the nested body is sent
                    response = getattr(caller, method)(
                        url, nested(depth, kind), content_type="application/json"
                    )
                    # then it is never a server error, and every refusal is problem+json
                    status = response.status_code
                    assert status < 500, f"{method.upper()} {url} depth {depth} {kind}: {status}"
                    if status >= 400:
                        body = problem(response)
                        if depth > 64 and status == 400:
                            # and a 400 to a body past the depth limit names that limit
                            assert body.get("limit") == "depth", (url, body)


@pytest.mark.django_db
def test_it_refuses_a_deep_body_on_the_heartbeat_ingest_naming_the_limit() -> None:
    # given a host with its credential
    acme = TenantFactory(slug="acme")
    _, credential = host_with_credential(acme)
    client = api_bearer(credential)
    # when it posts a batch nested 5,000 levels deep
    body = '{"heartbeats": [' + nested(5_000, "array") + "]}"
    response = client.post("/api/v1/telemetry/heartbeats", body, content_type="application/json")
    # then it is a 400 naming the depth limit
    assert response.status_code == 400
    assert problem(response)["limit"] == "depth"
    assert problem(response)["maximum"] == 64


@pytest.mark.django_db
def test_it_refuses_too_many_elements_before_building_them(settings: Any) -> None:
    # given an owner and a lower element limit
    settings.API_JSON_MAX_ELEMENTS = 1_000
    acme = TenantFactory(slug="acme")
    owner = member(acme, Role.OWNER, username="owner@acme.example")
    # when a flat body of 5,000 elements is posted
    body = '{"name": "g", "rule": "", "x": [' + ",".join(["0"] * 5_000) + "]}"
    response = api_as(owner, acme).post("/api/v1/host-groups/", body, content_type="application/json")
    # then it is a 400 naming the element limit
    assert response.status_code == 400
    assert problem(response)["limit"] == "elements"


def test_it_ignores_brackets_inside_strings() -> None:
    # given a shallow document whose strings hold brackets and escaped quotes
    raw = '{"a": "[[[[{{{{", "b": ["\\"[[[", "]]]"]}'
    # when it is decoded with a depth limit of 2
    data = json_loads_bounded(raw, JsonLimits(max_depth=2))
    # then the strings are data, not structure
    assert data == {"a": "[[[[{{{{", "b": ['"[[[', "]]]"]}


@pytest.mark.parametrize(
    ("raw", "limit"),
    [
        ("[" * 65 + "]" * 65, "depth"),
        ("[" + "1," * 300 + "1]", "elements"),
        ('"' + "x" * 2_000 + '"', "bytes"),
    ],
)
def test_it_names_the_limit_a_document_passes(raw: str, limit: str) -> None:
    # when a document past one limit is decoded
    with pytest.raises(JsonLimitExceeded) as refused:
        json_loads_bounded(raw, JsonLimits(max_depth=64, max_elements=100, max_bytes=1_000))
    # then the error names that limit
    assert refused.value.limit == limit


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/sensor-policies/", "/api/v1/host-groups/", "/api/v1/vendor/content-releases/validate"]
)
def test_it_names_the_depth_limit_where_the_issue_saw_a_500(path: str) -> None:
    # given an owner of acme and a vendor token
    acme = TenantFactory(slug="acme")
    owner = member(acme, Role.OWNER, username="owner@acme.example")
    _, vendor = api_client_with_token(None, [ApiScope.VENDOR], name="vendor")
    caller = api_bearer(vendor) if "/vendor/" in path else api_as(owner, acme)
    # when a body nested 5,000 levels deep (about 6 KB) is posted
    response = caller.post(path, nested(5_000, "object"), content_type="application/json")
    # then it is a 400 naming the depth limit
    assert response.status_code == 400
    assert problem(response)["limit"] == "depth"

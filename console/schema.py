"""OpenAPI description of the console's own authentication (drf-spectacular extension)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "console.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API client token (`ucc_<prefix>_<secret>`), shown once when the client is created.",
        }


def name_collection_operations(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: a GET on a collection whose operationId collides with its item's
    (views that return a list without a list serializer) is named ``<resource>_list``.

    Without it drf-spectacular warns and appends numeral suffixes, and ``check --deploy
    --fail-level WARNING`` fails.
    """
    seen: dict[str, list[tuple[str, str]]] = {}
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            if isinstance(operation, dict) and "operationId" in operation:
                seen.setdefault(operation["operationId"], []).append((path, method))
    for operation_id, places in seen.items():
        if len(places) < 2 or not operation_id.endswith("_retrieve"):
            continue
        for path, method in places:
            if method == "get" and not path.rstrip("/").endswith("}"):
                result["paths"][path][method]["operationId"] = operation_id[: -len("_retrieve")] + "_list"
    return result


# Where each create answers the new object's id (JSON pointer into the 201 body). The policy-style
# creates answer {"dry_run", "blast_radius", "object"}; the others answer the object itself.
CREATED_ID_POINTERS = {
    "/api/v1/api-clients/": "/id",
    "/api/v1/content-policies/": "/object/id",
    "/api/v1/enrolment-tokens/": "/id",
    "/api/v1/freezes/": "/object/id",
    "/api/v1/host-groups/": "/object/id",
    "/api/v1/invitations/": "/id",
    "/api/v1/pauses/": "/object/id",
    "/api/v1/rings/": "/id",
    "/api/v1/sensor-policies/": "/object/id",
    "/api/v1/support/grants/": "/id",
    "/api/v1/vendor/content-releases/": "/id",
    "/api/v1/webhooks/": "/id",
    "/api/v1/windows/": "/object/id",
}


def link_created_objects(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: OpenAPI links from each create (its 201 answer) to every operation on
    the created object (``{id}`` paths under the same collection), for stateful fuzzing.

    Views that declare a free-form answer are documented under 200 by drf-spectacular although a
    create answers 201 (200 is the dry run); the 201 answer is added with the same content.
    """
    paths = result.get("paths", {})
    for collection, pointer in CREATED_ID_POINTERS.items():
        create = paths.get(collection, {}).get("post")
        if not isinstance(create, dict):
            continue
        responses = create.setdefault("responses", {})
        if "201" not in responses:
            documented = responses.get("200", {})
            responses["201"] = {**documented, "description": "Created"}
        links: dict[str, Any] = {}
        for path, methods in paths.items():
            if not path.startswith(collection + "{id}"):
                continue
            for method, operation in methods.items():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                in_path = [p for p in operation.get("parameters", []) if p.get("in") == "path"]
                if [p.get("name") for p in in_path] != ["id"]:
                    continue
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": {"path.id": f"$response.body#{pointer}"},
                    "description": f"{method.upper()} {path} on the object just created.",
                }
        if links:
            responses["201"] = {**responses["201"], "links": links}
    return result


# --- the typed contract: one Problem component, the error answers of every operation, summaries ---

PROBLEM_MEDIA_TYPE = "application/problem+json"
_FIELD_MAP = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error (RFC 9457). Other members may be present (e.g. `limit` on a too-large body).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "description": "`about:blank` or `/problems/<slug>`.",
            "example": "/problems/invalid-input",
        },
        "title": {"type": "string", "example": "Invalid input"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "example": 400},
        "detail": {"type": "string", "example": "The request has invalid fields."},
        "instance": {"type": "string", "description": "The request path."},
        "errors": {
            **_FIELD_MAP,
            "description": "Each bad field (`a.b`, `list[0].c`; `__all__` for the whole body) and its messages.",
        },
        "codes": {
            **_FIELD_MAP,
            "description": "One machine code per message of `errors`, same fields, same order "
            "(`required`, `invalid`, `max_length`, `not_found`...).",
        },
    },
}

# Which error answers an operation can give, and when (see ``document_problems``).
PROBLEM_TITLES = {
    "400": "Invalid input or malformed request (problem+json naming each bad field)",
    "401": "No or invalid credentials",
    "403": "The caller's role or token scope does not allow this",
    "404": "No such object in the caller's tenant (another tenant's object answers the same)",
    "409": "The change conflicts with the object's current state",
    "412": "If-Match does not match the object's current version (a stale write)",
    "428": "If-Match is required",
    "429": "Rate limit exceeded (see the RateLimit headers)",
    "503": "A dependency (database, message store) is unavailable; retry after Retry-After",
}
_WRITES = {"post", "put", "patch", "delete"}


def _problem_codes(method: str, operation: dict[str, Any]) -> list[str]:
    params = operation.get("parameters", [])
    codes = ["401", "403", "429", "503"]
    if operation.get("requestBody") or any(p.get("in") == "query" for p in params):
        codes.append("400")
    if any(p.get("in") == "path" for p in params) or any(
        p.get("in") == "query" and p.get("name") == "cursor" for p in params
    ):
        codes.append("404")  # a missing object, or a cursor that is not one
    if method in _WRITES:
        codes.append("409")
    if any(p.get("in") == "header" and p.get("name") == "If-Match" for p in params):
        codes += ["412", "428"]
    return sorted(codes)


# Summaries of the generic (ListAPIView-style) operations of console/ and telemetry/, by operationId;
# the hand-written views declare theirs with ``extend_schema(summary=...)``. An operation in neither
# has no summary, which the contract test and the lint refuse.
SUMMARIES = {
    "api_clients_list": "List API clients",
    "api_clients_create": "Create an API client (the token is shown once)",
    "api_clients_retrieve": "Get an API client",
    "api_clients_destroy": "Revoke an API client",
    "api_clients_rotate_create": "Rotate an API client's token",
    "audit_events_list": "List audit events",
    "audit_events_export.csv_retrieve": "Export the audit log as CSV",
    "audit_events_export.json_list": "Export the audit log as JSON",
    "enrolment_tokens_list": "List enrolment tokens",
    "enrolment_tokens_create": "Create an enrolment token",
    "enrolment_tokens_retrieve": "Get an enrolment token",
    "enrolment_tokens_destroy": "Revoke an enrolment token",
    "hosts_list": "List hosts",
    "hosts_retrieve": "Get a host",
    "hosts_destroy": "Remove a host",
    "invitations_list": "List invitations",
    "invitations_create": "Invite someone",
    "invitations_retrieve": "Get an invitation",
    "invitations_destroy": "Withdraw an invitation",
    "members_list": "List members",
    "members_retrieve": "Get a member",
    "members_partial_update": "Change a member's role",
    "members_destroy": "Remove a member",
    "support_grants_list": "List support grants",
    "support_grants_create": "Grant vendor support access",
    "support_grants_retrieve": "Get a support grant",
    "support_grants_destroy": "Revoke a support grant",
    "support_requests_list": "List vendor support requests",
    "support_requests_retrieve": "Get a support request",
    "support_requests_approve_create": "Approve a support request (creates a grant)",
    "support_requests_deny_create": "Deny a support request",
    "telemetry_enrol_create": "Enrol a sensor",
    "telemetry_heartbeats_create": "Send a batch of heartbeats",
    "tenant_retrieve": "Get the tenant's settings",
    "tenant_partial_update": "Change the tenant's settings",
    "vendor_break_glass_create": "Break glass: self-grant read-only access",
    "vendor_support_grants_list": "List the vendor's support grants",
    "vendor_support_requests_list": "List the vendor's support requests",
    "vendor_support_requests_create": "Request support access to a tenant",
}


def document_problems(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the shared ``Problem`` component, each operation's error answers as
    ``application/problem+json`` (by what the operation takes: a body or query ⇒ 400, an id ⇒ 404,
    If-Match ⇒ 412/428, a write ⇒ 409; every one 401/403/429/503), and the summaries of
    ``SUMMARIES``."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if not operation.get("summary") and operation.get("operationId") in SUMMARIES:
                operation["summary"] = SUMMARIES[operation["operationId"]]
            responses = operation["responses"]
            for code in _problem_codes(method, operation):
                responses.setdefault(
                    code,
                    {"description": PROBLEM_TITLES[code], "content": {PROBLEM_MEDIA_TYPE: {"schema": ref}}},
                )
            operation["responses"] = dict(sorted(responses.items()))
    return result


def results_of(item: type[serializers.Serializer[Any]], name: str) -> type[serializers.Serializer[Any]]:
    """The serializer of an unpaginated list answer ``{"results": [item, ...]}`` (component ``name``)."""
    if name not in _RESULTS:
        _RESULTS[name] = type(name, (serializers.Serializer,), {"results": item(many=True)})
    return _RESULTS[name]


_RESULTS: dict[str, type[serializers.Serializer[Any]]] = {}


# Answers deliberately left free-form, as {(method, path): reason}. Empty: every answer body is typed.
# The contract test (tests/console/test_api_contract.py) and the lint (openapi-lint/.spectral.yaml)
# refuse any other.
FREE_FORM_ANSWERS: dict[tuple[str, str], str] = {}


def _is_free_form(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _is_free_form(components.get(name, {}), components)
    if any(key in schema for key in ("properties", "allOf", "oneOf", "anyOf", "items")):
        return False
    if schema.get("type") in ("string", "integer", "number", "boolean"):
        return False
    extra = schema.get("additionalProperties")
    return not (isinstance(extra, dict) and extra)


def free_form_answers(schema: dict[str, Any]) -> list[str]:
    """``METHOD path status media-type`` of each answer whose body is a free-form object (or has no
    schema at all), except those in ``FREE_FORM_ANSWERS``."""
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or (method, path) in FREE_FORM_ANSWERS:
                continue
            for status, answer in operation.get("responses", {}).items():
                for media_type, content in (answer.get("content") or {}).items():
                    if _is_free_form(content.get("schema", {}), components):
                        found.append(f"{method.upper()} {path} {status} {media_type}")
    return found

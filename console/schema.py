"""OpenAPI description of the console's own authentication (drf-spectacular extension)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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

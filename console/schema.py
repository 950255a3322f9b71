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

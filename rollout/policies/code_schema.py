"""The policy-as-code document's schema (JSON Schema, checked with ``jsonschema``): unknown keys and
wrong types are refused with the path in the document, so ``updte_blocks:`` is a 400 naming
``sensor_policies[0].updte_blocks`` (and suggesting ``update_blocks``), never a policy applied
without its update blocks. Values are checked for shape here; their meaning (a known platform,
a valid target, a real time zone) is checked by the services the import calls.
"""

from __future__ import annotations

import difflib
from datetime import date, datetime
from typing import Any, Final

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

MAX_ERRORS: Final = 50

_STRING = {"type": "string"}
_STRING_OR_NULL = {"type": ["string", "null"]}
_NAMES = {"type": "array", "items": _STRING, "description": "a list of names"}
_WEEKDAYS = {
    "type": "array",
    "items": {"type": "integer", "minimum": 0, "maximum": 6},
    "description": "a list of weekdays, 0 = Monday ... 6 = Sunday",
}
_CLOCK = {"type": "string", "description": 'a time "HH:MM" (quote it in YAML)'}


def _mapping(properties: dict[str, Any], required: tuple[str, ...] = ("name",)) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


DOCUMENT_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["version"],
    "properties": {
        "version": {"const": 1, "description": "the format version, 1"},
        "tenant": {"type": "string", "description": "the exporting tenant's slug (informative)"},
        "groups": _list_of(
            _mapping(
                {
                    "name": _STRING,
                    "description": _STRING_OR_NULL,
                    "rule": _STRING_OR_NULL,
                    "static_members": {
                        "type": "array",
                        "items": _STRING,
                        "description": "a list of host ids",
                    },
                }
            )
        ),
        "windows": _list_of(
            _mapping(
                {
                    "name": _STRING,
                    "weekdays": _WEEKDAYS,
                    "start": _CLOCK,
                    "duration_minutes": {"type": "integer"},
                    "timezone": _STRING,
                }
            )
        ),
        "sensor_policies": _list_of(
            _mapping(
                {
                    "name": _STRING,
                    "platform": _STRING,
                    "default": {"type": "boolean"},
                    "target": _STRING,
                    "update_blocks": _list_of(
                        _mapping(
                            {"weekdays": _WEEKDAYS, "start": _CLOCK, "end": _CLOCK},
                            required=("weekdays", "start", "end"),
                        )
                    ),
                    "timezone": _STRING,
                    "uninstall_protection": {"type": "boolean"},
                    "groups": _NAMES,
                },
                required=("name", "platform"),
            )
        ),
        "content_policies": _list_of(
            _mapping(
                {
                    "name": _STRING,
                    "category": _STRING,
                    "default": {"type": "boolean"},
                    "mode": _STRING,
                    "windows": _NAMES,
                    "critical_bypass_windows": {"type": "boolean"},
                    "groups": _NAMES,
                },
                required=("name", "category"),
            )
        ),
        "freezes": _list_of(
            _mapping(
                {
                    "reason": _STRING,
                    "starts_at": {"type": "string", "description": "an ISO 8601 time with an offset"},
                    "ends_at": {"type": "string", "description": "an ISO 8601 time with an offset"},
                },
                required=("reason", "starts_at", "ends_at"),
            )
        ),
    },
}
_VALIDATOR = Draft202012Validator(DOCUMENT_SCHEMA)
_JSON_TYPES = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a mapping",
    type(None): "null",
}


_SCHEMA_TYPES = {
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


def _times_as_text(value: Any) -> Any:
    """YAML reads an unquoted ISO time as a datetime: back to the text the schema expects."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _times_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_times_as_text(v) for v in value]
    return value


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "document"


def _describe(error: ValidationError) -> dict[str, list[str]]:
    where = _path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(schema.get("properties", {}))
        found: dict[str, list[str]] = {}
        for key in sorted(set(error.instance) - set(known), key=str):
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else f" Known keys: {', '.join(known)}."
            found[f"{where}.{key}" if where != "document" else str(key)] = [f"Unknown key.{hint}"]
        return found
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else ""
        return {f"{where}.{missing}" if where != "document" else missing: ["Required."]}
    if error.validator == "type":
        got = _JSON_TYPES.get(type(error.instance), type(error.instance).__name__)
        types = schema.get("type", [])
        wanted = schema.get("description") or " or ".join(
            _SCHEMA_TYPES[t] for t in ([types] if isinstance(types, str) else types)
        )
        return {where: [f"Expected {wanted}, got {got}."]}
    if error.validator == "const":
        return {where: [f"Expected {schema.get('description') or error.validator_value!r}."]}
    return {where: [error.message[:300]]}


def policy_document_errors(document: Any) -> tuple[Any, dict[str, list[str]]]:
    """The document with YAML times as text, and its errors by path (empty when it conforms)."""
    document = _times_as_text(document)
    errors: dict[str, list[str]] = {}
    for index, error in enumerate(
        sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ):
        if index >= MAX_ERRORS:
            errors.setdefault("document", []).append(f"More than {MAX_ERRORS} errors; fix these first.")
            break
        for where, messages in _describe(error).items():
            errors.setdefault(where, []).extend(messages)
    return document, errors

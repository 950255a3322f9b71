"""The content validation gate, as pure functions: every template instance must match its template
type exactly (the 21-vs-20 field failure of 19 July is a rejection here, with the instance and the
field named), sizes are bounded, and the digest must be the digest of what was validated.

``validate_instances`` never raises on any JSON-like input: whatever the vendor pipeline sends, the
answer is a report, not a crash (fuzzed with Hypothesis in the tests).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_INSTANCES = 10_000


MAX_FIELDS = 256


MAX_STRING = 4096


MAX_BYTES = 5 * 1024 * 1024


FIELD_TYPES = ("int", "float", "str", "bool")


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    field_types: tuple[str, ...]
    min_sensor_build: str


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    instance: str = ""
    field: int | None = None  # 1-based field position, as people count

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "instance": self.instance, "field": self.field}


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    template_types: set[str] = field(default_factory=set)
    digest: str = ""
    instance_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def canonical_digest(instances: Any) -> str:
    """SHA-256 of the canonical JSON of ``instances`` (sorted keys, no whitespace)."""
    try:
        payload = json.dumps(instances, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        payload = repr(instances)
    return hashlib.sha256(payload.encode("utf-8", "replace")).hexdigest()


def _type_ok(expected: str, value: Any) -> bool:
    if expected == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
    if expected == "str":
        return isinstance(value, str) and len(value) <= MAX_STRING
    if expected == "bool":
        return isinstance(value, bool)
    return False


def _type_name(value: Any) -> str:
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "object"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _label(raw: Any, index: int) -> str:
    if isinstance(raw, dict):
        ident = raw.get("id")
        if isinstance(ident, (str, int)) and not isinstance(ident, bool):
            return str(ident)[:120]
    return f"#{index + 1}"


def validate_instance(index: int, raw: Any, templates: Mapping[str, TemplateSpec]) -> list[Problem]:
    """The problems of one instance ``{"id", "template_type", "fields": [...]}``."""
    label = _label(raw, index)
    if not isinstance(raw, dict):
        return [Problem("instance_shape", f"Instance {label} is not an object.", label)]
    name = raw.get("template_type")
    if not isinstance(name, str) or name not in templates:
        return [Problem("unknown_template_type", f"Instance {label}: unknown template type {name!r}.", label)]
    spec = templates[name]
    values = raw.get("fields")
    if not isinstance(values, list):
        return [Problem("fields_shape", f"Instance {label}: 'fields' must be a list.", label)]
    problems: list[Problem] = []
    declared = len(spec.field_types)
    if len(values) > MAX_FIELDS:
        return [
            Problem(
                "too_many_fields", f"Instance {label} has {len(values)} fields (max {MAX_FIELDS}).", label
            )
        ]
    if len(values) != declared:
        position = min(len(values), declared) + 1
        if len(values) < declared:
            message = (
                f"Instance {label} supplies {len(values)} fields but template type {name} declares "
                f"{declared}: field {position} ({spec.field_types[position - 1]}) is missing."
            )
        else:
            message = (
                f"Instance {label} supplies {len(values)} fields but template type {name} declares "
                f"{declared}: field {position} is not declared."
            )
        problems.append(Problem("field_count", message, label, position))
    for position, (expected, value) in enumerate(zip(spec.field_types, values, strict=False), start=1):
        if not _type_ok(expected, value):
            problems.append(
                Problem(
                    "field_type",
                    f"Instance {label}, field {position}: expected {expected}, got {_type_name(value)}.",
                    label,
                    position,
                )
            )
    return problems


def validate_instances(
    instances: Any, templates: Mapping[str, TemplateSpec], *, claimed_digest: str | None = None
) -> Report:
    """The validation report of a release's instances against the template types it uses."""
    report = Report(digest=canonical_digest(instances))
    if claimed_digest is not None and claimed_digest != report.digest:
        report.problems.append(
            Problem("digest", f"Digest {claimed_digest[:80]!r} does not match the content ({report.digest}).")
        )
    if not isinstance(instances, list):
        report.problems.append(
            Problem("instances_shape", "'instances' must be a list of template instances.")
        )
        return report
    report.instance_count = len(instances)
    if not instances:
        report.problems.append(Problem("empty", "A release needs at least one template instance."))
    if len(instances) > MAX_INSTANCES:
        report.problems.append(
            Problem("too_many_instances", f"{len(instances)} instances (max {MAX_INSTANCES}).")
        )
        return report
    try:
        size = len(json.dumps(instances, allow_nan=False))
    except (TypeError, ValueError):
        report.problems.append(
            Problem("not_json", "The instances hold values JSON cannot carry (NaN, Infinity).")
        )
        return report
    if size > MAX_BYTES:
        report.problems.append(Problem("too_large", f"The instances are {size} bytes (max {MAX_BYTES})."))
        return report
    seen: set[str] = set()
    for index, raw in enumerate(instances):
        label = _label(raw, index)
        if label in seen:
            report.problems.append(
                Problem("duplicate_instance", f"Instance id {label} appears twice.", label)
            )
        seen.add(label)
        report.problems.extend(validate_instance(index, raw, templates))
        if (
            isinstance(raw, dict)
            and isinstance(raw.get("template_type"), str)
            and raw["template_type"] in templates
        ):
            report.template_types.add(raw["template_type"])
    return report

"""The content/sensor contract matrix, as pure functions: a content release checked against what each
sensor build in the field really supplies (its declared capabilities), not only against the
release's own template types. On 19 July the template type declared 21 inputs and the build's
interpreter supplied 20; the instances used a wildcard in field 21, so no test ever exercised it.

Per build, for every template type the release uses: the build must declare it (a build interprets
nothing it does not declare), supply at least as many inputs as the template type has fields,
accept each field's type, and load the instances of that type within its size and entry limits.
Fields no instance gives a real value (only the wildcard ``"*"``) are reported as untested on the
build. Across releases: a file that at least doubles in size or entries against the previous
release of its category needs a second approver before it enters canary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

WILDCARD = "*"

COMPATIBLE = "compatible"
UNTESTED = "untested"
INCOMPATIBLE = "incompatible"

MAX_PROBLEMS_PER_CELL = 20  # a 10,000-instance release names the first ones, then counts the rest

GROWTH_FACTOR = 2  # a file this many times the previous one's size or entries waits for a second approver


@dataclass(frozen=True)
class Capability:
    """What one build's interpreter supplies for one template type."""

    template_type: str
    input_count: int
    accepted_types: tuple[str, ...]
    max_bytes: int
    max_entries: int


@dataclass(frozen=True)
class BuildContract:
    platform: str
    version: str
    capabilities: Mapping[str, Capability] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    platform: str
    version: str
    status: str
    problems: tuple[dict[str, Any], ...] = ()
    untested: tuple[dict[str, Any], ...] = ()

    @property
    def deliverable(self) -> bool:
        return self.status != INCOMPATIBLE


@dataclass(frozen=True)
class Growth:
    """A release's size against the previous release of its category."""

    size_bytes: int
    entries: int
    previous_version: str | None = None
    previous_bytes: int = 0
    previous_entries: int = 0

    @property
    def needs_second_approver(self) -> bool:
        if self.previous_version is None:
            return False
        return (self.previous_bytes > 0 and self.size_bytes >= GROWTH_FACTOR * self.previous_bytes) or (
            self.previous_entries > 0 and self.entries >= GROWTH_FACTOR * self.previous_entries
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "size_bytes": self.size_bytes,
            "entries": self.entries,
            "previous_version": self.previous_version,
            "previous_bytes": self.previous_bytes,
            "previous_entries": self.previous_entries,
            "needs_second_approver": self.needs_second_approver,
        }


def _size(value: Any) -> int:
    try:
        return len(json.dumps(value, separators=(",", ":"), allow_nan=False).encode())
    except (TypeError, ValueError):
        return 0


def _value_type(value: Any) -> str:
    return {bool: "bool", int: "int", float: "float", str: "str"}.get(type(value), type(value).__name__)


def by_template_type(instances: Any) -> dict[str, list[dict[str, Any]]]:
    """The well-formed instances of a release grouped by template type (validation rejects the rest)."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    if not isinstance(instances, list):
        return grouped
    for raw in instances:
        if (
            isinstance(raw, dict)
            and isinstance(raw.get("template_type"), str)
            and isinstance(raw.get("fields"), list)
        ):
            grouped.setdefault(raw["template_type"], []).append(raw)
    return grouped


def _label(raw: Mapping[str, Any], index: int) -> str:
    ident = raw.get("id")
    return (
        str(ident)[:120] if isinstance(ident, (str, int)) and not isinstance(ident, bool) else f"#{index + 1}"
    )


def untested_fields(instances: Sequence[Mapping[str, Any]]) -> list[int]:
    """1-based positions that every instance fills with the wildcard (never a real value)."""
    width = max((len(i["fields"]) for i in instances), default=0)
    return [
        position
        for position in range(1, width + 1)
        if all(len(i["fields"]) < position or i["fields"][position - 1] == WILDCARD for i in instances)
    ]


def _problem(
    code: str, message: str, template_type: str, instance: str = "", position: int | None = None
) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "template_type": template_type,
        "instance": instance,
        "field": position,
    }


def _check_type(name: str, group: Sequence[dict[str, Any]], build: BuildContract) -> list[dict[str, Any]]:
    label = f"{build.platform} {build.version}"
    cap = build.capabilities.get(name)
    if cap is None:
        return [
            _problem(
                "not_declared",
                f"Sensor {label} does not declare template type {name}: it interprets nothing it does "
                "not declare.",
                name,
            )
        ]
    problems: list[dict[str, Any]] = []
    for index, raw in enumerate(group):
        values = raw["fields"]
        ident = _label(raw, index)
        if len(values) > cap.input_count:
            position = cap.input_count + 1
            problems.append(
                _problem(
                    "arity",
                    f"Instance {ident} of {name} has {len(values)} fields but sensor {label} supplies "
                    f"{cap.input_count} inputs: field {position} has no input.",
                    name,
                    ident,
                    position,
                )
            )
        for position, value in enumerate(values[: cap.input_count], start=1):
            if value == WILDCARD:
                continue
            accepted = cap.accepted_types[position - 1] if position <= len(cap.accepted_types) else ""
            kind = _value_type(value)
            if kind != accepted and not (accepted == "float" and kind == "int"):
                problems.append(
                    _problem(
                        "field_type",
                        f"Instance {ident} of {name}, field {position}: sensor {label} accepts "
                        f"{accepted or 'nothing'}, the content gives {kind}.",
                        name,
                        ident,
                        position,
                    )
                )
        if len(problems) > MAX_PROBLEMS_PER_CELL:
            break
    size = _size(list(group))
    if size > cap.max_bytes:
        problems.append(
            _problem(
                "too_large",
                f"The {name} instances are {size:,} bytes; sensor {label} loads at most {cap.max_bytes:,}.",
                name,
            )
        )
    if len(group) > cap.max_entries:
        problems.append(
            _problem(
                "too_many_entries",
                f"{len(group):,} {name} instances; sensor {label} loads at most {cap.max_entries:,}.",
                name,
            )
        )
    return problems


def cell_check(instances: Any, build: BuildContract) -> Cell:
    """The release (its instances) against one build: compatible, untested (compatible, but some fields
    only ever hold the wildcard, so nothing exercised them on this build) or incompatible."""
    grouped = by_template_type(instances)
    problems: list[dict[str, Any]] = []
    untested: list[dict[str, Any]] = []
    label = f"{build.platform} {build.version}"
    for name in sorted(grouped):
        problems.extend(_check_type(name, grouped[name], build))
        for position in untested_fields(grouped[name]):
            untested.append(
                {
                    "template_type": name,
                    "field": position,
                    "message": f"{name} field {position} is a wildcard in every instance: untested on {label}.",
                }
            )
    if len(problems) > MAX_PROBLEMS_PER_CELL:
        more = len(problems) - MAX_PROBLEMS_PER_CELL
        problems = [*problems[:MAX_PROBLEMS_PER_CELL], _problem("more", f"... and {more} more.", "")]
    status = INCOMPATIBLE if problems else (UNTESTED if untested else COMPATIBLE)
    return Cell(build.platform, build.version, status, tuple(problems), tuple(untested))


def matrix_check(instances: Any, builds: Sequence[BuildContract]) -> list[Cell]:
    """One cell per build, in the order given."""
    return [cell_check(instances, build) for build in builds]


def growth_of(instances: Any, previous_version: str | None = None, previous_instances: Any = None) -> Growth:
    entries = len(instances) if isinstance(instances, list) else 0
    if previous_version is None:
        return Growth(_size(instances), entries)
    return Growth(
        _size(instances),
        entries,
        previous_version,
        _size(previous_instances),
        len(previous_instances) if isinstance(previous_instances, list) else 0,
    )


def blocks_everywhere(cells: Sequence[Cell]) -> bool:
    """Every build in use is incompatible: the release cannot advance at all."""
    return bool(cells) and not any(c.deliverable for c in cells)

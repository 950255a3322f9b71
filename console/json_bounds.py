"""JSON decoding with limits checked before any Python object is built (standard library only).

``json.loads`` recurses once per nesting level, so a body of a few thousand ``[`` raises
``RecursionError`` (a 500), and a flat body of a million tiny elements costs far more memory than
its size suggests. ``json_loads_bounded`` first measures the text (strings cut out whole, so
brackets inside them do not count) and refuses it at the first limit it passes; only a document
within every limit reaches ``json.loads``. The measuring is a few C-speed passes over the bytes
and one step per bracket (bounded by the element limit, stopped at the depth limit).

No Django here: the HTTP distribution receiver (standard library only) uses it too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

DEFAULT_MAX_DEPTH: Final = 64
DEFAULT_MAX_ELEMENTS: Final = 200_000
DEFAULT_MAX_BYTES: Final = 5 * 1024 * 1024

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_OPENING: Final = frozenset(b"[{")
_NOT_STRUCTURE: Final = bytes(c for c in range(256) if c not in b"[]{},")
_NOT_BRACKET: Final = bytes(c for c in range(256) if c not in b"[]{}")


@dataclass(frozen=True)
class JsonLimits:
    max_depth: int = DEFAULT_MAX_DEPTH
    max_elements: int = DEFAULT_MAX_ELEMENTS
    max_bytes: int = DEFAULT_MAX_BYTES


class JsonLimitExceeded(ValueError):
    """The document passes one of the limits; ``limit`` names it (``depth``, ``elements``, ``bytes``)."""

    def __init__(self, limit: str, maximum: int) -> None:
        self.limit = limit
        self.maximum = maximum
        what = {
            "depth": f"nests objects or arrays deeper than {maximum} levels",
            "elements": f"has more than {maximum} elements",
            "bytes": f"is larger than {maximum} bytes",
        }[limit]
        super().__init__(f"The JSON body {what}.")


def json_limits_check(raw: bytes, limits: JsonLimits) -> None:
    """Raises ``JsonLimitExceeded`` at the first limit ``raw`` passes; builds nothing.

    Strings are cut out and only ``[]{},`` kept (C-speed passes over the bytes); elements are the
    commas plus the containers; the depth is walked over the brackets alone, and only when there
    are more containers than ``max_depth``. Matching brackets is left to ``json.loads``: within
    the depth limit its recursion is safe."""
    if len(raw) > limits.max_bytes:
        raise JsonLimitExceeded("bytes", limits.max_bytes)
    structure = _STRING.sub(b"", raw).translate(None, _NOT_STRUCTURE)
    brackets = structure.translate(None, _NOT_BRACKET)
    elements = 1 + structure.count(b",") + brackets.count(b"[") + brackets.count(b"{")
    if elements > limits.max_elements:
        raise JsonLimitExceeded("elements", limits.max_elements)
    opens = elements - 1 - structure.count(b",")
    if opens <= limits.max_depth:
        return  # not enough containers to nest deeper than the limit
    # One step per bracket; the element limit above bounds their number, and a deep body stops
    # at the first bracket past the limit.
    depth = 0
    for char in brackets:
        if char in _OPENING:
            depth += 1
            if depth > limits.max_depth:
                raise JsonLimitExceeded("depth", limits.max_depth)
        else:
            depth -= 1


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON.")


def json_loads_bounded(raw: bytes | str, limits: JsonLimits | None = None) -> Any:
    """``json.loads`` for untrusted input: limits first, then strict JSON (no NaN / Infinity)."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    json_limits_check(data, limits or JsonLimits())
    return json.loads(data, parse_constant=_refuse_constant)

"""JSON decoding with limits checked before any Python object is built (standard library only).

``json.loads`` recurses once per nesting level, so a body of a few thousand ``[`` raises
``RecursionError`` (a 500), and a flat body of a million tiny elements costs far more memory than
its size suggests. ``json_loads_bounded`` first scans the text token by token (strings are skipped
whole, so brackets inside them do not count) and stops at the first limit it passes; only a
document within every limit reaches ``json.loads``. The scan is linear and ends early, so a hostile
body costs at most ``max_depth + max_elements`` steps.

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

# A whole string (escapes included) or one structural character; everything else (numbers,
# literals, white space) is skipped by the search.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]')
_OPEN: Final = frozenset(b"[{")
_CLOSE: Final = frozenset(b"]}")
_COMMA: Final = ord(",")


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
    """Raises ``JsonLimitExceeded`` at the first limit ``raw`` passes; builds nothing."""
    if len(raw) > limits.max_bytes:
        raise JsonLimitExceeded("bytes", limits.max_bytes)
    depth = 0
    elements = 1
    for match in _TOKEN.finditer(raw):
        char = raw[match.start()]
        if char in _OPEN:
            depth += 1
            if depth > limits.max_depth:
                raise JsonLimitExceeded("depth", limits.max_depth)
            elements += 1
        elif char in _CLOSE:
            depth -= 1
        elif char == _COMMA:
            elements += 1
        else:
            continue
        if elements > limits.max_elements:
            raise JsonLimitExceeded("elements", limits.max_elements)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON.")


def json_loads_bounded(raw: bytes | str, limits: JsonLimits | None = None) -> Any:
    """``json.loads`` for untrusted input: limits first, then strict JSON (no NaN / Infinity)."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    json_limits_check(data, limits or JsonLimits())
    return json.loads(data, parse_constant=_refuse_constant)

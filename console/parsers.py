"""The API's request body parser: JSON within bounded size, nesting depth and element count.

Installed for every DRF view (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``), the heartbeat ingest
included. A body past a limit is a 400 problem+json naming the limit (``limit``, ``maximum``),
decided before any Python object is built (see ``console.json_bounds``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from console.json_bounds import JsonLimitExceeded, JsonLimits, json_loads_bounded


def api_json_limits() -> JsonLimits:
    """The limits from settings (``API_JSON_MAX_DEPTH``, ``API_JSON_MAX_ELEMENTS``, the upload size)."""
    return JsonLimits(
        max_depth=settings.API_JSON_MAX_DEPTH,
        max_elements=settings.API_JSON_MAX_ELEMENTS,
        max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    )


class JsonLimitError(ParseError):
    """A body past a limit: a 400 whose problem names the limit (``limit``, ``maximum``).

    A DRF ``ParseError`` rather than a ``console.errors`` one: DRF imports the parser classes while
    ``console.errors`` is still importing DRF, so this module cannot import ``console.errors``.
    """

    def __init__(self, exc: JsonLimitExceeded) -> None:
        super().__init__(str(exc), code=f"json_{exc.limit}")
        self.problem_title = "Request body past a limit"
        self.problem_extra = {"limit": exc.limit, "maximum": exc.maximum, "errors": {"body": [str(exc)]}}


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with the limits checked first; strict JSON (no NaN / Infinity)."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limits = api_json_limits()
        # One byte past the limit is enough to know the body is too large; the rest is never read.
        raw = stream.read(limits.max_bytes + 1)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            if encoding.lower().replace("-", "") != "utf8":
                raw = raw.decode(encoding).encode("utf-8")
            return json_loads_bounded(raw, limits)
        except JsonLimitExceeded as exc:
            raise JsonLimitError(exc) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc

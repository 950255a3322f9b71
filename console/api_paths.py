"""One path style for the API: every route ends with a slash (``host-groups/``,
``host-groups/<id>/``, ``rollouts/<id>/halt/``), as Django's pages and most API routes already did;
a route whose last segment is a file name (``audit-events/export.csv``, ``policy/schema.json``)
keeps it bare.

The other form is answered too, by the same view and without a redirect: ``APPEND_SLASH`` can only
redirect, and a redirected ``POST`` or ``PATCH`` loses its body, so automation written against the
old mixed paths (``host-groups/<id>``, ``telemetry/heartbeats``) keeps working. ``reverse()`` and
the OpenAPI schema give the canonical form only; tests/console/test_api_paths.py walks the URL
registry and checks both forms of every route resolve to the same view.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RoutePattern


def route_is_canonical(route: str) -> bool:
    """Ends with a slash, or names a file (a dot in its last segment)."""
    return route.endswith("/") or "." in route.rsplit("/", 1)[-1]


class EitherSlashPattern(RoutePattern):
    """A route that also matches its other form (with the trailing slash added or removed)."""

    def match(self, path: str) -> tuple[str, tuple[Any, ...], dict[str, Any]] | None:
        found = super().match(path)
        if found is None and path and not path.endswith("//"):
            found = super().match(path[:-1] if path.endswith("/") else path + "/")
        return found


def either_slash(patterns: list[Any]) -> list[Any]:
    """``patterns`` with each endpoint answering both forms (includes are left as they are)."""
    out: list[Any] = []
    for p in patterns:
        if isinstance(p, URLResolver) or not isinstance(p.pattern, RoutePattern):
            out.append(p)
            continue
        pattern = EitherSlashPattern(str(p.pattern), name=p.pattern.name, is_endpoint=True)
        out.append(URLPattern(pattern, p.callback, p.default_args, p.name))
    return out

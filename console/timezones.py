"""One time zone per person (DESIGN rule 10): the user's own zone, else the tenant's, else the
console default. Times are stored in UTC; pages show them in this zone, with the zone named.

``TimezoneMiddleware`` activates the user's zone for every page request and resets it afterwards;
the tenant page base (``console.scoping``) activates the tenant's zone once it has resolved the
tenant, when the user has none, so no page needs an extra query for it."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

_MACHINE_PREFIXES = ("/api/", "/edge/", "/static/", "/healthz", "/metrics")


def zone_named(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_for(user: object, tenant: object | None) -> ZoneInfo:
    """The zone a person sees times in: theirs, else their tenant's, else the console default."""
    for name in (getattr(user, "timezone", ""), getattr(tenant, "timezone", "")):
        zone = zone_named(str(name or ""))
        if zone is not None:
            return zone
    return zone_named(getattr(settings, "CONSOLE_DEFAULT_TIMEZONE", "UTC")) or ZoneInfo("UTC")


def zone_activate(user: object, tenant: object | None) -> None:
    timezone.activate(zone_for(user, tenant))


class TimezoneMiddleware:
    """Activates the signed-in user's zone for a page request (the tenant's follows once the page
    has resolved its tenant) and always resets it, so no zone leaks into the next request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            if not request.path.startswith(_MACHINE_PREFIXES):
                try:
                    user = getattr(request, "user", None)
                    if user is not None and user.is_authenticated:
                        zone_activate(user, None)
                except DatabaseError:
                    # The session user cannot be loaded (the database is down): the view meets the
                    # same error and answers the degraded page; a 500 from here would hide it.
                    pass
            return self.get_response(request)
        finally:
            timezone.deactivate()

"""Times on pages: in the active zone (``console.timezones``), always with the zone named, and a
relative form for recent ones ("12 min ago"), in a ``<time>`` element carrying the UTC instant."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince, timeuntil

register = template.Library()


def _relative(value: datetime, now: datetime) -> str:
    seconds = (value - now).total_seconds()
    if abs(seconds) < 60:
        return "just now"
    if abs(seconds) > 7 * 86400:
        return ""
    if seconds < 0:
        return f"{timesince(value, now, depth=1)} ago"
    return f"in {timeuntil(value, now, depth=1)}"


@register.filter
def when(value: object, fmt: str = "Y-m-d H:i") -> SafeString | str:
    """``2026-12-07 12:55 EST (3 minutes ago)``: the local time, its zone, and how long ago. An
    ISO 8601 string (a time kept in JSON, e.g. a rollout event's ``at``) is read as that time."""
    if isinstance(value, str) and value:
        parsed = parse_datetime(value)
        value = parsed if parsed is not None else value
    if not isinstance(value, datetime):
        return "" if value is None else str(value)
    aware = value if timezone.is_aware(value) else timezone.make_aware(value, UTC)
    local = timezone.localtime(aware)
    shown = f"{date_format(local, fmt)} {local.tzname()}"
    relative = _relative(aware, timezone.now())
    return format_html(
        '<time datetime="{}" title="{}">{}{}</time>',
        aware.isoformat(),
        f"{aware.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC",
        shown,
        f" ({relative})" if relative else "",
    )

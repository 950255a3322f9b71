"""Form helpers for page templates: a field's error messages next to it, tied to it for screen
readers (``aria-invalid`` / ``aria-describedby``), from the ``errors`` dict the services raise."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _messages(errors: Any, name: str) -> list[str]:
    if not errors:
        return []
    found = errors.get(name) if hasattr(errors, "get") else None
    return [str(m) for m in found] if found else []


@register.simple_tag
def field_aria(errors: Any, name: str, field_id: str) -> SafeString:
    """The attributes of an input whose field ``name`` has errors (empty when it has none)."""
    if not _messages(errors, name):
        return mark_safe("")
    return format_html(' aria-invalid="true" aria-describedby="{}-error"', field_id)


@register.simple_tag
def field_errors(errors: Any, name: str, field_id: str) -> SafeString:
    """The messages of field ``name``, with the id ``field_aria`` points at."""
    messages = _messages(errors, name)
    if not messages:
        return mark_safe("")
    items = format_html_join("", "<span>{}</span> ", ((m,) for m in messages))
    return format_html(
        '<p class="form-error" id="{}-error" data-testid="{}-error">{}</p>', field_id, name, items
    )


@register.filter
def contains_str(values: Any, value: Any) -> bool:
    """Whether ``value`` (compared as text) is among ``values`` (posted ids are text)."""
    return str(value) in [str(v) for v in (values or ())]


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # 0 = Monday, as stored


@register.filter
def weekday_names(days: Any) -> str:
    """Weekday numbers (0 = Monday) as names: ``[0, 2]`` → ``Mon, Wed``; every day → ``every day``."""
    numbers = sorted({int(d) for d in (days or ())})
    if numbers == list(range(7)):
        return "every day"
    return ", ".join(WEEKDAYS[d] for d in numbers if 0 <= d < 7)


@lru_cache(maxsize=1)
def _zone_options() -> SafeString:
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return format_html_join("", '<option value="{}">', ((z,) for z in ["UTC", *zones]))


@register.simple_tag
def iana_zone_datalist(list_id: str) -> SafeString:
    """A ``<datalist>`` of the IANA zones (``UTC`` first): a zone input with ``list=`` offers them
    as the person types ("york" finds America/New_York) and still accepts any zone the server knows."""
    return format_html('<datalist id="{}">{}</datalist>', list_id, _zone_options())

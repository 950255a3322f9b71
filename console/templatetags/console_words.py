"""People's words on pages: machine values (``boot_loop``, ``None``, ``[0, 2]``, a dict) said the
way a person reads them, and an audit event's before/after as a field-by-field change list."""

from __future__ import annotations

from typing import Any

from django import template

from console.templatetags.console_forms import WEEKDAYS

register = template.Library()

_NAMES: dict[str, str] = {
    "boot_loop": "boot loop",
    "n-1": "N-1",
    "n-2": "N-2",
    "n": "N",
    "ga": "GA",
    "early_access": "early access",
    "in_ring": "in a ring",
    "rolled_back": "rolled back",
}


@register.filter
def words(value: Any) -> str:
    """A value as words: ``None`` → "—", booleans → yes / no, ``snake_case`` → "snake case",
    lists joined with commas, a dict as ``key: value`` pairs."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(words(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{words(k)}: {words(v)}" for k, v in value.items()) if value else "none"
    text = str(value)
    if text in _NAMES:
        return _NAMES[text]
    if "_" in text and " " not in text and text.replace("_", "").isalnum():
        return text.replace("_", " ")
    if "." in text and text.replace(".", "").replace("_", "").isalpha():
        return text.replace(".", " ").replace("_", " ")  # an event kind: "ring.entered" → "ring entered"
    return text


@register.filter
def subject(value: Any) -> str:
    """What a rollout rolls out, in words: ``content:rapid_response`` → "Rapid response content",
    ``sensor:windows`` → "Windows sensor"."""
    kind, _, name = str(value or "").partition(":")
    if not name:
        return words(value)
    named = words(name)
    return f"{named[:1].upper()}{named[1:]} {'sensor' if kind == 'sensor' else 'content'}"


@register.filter
def changes(event: Any) -> list[dict[str, str]]:
    """The fields an audit event changed: ``[{field, before, after}]`` (only differing ones; a
    created object lists its fields with no "before", a deleted one with no "after")."""
    before = (
        event.before
        if isinstance(event.before, dict)
        else ({} if event.before is None else {"value": event.before})
    )
    after = (
        event.after
        if isinstance(event.after, dict)
        else ({} if event.after is None else {"value": event.after})
    )
    rows = []

    def said(key: str, value: Any) -> str:
        if key == "weekdays" and isinstance(value, list) and all(isinstance(d, int) for d in value):
            return ", ".join(WEEKDAYS[d] for d in value if 0 <= d < 7)
        return words(value)

    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        rows.append(
            {
                "field": words(key),
                "before": said(key, old) if key in before else "",
                "after": said(key, new) if key in after else "",
            }
        )
    return rows

"""Template side of the policy pickers (``rollout.policies.pickers``)."""

from __future__ import annotations

from typing import Any

from django import template

from rollout.policies import pickers

register = template.Library()

register.filter("target_parts", pickers.target_parts)
register.filter("mode_parts", pickers.mode_parts)


@register.simple_tag
def target_choices() -> tuple[tuple[str, str], ...]:
    return pickers.TARGET_CHOICES


@register.simple_tag
def mode_choices() -> tuple[tuple[str, str], ...]:
    return pickers.MODE_CHOICES


@register.filter
def for_kind(form: Any, kind: str) -> Any:
    """``form`` when it is the one of this kind (the page has a sensor and a content form), else ``{}``."""
    if not kind or (hasattr(form, "get") and form.get("kind") == kind):
        return form or {}
    return {}


register.filter("target_words", pickers.target_words)
register.filter("mode_words", pickers.mode_words)

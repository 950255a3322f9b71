"""The pickers of a policy's target and mode: the small languages of ``rollout.resolver.targets``
(``n-1``, ``pinned:7.11.200``, ``ga+24``) taken apart into the choice and its dependent field, so a
form re-renders with what the person picked, even when it did not validate."""

from __future__ import annotations

import re
from typing import Any

from django.http import QueryDict

from console.errors import InvalidInput

TARGET_CHOICES = (
    ("n", "N: the newest GA build"),
    ("n-1", "N-1: one release line behind"),
    ("n-2", "N-2: two release lines behind"),
    ("pinned", "A pinned build"),
    ("off", "Off: no sensor updates"),
)
MODE_CHOICES = (
    ("early_access", "Early access"),
    ("ga", "GA, as soon as released"),
    ("ga_delay", "GA after a delay"),
    ("pinned", "A pinned version"),
    ("paused", "Paused: no content updates"),
)


def target_parts(value: Any) -> dict[str, str]:
    """``{"kind": "pinned", "build": "7.11.200"}`` for ``pinned:7.11.200``; any text, even invalid."""
    text = str(value or "").strip()
    if text.lower().startswith("pinned:"):
        return {"kind": "pinned", "build": text[len("pinned:") :].strip()}
    return {"kind": text.lower(), "build": ""}


def mode_parts(value: Any) -> dict[str, str]:
    """``{"kind": "ga_delay", "hours": "24"}`` for ``ga+24``; ``{"kind": "pinned", "version": ...}``."""
    text = str(value or "").strip()
    if text.lower().startswith("pinned:"):
        return {"kind": "pinned", "hours": "", "version": text[len("pinned:") :].strip()}
    match = re.fullmatch(r"ga\+(.*?)h?", text.lower())
    if match and match.group(1) not in ("", "0"):
        return {"kind": "ga_delay", "hours": match.group(1), "version": ""}
    return {"kind": "ga" if match else text.lower(), "hours": "", "version": ""}


def target_posted(post: QueryDict) -> str:
    """The target a policy form posted: the picker's choice and pinned build, else a typed ``target``."""
    kind = (post.get("target_kind") or "").strip()
    if not kind:
        return post.get("target", "")
    return f"pinned:{(post.get('target_build') or '').strip()}" if kind == "pinned" else kind


def mode_posted(post: QueryDict) -> str:
    """The mode a policy form posted: the picker's choice with its delay or version, else a typed ``mode``."""
    kind = (post.get("mode_kind") or "").strip()
    if not kind:
        return post.get("mode", "")
    if kind == "ga_delay":
        return f"ga+{(post.get('mode_delay_hours') or '').strip()}"
    return f"pinned:{(post.get('mode_version') or '').strip()}" if kind == "pinned" else kind


def target_words(value: Any) -> str:
    """``n-1`` → "N-1", ``pinned:7.11.200`` → "pinned to 7.11.200", ``off`` → "off (no updates)"."""
    parts = target_parts(value)
    if parts["kind"] == "pinned":
        return f"pinned to {parts['build']}"
    if parts["kind"] == "off":
        return "off (no updates)"
    return parts["kind"].upper() or "—"


def mode_words(value: Any) -> str:
    """``ga+24`` → "GA + 24 h", ``early_access`` → "early access", ``pinned:291.3`` → "pinned to 291.3"."""
    parts = mode_parts(value)
    said = {"early_access": "early access", "ga": "GA", "paused": "paused (no updates)"}
    if parts["kind"] == "ga_delay":
        return f"GA + {parts['hours']} h"
    if parts["kind"] == "pinned":
        return f"pinned to {parts['version']}"
    return said.get(parts["kind"], parts["kind"] or "—")


def pickers_check(post: QueryDict) -> None:
    """A picker's dependent field left empty, said as the person picked it (the services would
    otherwise answer in the typed language: "'' is not a content version")."""
    errors: dict[str, list[str]] = {}
    if post.get("target_kind") == "pinned" and not (post.get("target_build") or "").strip():
        errors["target"] = ["Choose the build to pin."]
    if post.get("mode_kind") == "pinned" and not (post.get("mode_version") or "").strip():
        errors["mode"] = ["Choose the version to pin."]
    if post.get("mode_kind") == "ga_delay" and not (post.get("mode_delay_hours") or "").strip():
        errors["mode"] = ["Give the delay after GA in hours (1 to 72)."]
    if errors:
        raise InvalidInput("Complete the highlighted choice.", errors=errors)

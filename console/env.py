"""Typed helpers that read settings from the environment.

Every setting the console reads from the outside world goes through one of these, so that a
missing or malformed value fails at start-up with a message naming the variable, never later.
Secrets may also come from ``<NAME>_FILE`` (Docker / Kubernetes secrets).
"""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path


class ImproperlyConfiguredEnv(Exception):
    """An environment variable is present but cannot be used."""


def env_str(name: str, default: str = "") -> str:
    """The variable as a string, or ``default``; ``<NAME>_FILE`` names a file holding it."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfiguredEnv(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not an integer") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfiguredEnv(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """A comma-separated list of IP addresses or CIDRs, each checked (``10.0.0.0/8, 192.0.2.7``)."""
    entries = env_list(name)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ImproperlyConfiguredEnv(f"{name}: {entry!r} is not an IP address or network") from exc
    return entries


def embedded_services(var_dir: Path) -> dict[str, str]:
    """URLs of the embedded PostgreSQL / Redis that ``make run`` or ``make test`` started, if any."""
    path = var_dir / "services.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()}

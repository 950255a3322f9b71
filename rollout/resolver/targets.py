"""The small languages of policy targets and content modes, and version ordering. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DELAY_HOURS = 72


SENSOR_TARGET_HELP = "Use n, n-1, n-2, pinned:<build> or off."


CONTENT_MODE_HELP = "Use early_access, ga, ga+<hours> (0-72), pinned:<version> or paused."


_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")


def version_key(version: str) -> tuple[int, ...]:
    """Numeric ordering of dotted versions (``7.9.1 < 7.10.0``); non-digits are ignored."""
    return tuple(int(part) for part in re.findall(r"\d+", version)[:8])


def release_line(version: str) -> str:
    """``7.11.18110`` -> ``7.11``."""
    parts = version.split(".")
    return ".".join(parts[:2])


def is_version(text: str) -> bool:
    return bool(_VERSION.match(text)) and bool(version_key(text))


@dataclass(frozen=True)
class SensorTarget:
    """``kind`` is ``relative`` (``offset`` 0-2), ``pinned`` (``build``) or ``off``."""

    kind: str
    offset: int = 0
    build: str = ""

    def __str__(self) -> str:
        if self.kind == "relative":
            return "n" if self.offset == 0 else f"n-{self.offset}"
        return f"pinned:{self.build}" if self.kind == "pinned" else "off"


@dataclass(frozen=True)
class ContentMode:
    """``kind`` is ``early_access``, ``ga`` (``delay_hours``), ``pinned`` (``version``) or ``paused``."""

    kind: str
    delay_hours: int = 0
    version: str = ""

    def __str__(self) -> str:
        if self.kind == "ga":
            return f"ga+{self.delay_hours}" if self.delay_hours else "ga"
        return f"pinned:{self.version}" if self.kind == "pinned" else self.kind


def sensor_target_parse(text: str) -> SensorTarget:
    """Parses a sensor policy target; raises ``ValueError`` with a message for the user."""
    value = (text or "").strip().lower()
    if value == "n":
        return SensorTarget("relative", 0)
    if value == "off":
        return SensorTarget("off")
    match = re.fullmatch(r"n-(\d{1,3})", value)
    if match:
        offset = int(match.group(1))
        if offset > 2:
            raise ValueError(
                f"{text!r} is not allowed: only N, N-1 and N-2 are supported. {SENSOR_TARGET_HELP}"
            )
        return SensorTarget("relative", offset)
    if value.startswith("pinned:"):
        build = text.strip()[len("pinned:") :].strip()
        if not is_version(build):
            raise ValueError(f"{build!r} is not a sensor build number. {SENSOR_TARGET_HELP}")
        return SensorTarget("pinned", build=build)
    raise ValueError(f"{text!r} is not a sensor target. {SENSOR_TARGET_HELP}")


def content_mode_parse(text: str) -> ContentMode:
    """Parses a content policy mode; raises ``ValueError`` with a message for the user."""
    value = (text or "").strip().lower()
    if value in ("early_access", "paused"):
        return ContentMode(value)
    if value == "ga":
        return ContentMode("ga", 0)
    match = re.fullmatch(r"ga\+(\d{1,6})(h)?", value)
    if match:
        hours = int(match.group(1))
        if hours > MAX_DELAY_HOURS:
            raise ValueError(f"A GA delay of {hours} h is too long: the maximum is {MAX_DELAY_HOURS} h.")
        return ContentMode("ga", hours)
    if value.startswith("pinned:"):
        version = text.strip()[len("pinned:") :].strip()
        if not is_version(version):
            raise ValueError(f"{version!r} is not a content version. {CONTENT_MODE_HELP}")
        return ContentMode("pinned", version=version)
    raise ValueError(f"{text!r} is not a content mode. {CONTENT_MODE_HELP}")

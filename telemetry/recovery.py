"""The sensor's side of recovering without a person: what it reports, and how it behaves.

Plain standard library (the simulator runs it for 100,000 hosts; the ingest validates its report).

* The desired state a sensor downloads may name a ``fallback`` per category (the last known-good
  version) and a ``rule`` (``{"failed_boots": 2, "within_s": 600}``). The sensor keeps the fallback
  it received **with the change** it is applying.
* A sensor that crash-loops after a content change asks the edge first at each reboot (jittered
  back-off between reboots, :func:`reboot_delay`); when the edge offers another version it takes it.
  Otherwise, after ``failed_boots`` failed boots within ``within_s`` seconds of the change, it loads
  the fallback by itself, reports ``recovered_from`` in its next heartbeat (status ``recovering``),
  and refuses the version it left for as long as its desired state still names it (the recall
  stands until the desired state moves on).
* With no fallback named, nothing changes: it loops until the edge serves a fix.
* A recall reaches the edge as a hold that names the versions to ``leave`` (:func:`hold_leaves`):
  the held category stays frozen, but a sensor that runs (or crash-loops on) a version to leave
  loads its known-good one at once (the fallback it kept with the change, else the document's
  ``fallback``), reports ``recovered_from`` and refuses the version it left; with neither, nothing
  changes. It does not wait for failed boots, nor for the recompute to name the fix per host.
* For ``within_s`` after a change that named a fallback the sensor asks the edge again at its
  reboot cadence (:meth:`Recovery.watch_poll`), crashed or not, so a recall of what it just took
  reaches it in minutes rather than at its next routine poll.

``recovered_from`` on the wire: ``{"category": str, "version": <left>, "to": <fallback>, "at": ISO}``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

RETRY_BASE_SECONDS = 1.0  # first retry of an unanswered poll (real seconds) ...
RETRY_CAP_SECONDS = 30.0  # ... doubling up to this, and never past the regular poll period
REBOOT_BACKOFF_CAP = 4  # reboots of a looping host space out to at most 4 x the first gap
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]{0,31}")
_CATEGORY = re.compile(r"[a-z][a-z0-9_]{0,63}")


def retry_delay(failures: int, poll_period: float, rng: random.Random) -> float:
    """Real seconds before a host asks the edge again after ``failures`` unanswered polls in a row:
    1 s doubling per failure, capped at 30 s and at the regular poll period, jittered over the
    upper half so a fleet that lost its edge does not come back in one wave."""
    ceiling = min(RETRY_CAP_SECONDS, poll_period, RETRY_BASE_SECONDS * 2 ** min(max(failures, 1) - 1, 16))
    return ceiling * rng.uniform(0.5, 1.0)


def reboot_delay(boots: int, minute: float, rng: random.Random) -> float:
    """Real seconds to the next reboot of a looping host (its next chance to ask the edge): about a
    ``minute``, doubling per failed boot up to ``REBOOT_BACKOFF_CAP`` minutes, jittered over the
    upper half so a fleet that crashed together does not ask in one wave."""
    return minute * min(2 ** max(boots - 1, 0), REBOOT_BACKOFF_CAP) * rng.uniform(0.5, 1.0)


def recovered_from_problem(value: Any) -> str | None:
    """Why a heartbeat's ``recovered_from`` is not acceptable (None: it is)."""
    if not isinstance(value, dict) or set(value) - {"category", "version", "to", "at"}:
        return "An object with category, version, to and at."
    category, left, to, at = (value.get(k) for k in ("category", "version", "to", "at"))
    if not (isinstance(category, str) and _CATEGORY.fullmatch(category)):
        return "category: a content category key."
    if not all(isinstance(v, str) and _VERSION.fullmatch(v) for v in (left, to)) or left == to:
        return "version and to: the version left and the different version loaded instead."
    try:
        if at is not None and datetime.fromisoformat(str(at)).tzinfo is None:
            return "at: an ISO-8601 time with a zone."
    except ValueError:
        return "at: an ISO-8601 time with a zone."
    return None


def hold_leaves(desired: dict[str, Any]) -> dict[str, set[str]]:
    """``{category: versions to leave}`` named by the category holds of a desired-state document."""
    out: dict[str, set[str]] = {}
    for hold in desired.get("holds") or ():
        if not isinstance(hold, dict) or hold.get("scope") != "category":
            continue
        leave = hold.get("leave")
        if isinstance(leave, list) and isinstance(hold.get("key"), str):
            out.setdefault(hold["key"], set()).update(v for v in leave if isinstance(v, str))
    return out


@dataclass
class Recovery:
    """One sensor's recovery memory (times are the sensor's own clock, in seconds)."""

    known_good: dict[str, str] = field(default_factory=dict)  # category -> fallback with the change
    changed_at: dict[str, float] = field(default_factory=dict)  # category -> when the change loaded
    failed_boots: int = 2
    within_s: float = 600.0
    boots: dict[str, list[float]] = field(default_factory=dict)  # category -> failed boot times
    refused: dict[str, str] = field(default_factory=dict)  # category -> version it reverted from
    report: dict[str, str] | None = None  # ``recovered_from`` for the next heartbeat
    reverted: int = 0
    watch_until: float = 0.0  # asks the edge at its reboot cadence until then (a recent change)
    watch_polls: int = 0

    def offered(self, desired: dict[str, Any], category: str, version: str) -> None:
        """The host takes ``version`` of ``category`` from ``desired``: keep the fallback named with it."""
        fallback = desired.get("fallback") or {}
        named = (fallback.get("content") or {}).get(category) if isinstance(fallback, dict) else None
        if isinstance(named, str) and named != version:
            self.known_good[category] = named
            rule = fallback.get("rule") or {}
            self.failed_boots = int(rule.get("failed_boots") or self.failed_boots)
            self.within_s = float(rule.get("within_s") or self.within_s)
        else:
            self.known_good.pop(category, None)  # this change names none: today's behaviour

    def refuses(self, category: str, version: str) -> bool:
        """Whether the host must not take ``version`` (it reverted from it and the desired state
        still names it); a desired state naming anything else ends the refusal."""
        if self.refused.get(category) == version:
            return True
        self.refused.pop(category, None)
        return False

    def leave_to(
        self, desired: dict[str, Any], category: str, running: str | None, leave: set[str]
    ) -> str | None:
        """The known-good version to load at once because a hold says to leave ``running`` (the
        fallback kept with the change, else the document's); None: stay (nothing to leave, or no
        fallback named: today's behaviour)."""
        if running is None or running not in leave:
            return None
        fallback = desired.get("fallback") or {}
        named = (fallback.get("content") or {}).get(category) if isinstance(fallback, dict) else None
        for candidate in (self.known_good.get(category), named):
            if isinstance(candidate, str) and candidate != running and candidate not in leave:
                return candidate
        return None

    def watch(self, at: float) -> None:
        """A change that named a fallback loaded at ``at``: watch the edge for ``within_s``."""
        self.watch_until, self.watch_polls = at + self.within_s, 0

    def watch_poll(self, at: float) -> int:
        """The number of this poll of the watch (counts the reboot cadence's back-off), 0 past it."""
        if at >= self.watch_until:
            return 0
        self.watch_polls += 1
        return self.watch_polls

    def loaded(self, category: str, at: float) -> None:
        self.changed_at[category] = at
        self.boots[category] = []

    def failed_boot(self, category: str, at: float) -> str | None:
        """Counts a failed boot on ``category``; the fallback to load now if the rule says so."""
        since = self.changed_at.get(category, at)
        boots = [t for t in self.boots.get(category, []) if t - since <= self.within_s]
        boots.append(at)
        self.boots[category] = boots
        fallback = self.known_good.get(category)
        if fallback is None or len(boots) < self.failed_boots or at - since > self.within_s:
            return None
        return fallback

    def revert(self, category: str, left: str, to: str, when: str) -> None:
        self.refused[category] = left
        self.report = {"category": category, "version": left, "to": to, "at": when}
        self.known_good.pop(category, None)
        self.boots.pop(category, None)
        self.reverted += 1

"""The distribution backend contract: what desired state looks like on the wire, and how it is hashed.

Plain standard library on purpose: the reference HTTP receiver (``http_receiver``) runs without
Django and must hash exactly like the console does, or drift detection would report drift that
is not there.

Two hashes, both order-independent and streamable (a 1M-host publish never sits in memory):

* **digest** of a tenant's published state = sum, modulo 2**256, of ``sha256(host_id, assignment)``
  over every host (an additive multiset hash). A delta updates it from the old and new entries of
  the hosts it touches (``digest - h(old) + h(new)``), so it never rereads the other hosts, and a
  full recompute gives the same value (addition is commutative). A modular sum rather than XOR:
  same cost, but two equal terms do not cancel out. It detects drift; it is not an authenticity
  check (the HMAC on the HTTP wire is).
* **fingerprint** of a publish = the same kind of sum over what the caller sent (mode, every
  assignment, every removal), kept with the published revision so that a repeat of the same
  revision is recognised as a no-op and a *different* content under the same revision is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from rollout.resolver.fallback import RECOVERY_RULE

HoldScope = Literal["tenant", "group", "category", "sensor"]


HOLD_SCOPES: tuple[HoldScope, ...] = ("tenant", "group", "category", "sensor")


PublishOutcome = Literal["published", "duplicate", "stale"]


_MOD = 1 << 256


ZERO_DIGEST = "0" * 64


MAX_KEY_LENGTH = 200


class DistributionError(Exception):
    """Base of everything a backend raises on purpose."""


class RevisionConflict(DistributionError):
    """The revision was already published with different content; nothing was overwritten."""


class PublishInProgress(DistributionError):
    """Another worker is publishing this tenant right now; retry later (the outbox will)."""


class BackendUnavailable(DistributionError):
    """The backend could not be reached or kept failing after the bounded retries."""


class CircuitOpen(BackendUnavailable):
    """The shared circuit breaker is open: calls are refused without touching the backend."""


class BackendRejected(DistributionError):
    """The backend answered with a client error that retrying cannot fix (bad signature, 4xx)."""


@dataclass(frozen=True)
class Assignment:
    """What one host may run now, and why (``rule``: a short explanation for "why is it on X?").

    ``groups`` (host-group ids) and ``platform`` travel with the assignment so that the edge can
    tell whether a group or per-platform sensor hold applies to a host from that host's own entry,
    without any membership lookup. ``fallback`` (subject ``"sensor"`` or a category -> version) is
    the last known-good version the host reverts to by itself (``rollout.resolver.fallback``); it
    is encoded only when present, so entries without one hash as they always did.
    """

    host_id: str
    sensor_build: str | None
    content: Mapping[str, str]
    rule: str
    groups: tuple[str, ...] = ()
    platform: str = ""
    fallback: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.host_id or len(self.host_id) > MAX_KEY_LENGTH:
            raise ValueError(f"host_id must be 1-{MAX_KEY_LENGTH} characters")

    def encode(self) -> str:
        """The compact canonical JSON stored per host (host id excluded: it is the hash field)."""
        data: dict[str, Any] = {
            "s": self.sensor_build,
            "c": dict(self.content),
            "r": self.rule,
            "g": sorted(self.groups),
            "p": self.platform,
        }
        if self.fallback:
            data["f"] = dict(self.fallback)
        return json.dumps(
            data,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def decode(cls, host_id: str, raw: str | bytes) -> Assignment:
        data = json.loads(raw)
        return cls(
            host_id=host_id,
            sensor_build=data.get("s"),
            content=dict(data.get("c") or {}),
            rule=data.get("r", ""),
            groups=tuple(data.get("g") or ()),
            platform=data.get("p", ""),
            fallback=dict(data.get("f") or {}),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "host_id": self.host_id,
            "sensor_build": self.sensor_build,
            "content": dict(self.content),
            "rule": self.rule,
            "groups": sorted(self.groups),
            "platform": self.platform,
            "fallback": dict(self.fallback),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Assignment:
        return cls(
            host_id=str(data["host_id"]),
            sensor_build=data.get("sensor_build"),
            content={str(k): str(v) for k, v in (data.get("content") or {}).items()},
            rule=str(data.get("rule", "")),
            groups=tuple(str(g) for g in data.get("groups") or ()),
            platform=str(data.get("platform", "")),
            fallback={str(k): str(v) for k, v in (data.get("fallback") or {}).items()},
        )


@dataclass(frozen=True)
class Hold:
    """A pause as the backend sees it: one small record, never a rewrite of the hosts it covers.

    ``key`` by scope: ``tenant`` - anything (conventionally ``"*"``), covers every host;
    ``group`` - a host-group id, covers hosts whose assignment lists it in ``groups``;
    ``category`` - a content category, freezes that category on every host;
    ``sensor`` - ``"*"`` or a platform, freezes sensor builds on matching hosts.
    ``until`` is an ISO-8601 time with a zone; after it the hold no longer applies (the console
    clears it too, but a sensor is never held by an expired pause if that clear is late).
    ``exempt`` (tenant and group holds only): ``(category, ISO time)`` pairs; from that time on the
    hold no longer freezes that category (a system-critical category after its pause cap, DESIGN
    section 2). ``holds_applying`` then serves the host the narrowed holds (its platform's sensor
    build and each other category it has), so ``frozen`` and the ETag follow.
    ``leave`` (category and sensor holds only): the versions of the held subject that a recall
    stopped. The subject stays frozen for every host, but a host that runs (or crash-loops on) one
    of them loads its known-good version at once (the fallback it kept with the change, else the
    document's ``fallback``), reports ``recovered_from`` and does not ask for it again while the
    hold stands. Encoded only when present, so every other hold encodes (and hashes) as before.
    """

    scope: HoldScope
    key: str
    reason: str
    until: str | None = None
    exempt: tuple[tuple[str, str], ...] = ()
    leave: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.scope not in HOLD_SCOPES:
            raise ValueError(f"scope must be one of {', '.join(HOLD_SCOPES)}")
        if not self.key or len(self.key) > MAX_KEY_LENGTH:
            raise ValueError(f"key must be 1-{MAX_KEY_LENGTH} characters")
        if self.until is not None:
            parsed = datetime.fromisoformat(self.until)
            if parsed.tzinfo is None:
                raise ValueError("until must carry a timezone")
        object.__setattr__(self, "leave", tuple(sorted(set(self.leave))))  # one canonical order
        if self.leave and self.scope not in ("category", "sensor"):
            raise ValueError("only a category or sensor hold names versions to leave")
        if any(not v or len(v) > MAX_KEY_LENGTH for v in self.leave):
            raise ValueError(f"every version to leave must be 1-{MAX_KEY_LENGTH} characters")

    @property
    def field_name(self) -> str:
        """Where the hold lives in the tenant's hold map: one hold per (scope, key)."""
        return hold_field(self.scope, self.key)

    def active(self, now: datetime) -> bool:
        return self.until is None or datetime.fromisoformat(self.until) > now

    def covers(self, assignment: Assignment) -> bool:
        if self.scope == "group":
            return self.key in assignment.groups
        if self.scope == "sensor":
            return self.key in ("*", assignment.platform)
        return True  # tenant and category holds cover every host of the tenant

    def encode(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "scope": self.scope,
            "key": self.key,
            "reason": self.reason,
            "until": self.until,
        }
        if self.exempt:  # only when present, so holds without one encode as they always did
            data["exempt"] = dict(self.exempt)
        if self.leave:  # likewise
            data["leave"] = list(self.leave)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Hold:
        leave = data.get("leave") or ()
        if not isinstance(leave, list | tuple):
            raise ValueError("leave must be a list of versions")
        return cls(
            scope=data["scope"],
            key=str(data["key"]),
            reason=str(data.get("reason", "")),
            until=data.get("until"),
            exempt=tuple(sorted((str(k), str(v)) for k, v in (data.get("exempt") or {}).items())),
            leave=tuple(str(v) for v in leave),
        )

    def narrowed(self, assignment: Assignment, now: datetime) -> tuple[Hold, ...]:
        """This hold as it freezes ``assignment`` at ``now``: itself, or (a tenant or group hold
        some of whose categories are exempt by now) its sensor hold and one per other category."""
        released = {c for c, at in self.exempt if datetime.fromisoformat(at) <= now}
        if self.scope not in ("tenant", "group") or not released:
            return (self,)
        reason = f"{self.reason} ({self.scope} hold; {', '.join(sorted(released))} past the pause cap)"
        parts = [Hold("sensor", assignment.platform or "*", reason, self.until)]
        parts += [Hold("category", c, reason, self.until) for c in sorted(set(assignment.content) - released)]
        return tuple(parts)


def hold_field(scope: str, key: str) -> str:
    return f"{scope}:{key}"


def holds_sorted(holds: Iterable[Hold]) -> tuple[Hold, ...]:
    return tuple(sorted(holds, key=lambda h: (h.scope, h.key)))


@dataclass(frozen=True)
class Ack:
    """A backend's answer to a publish.

    ``revision``/``digest``/``host_count`` describe the tenant's published state after the call
    (for a stale publish: the newer revision already there). ``published_hosts`` is how many host
    entries this call wrote (0 for a duplicate or a stale call).
    """

    tenant_id: str
    revision: int
    digest: str
    published_hosts: int
    host_count: int = 0
    outcome: PublishOutcome = "published"


@dataclass(frozen=True)
class Snapshot:
    """What the backend holds, for drift detection: the revision and digest of the assignments,
    and every hold (active or expired) so a lost or stale pause is noticed too."""

    revision: int
    digest: str
    host_count: int
    holds: tuple[Hold, ...] = ()


@dataclass(frozen=True)
class HostState:
    """One host's published assignment, the holds that apply to it now, and a validator for both."""

    assignment: Assignment
    holds: tuple[Hold, ...]
    etag: str
    revision: int

    @property
    def paused(self) -> bool:
        return bool(self.holds)

    def frozen(self) -> dict[str, Any]:
        """What the sensor must keep as it is: ``{"sensor_build": bool, "content": ["*"] | [cat]}``."""
        sensor = False
        categories: set[str] = set()
        for hold in self.holds:
            if hold.scope in ("tenant", "group"):
                return {"sensor_build": True, "content": ["*"]}
            if hold.scope == "sensor":
                sensor = True
            else:
                categories.add(hold.key)
        return {"sensor_build": sensor, "content": sorted(categories)}

    def to_json(self) -> dict[str, Any]:
        """The sensor-facing document (``GET /edge/v1/desired-state``)."""
        return {
            "host_id": self.assignment.host_id,
            "revision": self.revision,
            "sensor_build": self.assignment.sensor_build,
            "content": dict(self.assignment.content),
            "holds": [h.to_json() for h in self.holds],
            "paused": self.paused,
            "frozen": self.frozen(),
            "fallback": fallback_document(self.assignment.fallback),
        }


def fallback_document(fallback: Mapping[str, str]) -> dict[str, Any] | None:
    """What a sensor reverts to by itself and when (None: no fallback named, the sensor waits for
    the console): ``{"sensor_build": str | None, "content": {category: version}, "rule":
    {"failed_boots": n, "within_s": s}}``: after ``failed_boots`` failed boots within ``within_s``
    seconds of a change, it loads the named version, reports ``recovered_from`` in its heartbeat, and
    does not take the version it left again while the desired state still names it. For ``within_s``
    after such a change it asks the edge at its reboot cadence (about a minute, spacing out), crashed
    or not, so that a stop hold naming the version to ``leave`` (``Hold.leave``) reaches it in minutes:
    it then loads the named version at once."""
    if not fallback:
        return None
    return {
        "sensor_build": fallback.get("sensor"),
        "content": {k: v for k, v in sorted(fallback.items()) if k != "sensor"},
        "rule": dict(RECOVERY_RULE),
    }


class DistributionBackend(Protocol):
    """Where desired state is published for sensors to download (DESIGN section 5)."""

    name: str

    def publish(
        self,
        tenant_id: str,
        revision: int,
        assignments: Iterable[Assignment],
        *,
        full: bool,
        removed: Iterable[str] = (),
    ) -> Ack:
        """Publishes ``revision``: ``full`` replaces the tenant's whole host set, otherwise only the
        given hosts change (and ``removed`` host ids disappear). Idempotent by (tenant, revision);
        the same revision with different content raises ``RevisionConflict``; a revision lower
        than the published one is ignored (``outcome="stale"``)."""
        ...

    def hold_set(self, tenant_id: str, hold: Hold) -> None:
        """One small write; sensors it covers stop taking new versions at their next poll."""
        ...

    def hold_clear(self, tenant_id: str, scope: HoldScope, key: str) -> None: ...

    def snapshot(self, tenant_id: str) -> Snapshot: ...

    def host_state(
        self, tenant_id: str, host_id: str, *, now: datetime | None = None
    ) -> HostState | None: ...


def _h(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")


def entry_hash(host_id: str, encoded: str) -> int:
    """The term one host contributes to its tenant's digest."""
    return _h(f"{host_id}\n{encoded}")


def digest_hex(value: int) -> str:
    return format(value % _MOD, "064x")


def digest_int(hex_digest: str) -> int:
    return int(hex_digest, 16) if hex_digest else 0


def digest_of(assignments: Iterable[Assignment]) -> str:
    """The digest of a full assignment set, recomputed from scratch."""
    total = 0
    for a in assignments:
        total += entry_hash(a.host_id, a.encode())
    return digest_hex(total)


@dataclass
class PublishFingerprint:
    """Accumulates the fingerprint of what one publish call carries (order-independent)."""

    full: bool
    total: int = 0
    count: int = 0
    _removed: int = field(default=0, repr=False)

    def add(self, host_id: str, encoded: str) -> None:
        self.total += _h(f"+{host_id}\n{encoded}")
        self.count += 1

    def remove(self, host_id: str) -> None:
        self.total += _h(f"-{host_id}")
        self._removed += 1

    def hexdigest(self) -> str:
        mode = "full" if self.full else "delta"
        return f"{mode}:{self.count}:{self._removed}:{digest_hex(self.total)}"


def request_signature(secret: str, timestamp: str, payload: bytes) -> str:
    """``X-Signature`` of the HTTP wire: hex HMAC-SHA256(secret, "<timestamp>.<payload>").

    ``payload`` is the request body; a request without a body (GET, DELETE) signs its path and
    query instead, so a captured signed read cannot be replayed against another tenant's URL.
    """
    return hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"." + payload, hashlib.sha256
    ).hexdigest()


def state_etag(revision: int, assignment_encoded: str, holds: Iterable[Hold]) -> str:
    """Validator of what a host is told: changes with the revision, its entry or its holds."""
    parts = [str(revision), assignment_encoded, *sorted(h.encode() for h in holds)]
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()[:32]


def holds_applying(
    assignment: Assignment, holds: Iterable[Hold], now: datetime | None = None
) -> tuple[Hold, ...]:
    """The active holds that cover ``assignment``, in a stable order."""
    moment = now or datetime.now(UTC)
    applying = (h for h in holds if h.active(moment) and h.covers(assignment))
    narrowed = {n.field_name: n for h in applying for n in h.narrowed(assignment, moment)}
    return holds_sorted(narrowed.values())


def publish_args_check(revision: Any, *, full: bool, removed: Iterable[str]) -> tuple[str, ...]:
    """The arguments every backend's ``publish`` refuses alike; the removals as a tuple."""
    if isinstance(revision, bool) or not isinstance(revision, int) or revision < 1:
        raise ValueError("revision must be a positive integer")
    removed = tuple(removed)
    if full and removed:
        raise ValueError("a full publish replaces every host; it takes no removals")
    return removed

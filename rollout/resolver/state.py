"""What a host may run at time ``t``, and why: pure functions, dataclasses in, dataclasses out.

Rule 1 of DESIGN section 4, in this order: pause > freeze > pin > rollout ring state > window >
delay/stage. No ORM in here (``rollout.selectors.tenant_state`` builds the inputs), so it can be
property-tested and run once per distinct (platform, builds, versions, groups) combination.

The seam for staged rollouts: ``HostFacts.ring_states`` maps a subject (``"content:<category>"``, or
``"sensor:<platform>@<build>"`` for the hosts whose policy level resolves to that build) to a
``RingState`` saying which version this host's ring currently allows. When present it replaces delay/stage (but never a pause, freeze or pin) and a window still
decides whether it is delivered now. The rings engine computes it; this module only applies it.

``HostFacts.sensor_build`` / ``content_versions`` are what the host runs: the resolver never tells
a host to step back from them except for a rollback or a recall (``rollout.resolver.running``,
rule ``keep_running``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from rollout.resolver.recurrence import Recurrence

SENSOR = "sensor"


@dataclass(frozen=True)
class Build:
    platform: str
    version: str
    stage: str  # early_adopter | ga | withdrawn

    @property
    def line(self) -> str:
        return ".".join(self.version.split(".")[:2])


@dataclass(frozen=True)
class Release:
    category: str
    version: str
    stage: str  # internal | canary | early_access | ga | recalled
    valid: bool
    critical: bool = False
    early_access_at: datetime | None = None
    ga_at: datetime | None = None
    # The contract matrix: the builds (``build_key``) whose interpreter can load it, None for a
    # release never checked; ``incompatible`` gives the first reason per build it cannot go to.
    compatible_builds: frozenset[str] | None = None
    incompatible: tuple[tuple[str, str], ...] = ()


def build_key(platform: str, version: str) -> str:
    return f"{platform}:{version}"


def release_compatible(release: Release, platform: str, build: str) -> bool:
    """Whether a host on ``build`` may be offered ``release`` (DESIGN section 4 rule 12)."""
    return release.compatible_builds is None or build_key(platform, build) in release.compatible_builds


@dataclass(frozen=True)
class Category:
    key: str
    system_critical: bool = False
    max_pause_hours: int | None = None


@dataclass(frozen=True)
class Catalog:
    builds: tuple[Build, ...] = ()
    releases: tuple[Release, ...] = ()
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True)
class Window:
    id: str
    name: str
    recurrence: Recurrence


@dataclass(frozen=True)
class SensorPolicy:
    id: str
    name: str
    platform: str
    target: str  # n | n-1 | n-2 | pinned:<build> | off
    precedence: int
    is_default: bool = False
    group_ids: frozenset[str] = frozenset()
    update_blocks: tuple[Recurrence, ...] = ()


@dataclass(frozen=True)
class ContentPolicy:
    id: str
    name: str
    category: str
    mode: str  # early_access | ga | ga+<h> | pinned:<version> | paused
    precedence: int
    is_default: bool = False
    group_ids: frozenset[str] = frozenset()
    windows: tuple[Window, ...] = ()
    critical_bypass_windows: bool = True


@dataclass(frozen=True)
class Freeze:
    id: str
    reason: str
    starts_at: datetime
    ends_at: datetime  # already min(ends_at, lifted_at)
    critical_bypass: bool = False  # an approved exception: vendor-marked critical content passes


@dataclass(frozen=True)
class Pause:
    id: str
    scope: str  # tenant | host_group | content_category | sensor
    reason: str
    created_at: datetime
    expires_at: datetime | None = None
    group_id: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class Override:
    """A vendor override the tenant consented to (an approved request): ``category`` ``version``
    may pass the tenant's ``kinds`` (``freeze``, ``window``) until ``expires_at``."""

    id: str
    category: str
    version: str
    kinds: frozenset[str]
    expires_at: datetime
    requested_by: str = ""


def override_for(
    overrides: tuple[Override, ...], category: str, version: str | None, kind: str, at: datetime
) -> Override | None:
    """The consented override that lets ``category`` ``version`` past ``kind`` at ``at``, if any."""
    return next(
        (
            o
            for o in sorted(overrides, key=lambda o: o.id)
            if o.category == category and o.version == version and kind in o.kinds and at < o.expires_at
        ),
        None,
    )


@dataclass(frozen=True)
class RingState:
    """What a staged rollout allows this host now (``allowed_version`` None: nothing new yet)."""

    allowed_version: str | None
    ring: str
    rollout_id: str = ""
    fast_track: bool = False  # a rollback: delivered past windows and update blocks
    staged: str = ""  # the version the rollout stages (explain says whether this host's ring has it)


@dataclass(frozen=True)
class HostFacts:
    id: str
    platform: str
    sensor_build: str
    content_versions: Mapping[str, str] = field(default_factory=dict)
    group_ids: frozenset[str] = frozenset()
    ring_states: Mapping[str, RingState] = field(default_factory=dict)


@dataclass(frozen=True)
class TenantState:
    catalog: Catalog
    sensor_policies: tuple[SensorPolicy, ...] = ()
    content_policies: tuple[ContentPolicy, ...] = ()
    freezes: tuple[Freeze, ...] = ()
    pauses: tuple[Pause, ...] = ()
    group_names: Mapping[str, str] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()  # vendor overrides the tenant approved (rollout.consent)


@dataclass(frozen=True)
class Decision:
    """The version a host may have now for one subject (``sensor`` or a category key), and why.

    ``rule`` is the deciding rule: pause, freeze, pin, ring, keep_running, incompatible, window, update_block,
    stage, delay, off, no_policy or no_release. ``desired`` is what the policy aims at before holds."""

    subject: str
    current: str | None
    target: str | None
    desired: str | None
    rule: str
    reason: str
    policy_id: str | None = None
    policy_name: str = ""
    group_id: str | None = None
    group_name: str = ""
    pause_id: str | None = None
    freeze_id: str | None = None
    window_id: str | None = None

    @property
    def changes(self) -> bool:
        return self.target is not None and self.target != self.current


@dataclass(frozen=True)
class Resolution:
    host_id: str
    at: datetime
    sensor: Decision
    content: Mapping[str, Decision]
    # {subject: last known-good version} the desired state names (``rollout.resolver.fallback``);
    # filled by ``resolve_with_fallback``, empty from ``resolve_host`` alone.
    fallback: Mapping[str, str] = field(default_factory=dict)

"""The resolver: pure functions over plain dataclasses that decide what each host may run (DESIGN
section 4 rule 1: pause > freeze > pin > ring state > window > delay/stage). Also the target and mode
grammars (``targets``), window recurrence (``recurrence``) and the known-good version a host falls back
to by itself (``fallback``), the ring state a staged rollout gives a host (``rings``) and the
exposure forecast, the resolver run forward hour by hour (``forecast``). Imports no Django and nothing outside
this package, so it can be property-tested and benchmarked on its own. The public names are re-exported
here (``from rollout import resolver as rv``).
"""

from __future__ import annotations

from rollout.resolver.fallback import (
    RECOVERY_RULE,
    content_fallback,
    fallbacks_for,
    resolve_with_fallback,
    sensor_fallback,
)
from rollout.resolver.recurrence import (
    MAX_DURATION_MINUTES,
    Recurrence,
    is_open,
    local_to_utc,
    next_occurrences,
    occurrence_bounds,
    occurrences,
    zone,
)
from rollout.resolver.resolve import (
    categories_of,
    n_levels,
    pause_active,
    release_eligible,
    resolve_content,
    resolve_host,
    resolve_sensor,
)
from rollout.resolver.state import (
    SENSOR,
    Build,
    Catalog,
    Category,
    ContentPolicy,
    Decision,
    Freeze,
    HostFacts,
    Override,
    Pause,
    Release,
    Resolution,
    RingState,
    SensorPolicy,
    TenantState,
    Window,
    build_key,
    override_for,
    release_compatible,
)
from rollout.resolver.targets import (
    CONTENT_MODE_HELP,
    MAX_DELAY_HOURS,
    SENSOR_TARGET_HELP,
    ContentMode,
    SensorTarget,
    content_mode_parse,
    is_version,
    release_line,
    sensor_target_parse,
    version_key,
)

__all__ = [
    "CONTENT_MODE_HELP",
    "MAX_DELAY_HOURS",
    "MAX_DURATION_MINUTES",
    "RECOVERY_RULE",
    "SENSOR",
    "SENSOR_TARGET_HELP",
    "Build",
    "Catalog",
    "Category",
    "ContentMode",
    "ContentPolicy",
    "Decision",
    "Freeze",
    "HostFacts",
    "Override",
    "Pause",
    "Recurrence",
    "Release",
    "Resolution",
    "RingState",
    "SensorPolicy",
    "SensorTarget",
    "TenantState",
    "Window",
    "build_key",
    "categories_of",
    "content_fallback",
    "content_mode_parse",
    "fallbacks_for",
    "is_open",
    "is_version",
    "local_to_utc",
    "n_levels",
    "next_occurrences",
    "occurrence_bounds",
    "occurrences",
    "override_for",
    "pause_active",
    "release_compatible",
    "release_eligible",
    "release_line",
    "resolve_content",
    "resolve_host",
    "resolve_sensor",
    "resolve_with_fallback",
    "sensor_fallback",
    "sensor_target_parse",
    "version_key",
    "zone",
]

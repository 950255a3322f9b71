"""The version a host falls back to by itself, per subject, and the rule for when (DESIGN section 4:
hosts recover without a person).

A sensor cannot wait for the console while it crash-loops: the desired state it downloads names,
for the sensor build and each content category, the **last known-good** version and the
:data:`RECOVERY_RULE` that says when to revert to it on its own (``failed_boots`` failed boots within
``within_s`` seconds after a change). The known-good version is

1. the version the host runs now, when the decision moves it to another one (what it ran before the
   change), unless the catalog recalled, invalidated or withdrew it; otherwise
2. the newest version older than the target that passed its gates (GA, valid, not recalled; a GA
   build that is not withdrawn).

No fallback is named when there is no target, or nothing qualifies: such a host keeps today's
behaviour (it waits for the console). Pure, like the rest of the package.

:func:`resolve_with_fallback` is the one function behind explain and the stored desired state (so
the edge): the resolution with its fallback. The fallback is always that of the resolution
**without pauses**: a pause reaches the backend as a hold over the stored state (which is computed
without pauses), so a paused host is still served the fallback of what it would be told unpaused,
and explain shows that same one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from rollout.resolver.resolve import resolve_host
from rollout.resolver.state import SENSOR, Catalog, Decision, HostFacts, Resolution, TenantState
from rollout.resolver.targets import version_key

RECOVERY_RULE: Mapping[str, Any] = {"failed_boots": 2, "within_s": 600}


def _older(version: str, than: str) -> bool:
    return (version_key(version), version) < (version_key(than), than)


def content_fallback(catalog: Catalog, category: str, decision: Decision) -> str | None:
    """The known-good version of ``category`` for a host the ``decision`` was made for."""
    target, current = decision.target, decision.current
    if target is None:
        return None
    releases = [r for r in catalog.releases if r.category == category]
    if current and current != target:
        bad = any(r.version == current and (r.stage == "recalled" or not r.valid) for r in releases)
        if not bad:
            return current
    good = [r for r in releases if r.stage == "ga" and r.valid and _older(r.version, target)]
    if not good:
        return None
    return max(good, key=lambda r: (version_key(r.version), r.version)).version


def sensor_fallback(catalog: Catalog, platform: str, decision: Decision) -> str | None:
    """The known-good sensor build of a host on ``platform`` for the sensor ``decision``."""
    target, current = decision.target, decision.current
    if target is None:
        return None
    builds = [b for b in catalog.builds if b.platform == platform]
    withdrawn = any(b.version == current and b.stage == "withdrawn" for b in builds)
    if current and current != target and not withdrawn:
        return current
    good = [b for b in builds if b.stage == "ga" and _older(b.version, target)]
    if not good:
        return None
    return max(good, key=lambda b: (version_key(b.version), b.version)).version


def fallbacks_for(catalog: Catalog, host: HostFacts, resolution: Resolution) -> dict[str, str]:
    """``{subject: known-good version}`` (``"sensor"`` or a category key) for one resolution."""
    out: dict[str, str] = {}
    sensor = sensor_fallback(catalog, host.platform, resolution.sensor)
    if sensor is not None:
        out[SENSOR] = sensor
    for category, decision in resolution.content.items():
        version = content_fallback(catalog, category, decision)
        if version is not None:
            out[category] = version
    return out


def resolve_with_fallback(state: TenantState, host: HostFacts, at: datetime) -> Resolution:
    """``resolve_host`` with ``Resolution.fallback`` filled: what explain shows and recompute stores.

    The decisions honour ``state.pauses`` (recompute passes none); the fallback is computed from the
    resolution without pauses, which is what the desired state stores and the edge serves under a hold."""
    resolution = resolve_host(state, host, at)
    unpaused = resolve_host(replace(state, pauses=()), host, at) if state.pauses else resolution
    return replace(resolution, fallback=fallbacks_for(state.catalog, host, unpaused))

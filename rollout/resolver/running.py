"""Never backward (DESIGN section 4 rule 2): what a host already runs bounds what it is told.

Only a rollback (a rolled-back rollout, fast-tracked, or an operator's explicit pin) or a recall (the
running content release is recalled or invalid, the running sensor build is withdrawn) may move a host
to an older sensor build or content version than it runs. Every other rule (a relative level, a
content mode, a ring the host has not reached, a halted rollout, a level whose previous rollout has not
completed) that would aim lower than the running version yields ``keep_running``: the host keeps what
it runs, and explain says why.

A running version the catalog does not know is not protected (nothing vouches for it): the policy
decides as before. Also the words explain uses for a ring state (``ring_reason``). Pure: plain values
in, plain values out.
"""

from __future__ import annotations

from rollout.resolver.state import Catalog, RingState
from rollout.resolver.targets import version_key

KEEP_RUNNING = "keep_running"


def older(version: str | None, than: str | None) -> bool:
    """``version`` is an older version than ``than`` (both present)."""
    if not version or not than:
        return False
    return (version_key(version), version) < (version_key(than), than)


def sensor_build_kept(catalog: Catalog, platform: str, running: str | None) -> bool:
    """The running build is one the catalog offers (known and not withdrawn): a step back needs a rollback."""
    return any(
        b.platform == platform and b.version == running and b.stage != "withdrawn" for b in catalog.builds
    )


def content_version_kept(catalog: Catalog, category: str, running: str | None) -> bool:
    """The running release is known, valid and not recalled: a step back needs a rollback."""
    return any(
        r.category == category and r.version == running and r.valid and r.stage != "recalled"
        for r in catalog.releases
    )


def keeps_running(*, running: str | None, target: str | None, kept: bool, ring: RingState | None) -> bool:
    """Whether the host keeps ``running`` instead of moving back to ``target``."""
    if ring is not None and ring.fast_track:
        return False  # a rollback (operator or vendor recall) moves hosts back, past windows
    return kept and older(target, running)


def keep_reason(running: str, target: str, why: str) -> str:
    return (
        f"{why} The host already runs {running}, newer than {target}: only a rollback or a recall moves"
        f" a host to an older version, so it keeps {running}."
    )


def ring_reason(ring: RingState, allowed: str | None) -> str:
    """Explain's words for a ring state: reached or not, halted, rolled back."""
    if ring.fast_track:
        return f"Staged rollout of {ring.staged or 'a version'} rolled back: back to {allowed}, past windows."
    if not ring.staged:
        return f"Staged rollout, ring {ring.ring!r}, allows {allowed}."
    if ring.ring.endswith("(halted)"):
        return (
            f"Staged rollout of {ring.staged} halted (this host's ring: {ring.ring.removesuffix(' (halted)')!r}):"
            f" hosts that have it keep it, the others stay on {allowed}."
        )
    if allowed == ring.staged:
        return f"Staged rollout of {ring.staged}: ring {ring.ring!r} has been reached, {allowed} is allowed."
    return (
        f"Staged rollout of {ring.staged}: ring {ring.ring!r} is not reached yet; the known-good"
        f" {allowed} until it is."
    )

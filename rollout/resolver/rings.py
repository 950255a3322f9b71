"""What a staged rollout allows one host, given where the rollout is and which ring takes the host:
the one mapping behind ``rollout.selectors.rings.ring_states_for_hosts`` (the recompute and explain)
and the exposure forecast (``rollout.resolver.forecast``), so the two cannot drift. Pure."""

from __future__ import annotations

from rollout.resolver.state import RingState

AFTER_THE_LAST_RING = "after the last ring"  # the ring name of hosts no ring takes


def ring_state_for(
    *,
    rollout_id: str,
    staged: str,
    previous: str | None,
    state: str,
    ring_index: int,
    host_ring: int,
    ring_name: str,
    running: str | None,
) -> RingState:
    """In ring ``k`` hosts of rings ``<= k`` may have ``staged``, every other host keeps ``previous``
    (never a skipped ring). Halted: hosts already running ``staged`` keep it, nobody else gets it.
    Rolled back: every host goes back to ``previous``, past its windows. ``state`` is a
    ``RolloutState`` value (pending, in_ring, halted, rolled_back)."""
    if state == "rolled_back":
        return RingState(previous, "rolled back", rollout_id, fast_track=True, staged=staged)
    if state == "halted":
        allowed = staged if running == staged else previous
        return RingState(allowed, ring_name + " (halted)", rollout_id, staged=staged)
    if state == "in_ring" and host_ring <= ring_index:
        return RingState(staged, ring_name, rollout_id, staged=staged)
    return RingState(previous, ring_name, rollout_id, staged=staged)

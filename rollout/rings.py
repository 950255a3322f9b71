"""Ring state per host for the resolver's seam (``HostFacts.ring_states``).

With no rollout under way, no host has a ring state and the resolver falls back to delay/stage.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from rollout.resolver import RingState


def ring_states_for_hosts(tenant_id: uuid.UUID, host_ids: Iterable[str]) -> dict[str, dict[str, RingState]]:
    """``{host_id: {"content:<category>" | "sensor:<platform>": RingState}}`` for hosts in an active rollout."""
    return {}

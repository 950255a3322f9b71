"""How telemetry learns which hosts belong to which host group, without knowing about policies.

Telemetry defines this interface; ``rollout`` (which owns host groups) implements it and
registers its implementation in its ``AppConfig.ready()``. With nothing registered, fleet health
is aggregated per tenant, platform and version only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class GroupRef:
    id: uuid.UUID
    name: str


class HostGroupSource(Protocol):
    def groups(self, tenant_id: uuid.UUID) -> list[GroupRef]:
        """The tenant's host groups."""
        ...

    def host_ids_sql(self, tenant_id: uuid.UUID, group_id: uuid.UUID) -> tuple[str, list[object]]:
        """SQL (with params) selecting the ``id`` of every ``telemetry_host`` in the group.

        It must be usable as a sub-select: ``... WHERE h.id IN (<sql>)``.
        """
        ...


_source: HostGroupSource | None = None


def group_source_register(source: HostGroupSource) -> None:
    global _source
    _source = source


def group_source() -> HostGroupSource | None:
    return _source

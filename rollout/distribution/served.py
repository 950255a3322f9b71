"""When the embedded edge first served a hold: the last stage of the safety loop's timeline.

The edge's hot path adds one ``HSETNX`` per hold in a full (200) answer that lists holds; a 304
costs nothing more. The console forgets the mark when it publishes a new stop hold, so the time
read back is that of the first host answered with this hold. A vendor backend (HTTP) does not
report it: the timeline then leaves that stage empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import cast

from console.redis import redis_client
from rollout.distribution.base import Hold


def _key(tenant_id: str) -> str:
    return f"edge:{{{tenant_id}}}:served"  # the tenant's hash slot, like the edge's other keys


def holds_served_mark(tenant_id: str, holds: Iterable[Hold]) -> None:
    fields = [h.field_name for h in holds]
    if not fields:
        return
    now = datetime.now(UTC).timestamp()
    pipe = redis_client().pipeline(transaction=False)
    for name in fields:
        pipe.hsetnx(_key(tenant_id), name, repr(now))
    pipe.execute()


def hold_served_at(tenant_id: str, field_name: str) -> datetime | None:
    raw = redis_client().hget(_key(tenant_id), field_name)
    return datetime.fromtimestamp(float(cast(bytes, raw)), UTC) if raw else None


def hold_served_forget(tenant_id: str, field_name: str) -> None:
    redis_client().hdel(_key(tenant_id), field_name)

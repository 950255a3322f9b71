"""What a tenant's desired state is computed from, in two digests, so that a pass over every host
whose inputs did not change is skipped (the beat asks for one per tenant every minute).

* ``tenant``: the resolver's tenant state (policies with their groups, windows and update blocks,
  the catalog's builds and releases with their stages and dates, freezes), the rollouts and rings
  (ring states: a soak ending or a halt is a rollout row changing).
* ``hosts``: per tenant, the count and an order-independent sum of 64-bit hashes (``hash_record_extended``, no text conversion) of every host's
  resolver-relevant columns (platform, sensor build, content versions and the attributes rules
  match) and of every static membership, and every group's rule (what the stored groups of a
  host are derived from). One index-assisted scan of each table, no resolution:
  at 1M hosts a fraction of a second where the pass re-resolves every host.

Time is the third input and is not digested: the caller re-resolves each combination cached at
the last pass at the current time (``recompute._outside_unchanged``), which is what catches a
window opening, a GA + delay elapsing or a freeze ending, with nothing computed ahead.

Pauses are not inputs: they are holds on the backend and the resolving state has none."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db import connection

from rollout import resolver as rv
from rollout.desired.blast import state_digest
from rollout.models import HostGroup, Ring, Rollout

_HOSTS_SQL = """
SELECT
  (SELECT count(*)::text || ':' || COALESCE(sum(hash_record_extended(ROW(h.id, h.platform, h.sensor_build,
     h.content_versions, h.hostname, h.os_version, h.tags, h.site, h.changed_xid), 0)), 0)::text
   FROM telemetry_host h WHERE h.tenant_id = %s),
  (SELECT count(*)::text || ':' || COALESCE(sum(hash_record_extended(ROW(m.host_id, m.group_id), 0)), 0)::text
   FROM rollout_hostgroupmember m WHERE m.tenant_id = %s)
"""


def hosts_digest(tenant_id: str) -> str:
    """Changes whenever a host is added, removed or changes a column the resolver or a group rule
    reads, or a static membership is added or removed."""
    with connection.cursor() as cursor:
        cursor.execute(_HOSTS_SQL, [tenant_id, tenant_id])
        row = cursor.fetchone()
    assert row is not None
    rules = state_digest(
        list(HostGroup.objects.filter(tenant_id=tenant_id).order_by("pk").values_list("pk", "rule"))
    )
    return f"{row[0]}/{row[1]}/{rules}"


def rows_missing(tenant_id: str, current: dict[str, Any]) -> bool:
    """Whether the tenant has fewer desired-state rows than hosts (rows deleted behind the
    recompute's back: only a pass writes them back). One index-only count."""
    hosts = int(str(current["hosts"]).split(":", 1)[0])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM rollout_desiredstate WHERE tenant_id = %s", [tenant_id])
        row = cursor.fetchone()
    return row is None or int(row[0]) != hosts


def tenant_digest(tenant_id: str, state: rv.TenantState) -> str:
    return state_digest(
        [
            asdict(state),
            list(Rollout.objects.filter(tenant_id=tenant_id).order_by("pk").values()),
            list(Ring.objects.filter(tenant_id=tenant_id).order_by("pk").values()),
        ]
    )


def inputs_of(tenant_id: str, state: rv.TenantState) -> dict[str, Any]:
    return {"tenant": tenant_digest(tenant_id, state), "hosts": hosts_digest(tenant_id)}


def unchanged(stored: dict[str, Any], current: dict[str, Any], *, refresh_hosts: bool) -> bool:
    """Whether the last pass over every host saw ``current``'s inputs. A refresh (groups
    recomputed) also needs the stored groups to be current: written by a refresh, or by a pass
    whose host inputs were those of one."""
    if not stored or stored.get("tenant") != current["tenant"] or stored.get("hosts") != current["hosts"]:
        return False
    return bool(stored.get("groups_current")) or not refresh_hosts


def stored_after(stored: dict[str, Any], current: dict[str, Any], *, refresh_hosts: bool) -> dict[str, Any]:
    """The inputs to store after a pass over every host."""
    groups_current = refresh_hosts or (
        bool(stored.get("groups_current")) and stored.get("hosts") == current["hosts"]
    )
    return {**current, "groups_current": groups_current}

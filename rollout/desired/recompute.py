from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from console.models import Tenant
from rollout import resolver as rv
from rollout.desired import inputs as di
from rollout.desired.blast import groups_referenced, policy_marks, policy_scope, state_digest
from rollout.distribution.sync import sync_desired
from rollout.models import HostGroup, Ring, Rollout, TenantRevision
from rollout.selectors.groups import group_conditions
from rollout.selectors.rings import ring_states_for_hosts
from rollout.selectors.rules import rule_sql
from rollout.selectors.state import catalog_state, facts_of, tenant_state

log = logging.getLogger(__name__)


CHUNK = 100_000


FULL_AFTER_REVISIONS = 50


OUTBOX_BATCH = 500


COMBO_TABLE = "rollout_desired_combo"


RING_TABLE = "rollout_desired_ring"


CHUNK_TABLE = "rollout_desired_chunk"


@dataclass(frozen=True)
class Recompute:
    tenant_id: str
    revision: int
    changed: int
    removed: int
    combinations: int
    hosts: int
    skipped: bool = False  # nothing that decides a host's desired state changed since the last pass


def _ring_key(states: Mapping[str, rv.RingState]) -> str:
    return json.dumps(
        {k: asdict(s) for k, s in sorted(states.items())}, sort_keys=True, separators=(",", ":")
    )


def _ring_states(key: str) -> dict[str, rv.RingState]:
    if not key:
        return {}
    return {k: rv.RingState(**v) for k, v in json.loads(key).items()}


def _outcome(resolution: rv.Resolution) -> tuple[str, dict[str, str], dict[str, list[str]]]:
    """(sensor build, {category: version}, {subject: [rule, policy id]}) of one resolution."""
    decisions = [resolution.sensor, *resolution.content.values()]
    content = {k: d.target for k, d in resolution.content.items() if d.target is not None}
    rules = {d.subject: [d.rule, d.policy_id or ""] for d in decisions}
    return resolution.sensor.target or "", content, rules


def json_value(value: Any) -> Any:
    """A jsonb value read with a raw cursor (Django's psycopg 3 setup leaves it as text)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def rule_text(rules: Mapping[str, Sequence[str]]) -> str:
    return ";".join(f"{subject}={value[0]}" for subject, value in sorted(rules.items()))


def _outcome_row(state: rv.TenantState, facts: rv.HostFacts, at: datetime) -> tuple[str, str, str, str]:
    """(sensor build, content json, rules json, fallback json) of one combination, as the
    combination table holds them."""
    resolution = rv.resolve_with_fallback(state, facts, at)
    sensor, content, rules = _outcome(resolution)
    return (
        sensor,
        json.dumps(content, sort_keys=True),
        json.dumps(rules, sort_keys=True, separators=(",", ":")),
        json.dumps(dict(resolution.fallback), sort_keys=True),
    )


def _outcome_hash(row: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(row).encode()).hexdigest()[:24]


def _combo_key(platform: str, build: str, versions: str, group_ids: frozenset[str], ring: str) -> str:
    return json.dumps([platform, build, versions, sorted(group_ids), ring], separators=(",", ":"))


def _marks(tenant_id: str, state: rv.TenantState) -> dict[str, Any]:
    """What a targets-only pass depends on besides time and the hosts: the policies
    (``rollout.blast.policy_marks``) and one digest of every other input (catalog, freezes, rings
    and rollouts)."""

    inputs = state_digest(
        [
            asdict(state.catalog),
            [asdict(f) for f in state.freezes],
            list(Rollout.objects.filter(tenant_id=tenant_id).order_by("pk").values()),
            list(Ring.objects.filter(tenant_id=tenant_id).order_by("pk").values()),
        ]
    )
    return {"inputs": inputs, "policies": policy_marks(state)}


def _policy_scope(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str] | None:
    """The groups whose hosts are the only ones the change since ``old`` can move, when it changed
    only policies, and not a default one; None otherwise (including when nothing changed: time
    alone may have moved anyone)."""
    if not old or old.get("inputs") != new["inputs"]:
        return None
    changed, groups = policy_scope(old.get("policies", {}), new["policies"])
    return groups if changed else None


def _outside_unchanged(
    cache: Mapping[str, str], scope: set[str], state: rv.TenantState, at: datetime
) -> dict[str, str] | None:
    """The cached combinations of hosts outside ``scope``, if every one of them still resolves to
    its cached outcome (time may have opened a window or ended a delay); None otherwise.

    A host outside the scope is in no group of a changed policy, so its combination (its groups
    among those policies use) is the same before and after the change."""
    if not cache:
        return None  # nothing is known of the hosts outside the scope
    kept: dict[str, str] = {}
    for key, outcome in cache.items():
        platform, build, versions, group_ids, ring = json.loads(key)
        if scope.intersection(group_ids):
            continue
        facts = _facts(platform, build, versions, group_ids, [True] * len(group_ids), ring)
        if _outcome_hash(_outcome_row(state, facts, at)) != outcome:
            return None
        kept[key] = outcome
    return kept


def _skippable(
    tr: TenantRevision, current: dict[str, Any], state: rv.TenantState, at: datetime, *, refresh_hosts: bool
) -> bool:
    """Whether a pass over every host would change nothing: same inputs as the last one, and each
    cached combination (every host's, at that pass) still resolves to its cached outcome at ``at``."""
    if not di.unchanged(tr.inputs or {}, current, refresh_hosts=refresh_hosts):
        return False
    if di.rows_missing(str(tr.tenant_id), current):
        return False
    return _outside_unchanged(tr.combo_cache or {}, set(), state, at) is not None


def _hosts_in_groups(tenant_id: str, groups: set[str]) -> list[str]:
    """The hosts whose stored desired state names any of ``groups`` (GIN index on ``groups``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT host_id::text FROM rollout_desiredstate WHERE tenant_id = %s"
            " AND groups && %s::varchar(36)[] ORDER BY host_id",
            [tenant_id, sorted(groups)],
        )
        return [r[0] for r in cursor.fetchall()]


class _Plan:
    """The per-tenant SQL pieces shared by every chunk."""

    def __init__(self, tenant: Tenant, state: rv.TenantState) -> None:
        used = groups_referenced(state)
        # Only the groups policies use as model instances; the rules of all (a tenant may have
        # 10,000 groups) as plain values.
        referenced = list(
            HostGroup.objects.filter(tenant=tenant, pk__in=used).order_by("pk").only("id", "rule")
        )
        self.ref_ids = [str(g.pk) for g in referenced]
        conditions = group_conditions(referenced)
        self.bits_sql = "ARRAY[" + ", ".join(c[0] for c in conditions) + "]::bool[]"
        self.bits_params: list[Any] = [p for c in conditions for p in c[1]]
        rule_parts: list[str] = []
        self.rule_params: list[Any] = []
        rules = (
            HostGroup.objects.filter(tenant=tenant, rule__isnull=False)
            .order_by("pk")
            .values_list("pk", "rule")
        )
        for pk, rule in rules:
            if rule:
                sql, params = rule_sql(rule)
                rule_parts.append(f"CASE WHEN COALESCE(({sql}), false) THEN %s END")
                self.rule_params += [*params, str(pk)]
        self.rule_sql = "ARRAY[" + ", ".join(rule_parts) + "]::text[]"


def _load_chunk(plan: _Plan, tenant_id: str, *, after: str | None, ids: list[str] | None) -> list[str]:
    """Copies the next chunk of hosts (ids after ``after`` in id order, or the given ``ids``) with
    their combination columns into the chunk table: the one read of ``telemetry_host`` per chunk."""
    params: list[Any]
    if ids is not None:
        where, params, tail = "h.id = ANY(%s::uuid[])", [ids], ""
    else:
        where, params, tail = "h.id > %s::uuid", [after], " ORDER BY h.id LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {CHUNK_TABLE}, {RING_TABLE}, {COMBO_TABLE}")
        cursor.execute(
            f"INSERT INTO {CHUNK_TABLE} (id, platform, sensor_build, versions, bits, rgids) "  # noqa: S608
            "SELECT h.id, h.platform, h.sensor_build, COALESCE(h.content_versions, '{}'::jsonb), "
            f"{plan.bits_sql}, {plan.rule_sql} FROM telemetry_host h WHERE h.tenant_id = %s AND {where}{tail}",
            [*plan.bits_params, *plan.rule_params, tenant_id, *params, *([CHUNK] if tail else [])],
        )
        # Without statistics the planner takes the chunk for ~1,000 rows and the join of its four
        # combination columns for one row, and nests a loop over every membership per host.
        cursor.execute(f"ANALYZE {CHUNK_TABLE}")
        cursor.execute(f"SELECT id::text FROM {CHUNK_TABLE} ORDER BY id")  # noqa: S608 - our own table
        return [r[0] for r in cursor.fetchall()]


_CHUNK_HOSTS = (
    "SELECT q.id, q.platform, q.sensor_build, q.versions, q.bits, q.rgids, COALESCE(r.ring_key, '') AS ring_key"
    " FROM {chunk} q LEFT JOIN {ring} r ON r.host_id = q.id"
)


_SORTED_GROUPS = "ARRAY(SELECT DISTINCT x FROM unnest({}) x WHERE x IS NOT NULL ORDER BY x)::varchar(36)[]"


def _write_sql(tenant_id: str, *, refresh: bool) -> tuple[str, list[Any]]:
    """One INSERT ... SELECT ... ON CONFLICT for the chunk, reaching only rows that change.

    ``refresh``: host attributes or memberships may have changed, so every host's groups are
    recomputed (one aggregate over the chunk's memberships) and compared. Otherwise (a policy,
    window, pause, catalog or ring change) only the targets are compared, and groups are computed
    only for hosts that have no row yet."""
    hsql = _CHUNK_HOSTS.format(chunk=CHUNK_TABLE, ring=RING_TABLE)
    if refresh:
        groups = _SORTED_GROUPS.format("q.rgids || COALESCE(s.gids, '{}'::text[])")
        join = (
            " LEFT JOIN (SELECT m.host_id, array_agg(m.group_id::text) AS gids FROM rollout_hostgroupmember m"  # noqa: S608 - our own SQL pieces
            f" WHERE m.tenant_id = %s AND m.host_id IN (SELECT id FROM {CHUNK_TABLE}) GROUP BY m.host_id) s"
            " ON s.host_id = q.id"
        )
        join_params: list[Any] = [tenant_id]
        compare = (
            "(o.platform, o.groups, o.sensor_build, o.content, o.rules, o.fallback) IS DISTINCT FROM"
            f" (q.platform, {groups}, c.sensor, c.content, c.rules, c.fallback)"
        )
        groups_out = groups
    else:
        statics = "ARRAY(SELECT m.group_id::text FROM rollout_hostgroupmember m WHERE m.host_id = q.id)"
        groups_out = f"CASE WHEN o.host_id IS NULL THEN {_SORTED_GROUPS.format('q.rgids || ' + statics)} ELSE o.groups END"
        join, join_params = "", []
        compare = (
            "(o.platform, o.sensor_build, o.content, o.rules, o.fallback) IS DISTINCT FROM"
            " (q.platform, c.sensor, c.content, c.rules, c.fallback)"
        )
    sql = (
        "INSERT INTO rollout_desiredstate AS d (id, tenant_id, host_id, platform, groups, sensor_build,"  # noqa: S608
        " content, rules, fallback, revision, target_revision, changed_at) "
        f"SELECT gen_random_uuid(), %s, q.id, q.platform, {groups_out}, c.sensor, c.content, c.rules, c.fallback, %s, %s, %s "
        f"FROM ({hsql}) q JOIN {COMBO_TABLE} c ON c.platform = q.platform AND c.build = q.sensor_build"
        " AND c.versions = q.versions AND c.bits = q.bits AND c.ring_key = q.ring_key"
        f" LEFT JOIN rollout_desiredstate o ON o.host_id = q.id{join}"
        # Unchanged rows never reach the INSERT (ON CONFLICT would lock each of them).
        f" WHERE o.host_id IS NULL OR {compare} "
        "ON CONFLICT (host_id) DO UPDATE SET platform = EXCLUDED.platform, groups = EXCLUDED.groups,"
        " sensor_build = EXCLUDED.sensor_build, content = EXCLUDED.content, rules = EXCLUDED.rules,"
        " fallback = EXCLUDED.fallback, revision = EXCLUDED.revision, changed_at = EXCLUDED.changed_at,"
        " target_revision = CASE WHEN (d.sensor_build, d.content) IS DISTINCT FROM"
        " (EXCLUDED.sensor_build, EXCLUDED.content) THEN EXCLUDED.revision ELSE d.target_revision END "
        "WHERE (d.platform, d.groups, d.sensor_build, d.content, d.rules, d.fallback) IS DISTINCT FROM"
        " (EXCLUDED.platform, EXCLUDED.groups, EXCLUDED.sensor_build, EXCLUDED.content, EXCLUDED.rules,"
        " EXCLUDED.fallback)"
    )
    return sql, join_params


def _temp_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {RING_TABLE} (host_id uuid PRIMARY KEY, ring_key text) ON COMMIT DROP"
        )
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {COMBO_TABLE} (platform text, build text, versions jsonb,"
            " bits bool[], ring_key text, sensor text, content jsonb, rules jsonb, fallback jsonb) ON COMMIT DROP"
        )
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {CHUNK_TABLE} (id uuid PRIMARY KEY, platform text, sensor_build text,"
            " versions jsonb, bits bool[], rgids text[]) ON COMMIT DROP"
        )
        cursor.execute(f"TRUNCATE {RING_TABLE}, {COMBO_TABLE}, {CHUNK_TABLE}")


def _facts(
    platform: str, build: str, versions: Any, ids: list[str], bits: list[bool], ring: str
) -> rv.HostFacts:
    return facts_of(
        host_id="",
        platform=platform,
        sensor_build=build,
        content_versions=json_value(versions) or {},
        group_ids=(g for g, bit in zip(ids, bits, strict=True) if bit),
        ring_states=_ring_states(ring),
    )


def _resolving_state(tenant: Tenant) -> rv.TenantState:
    """The tenant's resolver inputs without pauses: pauses are holds on the backend."""
    return replace(tenant_state(tenant, catalog_state()), pauses=())


def tenant_revision(tenant_id: str) -> TenantRevision:
    TenantRevision.objects.get_or_create(tenant_id=tenant_id)
    return TenantRevision.objects.select_for_update().get(tenant_id=tenant_id)


def desired_state_recompute(
    tenant_id: uuid.UUID | str,
    *,
    host_ids: list[str] | None = None,
    at: datetime | None = None,
    refresh_hosts: bool = True,
) -> Recompute:
    """Recomputes the desired state of ``tenant_id``'s hosts (``host_ids`` None: all of them).

    ``refresh_hosts=False`` when the change cannot have touched host attributes or group
    membership (policies, windows, freezes, pauses, catalog, rings): groups are then not
    recomputed for hosts that already have a row, which makes the full pass much cheaper.

    A pass over every host is skipped (``skipped``, nothing written) when its inputs
    (``rollout.desired.inputs``) are those of the last pass over every host and every combination
    cached then still resolves to its cached outcome now (time opened no window, ended no delay).

    Writes only rows that change; takes a new revision only if at least one row changed or a
    deleted host's row was removed. Runs in (and needs) one transaction; concurrent recomputes of
    one tenant queue on the tenant's revision row."""
    tid = str(tenant_id)
    at = at or timezone.now()
    with transaction.atomic():
        tenant = Tenant.objects.get(pk=tid)
        tr = tenant_revision(tid)
        state = _resolving_state(tenant)
        current = di.inputs_of(tid, state) if host_ids is None else None
        if current is not None and _skippable(tr, current, state, at, refresh_hosts=refresh_hosts):
            tr.recomputed_at = at
            tr.save(update_fields=["recomputed_at"])
            return Recompute(tid, tr.revision, 0, 0, len(tr.combo_cache), tr.hosts_total or 0, skipped=True)
        plan = _Plan(tenant, state)
        _temp_tables()
        with connection.cursor() as cursor:
            # Grouping and joining a 100k-host chunk in memory instead of sorting on disk.
            cursor.execute("SET LOCAL work_mem = '128MB'")
        next_revision = tr.revision + 1
        changed = removed = combos_total = hosts = 0
        # A targets-only full pass skips combinations whose outcome is what it was at the last full
        # pass: their hosts cannot change. A pass over some hosts only invalidates the cache.
        cache: dict[str, str] | None = (
            dict(tr.combo_cache or {}) if not refresh_hosts and host_ids is None else None
        )
        new_cache: dict[str, str] = {}
        census: dict[str, int] = {}
        explicit = [str(h) for h in host_ids] if host_ids is not None else None
        marks = _marks(tid, state)
        scoped = False
        if cache is not None:
            # Only policies changed since the last pass over every host: recompute the hosts of
            # their groups (found in the stored desired state), if time moved no other host.
            scope = _policy_scope(tr.policy_marks or {}, marks)
            kept = _outside_unchanged(cache, scope, state, at) if scope is not None else None
            if scope is not None and kept is not None:
                scoped, cache, new_cache = True, None, kept
                explicit = _hosts_in_groups(tid, scope)
        after = "00000000-0000-0000-0000-000000000000"
        start = 0
        while True:
            if explicit is not None:
                if start >= len(explicit) and start:
                    break
                ids = _load_chunk(plan, tid, after=None, ids=explicit[start : start + CHUNK])
                start += CHUNK
            else:
                ids = _load_chunk(plan, tid, after=after, ids=None)
                if not ids:
                    break
                after = ids[-1]
            hosts += len(ids)
            ring_rows = ring_states_for_hosts(uuid.UUID(tid), ids) if ids else {}
            with connection.cursor() as cursor:
                if ring_rows:
                    with cursor.copy(f"COPY {RING_TABLE} (host_id, ring_key) FROM STDIN") as copy:
                        for host_id, states in ring_rows.items():
                            if states:
                                copy.write_row((host_id, _ring_key(states)))
                hosts_sql = _CHUNK_HOSTS.format(chunk=CHUNK_TABLE, ring=RING_TABLE)
                cursor.execute(
                    f"SELECT platform, sensor_build, versions, bits, ring_key, count(*) FROM ({hosts_sql}) q GROUP BY 1, 2, 3, 4, 5"  # noqa: S608
                )
                combos = cursor.fetchall()
                combos_total += len(combos)
                written = 0
                with cursor.copy(
                    f"COPY {COMBO_TABLE} (platform, build, versions, bits, ring_key, sensor, content, rules, fallback) FROM STDIN"
                ) as copy:
                    for platform, build, versions, bits, ring, count in combos:
                        facts = _facts(platform, build, versions, plan.ref_ids, list(bits), ring)
                        resolved = _outcome_row(state, facts, at)
                        row = (
                            platform,
                            build,
                            json.dumps(json_value(versions) or {}, sort_keys=True),
                            "{" + ",".join("t" if b else "f" for b in bits) + "}",
                            ring,
                            *resolved,
                        )
                        key = _combo_key(platform, build, row[2], facts.group_ids, ring)
                        census_key = _combo_key(platform, build, row[2], facts.group_ids, "")
                        census[census_key] = census.get(census_key, 0) + count
                        outcome = _outcome_hash(resolved)
                        new_cache[key] = outcome
                        if cache is not None and cache.get(key) == outcome:
                            continue
                        copy.write_row(row)
                        written += 1
                if written:
                    cursor.execute(f"ANALYZE {COMBO_TABLE}")
                    wsql, wparams = _write_sql(tid, refresh=refresh_hosts)
                    cursor.execute(wsql, [tid, next_revision, next_revision, at, *wparams])
                    changed += cursor.rowcount
            if explicit is not None and start >= len(explicit):
                break
        removed = _remove_gone(tid, explicit if scoped else host_ids)
        tr.recomputed_at = at
        tr.combo_cache = new_cache if host_ids is None else {}
        fields = ["recomputed_at", "combo_cache"]
        if host_ids is None:
            tr.policy_marks = marks
            fields.append("policy_marks")
        if current is not None:
            tr.inputs = di.stored_after(tr.inputs or {}, current, refresh_hosts=refresh_hosts)
        else:  # the combinations of the hosts not in this pass are no longer all cached
            tr.inputs = {}
        fields.append("inputs")
        if host_ids is None and not scoped:
            tr.census = {"refs": plan.ref_ids, "hosts": census}
            fields.append("census")
        elif not scoped:  # some hosts may have changed combination: blast radii query the hosts
            tr.census = {}
            fields.append("census")
        # A pass scoped to a policy's groups moved no host between combinations: the census stays.
        if host_ids is None and not scoped:
            tr.hosts_total = hosts
            fields.append("hosts_total")
        if changed or removed:
            tr.revision = next_revision
            tr.changed_at = at
            fields += ["revision", "changed_at"]
            if removed:
                tr.full_needed = True
                fields.append("full_needed")
        tr.save(update_fields=fields)
        if changed or removed:
            backend = getattr(settings, "DISTRIBUTION_BACKEND", "edge") or "edge"
            revision = tr.revision
            transaction.on_commit(lambda: _quiet(sync_desired, tid, revision, backend=backend))
    return Recompute(tid, tr.revision, changed, removed, combos_total, hosts)


def _remove_gone(tenant_id: str, host_ids: list[str] | None) -> int:
    """Deletes the rows of hosts that no longer exist (the publish that follows is a full one).

    After a full pass every host has a row, so there are orphans only if there are more rows than
    hosts: two index-only counts decide whether the anti-join is needed at all."""
    if host_ids is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM rollout_desiredstate WHERE tenant_id = %s)"
                " > (SELECT count(*) FROM telemetry_host WHERE tenant_id = %s)",
                [tenant_id, tenant_id],
            )
            row = cursor.fetchone()
        if not (row and row[0]):
            return 0
    extra = "AND d.host_id = ANY(%s::uuid[])" if host_ids is not None else ""
    params: list[Any] = [tenant_id] + ([[str(h) for h in host_ids]] if host_ids is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM rollout_desiredstate d WHERE d.tenant_id = %s "  # noqa: S608
            f"{extra} AND NOT EXISTS (SELECT 1 FROM telemetry_host h WHERE h.id = d.host_id AND h.tenant_id = d.tenant_id)",
            params,
        )
        return cursor.rowcount


def _quiet(fn: Any, *args: Any, **kwargs: Any) -> None:
    try:
        fn(*args, **kwargs)
    except Exception:
        log.warning("sync status not updated", exc_info=True)

"""Desired state: what every host may run now, kept in ``DesiredState`` and published to distribution.

Recompute (``desired_state_recompute``) is set-based and incremental:

* the tenant's hosts (all, or the given ids) are read in chunks of ``CHUNK`` ids; per chunk one SQL
  query groups them by the distinct (platform, sensor build, content versions, membership of the
  groups policies refer to, ring state) combination, and the pure resolver runs once per
  combination (as ``rollout.blast`` does);
* the answers go to a temporary table and ONE ``INSERT ... SELECT ... ON CONFLICT DO UPDATE ...
  WHERE (columns) IS DISTINCT FROM (...)`` per chunk writes only the rows whose target, explanation,
  platform or groups changed. A no-op recompute writes 0 rows and does not move the revision;
* rows that changed carry the tenant's next revision, which is taken only if something changed;
* a targets-only pass after a change of policies alone (``TenantRevision.policy_marks`` holds a
  digest and the groups of every policy as of the last pass over every host) reads only the hosts
  of the changed policies' groups, found in the stored desired state (GIN index on ``groups``),
  provided every cached combination of the other hosts still resolves as before (time can open a
  window or end a delay for anyone); otherwise, or for a default policy, it is a full pass.

Pauses are NOT part of desired state: a pause is one ``Hold`` on the backend (``pause_hold_*``),
set in well under a second whatever the fleet size, and its expiry is enforced by the hold's
``until``. Desired state is what hosts get when no hold applies, so pausing and resuming rewrite no
host (resume still enqueues a recompute, which normally writes nothing).

Time-driven changes (windows opening/closing, GA + delay elapsing, freezes starting/ending) are
picked up by the beat task ``rollout.tasks.desired_state_tick``, which recomputes every tenant every
minute (no next-boundary bookkeeping: the no-op path writes nothing and, targets-only, skips every
host combination whose outcome did not change). Telemetry-side host changes (enrolment, platform,
tags and builds matched by rule groups) are picked up within seconds by ``rollout.host_changes``
(a watermark on the hosts' ``changed_xid``), and by the tick's full refresh every 10 minutes
(``REFRESH_EVERY``) as a backstop that also notices deleted hosts.

Publishing (``desired_state_publish``) locks the tenant revision row, reads the revision and either
every row (full) or the rows changed since the published revision (delta), and sends
them as that revision: a retry of the same revision therefore always sends the same content, and
the backend treats it as a duplicate.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from console.models import Tenant
from rollout import resolver as rv
from rollout.blast import _digest, _referenced, policy_marks, policy_scope
from rollout.desired_models import DesiredState, OutboxEntry, TenantRevision
from rollout.distribution import (
    Assignment,
    BackendUnavailable,
    DistributionBackend,
    DistributionError,
    Hold,
    PublishInProgress,
    RevisionConflict,
    backend_for,
)
from rollout.distribution.base import digest_of
from rollout.distribution.sync import sync_desired
from rollout.models import HostGroup, Pause, PauseScope
from rollout.rings import ring_states_for_hosts
from rollout.rules import rule_sql
from rollout.selectors import catalog_state, group_condition, tenant_state

log = logging.getLogger(__name__)

CHUNK = 100_000
FULL_AFTER_REVISIONS = 50
OUTBOX_BATCH = 500
COMBO_TABLE = "rollout_desired_combo"
RING_TABLE = "rollout_desired_ring"
CHUNK_TABLE = "rollout_desired_chunk"


# --- recompute -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recompute:
    tenant_id: str
    revision: int
    changed: int
    removed: int
    combinations: int
    hosts: int


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


def _json(value: Any) -> Any:
    """A jsonb value read with a raw cursor (Django's psycopg 3 setup leaves it as text)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _rule_text(rules: Mapping[str, Sequence[str]]) -> str:
    return ";".join(f"{subject}={value[0]}" for subject, value in sorted(rules.items()))


def _outcome_row(state: rv.TenantState, facts: rv.HostFacts, at: datetime) -> tuple[str, str, str]:
    """(sensor build, content json, rules json) of one combination, as the combination table holds them."""
    sensor, content, rules = _outcome(rv.resolve_host(state, facts, at))
    return (
        sensor,
        json.dumps(content, sort_keys=True),
        json.dumps(rules, sort_keys=True, separators=(",", ":")),
    )


def _outcome_hash(row: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(row).encode()).hexdigest()[:24]


def _combo_key(platform: str, build: str, versions: str, group_ids: frozenset[str], ring: str) -> str:
    return json.dumps([platform, build, versions, sorted(group_ids), ring], separators=(",", ":"))


def _marks(tenant_id: str, state: rv.TenantState) -> dict[str, Any]:
    """What a targets-only pass depends on besides time and the hosts: the policies
    (``rollout.blast.policy_marks``) and one digest of every other input (catalog, freezes, rings
    and rollouts)."""
    from rollout.models import Ring, Rollout

    inputs = _digest(
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
        used = _referenced(state)
        # Only the groups policies use as model instances; the rules of all (a tenant may have
        # 10,000 groups) as plain values.
        referenced = list(
            HostGroup.objects.filter(tenant=tenant, pk__in=used).order_by("pk").only("id", "rule")
        )
        self.ref_ids = [str(g.pk) for g in referenced]
        conditions = [group_condition(g) for g in referenced]
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
            "(o.platform, o.groups, o.sensor_build, o.content, o.rules) IS DISTINCT FROM"
            f" (q.platform, {groups}, c.sensor, c.content, c.rules)"
        )
        groups_out = groups
    else:
        statics = "ARRAY(SELECT m.group_id::text FROM rollout_hostgroupmember m WHERE m.host_id = q.id)"
        groups_out = f"CASE WHEN o.host_id IS NULL THEN {_SORTED_GROUPS.format('q.rgids || ' + statics)} ELSE o.groups END"
        join, join_params = "", []
        compare = "(o.platform, o.sensor_build, o.content, o.rules) IS DISTINCT FROM (q.platform, c.sensor, c.content, c.rules)"
    sql = (
        "INSERT INTO rollout_desiredstate AS d (id, tenant_id, host_id, platform, groups, sensor_build,"  # noqa: S608
        " content, rules, revision, target_revision, changed_at) "
        f"SELECT gen_random_uuid(), %s, q.id, q.platform, {groups_out}, c.sensor, c.content, c.rules, %s, %s, %s "
        f"FROM ({hsql}) q JOIN {COMBO_TABLE} c ON c.platform = q.platform AND c.build = q.sensor_build"
        " AND c.versions = q.versions AND c.bits = q.bits AND c.ring_key = q.ring_key"
        f" LEFT JOIN rollout_desiredstate o ON o.host_id = q.id{join}"
        # Unchanged rows never reach the INSERT (ON CONFLICT would lock each of them).
        f" WHERE o.host_id IS NULL OR {compare} "
        "ON CONFLICT (host_id) DO UPDATE SET platform = EXCLUDED.platform, groups = EXCLUDED.groups,"
        " sensor_build = EXCLUDED.sensor_build, content = EXCLUDED.content, rules = EXCLUDED.rules,"
        " revision = EXCLUDED.revision, changed_at = EXCLUDED.changed_at,"
        " target_revision = CASE WHEN (d.sensor_build, d.content) IS DISTINCT FROM"
        " (EXCLUDED.sensor_build, EXCLUDED.content) THEN EXCLUDED.revision ELSE d.target_revision END "
        "WHERE (d.platform, d.groups, d.sensor_build, d.content, d.rules) IS DISTINCT FROM"
        " (EXCLUDED.platform, EXCLUDED.groups, EXCLUDED.sensor_build, EXCLUDED.content, EXCLUDED.rules)"
    )
    return sql, join_params


def _temp_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {RING_TABLE} (host_id uuid PRIMARY KEY, ring_key text) ON COMMIT DROP"
        )
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {COMBO_TABLE} (platform text, build text, versions jsonb,"
            " bits bool[], ring_key text, sensor text, content jsonb, rules jsonb) ON COMMIT DROP"
        )
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {CHUNK_TABLE} (id uuid PRIMARY KEY, platform text, sensor_build text,"
            " versions jsonb, bits bool[], rgids text[]) ON COMMIT DROP"
        )
        cursor.execute(f"TRUNCATE {RING_TABLE}, {COMBO_TABLE}, {CHUNK_TABLE}")


def _facts(
    platform: str, build: str, versions: Any, ids: list[str], bits: list[bool], ring: str
) -> rv.HostFacts:
    return rv.HostFacts(
        id="",
        platform=platform,
        sensor_build=build,
        content_versions=dict(_json(versions) or {}),
        group_ids=frozenset(g for g, bit in zip(ids, bits, strict=True) if bit),
        ring_states=_ring_states(ring),
    )


def _resolving_state(tenant: Tenant) -> rv.TenantState:
    """The tenant's resolver inputs without pauses: pauses are holds on the backend."""
    return replace(tenant_state(tenant, catalog_state()), pauses=())


def _tenant_revision(tenant_id: str) -> TenantRevision:
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

    Writes only rows that change; takes a new revision only if at least one row changed or a
    deleted host's row was removed. Runs in (and needs) one transaction; concurrent recomputes of
    one tenant queue on the tenant's revision row."""
    tid = str(tenant_id)
    at = at or timezone.now()
    with transaction.atomic():
        tenant = Tenant.objects.get(pk=tid)
        tr = _tenant_revision(tid)
        state = _resolving_state(tenant)
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
                    f"SELECT platform, sensor_build, versions, bits, ring_key FROM ({hosts_sql}) q GROUP BY 1, 2, 3, 4, 5"  # noqa: S608
                )
                combos = cursor.fetchall()
                combos_total += len(combos)
                written = 0
                with cursor.copy(
                    f"COPY {COMBO_TABLE} (platform, build, versions, bits, ring_key, sensor, content, rules) FROM STDIN"
                ) as copy:
                    for platform, build, versions, bits, ring in combos:
                        facts = _facts(platform, build, versions, plan.ref_ids, list(bits), ring)
                        resolved = _outcome_row(state, facts, at)
                        row = (
                            platform,
                            build,
                            json.dumps(_json(versions) or {}, sort_keys=True),
                            "{" + ",".join("t" if b else "f" for b in bits) + "}",
                            ring,
                            *resolved,
                        )
                        key = _combo_key(platform, build, row[2], facts.group_ids, ring)
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


# --- publish -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    tenant_id: str
    revision: int
    outcome: str
    full: bool
    hosts: int
    digest: str


def _assignment(
    host_id: Any, platform: str, groups: list[str], build: str, content: Any, rules: Any
) -> Assignment:
    return Assignment(
        str(host_id),
        build or None,
        dict(_json(content) or {}),
        _rule_text(_json(rules) or {}),
        groups=tuple(groups or ()),
        platform=platform,
    )


class Superseded(Exception):
    """A newer revision committed while an older one was being read for publishing: the older one
    is abandoned before the backend commits it (the caller publishes the newer one instead)."""


def _stream(tenant_id: str, since: int | None, *, upto: int | None = None) -> Iterator[Assignment]:
    """Assignments of the tenant's rows (changed after ``since`` when given), from a server-side cursor.

    ``upto``: the revision being published. The cursor reads one snapshot; a row newer than
    ``upto`` in it means a recompute committed after the revision was read, so this content is no
    longer revision ``upto``'s: ``Superseded`` is raised rather than sending mixed content."""
    sql = "SELECT host_id, platform, groups, sensor_build, content, rules, revision FROM rollout_desiredstate WHERE tenant_id = %s"
    params: list[Any] = [tenant_id]
    if since is not None:
        sql += " AND revision > %s"
        params.append(since)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            for host_id, platform, groups, build, content, rules, revision in rows:
                if upto is not None and revision > upto:
                    raise Superseded(f"revision {revision} committed while {upto} was being published")
                yield _assignment(host_id, platform, groups, build, content, rules)
    # A newer revision that only removed hosts leaves no newer row behind: ask the counter too
    # (this runs before the backend commits, which it does only once the stream is exhausted).
    if upto is not None:
        current = (
            TenantRevision.objects.filter(tenant_id=tenant_id).values_list("revision", flat=True).first()
        )
        if current is not None and current > upto:
            raise Superseded(f"revision {current} committed while {upto} was being published")


def desired_digest(tenant_id: str) -> str:
    """The digest of the tenant's desired state as the backend computes it (streamed)."""
    return digest_of(_stream(tenant_id, None))


# --- sync failing / recovered --------------------------------------------------------------------


def sync_failure_record(tenant_id: str, message: str) -> None:
    """Records a failed attempt to reach the backend (publish, hold) and, once the failures have
    lasted ``SYNC_FAILING_AFTER_ATTEMPTS`` attempts or ``SYNC_FAILING_AFTER_SECONDS``, tells the
    tenant ``sync.failing``: once per failure episode (the episode ends at the next successful
    publish, which sends ``sync.recovered``), however many retries the outage takes."""
    now = timezone.now()
    with transaction.atomic():
        tr = _tenant_revision(tenant_id)
        tr.last_error = message[:2000]
        tr.last_error_at = now
        tr.publish_failures += 1
        tr.failing_since = tr.failing_since or now
        fields = ["last_error", "last_error_at", "publish_failures", "failing_since"]
        attempts = int(getattr(settings, "SYNC_FAILING_AFTER_ATTEMPTS", 3))
        seconds = float(getattr(settings, "SYNC_FAILING_AFTER_SECONDS", 120))
        failing = tr.publish_failures >= attempts or (now - tr.failing_since).total_seconds() >= seconds
        if failing and tr.failing_notified_at is None:
            tr.failing_notified_at = now
            fields.append("failing_notified_at")
            _sync_notify(tr, "sync.failing", now)
        tr.save(update_fields=fields)


def _sync_recovered(tr: TenantRevision, now: datetime) -> None:
    """Ends a failure episode (``tr`` is locked by the caller); ``sync.recovered`` if it was announced."""
    if tr.publish_failures == 0 and tr.failing_since is None:
        return
    if tr.failing_notified_at is not None:
        _sync_notify(tr, "sync.recovered", now)
    tr.publish_failures = 0
    tr.failing_since = tr.failing_notified_at = None
    tr.save(update_fields=["publish_failures", "failing_since", "failing_notified_at"])


def _sync_notify(tr: TenantRevision, event: str, now: datetime) -> None:
    from rollout.rollouts import notify

    since = tr.failing_since
    notify(
        tr.tenant_id,
        event,
        {
            "backend": tr.backend or getattr(settings, "DISTRIBUTION_BACKEND", "edge") or "edge",
            "desired_revision": tr.revision,
            "published_revision": tr.published_revision,
            "failed_attempts": tr.publish_failures,
            "failing_since": since.isoformat() if since else None,
            "failing_seconds": round((now - since).total_seconds(), 1) if since else 0.0,
            "last_error": tr.last_error[:300],
        },
    )


PUBLISH_SUPERSEDED_RETRIES = 5


def desired_state_publish(
    tenant_id: uuid.UUID | str, *, backend: DistributionBackend | None = None
) -> Published | None:
    """Publishes the tenant's current revision if the backend does not have it yet.

    Full when the published revision is unknown, far behind, or hosts were removed; otherwise a
    delta of the rows changed since. Raises the backend's errors (the caller decides on retries)
    after recording them in the tenant's sync status.

    Nothing is locked while the backend is called: a backend that hangs must not make the
    tenant's recomputes wait. The revision is read, then its rows are streamed from one snapshot;
    a recompute that commits in between makes the stream raise ``Superseded`` before the backend
    commits anything, and the newer revision is published instead. So a revision is always sent
    with the same rows (retries are duplicates), and an older unsent one is simply skipped."""
    tid = str(tenant_id)
    b = backend or backend_for(settings)
    for _ in range(PUBLISH_SUPERSEDED_RETRIES):
        try:
            return _publish_once(tid, b)
        except Superseded as exc:
            log.info("tenant %s: %s; publishing the newer one", tid, exc)
    # Recomputes keep landing faster than a publish completes: the outbox retries later.
    raise PublishInProgress(
        f"tenant {tid}: revisions kept moving during {PUBLISH_SUPERSEDED_RETRIES} publishes"
    )


def _publish_once(tid: str, b: DistributionBackend) -> Published | None:
    try:
        with transaction.atomic():  # a transaction for the server-side cursor; no row lock
            tr = TenantRevision.objects.filter(tenant_id=tid).first()
            if tr is None or (tr.published_revision is not None and tr.published_revision >= tr.revision):
                return None
            revision = tr.revision
            previous = tr.published_revision
            full = tr.full_needed or previous is None or revision - previous > FULL_AFTER_REVISIONS
            ack = b.publish(tid, revision, _stream(tid, None if full else previous, upto=revision), full=full)
    except PublishInProgress:
        raise  # another worker is publishing this tenant: contention, not a failing backend
    except RevisionConflict as exc:
        log.error("distribution refused a revision of tenant %s: %s", tid, exc)
        sync_failure_record(tid, f"revision conflict (a bug): {exc}")
        raise
    except (DistributionError, redis.exceptions.RedisError) as exc:
        sync_failure_record(tid, f"{type(exc).__name__}: {exc}")
        raise
    offered_since = previous or 0
    now = timezone.now()
    with transaction.atomic():
        tr = _tenant_revision(tid)
        if ack.revision >= (tr.published_revision or -1):
            tr.published_revision = max(ack.revision, revision) if ack.outcome != "stale" else ack.revision
            tr.acknowledged_revision = tr.published_revision
            tr.published_digest = ack.digest
            tr.published_at = tr.acknowledged_at = now
            tr.backend = b.name
            if tr.published_revision >= revision:
                tr.full_needed = False
            if tr.published_revision >= tr.revision:
                tr.digest = ack.digest
            tr.last_error = ""
            tr.save()
        if ack.outcome != "stale":
            _sync_recovered(tr, now)
        offered = list(
            DesiredState.objects.filter(
                tenant_id=tid, target_revision__gt=offered_since, target_revision__lte=revision
            ).values_list("host_id", flat=True)
        )
    if offered and ack.outcome == "published":
        from telemetry.services import hosts_mark_update_offered

        for start in range(0, len(offered), CHUNK):
            hosts_mark_update_offered(
                tenant_id=uuid.UUID(tid), host_ids=offered[start : start + CHUNK], at=now
            )
    return Published(tid, revision, ack.outcome, full, ack.published_hosts, ack.digest)


REFRESH_EVERY = timedelta(minutes=10)


def desired_state_tick_tenant(tenant_id: uuid.UUID | str) -> Published | None:
    """The beat's per-tenant pass: time-driven changes every minute (a targets-only pass, which
    writes nothing when nothing is due), and every ``REFRESH_EVERY`` a full refresh that also picks
    up telemetry-side host changes (enrolment, platform, tags that rule groups match)."""
    tid = str(tenant_id)
    now = timezone.now()
    tr = TenantRevision.objects.filter(tenant_id=tid).first()
    refresh = tr is None or tr.hosts_watermark is None or now - tr.hosts_watermark >= REFRESH_EVERY
    desired_state_recompute(tid, at=now, refresh_hosts=refresh)
    if refresh:
        TenantRevision.objects.filter(tenant_id=tid).update(hosts_watermark=now)
    return desired_state_publish(tid)


def desired_state_publish_now(
    tenant_id: uuid.UUID | str, *, host_ids: list[str] | None = None
) -> Published | None:
    """Recompute and publish one tenant right now (halt/recall, resync): synchronous, no queue."""
    desired_state_recompute(tenant_id, host_ids=host_ids)
    return desired_state_publish(tenant_id)


# --- outbox --------------------------------------------------------------------------------------


# Outbox reasons that cannot change a host's attributes or group membership: a recompute for them
# compares targets only. Anything else (group changes, resync, unknown reasons) refreshes groups.
TARGETS_ONLY_PREFIXES = (
    "sensor_policy",
    "content_policy",
    "policy_move",
    "window",
    "freeze",
    "pause",
    "content_release",
    "sensor_build",
    "ring",
    "rollout",
)


def _targets_only(reason: str) -> bool:
    return reason.startswith(TARGETS_ONLY_PREFIXES)


def outbox_process(tenant_id: uuid.UUID | str) -> Published | None:
    """Turns the tenant's pending outbox rows into one recompute, then publishes.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` and marked processed in the recompute's
    transaction, so a worker killed before commit leaves them pending, and one killed after commit
    leaves the revision unpublished, which the sweep finds (published < desired)."""
    tid = str(tenant_id)
    if not Tenant.objects.filter(pk=tid).exists():
        return None  # deleted meanwhile (its rows went with it)
    while True:
        with transaction.atomic():
            rows = list(
                OutboxEntry.objects.select_for_update(skip_locked=True)
                .filter(tenant_id=tid, processed_at__isnull=True)
                .order_by("created_at")[:OUTBOX_BATCH]
            )
            if not rows:
                break
            host_ids: list[str] | None = []
            for row in rows:
                if row.host_ids is None or host_ids is None:
                    host_ids = None
                else:
                    host_ids.extend(row.host_ids)
            if host_ids is not None:
                host_ids = sorted(set(host_ids))
            refresh = any(not _targets_only(row.reason) for row in rows)
            desired_state_recompute(tid, host_ids=host_ids, refresh_hosts=refresh)
            OutboxEntry.objects.filter(pk__in=[r.pk for r in rows]).update(
                processed_at=timezone.now(), attempts=1
            )
        if len(rows) < OUTBOX_BATCH:
            break
    return desired_state_publish(tid)


def tenants_needing_sync(*, older_than: timedelta = timedelta(seconds=10)) -> list[str]:
    """Tenants with outbox rows pending for a while, or whose desired revision is unpublished."""
    cutoff = timezone.now() - older_than
    pending = set(
        OutboxEntry.objects.filter(processed_at__isnull=True, created_at__lte=cutoff)
        .values_list("tenant_id", flat=True)
        .distinct()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tenant_id FROM rollout_tenantrevision WHERE revision > 0"
            " AND (published_revision IS NULL OR published_revision < revision)"
        )
        behind = {r[0] for r in cursor.fetchall()}
    return sorted(str(t) for t in pending | behind)


def outbox_purge(*, older_than: timedelta = timedelta(days=7)) -> int:
    deleted, _ = OutboxEntry.objects.filter(
        processed_at__isnull=False, processed_at__lt=timezone.now() - older_than
    ).delete()
    return deleted


# Redis errors come from the embedded edge (and the sync-status record) when Redis restarts.
RETRYABLE: tuple[type[Exception], ...] = (
    PublishInProgress,
    BackendUnavailable,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


# --- pauses as holds -----------------------------------------------------------------------------


def pause_hold(pause: Pause) -> Hold:
    until = pause.expires_at.isoformat() if pause.expires_at else None
    if pause.scope == PauseScope.TENANT:
        return Hold("tenant", "*", pause.reason, until)
    if pause.scope == PauseScope.HOST_GROUP:
        return Hold("group", str(pause.group_id), pause.reason, until)
    if pause.scope == PauseScope.CONTENT_CATEGORY:
        return Hold("category", pause.category.key if pause.category else "", pause.reason, until)
    return Hold("sensor", "*", pause.reason, until)


def pause_hold_set(pause: Pause, *, backend: DistributionBackend | None = None) -> None:
    """Sends the pause to the backend as one hold. A failure is recorded; reconciliation repairs it."""
    try:
        (backend or backend_for(settings)).hold_set(str(pause.tenant_id), pause_hold(pause))
    except DistributionError as exc:
        log.error("pause %s did not reach distribution: %s", pause.pk, exc)
        sync_failure_record(str(pause.tenant_id), f"pause not delivered ({type(exc).__name__}): {exc}")


def pause_hold_clear(pause: Pause, *, backend: DistributionBackend | None = None) -> None:
    hold = pause_hold(pause)
    tid = str(pause.tenant_id)
    # Another active pause on the same scope and key keeps the hold.
    if any(pause_hold(p).field_name == hold.field_name for p in _active_pauses(tid) if p.pk != pause.pk):
        return
    try:
        (backend or backend_for(settings)).hold_clear(tid, hold.scope, hold.key)
    except DistributionError as exc:
        log.error("resume of pause %s did not reach distribution: %s", pause.pk, exc)
        sync_failure_record(tid, f"resume not delivered ({type(exc).__name__}): {exc}")


def _active_pauses(tenant_id: str) -> list[Pause]:
    now = timezone.now()
    return [
        p
        for p in Pause.objects.filter(tenant_id=tenant_id, resumed_at__isnull=True).select_related("category")
        if p.expires_at is None or p.expires_at > now
    ]


def holds_expected(tenant_id: str) -> dict[str, Hold]:
    out: dict[str, Hold] = {}
    for pause in _active_pauses(tenant_id):
        hold = pause_hold(pause)
        known = out.get(hold.field_name)
        # Two pauses on one key: the one that lasts longer (None = until resumed) is the hold.
        if known is None or known.until is None:
            out[hold.field_name] = known or hold
        elif hold.until is None or hold.until > known.until:
            out[hold.field_name] = hold
    return out


# --- reconciliation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Repair:
    tenant_id: str
    republished: bool
    holds_set: list[str]
    holds_cleared: list[str]
    detail: str


def desired_state_reconcile(
    tenant_id: uuid.UUID | str, *, backend: DistributionBackend | None = None
) -> Repair:
    """Compares what the backend holds with the database and repairs drift.

    Assignments: if the backend's revision is the one we last published but its digest differs from
    the digest of our rows, a new revision is taken and published in full. Holds: missing or
    different holds are set, holds without an active pause are cleared. What was repaired is
    audited (system actor) and kept on the tenant's revision row."""
    from console.access import Actor
    from console.audit import audit_record

    tid = str(tenant_id)
    b = backend or backend_for(settings)
    snap = b.snapshot(tid)
    tr = TenantRevision.objects.filter(tenant_id=tid).first()
    details: list[str] = []
    republished = False
    if tr is not None and tr.revision > 0:
        ours = desired_digest(tid)
        in_step = tr.published_revision is not None and snap.revision == tr.published_revision
        if (in_step and tr.published_revision == tr.revision and snap.digest != ours) or (
            snap.revision < (tr.published_revision or 0)
        ):
            details.append(
                f"assignments drifted (backend revision {snap.revision}, digest {snap.digest[:12]})"
            )
            with transaction.atomic():
                locked = _tenant_revision(tid)
                locked.revision += 1
                locked.full_needed = True
                locked.save(update_fields=["revision", "full_needed"])
            republished = True
    expected = holds_expected(tid)
    present = {h.field_name: h for h in snap.holds}
    now = timezone.now()
    set_, cleared = [], []
    for name, hold in expected.items():
        if present.get(name) != hold:
            b.hold_set(tid, hold)
            set_.append(name)
    for name, hold in present.items():
        if name not in expected and hold.active(now):
            b.hold_clear(tid, hold.scope, hold.key)
            cleared.append(name)
    if set_:
        details.append("holds set: " + ", ".join(sorted(set_)))
    if cleared:
        details.append("holds cleared: " + ", ".join(sorted(cleared)))
    if republished:
        desired_state_publish(tid, backend=b)
    detail = "; ".join(details)
    with transaction.atomic():
        locked = _tenant_revision(tid)
        locked.last_reconciled_at = now
        if detail:
            locked.last_repair = f"{now.isoformat()}: {detail}"[:2000]
        locked.save(update_fields=["last_reconciled_at", "last_repair"])
        if (locked.published_revision or 0) >= locked.revision:
            # The backend answered every call and has everything: a failure episode (a hold that
            # did not get through, say) is over even though nothing needed publishing.
            _sync_recovered(locked, now)
        if detail:
            tenant = Tenant.objects.get(pk=tid)
            audit_record(
                tenant=tenant,
                actor=Actor.system("reconciliation"),
                action="distribution.repair",
                target=tenant,
                after={"republished": republished, "holds_set": set_, "holds_cleared": cleared},
            )
    return Repair(tid, republished, set_, cleared, detail)


# --- sync status and resync ----------------------------------------------------------------------


def sync_status_for(tenant: Tenant) -> dict[str, Any]:
    """Desired / published / acknowledged revision of ``tenant``, lag, last error, circuit state."""
    from rollout.distribution.sync import sync_status

    tr = TenantRevision.objects.filter(tenant=tenant).first()
    now = timezone.now()
    circuit: str | None = None
    backend = getattr(settings, "DISTRIBUTION_BACKEND", "edge") or "edge"
    try:
        circuit = sync_status(str(tenant.pk)).circuit_state
    except Exception:
        circuit = "unknown (Redis unreachable)"
    pending = OutboxEntry.objects.filter(tenant=tenant, processed_at__isnull=True).count()
    if tr is None:
        return {
            "backend": backend,
            "desired_revision": 0,
            "published_revision": None,
            "acknowledged_revision": None,
            "lag_revisions": 0,
            "lag_seconds": 0.0,
            "in_sync": pending == 0,
            "pending_changes": pending,
            "digest": "",
            "last_error": "",
            "last_error_at": None,
            "last_repair": "",
            "last_reconciled_at": None,
            "recomputed_at": None,
            "published_at": None,
            "circuit_state": circuit,
            "failing": False,
            "failing_since": None,
            "failed_attempts": 0,
        }
    acknowledged = tr.acknowledged_revision or 0
    behind = tr.revision > acknowledged
    since = tr.changed_at or tr.recomputed_at
    return {
        "backend": tr.backend or backend,
        "desired_revision": tr.revision,
        "published_revision": tr.published_revision,
        "acknowledged_revision": tr.acknowledged_revision,
        "lag_revisions": max(0, tr.revision - acknowledged),
        "lag_seconds": round((now - since).total_seconds(), 1) if behind and since else 0.0,
        "in_sync": not behind and pending == 0,
        "pending_changes": pending,
        "digest": tr.published_digest,
        "last_error": tr.last_error,
        "last_error_at": tr.last_error_at.isoformat() if tr.last_error_at else None,
        "last_repair": tr.last_repair,
        "last_reconciled_at": tr.last_reconciled_at.isoformat() if tr.last_reconciled_at else None,
        "recomputed_at": tr.recomputed_at.isoformat() if tr.recomputed_at else None,
        "published_at": tr.published_at.isoformat() if tr.published_at else None,
        "circuit_state": circuit,
        "failing": tr.failing_notified_at is not None,
        "failing_since": tr.failing_since.isoformat() if tr.failing_since else None,
        "failed_attempts": tr.publish_failures,
    }


def sync_resync(*, tenant: Tenant, actor: Any) -> dict[str, Any]:
    """ "Resync now": the next publish replaces the whole host set under a new revision, and the
    holds are checked against the active pauses. Audited; the work runs on a worker."""
    from console.audit import audit_record
    from rollout.outbox import outbox_enqueue

    with transaction.atomic():
        tr = _tenant_revision(str(tenant.pk))
        before = {"revision": tr.revision, "published_revision": tr.published_revision}
        if tr.revision > 0:
            tr.revision += 1
        tr.full_needed = True
        tr.save(update_fields=["revision", "full_needed"])
        outbox_enqueue(tenant_id=tenant.pk, reason="sync.resync")
        audit_record(
            tenant=tenant,
            actor=actor,
            action="distribution.resync",
            target=tenant,
            before=before,
            after={"revision": tr.revision, "full": True},
        )
        tid = str(tenant.pk)

        def _reconcile() -> None:
            from rollout.tasks import distribution_reconcile_tenant

            try:
                distribution_reconcile_tenant.apply_async(args=(tid,), countdown=5)
            except Exception:
                log.warning("resync: reconciliation not scheduled for %s", tid, exc_info=True)

        transaction.on_commit(_reconcile)
    return sync_status_for(tenant)


def host_desired(tenant: Tenant, row: DesiredState) -> dict[str, Any]:
    """Why a host is on what it is on, from the stored desired state (no resolver run)."""
    return {
        "host_id": str(row.host_id),
        "revision": row.revision,
        "target_revision": row.target_revision,
        "sensor_build": row.sensor_build or None,
        "content": dict(row.content or {}),
        "groups": list(row.groups or ()),
        "rules": {
            subject: {"rule": value[0], "policy_id": value[1] or None}
            for subject, value in sorted((row.rules or {}).items())
        },
        "paused": [h.to_json() for h in holds_expected(str(tenant.pk)).values() if _covers(h, row)],
        "changed_at": row.changed_at.isoformat(),
    }


def _covers(hold: Hold, row: DesiredState) -> bool:
    return hold.covers(
        _assignment(row.host_id, row.platform, row.groups, row.sensor_build, row.content, row.rules)
    )

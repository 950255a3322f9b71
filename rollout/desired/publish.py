from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from console.models import Tenant
from rollout.desired.holds import stop_holds_release
from rollout.desired.outbox import outbox_enqueue, targets_only
from rollout.desired.recompute import (
    CHUNK,
    FULL_AFTER_REVISIONS,
    OUTBOX_BATCH,
    desired_state_recompute,
    json_value,
    rule_text,
    tenant_revision,
)
from rollout.desired.status import sync_failure_record, sync_recovered
from rollout.distribution.backends import backend_for
from rollout.distribution.base import (
    Assignment,
    DistributionBackend,
    DistributionError,
    PublishInProgress,
    RevisionConflict,
    digest_of,
)
from rollout.models import DesiredState, OutboxEntry, TenantRevision
from telemetry.services import hosts_mark_update_offered

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Published:
    tenant_id: str
    revision: int
    outcome: str
    full: bool
    hosts: int
    digest: str


def assignment_of(
    host_id: Any,
    platform: str,
    groups: list[str],
    build: str,
    content: Any,
    rules: Any,
    fallback: Any = None,
) -> Assignment:
    return Assignment(
        str(host_id),
        build or None,
        dict(json_value(content) or {}),
        rule_text(json_value(rules) or {}),
        groups=tuple(groups or ()),
        platform=platform,
        fallback=dict(json_value(fallback) or {}),
    )


class Superseded(Exception):
    """A newer revision committed while an older one was being read for publishing: the older one
    is abandoned before the backend commits it (the caller publishes the newer one instead)."""


def _stream(tenant_id: str, since: int | None, *, upto: int | None = None) -> Iterator[Assignment]:
    """Assignments of the tenant's rows (changed after ``since`` when given), from a server-side cursor.

    ``upto``: the revision being published. The cursor reads one snapshot; a row newer than
    ``upto`` in it means a recompute committed after the revision was read, so this content is no
    longer revision ``upto``'s: ``Superseded`` is raised rather than sending mixed content."""
    sql = "SELECT host_id, platform, groups, sensor_build, content, rules, fallback, revision FROM rollout_desiredstate WHERE tenant_id = %s"
    params: list[Any] = [tenant_id]
    if since is not None:
        sql += " AND revision > %s"
        params.append(since)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            for host_id, platform, groups, build, content, rules, fallback, revision in rows:
                if upto is not None and revision > upto:
                    raise Superseded(f"revision {revision} committed while {upto} was being published")
                yield assignment_of(host_id, platform, groups, build, content, rules, fallback)
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
            published = _publish_once(tid, b)
        except Superseded as exc:
            log.info("tenant %s: %s; publishing the newer one", tid, exc)
            continue
        _stop_holds_release(tid, b)
        return published
    # Recomputes keep landing faster than a publish completes: the outbox retries later.
    raise PublishInProgress(
        f"tenant {tid}: revisions kept moving during {PUBLISH_SUPERSEDED_RETRIES} publishes"
    )


def _stop_holds_release(tid: str, b: DistributionBackend) -> None:
    """The backend has the tenant's current revision: halt and recall holds it caught up with go."""
    try:
        stop_holds_release(tid, backend=b)
    except Exception:  # the hold stays; the next publish or reconciliation clears it
        log.warning("tenant %s: stop holds not released", tid, exc_info=True)


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
        tr = tenant_revision(tid)
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
            sync_recovered(tr, now)
        offered = list(
            DesiredState.objects.filter(
                tenant_id=tid, target_revision__gt=offered_since, target_revision__lte=revision
            ).values_list("host_id", flat=True)
        )
    if offered and ack.outcome == "published":
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
            refresh = any(not targets_only(row.reason) for row in rows)
            desired_state_recompute(tid, host_ids=host_ids, refresh_hosts=refresh)
            OutboxEntry.objects.filter(pk__in=[r.pk for r in rows]).update(
                processed_at=timezone.now(), attempts=1
            )
        if len(rows) < OUTBOX_BATCH:
            break
    return desired_state_publish(tid)


_deferred = threading.local()


@contextmanager
def urgent_publishes_last() -> Iterator[None]:
    """Inside the block, the urgent publishes of stops committed in it run when it ends, in order.

    A recall (or a tick halting in many tenants) commits one short transaction per tenant; each
    stop's hold goes out right after its commit, and without this the tenant's recompute would
    run before the next tenant's stop even committed. With it, every tenant's hold (one small
    write each) is served first, then the recomputes catch up."""
    outer = getattr(_deferred, "queue", None)
    if outer is not None:  # nested: the outermost block runs them
        yield
        return
    queue: list[Callable[[], None]] = []
    _deferred.queue = queue
    try:
        yield
    finally:
        _deferred.queue = None
        for publish in queue:
            publish()


def _now_or_deferred(publish: Callable[[], None]) -> None:
    queue = getattr(_deferred, "queue", None)
    if queue is None:
        publish()
    else:
        queue.append(publish)


def desired_changed(
    tenant_id: uuid.UUID | str, reason: str, *, urgent: bool = False, stop: tuple[str, str] | None = None
) -> None:
    """Outbox row in this transaction (the whole tenant is recomputed by the worker). Urgent (halt,
    rollback, recall): right after commit, the hosts currently offered ``stop`` = (category, version)
    are recomputed and published at once, so the stop does not wait for the tenant's full recompute.
    ``stop`` is (subject, version): ``content:<category>`` or ``sensor:<platform>``."""
    outbox_enqueue(tenant_id=tenant_id, reason=reason, host_ids=None)
    if urgent:
        tid = str(tenant_id)

        def _publish() -> None:

            try:
                host_ids = None
                if stop is not None:
                    kind, key = stop[0].split(":", 1)
                    offered = (
                        {"platform": key, "sensor_build": stop[1]}
                        if kind == "sensor"
                        else {f"content__{key}": stop[1]}
                    )
                    host_ids = [
                        str(h)
                        for h in DesiredState.objects.filter(tenant_id=tid, **offered).values_list(
                            "host_id", flat=True
                        )
                    ]
                    if not host_ids:
                        return
                desired_state_publish_now(tid, host_ids=host_ids)
            except Exception:  # the outbox row stays pending: the worker publishes it
                log.warning("rollout: immediate publish failed for %s", tid, exc_info=True)

        transaction.on_commit(lambda: _now_or_deferred(_publish))

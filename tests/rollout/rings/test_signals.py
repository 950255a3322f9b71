"""The safety loop: a crash report wakes the gates of its tenant at once (no beat, no tick), the
halt goes out to the distribution backend as a hold before any recompute, a loop killed mid-way
loses nothing and halts nothing twice, and every stop records its timeline."""

from __future__ import annotations

import signal
import sys
import threading
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from console.access import Actor
from console.health import SAFETY_LOOP_KEY
from console.models import AuditEvent, Role
from console.redis import redis_client
from rollout.desired.publish import desired_state_publish_now, outbox_process
from rollout.distribution.edge import EmbeddedEdgeBackend
from rollout.models import (
    ContentRelease,
    ContentStage,
    ContentUpdatePolicy,
    DesiredState,
    Rollout,
    RolloutEvent,
    RolloutState,
    RolloutStop,
    TenantRevision,
)
from rollout.policies.defaults import policy_defaults_ensure
from rollout.policies.services import content_policy_update
from rollout.rings.events import CONTENT_RELEASE_RECALLED
from rollout.rings.signals import GROUP, LoopStats, signals_handle
from rollout.rings.tick import rollouts_tick
from rollout.rings.transitions import rollout_halt
from telemetry.ingest import heartbeats_ingest
from telemetry.models import Host
from telemetry.signals import STREAM, signal_decode
from tests.conftest import BASE_DIR, ManagedProcess, child_env, wait_for
from tests.conftest import test_database_url as database_url
from tests.factories import (
    HostFactory,
    TenantFactory,
    content_release,
    host_with_credential,
    member,
    rollout_catalog,
)
from tests.rollout.conftest import session
from tests.rollout.rings.test_transitions import crash, rings_of, rollout_in_ring_1, staged_tenant

pytestmark = pytest.mark.django_db(transaction=True)
FIELD = "category:rapid_response"
OPERATOR = Actor.system("operator")


def crash_heartbeat(host_id: str, version: str = "291.4") -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {
        "host_id": host_id,
        "time": now,
        "sensor_build": "7.11.18110",
        "content_versions": {"rapid_response": "291.3"},
        "status": "crashed",
        "crashes": [
            {"component": "csagent.sys", "category": "rapid_response", "content_version": version, "at": now}
        ],
    }


def failing_rollout(slug: str) -> tuple[Any, Rollout, list[str]]:
    """A tenant whose rollout of a bad release is in its first ring; the hosts of that ring."""
    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    release = content_release(catalog["rapid_response"], "291.4", stage="canary")
    tenant = staged_tenant(slug, hosts=40)
    rollout = rollout_in_ring_1(release, tenant)
    first = [h for h, i in rings_of(tenant).items() if i == 0]
    assert first
    return tenant, rollout, first


def start_safety_loop() -> ManagedProcess:
    loop = ManagedProcess(
        [sys.executable, str(BASE_DIR / "manage.py"), "safety_loop", "--block-ms", "200"],
        child_env(),
        "safety-loop",
    )

    def up() -> bool:
        if loop.proc.poll() is not None:
            pytest.fail(f"safety loop exited:\n{loop.output()}")
        return bool(redis_client().exists(SAFETY_LOOP_KEY))

    wait_for(up, timeout=60, what="the safety loop's heartbeat")
    return loop


def pending() -> int:
    return int(redis_client().xpending(STREAM, GROUP)["pending"])


def halts(tenant: Any, rollout: Rollout) -> tuple[int, int]:
    return (
        AuditEvent.objects.filter(tenant=tenant, action="rollout.halt").count(),
        RolloutEvent.objects.filter(rollout=rollout, kind="halted").count(),
    )


def test_it_halts_a_failing_ring_on_a_crash_report_alone(redis_flush: Any) -> None:
    # given: the safety loop runs (/readyz reports it); no beat, no worker, nobody calls the tick
    tenant, rollout, first = failing_rollout("signal")
    assert Client().get("/readyz").json()["checks"]["safety_loop"]["ok"] is False
    loop = start_safety_loop()
    try:
        assert Client().get("/readyz").json()["checks"]["safety_loop"]["ok"] is True
        # when: the first ring's hosts report crashes through the heartbeat API's ingest
        result = heartbeats_ingest([crash_heartbeat(h) for h in first])
        assert result.accepted == len(first)
        # then: the safety loop halted the rollout, woken by the signal
        wait_for(
            lambda: Rollout.objects.get(pk=rollout.pk).state == RolloutState.HALTED,
            timeout=60,
            what="the rollout halted by the safety loop",
        )
        stop = RolloutStop.objects.get(rollout=rollout)
        assert stop.by_signal and stop.kind == "halted"
        assert "crash" in RolloutEvent.objects.get(rollout=rollout, kind="halted").detail["reason"]
        wait_for(lambda: pending() == 0, what="the signals acknowledged")
    finally:
        loop.stop()
    assert halts(tenant, rollout) == (1, 1)


def test_it_halts_once_through_the_tick_when_the_loop_is_killed_before_the_halt_commits(
    redis_flush: Any,
) -> None:
    # given: the safety loop runs, and another transaction holds the rollout's row, so the loop
    # stops right before committing the halt
    tenant, rollout, first = failing_rollout("killed")
    loop = start_safety_loop()
    blocker = psycopg.connect(database_url())
    try:
        blocker.execute("SELECT id FROM rollout_rollout WHERE id = %s FOR UPDATE", [rollout.pk])
        heartbeats_ingest([crash_heartbeat(h) for h in first])

        def loop_waits_on_the_row() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query ILIKE '%%rollout_rollout%%FOR UPDATE%%'"
                )
                return cursor.fetchall()

        (backend_pid,), *_ = wait_for(loop_waits_on_the_row, timeout=60, what="the loop at the halt")
        # when: the loop is SIGKILLed there (its server session goes with it), the row is let go
        loop.kill(signal.SIGKILL)
        blocker.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
        blocker.rollback()
        # then: nothing was halted, and what the loop received is still pending
        assert Rollout.objects.get(pk=rollout.pk).state == RolloutState.IN_RING
        assert pending() >= 1
        # when: the tick runs (the safety net)
        rollouts_tick()
        # then: it halted the rollout
        assert Rollout.objects.get(pk=rollout.pk).state in (RolloutState.HALTED, RolloutState.ROLLED_BACK)
        # when: the loop comes back and reads its pending signals again
        loop.restart()
        wait_for(lambda: pending() == 0, timeout=60, what="the pending signals handled after the restart")
    finally:
        blocker.close()
        loop.stop()
    # then: one halt, whoever got there
    assert halts(tenant, rollout) == (1, 1)
    assert RolloutStop.objects.filter(rollout=rollout, kind="halted").count() == 1


def test_it_publishes_the_halt_hold_before_the_recompute(redis_flush: Any) -> None:
    # given: the tenant's desired state is on the edge; a transaction holds the tenant's revision
    # row, so any recompute waits
    tenant, rollout, first = failing_rollout("holdfirst")
    desired_state_publish_now(tenant.pk)
    tid = str(tenant.pk)
    revision = TenantRevision.objects.get(tenant=tenant).revision
    blocker = psycopg.connect(database_url())
    errors: list[BaseException] = []

    def halt() -> None:
        try:
            rollout_halt(tenant=tenant, actor=OPERATOR, rollout=rollout, reason="crashes in the field")
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            connection.close()

    try:
        blocker.execute("SELECT 1 FROM rollout_tenantrevision WHERE tenant_id = %s FOR UPDATE", [tid])
        # when: an operator halts the rollout
        thread = threading.Thread(target=halt)
        thread.start()
        # then: the edge serves the stop to a host while the recompute still waits
        state = wait_for(
            lambda: (s := EmbeddedEdgeBackend().host_state(tid, first[0])) and s.holds and s,
            what="the hold served by the edge",
        )
        assert [h.field_name for h in state.holds] == ["category:rapid_response"]
        assert TenantRevision.objects.get(tenant=tenant).revision == revision
        assert thread.is_alive()  # its recompute is blocked
    finally:
        blocker.rollback()
        blocker.close()
    thread.join(timeout=60)
    assert not errors and not thread.is_alive()
    stop = RolloutStop.objects.get(rollout=rollout)
    assert stop.hold_published_at is not None and stop.hold_cleared_at is None
    # when: the recompute the halt asked for is processed and published
    outbox_process(tid)
    # then: the hold is cleared; the hosts of the first ring are sent back by their desired state
    stop.refresh_from_db()
    assert stop.hold_cleared_at is not None
    assert EmbeddedEdgeBackend().snapshot(tid).holds == ()
    served = EmbeddedEdgeBackend().host_state(tid, first[0])
    assert served is not None and served.assignment.content["rapid_response"] == "291.3"


def test_it_fills_the_timeline_of_a_halt_in_order(redis_flush: Any) -> None:
    # given: a host that polls the edge, the tenant's desired state published
    tenant, rollout, first = failing_rollout("timeline")
    host, credential = host_with_credential(tenant, content_versions={"rapid_response": "291.3"})
    desired_state_publish_now(tenant.pk)
    heartbeats_ingest([crash_heartbeat(h) for h in first])
    entries = redis_client().xrange(STREAM)
    signals = [s for s in (signal_decode(i, f) for i, f in entries) if s is not None]
    assert len(signals) == len(first)
    # when: the safety loop handles the signals (in this process), the host polls, and the
    # recompute catches up
    signals_handle(redis_client(), signals, LoopStats())
    response = Client().get(
        "/edge/v1/desired-state", headers={"Authorization": f"Host {host.pk}:{credential}"}
    )
    assert response.status_code == 200 and response.json()["paused"]
    outbox_process(str(tenant.pk))
    # then: every stage has a time, in order, from the first crash report on (the halt; the canary
    # crash also recalled the release, which rolled the rollout back after it)
    stop = RolloutStop.objects.get(rollout=rollout, kind="halted")
    stages = [
        stop.crash_received_at,
        stop.gate_seen_at,
        stop.committed_at,
        stop.hold_published_at,
        stop.edge_served_at,
    ]
    assert all(stages), stages
    assert stages == sorted(stages)
    assert stop.crash_received_at == datetime.fromtimestamp(min(s.received_at for s in signals), UTC)
    # and: the API detail and the rollout page show the timeline to members, not to outsiders
    viewer = member(tenant, Role.VIEWER)
    detail = session(viewer).get(f"/api/v1/rollouts/{rollout.pk}").json()
    assert [s["kind"] for s in detail["stops"]] == ["halted", "rolled_back"]
    shown = detail["stops"][0]
    assert shown["kind"] == "halted" and shown["by_signal"] and shown["hold"] == "category:rapid_response"
    assert [s["stage"] for s in shown["steps"]] == [
        "crash_received",
        "gate_seen",
        "committed",
        "hold_published",
        "edge_served",
    ]
    assert all(s["after_s"] is not None and s["after_s"] >= 0 for s in shown["steps"])
    page = session(viewer).get(f"/rollout/rollouts/{rollout.pk}/").content.decode()
    assert 'data-testid="stop-timeline"' in page and "Edge first served the stop" in page
    outsider = member(staged_tenant("outsider", hosts=1), Role.OWNER)
    assert session(outsider).get(f"/api/v1/rollouts/{rollout.pk}").status_code == 404


def test_it_evaluates_only_the_signalled_tenant_once_per_burst(redis_flush: Any) -> None:
    # given: two tenants whose first rings crash; only the first tenant's hosts report it (the
    # other's crashes are in PostgreSQL already, as if the signal had been lost)
    _, rollout, first = failing_rollout("burst")
    other = staged_tenant("quiet", hosts=40)
    assert rollout.release is not None
    other_rollout = rollout_in_ring_1(rollout.release, other)
    heartbeats_ingest([crash_heartbeat(h) for h in first])
    signals = [s for s in (signal_decode(i, f) for i, f in redis_client().xrange(STREAM)) if s is not None]
    for host_id in (h for h, i in rings_of(other).items() if i == 0):
        crash(host_id)
    # when: the safety loop handles the burst
    stats = LoopStats()
    signals_handle(redis_client(), signals, stats)
    # then: one gate evaluation for the burst, of the signalled tenant only (the other tenant's
    # gate never ran), and one vendor canary evaluation of the release, which recalled it (every
    # tenant's rollout rolled back after that); before both, the reports of the sensor itself
    # faulting halted the release in every tenant
    assert stats.signals == len(first) > 1 and stats.evaluations == 1
    assert stats.canary_evaluations == 1 and stats.outcomes.get("recalled") == 1

    def kinds(r: Rollout) -> list[str]:
        return list(
            RolloutStop.objects.filter(rollout=r).order_by("committed_at").values_list("kind", flat=True)
        )

    assert kinds(rollout) == ["halted", "rolled_back"]
    assert kinds(other_rollout) == ["halted", "rolled_back"]
    for r in (rollout, other_rollout):
        halt = RolloutEvent.objects.get(rollout=r, kind="halted")
        assert halt.detail["reason"].startswith("Halted by the vendor: The sensor itself (csagent.sys)")
    assert Rollout.objects.get(pk=other_rollout.pk).state == RolloutState.ROLLED_BACK


def ringless_tenant_offered(slug: str, version: str) -> Any:
    """A tenant without rings whose default content policy pins ``version``: its hosts are offered it
    (published desired state), and no rollout of it exists there."""
    tenant = TenantFactory(slug=slug)
    policy_defaults_ensure(tenant=tenant, actor=OPERATOR)
    for _ in range(5):
        HostFactory(tenant=tenant, content_versions={"rapid_response": "291.3"}, last_seen_at=timezone.now())
    content_policy_update(
        tenant=tenant,
        actor=OPERATOR,
        policy=ContentUpdatePolicy.objects.get(
            tenant=tenant, is_default=True, category__key="rapid_response"
        ),
        expected_version=None,
        changes={"mode": f"pinned:{version}"},
    )
    desired_state_publish_now(tenant.pk)
    return tenant


def test_it_recalls_through_the_loop_on_a_canary_crash_holding_ringless_tenants_first(
    redis_flush: Any,
) -> None:
    # given: two tenants stage the canary release; their first rings (the vendor's canary cohort)
    # took it; their own ring gates need more samples than they have (only the vendor gate can act);
    # a tenant without rings is offered the release through a pin, and its recompute must wait
    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    release = content_release(catalog["rapid_response"], "291.4", stage="canary")
    cohort: list[str] = []
    rollouts = []
    for slug in ("canary-a", "canary-b"):
        tenant = staged_tenant(slug, hosts=100, min_sample=1000)
        rollouts.append(rollout_in_ring_1(release, tenant))
        cohort += [h for h, i in rings_of(tenant).items() if i == 0]
    assert len(cohort) >= 10
    Host.objects.filter(pk__in=cohort).update(content_versions={"rapid_response": "291.4"})
    ringless = ringless_tenant_offered("no-rings", "291.4")
    offered = DesiredState.objects.filter(tenant=ringless, content__rapid_response="291.4")
    assert offered.count() == 5 and not Rollout.objects.filter(tenant=ringless).exists()

    def ringless_holds() -> dict[str, str]:
        return {h.field_name: h.reason for h in EmbeddedEdgeBackend().snapshot(str(ringless.pk)).holds}

    blocker = psycopg.connect(database_url())
    loop = start_safety_loop()
    try:
        blocker.execute("SELECT 1 FROM rollout_tenantrevision WHERE tenant_id = %s FOR UPDATE", [ringless.pk])
        # when: three canary hosts report a crash (the gate's min_failures; no beat, no worker,
        # nobody calls the tick)
        assert heartbeats_ingest([crash_heartbeat(h) for h in cohort[:3]]).accepted == 3
        # then: the loop recalled the release, and the ringless tenant's stop hold is at the edge
        # while its recompute still waits (its hosts are still offered the bad version)
        wait_for(lambda: FIELD in ringless_holds(), timeout=60, what="the ringless tenant's recall hold")
        assert ContentRelease.objects.get(pk=release.pk).stage == ContentStage.RECALLED
        assert offered.count() == 5
        stop = RolloutStop.objects.get(tenant=ringless)
        assert stop.rollout_id is None and stop.release_id == release.pk
        assert stop.by_signal and stop.kind == "rolled_back" and stop.hold_published_at is not None
        assert stop.crash_received_at is not None and stop.gate_seen_at is not None
        assert stop.crash_received_at <= stop.gate_seen_at <= stop.committed_at <= stop.hold_published_at
        blocker.rollback()
        wait_for(lambda: offered.count() == 0, timeout=60, what="the ringless tenant's recompute")
        wait_for(
            lambda: all(Rollout.objects.get(pk=r.pk).state == RolloutState.ROLLED_BACK for r in rollouts),
            timeout=60,
            what="every rollout of the release rolled back",
        )
        wait_for(lambda: pending() == 0, what="the signals acknowledged")
    finally:
        blocker.rollback()
        blocker.close()
        loop.stop()
    # (a tenant whose own first ring took the crashes may also have halted it first: a ring smaller
    # than the minimum sample is judged on the hosts it has)
    assert RolloutStop.objects.filter(rollout__in=rollouts, by_signal=True, kind="rolled_back").count() == 2
    assert AuditEvent.objects.filter(action=CONTENT_RELEASE_RECALLED).count() == 1
    # and: once the recompute caught up (the outbox processed), the hold is released
    outbox_process(str(ringless.pk))
    assert FIELD not in ringless_holds()
    assert RolloutStop.objects.get(pk=stop.pk).hold_cleared_at is not None


def test_it_holds_every_tenant_on_the_first_report_of_the_sensor_faulting(redis_flush: Any) -> None:
    # given: two tenants stage the canary release and their canary hosts run it; their own ring
    # gates need more samples than they have and the canary gate needs three bad hosts
    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    release = content_release(catalog["rapid_response"], "291.4", stage="canary")
    tenants = [staged_tenant(slug, hosts=100, min_sample=1000) for slug in ("fault-a", "fault-b")]
    rollouts = [rollout_in_ring_1(release, t) for t in tenants]
    canary = {t.slug: [h for h, i in rings_of(t).items() if i == 0] for t in tenants}
    Host.objects.filter(pk__in=[h for hosts in canary.values() for h in hosts]).update(
        content_versions={"rapid_response": "291.4"}
    )

    def other_tenant_holds() -> set[str]:
        return {h.field_name for h in EmbeddedEdgeBackend().snapshot(str(tenants[1].pk)).holds}

    loop = start_safety_loop()
    try:
        # when: ONE host of the first tenant reports that the sensor's own driver faulted on it
        assert heartbeats_ingest([crash_heartbeat(canary["fault-a"][0])]).accepted == 1
        # then: the other tenant, whose hosts reported nothing, is held and halted too
        wait_for(lambda: FIELD in other_tenant_holds(), timeout=60, what="the other tenant's hold")
        wait_for(
            lambda: all(Rollout.objects.get(pk=r.pk).state == RolloutState.HALTED for r in rollouts),
            timeout=60,
            what="every tenant's rollout halted",
        )
        wait_for(lambda: pending() == 0, what="the signal acknowledged")
    finally:
        loop.stop()
    # and: the release-wide stop of the other tenant came first, woken by the signal, its stages
    # in order; the release is halted, not recalled (one report moves nobody back)
    stop = RolloutStop.objects.filter(tenant=tenants[1]).order_by("committed_at").first()
    assert stop is not None and stop.release_id == release.pk and stop.kind == "halted"
    assert stop.by_signal and stop.hold_published_at is not None
    assert stop.crash_received_at is not None and stop.gate_seen_at is not None
    assert stop.crash_received_at <= stop.gate_seen_at <= stop.committed_at <= stop.hold_published_at
    assert ContentRelease.objects.get(pk=release.pk).stage == ContentStage.CANARY

"""Halt and recall holds: published before the recompute, known to reconciliation, cleared once the
recompute caught up or the rollout resumed, and never clobbering (or clobbered by) a pause."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest
from django.db import connection, transaction

from console.access import Actor
from rollout.controls.pauses import pause_create, pause_resume
from rollout.desired.holds import holds_expected, stop_hold_publish
from rollout.desired.publish import desired_state_publish_now, outbox_process
from rollout.desired.reconcile import desired_state_reconcile
from rollout.distribution.base import Hold
from rollout.distribution.edge import EmbeddedEdgeBackend
from rollout.models import RolloutStop
from rollout.rings.records import release_stop_record
from rollout.rings.transitions import rollout_halt, rollout_resume, rollout_rollback
from rollout.rings.vendor import release_recall
from tests.conftest import test_database_url as database_url
from tests.conftest import wait_for
from tests.factories import content_release, rollout_catalog
from tests.rollout.rings.test_transitions import rollout_in_ring_1, staged_tenant

pytestmark = pytest.mark.django_db(transaction=True)
OPERATOR = Actor.system("operator")
FIELD = "category:rapid_response"


def world(slug: str) -> tuple[Any, Any]:
    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    release = content_release(catalog["rapid_response"], "291.4", stage="canary")
    tenant = staged_tenant(slug, hosts=20)
    rollout = rollout_in_ring_1(release, tenant)
    desired_state_publish_now(tenant.pk)
    return tenant, rollout


def edge_holds(tenant: Any) -> dict[str, str]:
    return {h.field_name: h.reason for h in EmbeddedEdgeBackend().snapshot(str(tenant.pk)).holds}


def test_it_holds_a_halt_until_the_recompute_caught_up_and_reconciles_it_meanwhile(redis_flush: Any) -> None:
    # given: a halted rollout whose recompute the worker has not processed yet
    tenant, rollout = world("stophold")
    rollout_halt(tenant=tenant, actor=OPERATOR, rollout=rollout, reason="field crashes")
    assert FIELD in edge_holds(tenant)
    # when: the backend lost the hold (a Redis restart, say) and reconciliation runs
    EmbeddedEdgeBackend().hold_clear(str(tenant.pk), "category", "rapid_response")
    repair = desired_state_reconcile(tenant.pk)
    # then: reconciliation knows the hold is expected and sets it again
    assert repair.holds_set == [FIELD]
    assert edge_holds(tenant)[FIELD].startswith("Stopped: content:rapid_response 291.4 halted")
    # when: the recompute the halt asked for is processed and published
    outbox_process(str(tenant.pk))
    # then: the hold is gone, and reconciliation does not bring it back
    assert FIELD not in edge_holds(tenant)
    assert holds_expected(str(tenant.pk)) == {}
    assert desired_state_reconcile(tenant.pk).holds_set == []
    assert RolloutStop.objects.get(rollout=rollout).hold_cleared_at is not None


def test_it_clears_the_hold_when_the_rollout_resumes(redis_flush: Any) -> None:
    # given
    tenant, rollout = world("resumed")
    rollout_halt(tenant=tenant, actor=OPERATOR, rollout=rollout, reason="field crashes")
    assert FIELD in edge_holds(tenant)
    # when
    rollout_resume(tenant=tenant, actor=OPERATOR, rollout=rollout)
    # then
    assert FIELD not in edge_holds(tenant)


def test_it_sends_a_recall_out_as_a_hold_first(redis_flush: Any) -> None:
    # given
    tenant, rollout = world("recalled")
    # when: the rollout is rolled back (the path a vendor recall takes too)
    rollout_rollback(tenant=tenant, actor=OPERATOR, rollout=rollout, reason="recalled")
    # then
    stop = RolloutStop.objects.get(rollout=rollout)
    assert stop.kind == "rolled_back" and stop.hold_published_at is not None
    assert FIELD in edge_holds(tenant)


def test_it_keeps_a_pause_and_a_halt_on_one_category_from_clearing_each_other(redis_flush: Any) -> None:
    # given: a pause of the category, then a halt of its rollout
    tenant, rollout = world("pausehalt")
    pause = pause_create(
        tenant=tenant,
        actor=OPERATOR,
        scope="content_category",
        reason="change freeze",
        category_key="rapid_response",
    ).obj
    rollout_halt(tenant=tenant, actor=OPERATOR, rollout=rollout, reason="field crashes")
    assert edge_holds(tenant)[FIELD].startswith("Stopped: ")
    # when: the pause is resumed while the halt still holds
    pause_resume(tenant=tenant, actor=OPERATOR, pause=pause)
    # then: the halt's hold stays
    assert edge_holds(tenant)[FIELD].startswith("Stopped: ")
    # when: a new pause, then the recompute catches up with the halt
    pause_create(
        tenant=tenant,
        actor=OPERATOR,
        scope="content_category",
        reason="freeze again",
        category_key="rapid_response",
    )
    outbox_process(str(tenant.pk))
    # then: the pause's hold is what remains
    assert edge_holds(tenant)[FIELD] == "freeze again"


def test_it_sends_every_tenants_recall_hold_before_the_first_recompute(redis_flush: Any) -> None:
    # given: two tenants staging the release, their desired state on the edge, and a transaction
    # holding both tenants' revision rows, so any recompute waits
    tenant, rollout = world("recall-a")
    other = staged_tenant("recall-b", hosts=20)
    assert rollout.release is not None
    rollout_in_ring_1(rollout.release, other)
    desired_state_publish_now(other.pk)
    blocker = psycopg.connect(database_url())
    errors: list[BaseException] = []

    def recall() -> None:
        try:
            release_recall(release=rollout.release, actor=OPERATOR, reason="crashes everywhere")
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            connection.close()

    try:
        blocker.execute(
            "SELECT 1 FROM rollout_tenantrevision WHERE tenant_id = ANY(%s) FOR UPDATE",
            [[tenant.pk, other.pk]],
        )
        # when: the vendor recalls the release
        thread = threading.Thread(target=recall)
        thread.start()
        # then: both tenants' holds are served while the first recompute still waits
        wait_for(lambda: FIELD in edge_holds(tenant) and FIELD in edge_holds(other), what="both holds")
        assert thread.is_alive()
    finally:
        blocker.rollback()
        blocker.close()
    thread.join(timeout=120)
    assert not errors and not thread.is_alive()


def edge_hold(tenant: Any) -> Hold:
    return next(h for h in EmbeddedEdgeBackend().snapshot(str(tenant.pk)).holds if h.field_name == FIELD)


def test_it_names_the_version_to_leave_for_a_recall_but_not_for_a_halt(redis_flush: Any) -> None:
    # given: a halted rollout (hosts keep what they run: nothing to leave)
    tenant, rollout = world("leave")
    rollout_halt(tenant=tenant, actor=OPERATOR, rollout=rollout, reason="field crashes")
    assert edge_hold(tenant).leave == ()
    # when: its release's recall stop commits on the same key (the recall's first step, before
    # any rollback or recompute)
    assert rollout.release is not None
    with transaction.atomic():
        release_stop_record(tenant.pk, rollout.release, "crashes everywhere", None)
    # then: the edge's hold names 291.4 to leave, and reconciliation expects the same hold
    assert edge_hold(tenant).leave == ("291.4",)
    assert holds_expected(str(tenant.pk))[FIELD] == edge_hold(tenant)
    assert desired_state_reconcile(tenant.pk).holds_set == []
    # when: a pause of the category is created and resumed while the stops hold the key
    pause = pause_create(
        tenant=tenant,
        actor=OPERATOR,
        scope="content_category",
        reason="freeze",
        category_key="rapid_response",
    ).obj
    pause_resume(tenant=tenant, actor=OPERATOR, pause=pause)
    # then: the stops' merged hold stays, still leaving 291.4
    assert edge_hold(tenant).leave == ("291.4",) and edge_hold(tenant).reason.startswith("Stopped: ")


def test_it_keeps_the_version_to_leave_when_a_halt_follows_the_recall(redis_flush: Any) -> None:
    # given: a tenant whose rollout is rolled back (the recall's path): its hold leaves 291.4
    tenant, rollout = world("leave-then-halt")
    rollback = RolloutStop.objects.create(
        tenant_id=tenant.pk,
        rollout=rollout,
        kind="rolled_back",
        hold_scope="category",
        hold_key="rapid_response",
        reason="content:rapid_response 291.4 rolled back",
    )
    stop_hold_publish(rollback)
    assert edge_hold(tenant).leave == ("291.4",)
    # when: a later halt stop on the same key publishes its hold (which names nothing to leave)
    halt = RolloutStop.objects.create(
        tenant_id=tenant.pk,
        rollout=rollout,
        kind="halted",
        hold_scope="category",
        hold_key="rapid_response",
        reason="content:rapid_response 291.4 halted",
    )
    stop_hold_publish(halt)
    # then: the served hold is the halt's, still leaving the rolled-back version
    hold = edge_hold(tenant)
    assert "halted" in hold.reason and hold.leave == ("291.4",)

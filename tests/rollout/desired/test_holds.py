"""Halt and recall holds: published before the recompute, known to reconciliation, cleared once the
recompute caught up or the rollout resumed, and never clobbering (or clobbered by) a pause."""

from __future__ import annotations

from typing import Any

import pytest

from console.access import Actor
from rollout.controls.pauses import pause_create, pause_resume
from rollout.desired.holds import holds_expected
from rollout.desired.publish import desired_state_publish_now, outbox_process
from rollout.desired.reconcile import desired_state_reconcile
from rollout.distribution.edge import EmbeddedEdgeBackend
from rollout.models import RolloutStop
from rollout.rings.transitions import rollout_halt, rollout_resume, rollout_rollback
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

"""The control plane (fleet-health tick, rollout gate tick) runs on a queue of its own, so a failing
gate halts a rollout even when the main workers are all busy with recomputes (DESIGN rule 4, S1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from console.celery import app
from rollout.models import Rollout, RolloutState
from rollout.rings.tick import rollouts_tick_task
from tests.conftest import start_celery_worker, wait_for
from tests.factories import content_release, rollout_catalog
from tests.rollout.rings.test_transitions import crash, rings_of, rollout_in_ring_1, staged_tenant

pytestmark = pytest.mark.django_db(transaction=True)


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_it_routes_the_ticks_to_the_control_queue_and_everything_else_to_the_main_queue() -> None:
    control, main = settings.CELERY_CONTROL_QUEUE, settings.CELERY_TASK_DEFAULT_QUEUE
    assert queue_of("rollout.rollouts.rollouts_tick_task") == control
    assert queue_of("telemetry.tasks.telemetry_tick_task") == control
    assert queue_of("rollout.tasks.outbox_sweep") == main
    assert queue_of("rollout.tasks.desired_state_tick") == main


def test_it_halts_a_failing_rollout_with_only_the_control_worker_running(redis_flush: Any) -> None:
    # given: a rollout in ring 1 whose hosts crash, and no main worker at all (as if every main
    # worker were busy with recomputes): only the control-plane worker consumes
    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    release = content_release(catalog["rapid_response"], "291.4", stage="canary")
    tenant = staged_tenant("control", hosts=40)
    rollout = rollout_in_ring_1(release, tenant)
    for host_id, index in rings_of(tenant).items():
        if index == 0:
            crash(host_id)
    worker = start_celery_worker("control", queues=settings.CELERY_CONTROL_QUEUE)
    try:
        # when: beat sends the gate tick
        rollouts_tick_task.apply_async(expires=30)
        # then: the control worker halts the rollout
        wait_for(
            # (halted, or rolled back when the canary cohort's crashes recall the release)
            lambda: (
                Rollout.objects.get(pk=rollout.pk).state in (RolloutState.HALTED, RolloutState.ROLLED_BACK)
            ),
            timeout=60,
            what="the rollout stopped by the control worker",
        )
    finally:
        worker.stop()

"""The exposure forecast against what a simulated clock then does: the real recompute, stepped hour
by hour with ``at=``, with hosts applying what they are told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from console.access import Actor
from rollout import resolver as rv
from rollout.controls.freezes import freeze_create
from rollout.controls.windows import window_create
from rollout.desired.recompute import desired_state_recompute
from rollout.models import ContentUpdatePolicy, DesiredState, Ring, Rollout, RolloutState
from rollout.policies.defaults import policy_defaults_ensure
from rollout.policies.services import content_policy_create, content_policy_update
from rollout.rings.forecast import release_forecast
from rollout.rings.transitions import ring_advance
from telemetry.models import Host
from tests.factories import HostFactory, content_release, host_group, rollout_catalog
from tests.rollout.conftest import TenantWorld
from tests.rollout.rings.test_transitions import rings_of, staged_tenant

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def world(tenant_world: TenantWorld) -> dict[str, Any]:
    """acme: 6 web hosts on GA + 2 h inside a weekly New York window, 4 others on the default GA + 6 h,
    a freeze from hour 30 to hour 40; release 291.4 went GA an hour ago. globex has hosts too."""
    start = timezone.now().replace(second=0, microsecond=0)
    catalog = rollout_catalog(lines=("7.09", "7.10", "7.11"), platforms=("windows",))
    content_release(catalog["rapid_response"], "291.3", hours_ago=200)
    release = content_release(catalog["rapid_response"], "291.4", hours_ago=1)
    acme, globex = tenant_world.tenant, tenant_world.other_tenant
    for tenant in (acme, globex):
        policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    default = ContentUpdatePolicy.objects.get(
        tenant=acme, category=catalog["rapid_response"], is_default=True
    )
    content_policy_update(
        tenant=acme, actor=SYSTEM, policy=default, expected_version=default.version, changes={"mode": "ga+6"}
    )
    today = start.astimezone(NEW_YORK).weekday()
    window = window_create(
        tenant=acme,
        actor=SYSTEM,
        data={"name": "early mornings", "weekdays": [(today + 1) % 7, (today + 2) % 7], "start": "02:30",
              "duration_minutes": 90, "timezone": "America/New_York"},
    ).obj  # fmt: skip
    web = host_group(acme, "web", rule_text="tag:web")
    content_policy_create(
        tenant=acme, actor=SYSTEM, name="web", category=catalog["rapid_response"], mode="ga+2",
        window_ids=[window.pk], group_ids=[web.pk],
    )  # fmt: skip
    # The freeze covers the window's first opening: web hosts wait for its second one.
    recurrence = rv.Recurrence(
        frozenset(window.weekdays), window.start, window.duration_minutes, window.timezone
    )
    opens = [at for at, _ in rv.next_occurrences(recurrence, start, 4)]
    freeze_create(
        tenant=acme, actor=SYSTEM, reason="quarter close",
        starts_at=opens[0] - timedelta(hours=1), ends_at=opens[0] + timedelta(hours=3),
    )  # fmt: skip
    running = {"rapid_response": "291.3"}
    for i in range(6):
        HostFactory(
            tenant=acme, hostname=f"web-{i}", tags=["web"], sensor_build="7.11.200", content_versions=running
        )
    for i in range(4):
        HostFactory(
            tenant=acme, hostname=f"db-{i}", tags=["db"], sensor_build="7.10.200", content_versions=running
        )
    HostFactory(tenant=globex, hostname="other", sensor_build="7.11.200", content_versions=running)
    return {"acme": acme, "globex": globex, "release": release, "start": start, "opens": opens}


def clock_counts(
    tenant: Any, version: str, start: Any, hours: int, before_each: Callable[[Any], None] | None = None
) -> list[int]:
    """Steps the real recompute through ``hours`` hour boundaries; after each, the hosts told to
    take ``version`` apply it (as sensors do). The hosts on it at each boundary."""
    counts = []
    for hour in range(hours + 1):
        at = start + timedelta(hours=hour)
        if before_each is not None:
            before_each(at)
        desired_state_recompute(tenant.pk, at=at)
        told = DesiredState.objects.filter(tenant=tenant, content__rapid_response=version)
        ids = list(told.values_list("host_id", flat=True))
        for host in Host.objects.filter(pk__in=ids).exclude(content_versions__rapid_response=version):
            host.content_versions = {**host.content_versions, "rapid_response": version}
            host.save(update_fields=["content_versions"])
        counts.append(len(ids))
    return counts


def test_it_forecasts_hour_by_hour_what_the_resolver_then_does(world: dict[str, Any]) -> None:
    # given: the recompute has run once (its census is what the forecast reads)
    acme, start = world["acme"], world["start"]
    desired_state_recompute(acme.pk, at=start)
    # when
    forecast = release_forecast(acme, world["release"], hours=72, start=start)
    # then: the same counts, hour by hour, as the real recompute stepped through the same hours
    predicted = [p.hosts for p in forecast.points]
    assert predicted == clock_counts(acme, "291.4", start, 72)
    assert forecast.hosts_total == 10
    # GA was an hour ago (a few seconds after ``start``): the others' GA + 6 h ends just after hour 5
    assert predicted[5] == 0 and predicted[6] == 4
    assert predicted[-1] == 10  # web: GA + 2 h, then the first New York window not inside the freeze
    assert forecast.points[6].waiting == {"window": 6}
    assert forecast.points[5].waiting == {"delay": 4, "window": 6}
    # web: not in the window's first opening (frozen), in its second one
    first, second = (int((at - start).total_seconds() // 3600) + 1 for at in world["opens"][:2])
    assert predicted[first] == 4 and predicted[second] == 10
    assert {p.hour: dict(p.waiting) for p in forecast.points}[first] == {"freeze": 6}


def test_it_counts_only_the_tenants_own_hosts_and_holds_a_paused_tenant(world: dict[str, Any]) -> None:
    # given
    acme, globex, start = world["acme"], world["globex"], world["start"]
    from rollout.controls.pauses import pause_create

    pause_create(
        tenant=acme, actor=SYSTEM, scope="tenant", reason="incident", expires_at=start + timedelta(hours=24)
    )
    # when
    paused = release_forecast(acme, world["release"], hours=72, start=start)
    other = release_forecast(globex, world["release"], hours=72, start=start)
    # then: nothing arrives while the pause holds; globex (default GA) has its one host from the start
    assert [p.hosts for p in paused.points[:24]] == [0] * 24
    assert paused.points[24].hosts >= 4
    assert other.hosts_total == 1 and other.points[0].hosts == 1


def test_it_forecasts_a_staged_rollout_ring_by_ring_as_the_rings_then_move(tenant_world: TenantWorld) -> None:
    # given rings canary 10 % (2 h soak) -> early 50 % (3 h) -> broad 100 % (1 h), a rollout of 291.4
    # entering canary now, and a freeze from 2.5 h to 4.5 h
    start = timezone.now().replace(second=0, microsecond=0)
    catalog = rollout_catalog()
    content_release(catalog["rapid_response"], "291.3", hours_ago=300)
    release = content_release(catalog["rapid_response"], "291.4", hours_ago=50)
    tenant = staged_tenant("ringed", hosts=40)
    rings = list(Ring.objects.filter(tenant=tenant).order_by("order"))
    for ring, soak in zip(rings, (120, 180, 60), strict=True):
        ring.soak_minutes = soak
        ring.save(update_fields=["soak_minutes"])
    rollout = Rollout.objects.create(
        tenant=tenant, subject="content:rapid_response", version="291.4", previous_version="291.3",
        release=release, state=RolloutState.IN_RING, ring_index=0, ring_entered_at=start,
    )  # fmt: skip
    freeze_create(
        tenant=tenant, actor=SYSTEM, reason="change freeze",
        starts_at=start + timedelta(minutes=150), ends_at=start + timedelta(minutes=270),
    )  # fmt: skip
    # when
    forecast = release_forecast(tenant, release, hours=12, start=start)

    # then: the same counts as the real recompute, while the rings move the way the gate tick moves
    # them when every gate passes (the real ring_advance as each soak ends)
    def rings_move(at: Any) -> None:
        nonlocal rollout
        while rollout.state == RolloutState.IN_RING:
            soak = timedelta(minutes=rings[rollout.ring_index].soak_minutes)
            assert rollout.ring_entered_at is not None
            if rollout.ring_entered_at + soak > at:
                return
            entered = rollout.ring_entered_at + soak
            ring_advance(rollout, rings, SYSTEM, why="soak elapsed, gate passed")
            rollout.ring_entered_at = entered  # the tick that advanced it ran at the soak's end
            rollout.save(update_fields=["ring_entered_at"])

    counts = clock_counts(tenant, "291.4", start, 12, before_each=rings_move)
    assert [p.hosts for p in forecast.points] == counts
    canary = sum(1 for index in rings_of(tenant).values() if index == 0)
    assert 0 < counts[0] == canary < counts[2] < counts[5] == 40  # frozen at hours 3 and 4
    assert counts[3] == counts[4] == counts[2]
    assert forecast.points[3].waiting == {"freeze": 40 - counts[2]}

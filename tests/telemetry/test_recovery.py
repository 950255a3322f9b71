"""Hosts recover without a person: a simulated sensor that boot-loops after a content change reverts
to the fallback its desired state named, reports it, and never retakes the version it left while the
recall stands; with no fallback named it keeps today's behaviour (loops until the edge serves a fix).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import transaction

from console.access import Actor
from rollout.desired.publish import desired_state_publish, desired_state_recompute
from rollout.models import ContentRelease
from rollout.policies.defaults import policy_defaults_ensure
from rollout.rings.records import release_stop_record
from telemetry.ingest import heartbeats_flush
from telemetry.models import Host
from telemetry.recovery import reboot_delay, recovered_from_problem
from telemetry.simulator import FleetSimulator, SimulatorConfig, bad_content_parse
from telemetry.simulator_http import HttpPool
from tests.conftest import run_async
from tests.factories import TenantFactory, content_release, host_with_credential, rollout_catalog
from tests.telemetry.conftest import outside_event_loop

FALLBACK = {
    "sensor_build": None,
    "content": {"rapid_response": "291.3"},
    "rule": {"failed_boots": 2, "within_s": 600},
}


def _sim(
    bad: str = "rapid_response:291.4",
    hosts: int = 1,
    url: str = "http://x",
    token: str = "t",  # noqa: S107 - a test pipeline token
) -> FleetSimulator:
    config = SimulatorConfig(
        url=url,
        pipeline_token=token,
        enrolment_tokens={"acme": "e"},
        hosts=hosts,
        bad_content=[bad_content_parse(bad)],
        crash_report_chance=1.0,
    )
    return FleetSimulator(config)


def test_it_reverts_to_the_fallback_after_the_rules_failed_boots_and_refuses_the_bad_version() -> None:
    # given a host told to take bad 291.4 with fallback 291.3; it loads it and crashes (failed boot 1)
    sim = _sim()
    host = sim.fleet[0]
    offered = {"content": {"rapid_response": "291.4"}, "fallback": FALLBACK}
    sim.desired_apply(host, offered, now=0)
    sim.step(host, now=100)
    assert host.loading == {"rapid_response": "291.4"}
    assert sim.heartbeat(host)["status"] == "crashed"  # type: ignore[index]
    # when it reboots and the edge still offers 291.4 (no halt yet): failed boot 2
    sim.desired_apply(host, offered, now=130)
    sim.reboot(host, now=130)
    # then it loaded the fallback by itself and says so in its next heartbeat
    assert not host.loading and host.content["rapid_response"] == "291.3"
    beat = sim.heartbeat(host)
    assert beat is not None and beat["status"] == "recovering"
    assert beat["recovered_from"]["version"] == "291.4" and beat["recovered_from"]["to"] == "291.3"
    assert recovered_from_problem(beat["recovered_from"]) is None
    assert sim.stats["reverted"] == 1
    # and while the desired state still names 291.4 it never asks for it again
    for n in range(5):
        sim.desired_apply(host, offered, now=200 + n)
        assert not host.pending
    # and once the desired state moves on (a fix), the refusal ends
    sim.desired_apply(host, {"content": {"rapid_response": "291.5"}}, now=300)
    assert host.pending["content:rapid_response"][1] == "291.5"


def test_it_keeps_looping_without_a_fallback_as_today() -> None:
    # given the same bad change, but the desired state names no fallback
    sim = _sim()
    host = sim.fleet[0]
    sim.desired_apply(host, {"content": {"rapid_response": "291.4"}}, now=0)
    sim.step(host, now=100)
    sim.heartbeat(host)
    # when it reboots many times while the edge keeps offering 291.4
    for n in range(10):
        sim.desired_apply(host, {"content": {"rapid_response": "291.4"}}, now=130 + n * 30)
        sim.reboot(host, now=130 + n * 30)
    # then it still loops, silent, until the edge serves a fix
    assert host.loading == {"rapid_response": "291.4"} and host.state == "boot_loop"
    assert sim.heartbeat(host) is None and sim.stats["reverted"] == 0


def test_it_does_not_revert_when_the_rules_window_has_passed_or_the_fix_is_coming() -> None:
    # given a looping host whose second failed boot comes after the rule's 600 s
    sim = _sim()
    late = sim.fleet[0]
    sim.desired_apply(late, {"content": {"rapid_response": "291.4"}, "fallback": FALLBACK}, now=0)
    sim.step(late, now=100)
    # when
    sim.reboot(late, now=100 + 601)
    # then the rule does not apply
    assert late.loading
    # given another host whose edge already offers the known-good version (the recall was served)
    other = _sim().fleet[0]
    sim.desired_apply(other, {"content": {"rapid_response": "291.4"}, "fallback": FALLBACK}, now=0)
    sim.step(other, now=100)
    sim.desired_apply(other, {"content": {"rapid_response": "291.3"}}, now=130)
    # when it reboots: the fix is on its way, that is not a failed boot of its own
    sim.reboot(other, now=130)
    # then it takes the edge's fix, not the local fallback; being the version it kept with the
    # change, the fix needs no download and loads at once
    assert other.loading and other.pending["content:rapid_response"] == (130, "291.3")
    sim.step(other, now=130)
    assert not other.loading and other.content["rapid_response"] == "291.3" and sim.stats["reverted"] == 0
    # and a fix it did not keep (another version) downloads first, as any update
    third = _sim().fleet[0]
    sim.desired_apply(third, {"content": {"rapid_response": "291.4"}, "fallback": FALLBACK}, now=0)
    sim.step(third, now=100)
    sim.desired_apply(third, {"content": {"rapid_response": "291.5"}}, now=130)
    assert third.pending["content:rapid_response"][0] > 130


def test_it_spaces_reboots_out_with_jitter_and_a_cap() -> None:
    import random

    rng = random.Random(1)
    # given / when
    gaps = [reboot_delay(boots, 60.0, rng) for boots in range(1, 200)]
    # then about a minute at first, never more than the cap, never in step
    assert 30.0 <= gaps[0] <= 60.0
    assert max(gaps) <= 240.0 and len({round(g, 6) for g in gaps}) > 150


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_flush")
def test_it_recovers_through_the_real_edge_and_ingest(asgi_server: str, pipeline_token: str) -> None:
    # given a tenant on default policies: rapid_response 291.3 -> 291.4 (GA, but it crashes Windows),
    # and sensor_operations 44.2 as its only release (so a host without it is named no fallback)
    catalog = rollout_catalog(lines=("7.10", "7.11"), platforms=("windows",))
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    content_release(catalog["rapid_response"], "291.4", hours_ago=2)
    content_release(catalog["sensor_operations"], "44.2", hours_ago=2)
    tenant = TenantFactory()
    policy_defaults_ensure(tenant=tenant, actor=Actor.system("test"))
    named, named_secret = host_with_credential(
        tenant,
        sensor_build="7.11.200",
        content_versions={"rapid_response": "291.3", "sensor_operations": "44.2"},
    )
    unnamed, unnamed_secret = host_with_credential(
        tenant, sensor_build="7.11.200", content_versions={"rapid_response": "291.4"}
    )
    desired_state_recompute(tenant.pk)
    desired_state_publish(tenant.pk)
    sim = _sim(hosts=2, url=asgi_server, token=pipeline_token)
    sim.bad.append(bad_content_parse("sensor_operations:44.2"))
    sim.config.bad_content = list(sim.bad)
    a, b = sim.fleet
    for sim_host, db_host, secret in ((a, named, named_secret), (b, unnamed, unnamed_secret)):
        sim_host.agent_id, sim_host.credential, sim_host.platform = db_host.pk, secret, "windows"
        sim_host.content = dict(db_host.content_versions)
        sim_host.sensor_build = db_host.sensor_build

    async def scenario() -> list[dict[str, Any]]:
        pool = HttpPool(asgi_server, size=2)
        beats = []
        try:
            # when both hosts poll the edge, load what it offers and crash on it
            for host in (a, b):
                await sim.poll(pool, host)
            now = time.monotonic()
            for host in (a, b):
                sim.step(host, now + 3600)
                beats.append(sim.heartbeat(host))
            # and reboot: each asks the edge first, which still offers the bad versions (no halt)
            for host in (a, b):
                await sim.poll(pool, host)
            beats.append(sim.heartbeat(a))
            # and the recovered host reports it through the real ingest
            response = await pool.post_json(
                "/api/v1/telemetry/heartbeats",
                {"heartbeats": [beat for beat in beats if beat]},
                {"Authorization": f"Bearer {pipeline_token}"},
            )
            assert response.status_code == 202, response.text
            assert response.json()["rejected"] == []
            # and asks again: the bad version is still offered and refused
            await sim.poll(pool, a)
        finally:
            await pool.close()
        return beats

    beats = run_async(scenario())
    # then the host whose change named a fallback reverted by itself and said so
    assert beats[-1] is not None and beats[-1]["recovered_from"]["to"] == "291.3"
    assert (
        not a.loading and a.content["rapid_response"] == "291.3" and "content:rapid_response" not in a.pending
    )
    outside_event_loop(heartbeats_flush)
    named.refresh_from_db()
    assert named.status == "recovering" and named.content_versions["rapid_response"] == "291.3"
    # and the host that was named no fallback for its crashing category still loops, as today
    assert b.loading == {"sensor_operations": "44.2"} and b.state == "boot_loop"
    assert Host.objects.get(pk=unnamed.pk).status in ("crashed", "boot_loop")


@pytest.mark.django_db
def test_it_accepts_a_recovery_report_and_rejects_a_malformed_one(pipeline_token: str) -> None:
    from django.test import Client

    from tests.telemetry.conftest import heartbeat, post_heartbeats

    # given
    host, _ = host_with_credential(TenantFactory())
    good = {
        "category": "rapid_response",
        "version": "291.4",
        "to": "291.3",
        "at": "2024-07-19T04:20:00+00:00",
    }
    # when
    response = post_heartbeats(
        Client(),
        pipeline_token,
        [
            heartbeat(host, status="recovering", recovered_from=good),
            heartbeat(host, status="recovering", recovered_from={**good, "to": "291.4"}),
            heartbeat(host, status="recovering", recovered_from="291.3"),
        ],
    )
    # then the first is accepted, the others are refused with the field named
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 1
    assert [r["index"] for r in body["rejected"]] == [1, 2]
    assert all("recovered_from" in r["errors"] for r in body["rejected"])


def test_it_never_holds_a_looping_hosts_reboot_behind_routine_polls() -> None:
    # given a fleet where one host loops on bad content and the others poll routinely
    sim = _sim(hosts=3)
    looping, *routine = sim.fleet
    sim.desired_apply(looping, {"content": {"rapid_response": "291.4"}}, now=0)
    sim.step(looping, now=100)
    # when both are due to ask the edge
    sim.poll_at(looping, 200.0)
    for host in routine:
        sim.poll_at(host, 150.0)
    # then the looping host waits in the reboot queue, which the simulator starts without the
    # in-flight bound that routine polls share
    assert [h for _, _, h in sim.reboot_queue] == [looping]
    assert {h.hostname for _, _, h in sim.poll_queue} == {h.hostname for h in routine}


def _recall_hold(*versions: str) -> dict[str, Any]:
    """What the edge serves for a recall's stop hold before the recompute: the category frozen,
    the recalled version(s) to leave."""
    hold = {"scope": "category", "key": "rapid_response", "reason": "Stopped: recalled", "until": None}
    return {
        "holds": [{**hold, "leave": list(versions)}],
        "paused": True,
        "frozen": {"sensor_build": False, "content": ["rapid_response"]},
    }


def test_it_leaves_the_recalled_version_at_its_next_reboot_because_of_the_hold() -> None:
    # given a host looping on 291.4, taken with fallback 291.3 (failed boot 1)
    sim = _sim()
    host = sim.fleet[0]
    offered = {"content": {"rapid_response": "291.4"}, "fallback": FALLBACK}
    sim.desired_apply(host, offered, now=0)
    sim.step(host, now=100)
    sim.heartbeat(host)
    # when it reboots and the edge serves the recall's hold, still naming 291.4 (no recompute yet)
    sim.desired_apply(host, {**offered, **_recall_hold("291.4")}, now=110)
    # then it loaded its known-good at once, without a second failed boot, and says so
    assert not host.loading and host.content["rapid_response"] == "291.3"
    assert sim.stats["left"] == 1 and sim.stats["reverted"] == 0
    beat = sim.heartbeat(host)
    assert beat is not None and beat["status"] == "recovering"
    assert beat["recovered_from"]["version"] == "291.4" and beat["recovered_from"]["to"] == "291.3"
    # and the reboot that follows is no failed boot; it never asks for 291.4 again
    sim.reboot(host, now=110)
    for n in range(3):
        sim.desired_apply(host, offered, now=200 + n)
        sim.desired_apply(host, {**offered, **_recall_hold("291.4")}, now=300 + n)
        assert not host.pending and host.content["rapid_response"] == "291.3"
    assert sim.stats["left"] == 1


def test_it_leaves_the_recalled_version_it_runs_without_crashing_using_the_documents_fallback() -> None:
    # given a host that runs 291.4 without crashing (macOS) and kept no fallback with it
    sim = _sim(bad="rapid_response:291.4@windows")
    host = sim.fleet[0]
    host.platform = "macos"
    host.content["rapid_response"] = "291.4"
    # when the recall's hold reaches it with the document's fallback
    sim.desired_apply(
        host, {"content": {"rapid_response": "291.4"}, "fallback": FALLBACK, **_recall_hold("291.4")}, now=5
    )
    # then it leaves 291.4 for the fallback at once
    assert host.content["rapid_response"] == "291.3" and sim.stats["left"] == 1
    assert sim.heartbeat(host)["recovered_from"]["to"] == "291.3"  # type: ignore[index]


def test_it_keeps_a_host_not_on_the_recalled_version_frozen_and_drops_its_pending_download() -> None:
    # given a host on 291.3 that was offered 291.4 and scheduled it, but has not installed it yet
    sim = _sim()
    host = sim.fleet[0]
    offered = {"content": {"rapid_response": "291.4"}, "fallback": FALLBACK}
    sim.desired_apply(host, offered, now=0)
    assert host.pending["content:rapid_response"][1] == "291.4"
    # when the recall's hold reaches it
    sim.desired_apply(host, {**offered, **_recall_hold("291.4")}, now=1)
    sim.step(host, now=10_000)
    # then it stays on 291.3: nothing to leave, nothing to take (frozen), and 291.4 never loads
    assert host.content["rapid_response"] == "291.3" and not host.pending and not host.loading
    assert sim.stats["left"] == 0 and sim.stats["crashes"] == 0
    # and another version the document names stays frozen too while the hold stands
    sim.desired_apply(
        host, {**offered, "content": {"rapid_response": "291.5"}, **_recall_hold("291.4")}, now=2
    )
    assert not host.pending


def test_it_keeps_looping_under_the_recall_hold_when_no_fallback_was_named() -> None:
    # given a host looping on 291.4, taken without a fallback named
    sim = _sim()
    host = sim.fleet[0]
    sim.desired_apply(host, {"content": {"rapid_response": "291.4"}}, now=0)
    sim.step(host, now=100)
    sim.heartbeat(host)
    # when the recall's hold names 291.4 to leave, and still no fallback
    for n in range(5):
        sim.desired_apply(
            host, {"content": {"rapid_response": "291.4"}, **_recall_hold("291.4")}, now=130 + n
        )
        sim.reboot(host, now=130 + n)
    # then today's behaviour: it loops, silent, until the edge serves a fix
    assert host.loading == {"rapid_response": "291.4"} and host.state == "boot_loop"
    assert sim.stats["left"] == 0 and sim.stats["reverted"] == 0


def test_it_asks_the_edge_at_its_reboot_cadence_for_the_rules_window_after_a_change() -> None:
    # given two healthy hosts on a 20-minute poll: one takes a change that named a fallback, the
    # other one that named none
    sim = _sim(bad="rapid_response:999.9", hosts=2)
    watched, plain = sim.fleet
    sim.poll_period = 1_200.0  # the 100,000-host replay's: heartbeats every 120 s, a poll every 10
    sim.desired_apply(watched, {"content": {"rapid_response": "291.4"}, "fallback": FALLBACK}, now=0)
    sim.desired_apply(plain, {"content": {"rapid_response": "291.4"}}, now=0)
    sim.step(watched, now=1_000)
    sim.step(plain, now=1_000)
    # when each plans its next poll, now and past the rule's window
    poll_period = sim.poll_period
    soon = [sim.poll_next(watched, 1_000) - 1_000 for _ in range(3)]
    later = sim.poll_next(watched, 1_000 + 601 / sim.config.accelerate) - (
        1_000 + 601 / sim.config.accelerate
    )
    # then the watched host asks within minutes (spacing out), the other at its regular period
    assert all(gap <= 4 * sim.real_minute for gap in soon) and max(soon) < poll_period
    assert later >= 0.9 * poll_period
    assert sim.poll_next(plain, 1_000) - 1_000 >= 0.9 * poll_period


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_flush")
def test_it_leaves_a_recalled_version_through_the_real_edge_before_the_recompute(
    asgi_server: str, pipeline_token: str
) -> None:
    # given a tenant on default policies offered 291.4 (which crashes Windows), fallback 291.3, and
    # two Windows hosts on 291.3: one takes it and loops, the other has not polled yet
    catalog = rollout_catalog(lines=("7.10", "7.11"), platforms=("windows",))
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    content_release(catalog["rapid_response"], "291.4", hours_ago=2)
    tenant = TenantFactory()
    policy_defaults_ensure(tenant=tenant, actor=Actor.system("test"))
    rows = [
        host_with_credential(tenant, sensor_build="7.11.200", content_versions={"rapid_response": "291.3"})
        for _ in range(2)
    ]
    desired_state_recompute(tenant.pk)
    desired_state_publish(tenant.pk)
    sim = _sim(hosts=2, url=asgi_server, token=pipeline_token)
    looping, waiting = sim.fleet
    for sim_host, (db_host, secret) in zip(sim.fleet, rows, strict=True):
        sim_host.agent_id, sim_host.credential, sim_host.platform = db_host.pk, secret, "windows"
        sim_host.content, sim_host.sensor_build = dict(db_host.content_versions), db_host.sensor_build
    release = ContentRelease.objects.get(category__key="rapid_response", version="291.4")

    async def poll(host: Any) -> dict[str, Any]:
        pool = HttpPool(asgi_server, size=1)
        try:
            await sim.poll(pool, host)
            response = await pool.get(
                "/edge/v1/desired-state", {"Authorization": f"Host {host.agent_id}:{host.credential}"}
            )
            return dict(response.json())
        finally:
            await pool.close()

    run_async(poll(looping))
    sim.step(looping, time.monotonic() + 3600)
    assert looping.loading == {"rapid_response": "291.4"}
    # when the recall's stop commits (its first step: the hold goes out before any recompute)
    with transaction.atomic():
        release_stop_record(tenant.pk, release, "crashes Windows", None)
    # and the looping host reboots and asks the edge
    served = run_async(poll(looping))
    # then the edge still offers 291.4 (no recompute has landed) with the hold leaving it ...
    assert served["content"]["rapid_response"] == "291.4"
    assert served["holds"][0]["leave"] == ["291.4"] and served["frozen"]["content"] == ["rapid_response"]
    # ... and the host left it for its known-good by itself, and reports it
    assert not looping.loading and looping.content["rapid_response"] == "291.3"
    assert sim.stats["left"] == 1 and sim.stats["reverted"] == 0
    beat = sim.heartbeat(looping)
    assert beat is not None and beat["recovered_from"]["to"] == "291.3"
    # and the host that never took 291.4 stays frozen on 291.3: nothing scheduled, nothing left
    run_async(poll(waiting))
    assert waiting.content["rapid_response"] == "291.3" and not waiting.pending and not waiting.loading
    assert sim.stats["left"] == 1

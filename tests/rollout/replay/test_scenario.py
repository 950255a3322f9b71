"""The incident replay in fast mode: a small fleet, the real web server, worker, beat and simulator
(started by the command itself, as subprocesses on the test database), reports exposure and halt."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from console.access import Actor
from console.models import Tenant
from telemetry.models import Host
from tests.conftest import BASE_DIR, ManagedProcess, child_env, wait_for
from tests.factories import content_release, rollout_catalog
from tests.telemetry.conftest import outside_event_loop


@pytest.mark.timeout(1200)  # as long as the command may run (a loaded machine)
@pytest.mark.django_db(transaction=True)
def test_it_replays_the_incident_and_reports_exposure_and_halt(redis_flush: Any) -> None:
    # given / when: 2,000 simulated hosts in 20 tenants with default policies and rings
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "replay_incident", "--json", "--hosts", "2000",
         "--tenants", "20", "--accelerate", "2", "--observe", "20"],
        env=child_env(),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # then: the bad release reached only part of the canary ring, was recalled, and the halt served
    assert report["hosts"] == 2000 and report["tenants"] == 20
    assert report["release_stage_at_end"] == "recalled"
    assert 0 < report["exposed_hosts"] <= 0.02 * report["hosts"]
    assert report["exposed_fraction"] == round(report["exposed_hosts"] / 2000, 5)
    assert report["seconds_first_crash_to_halt_served"] >= 0
    assert report["probe_hosts"] >= 1
    assert report["time_acceleration_used"] is True
    assert {"recovered_hosts", "hosts_on_known_good_at_end", "s1_met", "s1_hold_served_met"} <= set(report)
    hold_served = report["seconds_first_crash_to_hold_served"]
    assert hold_served is None or hold_served >= 0
    # and: every stop of the bad release has its timeline, its hold published before any recompute
    stops = report["stop_timeline"]["stops"]
    assert stops and all(s["committed"] is not None and s["hold_published"] is not None for s in stops)
    assert 0 <= report["recovered_fraction"] <= 1 and report["recovery_window_s"] == 300
    assert report["self_reverted_hosts"] <= report["exposed_hosts"]


def test_it_takes_a_healthy_release_to_every_host_without_a_halt(redis_flush: Any) -> None:
    # given / when: a good release to 400 hosts in 2 tenants where 1 % of hosts crash once for
    # unrelated reasons after the update (5x the default background, so some surely do)
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "replay_incident", "--json", "--healthy", "--hosts",
         "400", "--tenants", "2", "--accelerate", "2", "--soak-minutes", "0", "--background-crash-rate",
         "0.01", "--healthy-timeout", "600"],
        env=child_env(),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # then: every rollout completed, nothing halted, every host runs the release
    assert report["mode"] == "healthy" and report["hosts"] == 400
    assert report["false_halts"] == 0, report["halt_reasons"]
    assert report["rollout_states"] == {"completed": 2}
    assert report["reached_100"] is True and report["fraction_on_release"] == 1.0
    assert report["release_stage_at_end"] == "ga"


def _simulate(url: str, credentials: Any, *extra: str) -> ManagedProcess:
    """simulate_fleet against ``url``: 30 hosts in acme and globex, 1 s heartbeats, a regular poll
    only every 60 s (so only the reboot windows and the back-off can bring a host news sooner)."""
    return ManagedProcess(
        [sys.executable, "manage.py", "simulate_fleet", "--hosts", "30", "--url", url, "--interval", "1",
         "--poll-every", "60", "--seed", "5", "--credentials-file", str(credentials), "--duration", "120",
         *extra],
        child_env(),
        "simulate_fleet",
    )  # fmt: skip


def _demo_tenants_on_default_policies(*versions: str) -> list[Any]:
    from console.demo import seed_console
    from rollout.policies.defaults import policy_defaults_ensure
    from telemetry.demo import seed

    outside_event_loop(lambda: seed(seed_console()))
    catalog = rollout_catalog()
    for n, version in enumerate(versions):
        content_release(catalog["rapid_response"], version, hours_ago=100 - n)
    tenants = list(Tenant.objects.filter(slug__in=["acme", "globex"]))
    for tenant in tenants:
        policy_defaults_ensure(tenant=tenant, actor=Actor.system("test"))
    return tenants


def _reported() -> dict[str, tuple[str, str]]:
    """host id -> (status, rapid_response version) as the console knows it after a flush."""
    from telemetry.ingest import heartbeats_flush

    outside_event_loop(heartbeats_flush)
    return {
        str(pk): (status, versions.get("rapid_response", ""))
        for pk, status, versions in Host.objects.values_list("pk", "status", "content_versions")
    }


@pytest.mark.usefixtures("redis_flush")
def test_it_brings_boot_looping_simulated_hosts_back_on_the_known_good_the_edge_offers(
    asgi_server: str, tmp_path: Any
) -> None:
    from rollout.desired.publish import desired_state_publish_now
    from telemetry.models import CrashEvent

    # given: the demo tenants on default policies (GA rapid_response 291.3, what the hosts run), and
    # 30 simulated hosts handed content 291.9 that crashes every platform, before any desired state
    tenants = _demo_tenants_on_default_policies("291.3")
    sim = _simulate(
        asgi_server, tmp_path / "credentials.json", "--offer", "rapid_response:291.9", "--bad-content",
        "rapid_response:291.9",
    )  # fmt: skip
    try:
        wait_for(lambda: len(_reported()) == 30, what="enrolment")
        wait_for(
            lambda: _reported() and CrashEvent.objects.filter(content_version="291.9").count() >= 5,
            what="crash reports",
        )
        looping = {h for h, (status, _) in _reported().items() if status in ("crashed", "boot_loop")}
        assert looping and all(version == "291.3" for _, version in _reported().values())
        # when: the edge offers them the known-good version, the very one they report running
        for tenant in tenants:
            desired_state_publish_now(tenant.pk)

        # then: each boot-looping host takes it in a window between reboots and reports again
        def recovered() -> bool:
            now = _reported()
            return all(now[h] in (("recovering", "291.3"), ("online", "291.3")) for h in looping)

        wait_for(recovered, timeout=60, what="looping hosts recovered")
    finally:
        sim.stop()
    assert "Traceback" not in sim.log_path.read_text(), sim.log_path.read_text()[-4000:]


@pytest.mark.usefixtures("redis_flush")
def test_it_picks_up_desired_state_seconds_after_the_edge_first_answers(
    asgi_server: str, tmp_path: Any
) -> None:
    from rollout.desired.publish import desired_state_publish_now

    # given: a newer GA content release, and simulated hosts that asked the edge as they enrolled
    # and found no desired state (404), still on 291.3 and reporting
    tenants = _demo_tenants_on_default_policies("291.3", "291.5")
    sim = _simulate(asgi_server, tmp_path / "credentials.json")
    try:
        wait_for(
            lambda: len(_reported()) == 30 and not Host.objects.filter(last_seen_at__isnull=True).exists(),
            what="reports",
        )
        assert {version for _, version in _reported().values()} == {"291.3"}
        # when: the desired state is published
        for tenant in tenants:
            desired_state_publish_now(tenant.pk)
        # then: every host takes 291.5 long before its regular poll 60 s later (a bounded back-off)
        wait_for(
            lambda: {version for _, version in _reported().values()} == {"291.5"},
            timeout=40,
            what="every host on 291.5",
        )
    finally:
        sim.stop()

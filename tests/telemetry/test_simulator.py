"""The fleet simulator: its pure parts, and a short real run against the ASGI server."""

from __future__ import annotations

import subprocess
import sys

import pytest

from telemetry.recovery import RETRY_CAP_SECONDS
from telemetry.simulator import (
    FleetSimulator,
    SimulatorConfig,
    bad_content_parse,
    content_is_bad,
    fleet_generate,
    retry_delay,
)
from tests.conftest import BASE_DIR, child_env
from tests.telemetry.conftest import outside_event_loop


def test_it_parses_bad_content_marks() -> None:
    mark = bad_content_parse("rapid_response:291.4@windows")
    assert (mark.category, mark.version, mark.platforms) == (
        "rapid_response",
        "291.4",
        frozenset({"windows"}),
    )
    assert bad_content_parse("rapid_response:291.4").platforms == frozenset({"windows", "macos", "linux"})
    assert content_is_bad([mark], "windows", "rapid_response", "291.4")
    assert not content_is_bad([mark], "linux", "rapid_response", "291.4")
    for spec in ("rapid_response", "rapid_response:291.4@beos", ":1"):
        with pytest.raises(ValueError, match="bad content"):
            bad_content_parse(spec)


def test_it_generates_the_same_realistic_fleet_for_the_same_seed() -> None:
    fleet = fleet_generate(500, ["acme", "globex"], seed=7)
    again = fleet_generate(500, ["acme", "globex"], seed=7)
    assert [h.agent_id for h in fleet] == [h.agent_id for h in again]
    assert {h.tenant for h in fleet} == {"acme", "globex"}
    platforms = [h.platform for h in fleet]
    assert platforms.count("windows") > platforms.count("macos") > 0 and platforms.count("linux") > 0
    assert len({h.site for h in fleet}) > 3 and any(h.tags for h in fleet)


def test_it_follows_desired_state_unless_frozen_and_loops_on_bad_content() -> None:
    config = SimulatorConfig(
        url="http://x",
        pipeline_token="t",
        enrolment_tokens={"acme": "e"},
        hosts=1,
        bad_content=[bad_content_parse("rapid_response:291.4@" + "windows,macos,linux")],
        crash_report_chance=1.0,
    )
    sim = FleetSimulator(config)
    host = sim.fleet[0]
    # a paused, frozen category is not taken; the sensor build is
    sim.desired_apply(
        host,
        {
            "sensor_build": "7.11.99999",
            "content": {"rapid_response": "291.4"},
            "paused": True,
            "frozen": {"content": ["rapid_response"], "sensor_build": False},
        },
        now=0,
    )
    assert set(host.pending) == {"sensor_build"}
    # once the hold is gone, the bad content is taken and the host crashes, reports once, then is silent
    sim.desired_apply(host, {"content": {"rapid_response": "291.4"}}, now=0)
    sim.step(host, now=10_000)
    assert host.sensor_build == "7.11.99999" and host.state == "crashed"
    beat = sim.heartbeat(host)
    assert (
        beat is not None and beat["status"] == "crashed" and beat["crashes"][0]["content_version"] == "291.4"
    )
    assert beat["content_versions"]["rapid_response"] == "291.3"
    assert sim.heartbeat(host) is None
    # the same bad version again changes nothing; a fix brings it back through recovering
    sim.desired_apply(host, {"content": {"rapid_response": "291.4"}}, now=0)
    assert not host.pending
    sim.desired_apply(host, {"content": {"rapid_response": "291.5"}}, now=0)
    sim.step(host, now=20_000)
    assert host.state == "recovering"
    assert sim.heartbeat(host)["status"] == "recovering"  # type: ignore[index]


def test_it_takes_the_known_good_offer_while_boot_looping_on_bad_content() -> None:
    # given: a host that loaded bad 291.4, crashed, reported it, and now loops reporting 291.3
    config = SimulatorConfig(
        url="http://x",
        pipeline_token="t",
        enrolment_tokens={"acme": "e"},
        hosts=1,
        bad_content=[bad_content_parse("rapid_response:291.4")],
        crash_report_chance=1.0,
    )
    sim = FleetSimulator(config)
    host = sim.fleet[0]
    sim.desired_apply(host, {"content": {"rapid_response": "291.4"}}, now=0)
    sim.step(host, now=10_000)
    assert sim.heartbeat(host)["content_versions"]["rapid_response"] == "291.3"  # type: ignore[index]
    assert host.state == "boot_loop" and sim.heartbeat(host) is None
    # when: the recall offers 291.3, the version it reports (the bad file is what is on its disk)
    sim.desired_apply(host, {"content": {"rapid_response": "291.3"}}, now=10_000)
    assert host.pending["content:rapid_response"][1] == "291.3"
    sim.step(host, now=20_000)
    # then: it recovers on the known-good version and reports again
    assert not host.loading and host.content["rapid_response"] == "291.3"
    beat = sim.heartbeat(host)
    assert beat is not None and beat["status"] == "recovering"
    # and a host that never crashed is not sent to reinstall what it runs
    healthy = FleetSimulator(config).fleet[0]
    sim.desired_apply(healthy, {"content": {"rapid_response": "291.3"}}, now=0)
    assert not healthy.pending


def test_it_backs_off_briefly_boundedly_and_with_jitter_when_no_edge_answers() -> None:
    sim = FleetSimulator(SimulatorConfig(url="http://x", pipeline_token="t", enrolment_tokens={"a": "e"}))
    rng = sim.rng
    # the first retry comes within a second, later ones double up to the cap, never beyond it
    assert 0.5 <= retry_delay(1, 360, rng) <= 1.0
    assert 2.0 <= retry_delay(3, 360, rng) <= 4.0
    delays = [retry_delay(n, 360, rng) for n in range(1, 200)]
    assert max(delays) <= RETRY_CAP_SECONDS and min(delays[10:]) >= RETRY_CAP_SECONDS / 2
    assert len({round(d, 6) for d in delays[10:]}) > 100  # jittered: the fleet does not retry in step
    # never later than the host's regular poll would have been
    assert all(retry_delay(n, 5, rng) <= 5 for n in range(1, 50))
    # a host whose polls go unanswered asks again after the back-off, not its regular poll period
    host = sim.fleet[0]
    host.poll_failures = 2
    assert sim.poll_next(host, now=100.0) <= 102.0 < 100.0 + sim.poll_period * 0.9
    host.poll_failures = 0
    assert sim.poll_next(host, now=100.0) >= 100.0 + sim.poll_period * 0.9


@pytest.mark.usefixtures("redis_flush")
def test_it_enrols_reports_and_crashes_a_small_fleet_through_the_real_api(asgi_server: str, tmp_path) -> None:
    from console.demo import seed_console
    from telemetry.demo import seed
    from telemetry.ingest import heartbeats_flush
    from telemetry.models import CrashEvent, Host

    # given the demo tenants, pipeline client and enrolment tokens
    outside_event_loop(lambda: seed(seed_console()))
    credentials = tmp_path / "credentials.json"

    def simulate(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable,
                "manage.py",
                "simulate_fleet",
                "--hosts",
                "40",
                "--url",
                asgi_server,
                "--interval",
                "1",
                "--seed",
                "3",
                "--credentials-file",
                str(credentials),
                *extra,
            ],
            cwd=BASE_DIR,
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=180,
        )

    # when 40 hosts run for a few seconds with content 291.4 offered and marked bad on Windows
    result = simulate(
        "--duration", "6", "--offer", "rapid_response:291.4", "--bad-content", "rapid_response:291.4@windows"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    outside_event_loop(heartbeats_flush)
    # then every host enrolled into acme or globex
    hosts = list(Host.objects.select_related("tenant"))
    assert len(hosts) == 40
    assert {h.tenant.slug for h in hosts} == {"acme", "globex"}
    windows = [h for h in hosts if h.platform == "windows"]
    others = [h for h in hosts if h.platform != "windows"]
    assert windows and others
    assert all(h.last_seen_at is not None for h in others), result.stdout
    # and Windows hosts crashed on 291.4 (some before they could ever report) while the others run it
    assert all(h.content_versions["rapid_response"] == "291.4" for h in others)
    assert all(h.content_versions["rapid_response"] == "291.3" for h in windows)
    crashed = set(CrashEvent.objects.values_list("host_id", flat=True))
    assert crashed and crashed <= {h.pk for h in windows}
    assert {h.status for h in windows if h.pk in crashed} <= {"crashed", "boot_loop"}
    assert "enrolled 40 hosts" in result.stdout
    # when the simulator restarts, its hosts keep their credentials instead of enrolling again
    again = simulate("--duration", "2")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "enrolled 0 hosts (40 kept their credentials)" in again.stdout
    assert Host.objects.count() == 40

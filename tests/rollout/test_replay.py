"""The incident replay in fast mode: a small fleet, the real web server, worker, beat and simulator
(started by the command itself, as subprocesses on the test database), reports exposure and halt."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import BASE_DIR, child_env


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
    assert {"recovered_hosts", "hosts_on_known_good_at_end", "s1_met"} <= set(report)

"""Celery wiring for production: beat proves it is alive by touching a heartbeat file every tick
(the beat container's health check reads its age)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ManagedProcess, child_env, wait_for


def test_it_touches_the_beat_heartbeat_file_while_beat_runs(tmp_path: Path, redis_flush: None) -> None:
    # given a real beat process told where its heartbeat file is
    heartbeat = tmp_path / "beat-heartbeat"
    celery = str(Path(sys.executable).parent / "celery")
    beat = ManagedProcess(
        [celery, "-A", "console", "beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "schedule")],
        child_env(CONSOLE_BEAT_HEARTBEAT_FILE=str(heartbeat), AUDIT_ANCHOR_DIR=str(tmp_path / "anchors")),
        "beat-heartbeat",
    )
    try:
        # when it has ticked, and ticks again
        wait_for(heartbeat.exists, timeout=60, what="first beat heartbeat")
        first = heartbeat.stat().st_mtime
        wait_for(lambda: heartbeat.stat().st_mtime > first, timeout=60, what="a later heartbeat")
        # then the file stays fresh while beat lives
        assert time.time() - heartbeat.stat().st_mtime < 60
    finally:
        beat.stop()
    if beat.proc.returncode not in (0, -15):
        pytest.fail(f"beat exited badly:\n{beat.output()}")

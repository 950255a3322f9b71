"""``bench.report``: every figure carries the machine's load; a figure from nothing fails loudly."""

from __future__ import annotations

import json
import math
import os

import pytest

from bench import report


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_it_records_the_load_and_cpu_count_at_start_and_end(capsys: pytest.CaptureFixture[str]) -> None:
    # given
    report.bench_begin()
    # when
    report.emit("X1", "thing_per_second", 12.5, "1/s", 10.0, "more", samples=3)
    # then
    (line,) = _lines(capsys)
    assert line["value"] == 12.5 and line["ratio"] == 1.25 and line["samples"] == 3
    assert line["cpus"] == report.cpu_count() >= 1
    assert line["load_start"] >= 0 and line["load_end"] >= 0
    assert line["noisy"] == (max(line["load_start"], line["load_end"]) > line["cpus"])


def test_it_marks_a_figure_noisy_when_the_load_is_above_the_cpu_count(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a machine whose load is above its core count (the OS reading, not our stack)
    monkeypatch.setattr(os, "getloadavg", lambda: (report.cpu_count() + 1.5, 0.0, 0.0))
    report.bench_begin()
    # when
    report.emit("X1", "thing", 1.0, "ms", None, "fast", samples=1)
    # then
    (line,) = _lines(capsys)
    assert line["noisy"] is True
    assert line["load_start"] == line["load_end"] == round(report.cpu_count() + 1.5, 2)


@pytest.mark.parametrize(
    ("value", "baseline", "extra"),
    [
        (0.0, None, {"rows": 0}),
        (5.0, None, {"samples": 0}),
        (math.nan, None, {}),
        (math.inf, None, {"samples": 4}),
        (7.5, math.nan, {"samples": 4}),  # P4 once printed a figure against a baseline of no probes
    ],
)
def test_it_fails_loudly_when_nothing_was_measured(
    capsys: pytest.CaptureFixture[str], value: float, baseline: float | None, extra: dict
) -> None:
    # given / when
    with pytest.raises(report.NothingMeasured):
        report.emit("P1-flush", "heartbeat_flush_rows_per_second", value, "rows/s", baseline, "t", **extra)
    # then: an error line, and no figure
    (line,) = _lines(capsys)
    assert "measured nothing" in line["error"]
    assert "value" not in line

"""S2 (the statistical gate): false halts of healthy rollouts, detection of bad ones and the simulated
minutes to a verdict, from ``rollout.rings.simulation`` (the product's own gate functions). Each line's
baseline is the thresholds-only gate on the same seeds. Simulated time: the wall clock says nothing."""

from __future__ import annotations

from typing import Any

from bench.report import emit
from rollout.rings.simulation import gate_figures

HEALTHY_RUNS = 1000  # per healthy scenario: 3 scenarios
BAD_RUNS = 100  # per bad scenario: 17 scenarios


def _name(f: dict[str, Any]) -> str:
    background = float(f["background_crash_per_hour"])
    return f"{f['scenario']}, ring {f['ring_hosts']}, background {background:.1%}/h"


def main() -> None:
    figures = gate_figures(healthy_runs=HEALTHY_RUNS, bad_runs=BAD_RUNS)
    by_key = {(f["scenario"], f["ring_hosts"], f["background_crash_per_hour"], f["mode"]): f for f in figures}
    healthy_runs = 0
    healthy_halts = 0.0
    healthy_stat_halts = 0.0
    for f in figures:
        if f["mode"] != "statistical":
            continue
        base = by_key[(f["scenario"], f["ring_hosts"], f["background_crash_per_hour"], "thresholds")]
        extra = {
            "samples": f["runs"],
            "ring_hosts": f["ring_hosts"],
            "control_hosts": f["control_hosts"],
            "halted_by_statistics": f["halted_by_statistics"],
            "passed": f["passed"],
            "inconclusive": f["inconclusive"],
            "minutes_to_halt": f["minutes_to_halt"],
            "minutes_to_pass": f["minutes_to_pass"],
            "thresholds_only": {k: base[k] for k in ("halted", "minutes_to_halt", "minutes_to_pass")},
        }
        if f["role"] == "healthy":
            healthy_runs += int(f["runs"])
            healthy_halts += float(f["halted"]) * int(f["runs"])
            healthy_stat_halts += float(f["halted_by_statistics"]) * int(f["runs"])
            emit(
                "S2",
                f"false-halt rate, {_name(f)}",
                float(f["halted"]),
                "fraction",
                float(base["halted"]),
                "<= 0.001",
                **extra,
            )
        else:
            target = (
                "caught within 10 simulated minutes"
                if f["bad_rate"] >= 0.05 and f["ring_hosts"] == 1000
                else ""
            )
            emit(
                "S2",
                f"detection rate, {_name(f)}",
                float(f["halted"]),
                "fraction",
                float(base["halted"]),
                target,
                **extra,
            )
    emit(
        "S2",
        "false-halt rate, all healthy rollouts",
        healthy_halts / healthy_runs,
        "fraction",
        None,
        "<= 0.001",
        samples=healthy_runs,
        halted_by_statistics=healthy_stat_halts / healthy_runs,
    )

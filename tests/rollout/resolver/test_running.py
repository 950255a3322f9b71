"""Never backward, in the pure resolver (DESIGN section 4 rule 2): only a rollback (a fast-tracked ring
state, an explicit pin) or a recall (recalled or invalid release, withdrawn build) moves a host below
what it runs; every other rule keeps what it runs (``keep_running``). No database."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from rollout import resolver as rv
from rollout.resolver.running import older
from tests.rollout.resolver.test_resolve import CATEGORIES, T0, states, times


@st.composite
def state_and_host(draw: st.DrawFn) -> tuple[rv.TenantState, rv.HostFacts]:
    """A tenant state and a host running versions of its catalog (or unknown ones), with ring states
    that are not rollbacks."""
    state = draw(states())
    platform = draw(st.sampled_from(["windows", "macos", "linux"]))
    builds = [b.version for b in state.catalog.builds if b.platform == platform]
    build = draw(st.sampled_from([*builds, "", "7.99.1"]))
    content = {
        c: draw(st.sampled_from([*(r.version for r in state.catalog.releases if r.category == c), "", "1.1"]))
        for c in CATEGORIES
    }
    subjects = [f"content:{c}" for c in CATEGORIES] + [f"sensor:{platform}@{b}" for b in builds]
    versions = [None, *builds, *(r.version for r in state.catalog.releases)]
    rings = draw(
        st.dictionaries(
            st.sampled_from(subjects),
            st.builds(rv.RingState, st.sampled_from(versions), st.sampled_from(["canary", "broad"])),
            max_size=3,
        )
    )
    host = rv.HostFacts("h", platform, build, content, frozenset(), ring_states=rings)
    return state, host


def _offered_build(state: rv.TenantState, host: rv.HostFacts) -> bool:
    return any(
        b.platform == host.platform and b.version == host.sensor_build and b.stage != "withdrawn"
        for b in state.catalog.builds
    )


def _offered_release(state: rv.TenantState, category: str, version: str) -> bool:
    return any(
        r.category == category and r.version == version and r.valid and r.stage != "recalled"
        for r in state.catalog.releases
    )


@settings(max_examples=300, deadline=None)
@given(state_and_host(), times)
def test_it_never_moves_a_host_below_what_it_runs_but_by_a_pin(
    drawn: tuple[rv.TenantState, rv.HostFacts], at: datetime
) -> None:
    # given a state and a host that runs versions the catalog offers (or not)
    state, host = drawn
    # when it is resolved
    resolution = rv.resolve_host(state, host, at)
    # then no decision aims below an offered running version unless a pin names it
    if _offered_build(state, host) and older(resolution.sensor.target, host.sensor_build):
        assert resolution.sensor.rule == "pin", resolution.sensor
    for category, decision in resolution.content.items():
        running = host.content_versions.get(category, "")
        if _offered_release(state, category, running) and older(decision.target, running):
            assert decision.rule == "pin", decision
        if decision.rule == "keep_running":
            assert decision.target == running and "rollback or a recall" in decision.reason


def _staged_state() -> rv.TenantState:
    catalog = rv.Catalog(
        builds=tuple(
            rv.Build("windows", f"7.{line}.{patch}", "ga")
            for line in (11, 12, 13, 14)
            for patch in (100, 200)
        ),
        releases=(
            rv.Release("rapid_response", "291.3", "ga", True, ga_at=T0),
            rv.Release("rapid_response", "291.4", "ga", True, ga_at=T0),
        ),
        categories=(rv.Category("rapid_response"),),
    )
    return rv.TenantState(
        catalog,
        sensor_policies=(rv.SensorPolicy("s", "Default", "windows", "n-2", 10**6, True),),
        content_policies=(rv.ContentPolicy("c", "Default", "rapid_response", "ga", 10**6, True),),
    )


def test_it_keeps_a_held_n2_host_on_what_it_runs_while_a_new_line_is_staged() -> None:
    # given levels 7.14 / 7.13 / 7.12, the new N-2 (7.12.200) staged with known-good 7.11.200
    state = _staged_state()
    held = rv.RingState("7.11.200", "broad", "r", staged="7.12.200")
    rings = {"sensor:windows@7.12.200": held}
    on_new = rv.HostFacts("a", "windows", "7.12.200", ring_states=rings)
    on_old = rv.HostFacts("b", "windows", "7.11.200", ring_states=rings)
    behind = rv.HostFacts("c", "windows", "7.11.100", ring_states=rings)
    # when each is resolved
    told = {h.id: rv.resolve_sensor(state, h, T0) for h in (on_new, on_old, behind)}
    # then each keeps what it runs, or comes up to the known-good: nobody moves back
    assert (told["a"].target, told["a"].rule) == ("7.12.200", "keep_running")
    assert (told["b"].target, told["b"].rule) == ("7.11.200", "ring")
    assert (told["c"].target, told["c"].rule) == ("7.11.200", "ring")
    assert "not reached yet" in told["b"].reason and "7.12.200" in told["b"].reason


def test_it_moves_a_host_back_for_a_rollback_or_a_recall() -> None:
    # given hosts on 291.4 and a rolled-back rollout of it, or 291.4 recalled
    state = _staged_state()
    back = rv.RingState("291.3", "rolled back", "r", fast_track=True, staged="291.4")
    rolled_back = rv.HostFacts(
        "a", "windows", "7.12.200", {"rapid_response": "291.4"}, ring_states={"content:rapid_response": back}
    )
    recalled_state = rv.TenantState(
        rv.Catalog(
            builds=state.catalog.builds,
            releases=(
                rv.Release("rapid_response", "291.3", "ga", True, ga_at=T0),
                rv.Release("rapid_response", "291.4", "recalled", True, ga_at=T0),
            ),
        ),
        content_policies=state.content_policies,
    )
    on_recalled = rv.HostFacts("b", "windows", "7.12.200", {"rapid_response": "291.4"})
    # when they are resolved
    rollback = rv.resolve_content(state, rolled_back, "rapid_response", T0)
    recall = rv.resolve_content(recalled_state, on_recalled, "rapid_response", T0)
    # then both go back to 291.3
    assert (rollback.target, rollback.rule) == ("291.3", "ring") and "rolled back" in rollback.reason
    assert (recall.target, recall.rule) == ("291.3", "stage")


def test_it_keeps_a_newer_offered_version_a_policy_level_does_not_reach() -> None:
    # given an n-2 host already on N (7.14.200) and a ga host on 291.4 with a policy at ga+0 seeing 291.4
    state = _staged_state()
    host = rv.HostFacts("a", "windows", "7.14.200", {"rapid_response": "291.4"})
    # when resolved
    sensor = rv.resolve_sensor(state, host, T0)
    # then it keeps N: only a rollback or a recall moves a host back
    assert (sensor.target, sensor.desired, sensor.rule) == ("7.14.200", "7.12.200", "keep_running")
    assert "already runs 7.14.200" in sensor.reason

"""Properties of the pure resolver (Hypothesis) and its precedence: pause > freeze > pin > ring >
window > delay/stage. No database: dataclasses in, dataclasses out."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rollout import resolver as rv
from rollout.resolver.recurrence import Recurrence

T0 = datetime(2024, 7, 19, 4, 9, tzinfo=UTC)
PLATFORMS = ("windows", "macos", "linux")
GROUPS = ("g1", "g2", "g3")
CATEGORIES = ("rapid_response", "sensor_operations")

times = st.integers(min_value=-200, max_value=200).map(lambda h: T0 + timedelta(hours=h, minutes=17))


@st.composite
def builds(draw: st.DrawFn) -> tuple[rv.Build, ...]:
    out = []
    for platform in PLATFORMS:
        for minor in draw(st.sets(st.integers(5, 12), max_size=6)):
            for patch in draw(st.sets(st.integers(1, 400), min_size=1, max_size=3)):
                stage = draw(st.sampled_from(["ga", "ga", "early_adopter", "withdrawn"]))
                out.append(rv.Build(platform, f"7.{minor:02d}.{patch}", stage))
    return tuple(out)


@st.composite
def releases(draw: st.DrawFn) -> tuple[rv.Release, ...]:
    out = []
    for category in CATEGORIES:
        for n in draw(st.sets(st.integers(1, 60), max_size=5)):
            stage = draw(st.sampled_from(["internal", "canary", "early_access", "ga", "recalled"]))
            ga_at = (
                T0 + timedelta(hours=draw(st.integers(-150, 150))) if stage in ("ga", "recalled") else None
            )
            ea_at = (ga_at or T0) - timedelta(hours=draw(st.integers(0, 48))) if stage != "internal" else None
            out.append(
                rv.Release(
                    category,
                    f"291.{n}",
                    stage,
                    valid=draw(st.booleans()) or stage == "ga",
                    critical=draw(st.booleans()),
                    early_access_at=ea_at,
                    ga_at=ga_at,
                )
            )
    return tuple(out)


recurrences = st.builds(
    Recurrence,
    weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    start=st.builds(time, st.integers(0, 23), st.sampled_from([0, 30])),
    duration_minutes=st.integers(1, 1440),
    timezone=st.sampled_from(["UTC", "America/New_York", "Australia/Lord_Howe", "Europe/Berlin"]),
)


@st.composite
def states(draw: st.DrawFn) -> rv.TenantState:
    catalog = rv.Catalog(
        builds=draw(builds()),
        releases=draw(releases()),
        categories=(rv.Category("rapid_response"), rv.Category("sensor_operations", True, 24)),
    )
    versions = [b.version for b in catalog.builds] or ["7.01.1"]
    sensor_targets = st.sampled_from(["n", "n-1", "n-2", "off"]) | st.sampled_from(versions).map(
        lambda v: f"pinned:{v}"
    )
    content_versions = [r.version for r in catalog.releases] or ["1.1"]
    modes = (
        st.sampled_from(["early_access", "ga", "paused"])
        | st.integers(0, 72).map(lambda h: f"ga+{h}")
        | st.sampled_from(content_versions).map(lambda v: f"pinned:{v}")
    )
    windows = st.lists(st.builds(rv.Window, st.uuids().map(str), st.just("w"), recurrences), max_size=2).map(
        tuple
    )
    sensor = [rv.SensorPolicy(f"sd-{p}", "default", p, draw(sensor_targets), 10**6, True) for p in PLATFORMS]
    for i in range(draw(st.integers(0, 4))):
        sensor.append(
            rv.SensorPolicy(
                f"s{i}",
                f"s{i}",
                draw(st.sampled_from(PLATFORMS)),
                draw(sensor_targets),
                draw(st.integers(1, 5)),
                group_ids=draw(st.frozensets(st.sampled_from(GROUPS), min_size=1)),
                update_blocks=tuple(draw(st.lists(recurrences, max_size=1))),
            )
        )
    content = [
        rv.ContentPolicy(f"cd-{c}", "default", c, draw(modes), 10**6, True, windows=draw(windows))
        for c in CATEGORIES
    ]
    for i in range(draw(st.integers(0, 4))):
        content.append(
            rv.ContentPolicy(
                f"c{i}",
                f"c{i}",
                draw(st.sampled_from(CATEGORIES)),
                draw(modes),
                draw(st.integers(1, 5)),
                group_ids=draw(st.frozensets(st.sampled_from(GROUPS), min_size=1)),
                windows=draw(windows),
                critical_bypass_windows=draw(st.booleans()),
            )
        )
    freezes = tuple(
        rv.Freeze(f"f{i}", "freeze", start, start + timedelta(hours=draw(st.integers(1, 100))))
        for i, start in enumerate(draw(st.lists(times, max_size=2)))
    )
    pauses = tuple(
        rv.Pause(
            f"p{i}",
            scope,
            "pause",
            created,
            created + timedelta(hours=draw(st.integers(1, 100))) if draw(st.booleans()) else None,
            group_id=draw(st.sampled_from(GROUPS)),
            category=draw(st.sampled_from(CATEGORIES)),
        )
        for i, (scope, created) in enumerate(
            draw(
                st.lists(
                    st.tuples(st.sampled_from(["tenant", "host_group", "content_category", "sensor"]), times),
                    max_size=2,
                )
            )
        )
    )
    return rv.TenantState(
        catalog, tuple(sensor), tuple(content), freezes, pauses, {g: g.upper() for g in GROUPS}
    )


@st.composite
def hosts(draw: st.DrawFn) -> rv.HostFacts:
    return rv.HostFacts(
        id="h",
        platform=draw(st.sampled_from(PLATFORMS)),
        sensor_build=draw(st.sampled_from(["", "7.03.1", "7.10.5", "7.11.9"])),
        content_versions={c: draw(st.sampled_from(["291.1", "291.30", ""])) for c in CATEGORIES},
        group_ids=draw(st.frozensets(st.sampled_from(GROUPS))),
    )


def _policy(state: rv.TenantState, policy_id: str | None) -> rv.SensorPolicy | None:
    return next((p for p in state.sensor_policies if p.id == policy_id), None)


@settings(max_examples=200, deadline=None)
@given(states(), hosts(), times)
def test_it_never_resolves_a_relative_pin_outside_n_n1_n2_ga(
    state: rv.TenantState, host: rv.HostFacts, at: datetime
) -> None:
    decision = rv.resolve_sensor(state, host, at)
    policy = _policy(state, decision.policy_id)
    allowed = {b.version for b in rv.n_levels(state.catalog, host.platform)}
    assert all(
        b.stage == "ga" and b.platform == host.platform for b in rv.n_levels(state.catalog, host.platform)
    )
    assert len(allowed) <= 3
    if policy is not None and policy.target.startswith("n"):
        # a relative target either delivers one of N/N-1/N-2 (GA) or keeps what the host has
        assert decision.target in allowed | {host.sensor_build or None}
        if decision.target != (host.sensor_build or None):
            assert decision.target in allowed


@settings(max_examples=200, deadline=None)
@given(states(), hosts(), times, st.sampled_from(["tenant", "host_group", "sensor", "content_category"]))
def test_it_lets_a_pause_always_win(
    state: rv.TenantState, host: rv.HostFacts, at: datetime, scope: str
) -> None:
    # given an active pause of any scope that covers the host
    group = next(iter(host.group_ids), None)
    if scope == "host_group" and group is None:
        host = replace(host, group_ids=frozenset({"g1"}))
        group = "g1"
    pause = rv.Pause(
        "stop", scope, "incident", at - timedelta(minutes=5), None, group_id=group, category="rapid_response"
    )
    paused = replace(state, pauses=(*state.pauses, pause))
    result = rv.resolve_host(paused, host, at)
    # then no covered subject gets anything new: hosts keep what they have
    covered = [result.sensor] if scope in ("tenant", "host_group", "sensor") else []
    covered += [
        d
        for k, d in result.content.items()
        if scope != "sensor" and (scope != "content_category" or k == "rapid_response")
    ]
    for decision in covered:
        assert decision.target == decision.current, decision
        assert decision.rule in ("pause", "no_policy"), decision


@settings(max_examples=200, deadline=None)
@given(states(), hosts(), times)
def test_it_lets_a_freeze_beat_an_open_window(
    state: rv.TenantState, host: rv.HostFacts, at: datetime
) -> None:
    # given every content policy has a window open right now, and a freeze over now
    always = rv.Window("open", "always", Recurrence(frozenset(range(7)), time(0, 0), 1440, "UTC"))
    policies = tuple(replace(p, windows=(always,)) for p in state.content_policies)
    frozen = replace(
        state,
        content_policies=policies,
        freezes=(rv.Freeze("fz", "quarter end", at - timedelta(hours=1), at + timedelta(hours=1)),),
    )
    for category, decision in rv.resolve_host(frozen, host, at).content.items():
        # then nothing new arrives, whatever the window says (only a pause outranks the freeze)
        assert decision.target == decision.current, (category, decision)
        assert decision.rule in ("pause", "freeze"), decision


@settings(max_examples=200, deadline=None)
@given(states(), hosts(), times, st.integers(0, 72))
def test_it_never_delivers_ga_plus_h_before_ga_plus_h(
    state: rv.TenantState, host: rv.HostFacts, at: datetime, hours: int
) -> None:
    policies = tuple(replace(p, mode=f"ga+{hours}") for p in state.content_policies)
    delayed = replace(state, content_policies=policies, pauses=(), freezes=())
    for category, decision in rv.resolve_host(delayed, host, at).content.items():
        if decision.target is not None and decision.target != decision.current:
            release = next(
                r for r in delayed.catalog.releases if r.category == category and r.version == decision.target
            )
            assert release.stage == "ga" and release.valid
            assert release.ga_at is not None and release.ga_at + timedelta(hours=hours) <= at


@settings(max_examples=200, deadline=None)
@given(states(), hosts(), times, st.randoms(use_true_random=False))
def test_it_is_deterministic_for_a_state_and_a_time(
    state: rv.TenantState, host: rv.HostFacts, at: datetime, rnd: random.Random
) -> None:
    first = rv.resolve_host(state, host, at)
    shuffled = replace(
        state,
        sensor_policies=tuple(rnd.sample(state.sensor_policies, len(state.sensor_policies))),
        content_policies=tuple(rnd.sample(state.content_policies, len(state.content_policies))),
        pauses=tuple(rnd.sample(state.pauses, len(state.pauses))),
        freezes=tuple(rnd.sample(state.freezes, len(state.freezes))),
        catalog=replace(
            state.catalog, builds=tuple(rnd.sample(state.catalog.builds, len(state.catalog.builds)))
        ),
    )
    assert rv.resolve_host(state, host, at) == first
    assert rv.resolve_host(shuffled, host, at) == first


# --- examples of the precedence ------------------------------------------------------------------


def _simple_state(**overrides: object) -> rv.TenantState:
    catalog = rv.Catalog(
        builds=(
            rv.Build("windows", "7.09.1", "ga"),
            rv.Build("windows", "7.10.4", "ga"),
            rv.Build("windows", "7.11.2", "ga"),
        ),
        releases=(
            rv.Release("rapid_response", "291.3", "ga", True, ga_at=T0 - timedelta(hours=30)),
            rv.Release("rapid_response", "291.4", "ga", True, ga_at=T0 - timedelta(hours=2)),
        ),
        categories=(rv.Category("rapid_response"),),
    )
    state = rv.TenantState(
        catalog,
        sensor_policies=(
            rv.SensorPolicy("sd", "Default", "windows", "n-1", 10**6, True),
            rv.SensorPolicy("canary", "Canary", "windows", "n", 1, group_ids=frozenset({"g1"})),
        ),
        content_policies=(rv.ContentPolicy("cd", "Default", "rapid_response", "ga+24", 10**6, True),),
        group_names={"g1": "canaries"},
    )
    return replace(state, **overrides)  # type: ignore[arg-type]


def test_it_explains_the_group_policy_and_the_default() -> None:
    state = _simple_state()
    canary = rv.HostFacts("h1", "windows", "7.10.4", {"rapid_response": "291.3"}, frozenset({"g1"}))
    plain = rv.HostFacts("h2", "windows", "7.10.4", {"rapid_response": "291.3"})
    sensor = rv.resolve_sensor(state, canary, T0)
    assert (sensor.target, sensor.rule, sensor.group_name, sensor.policy_name) == (
        "7.11.2",
        "stage",
        "canaries",
        "Canary",
    )
    assert "n = 7.11.2" in sensor.reason
    assert rv.resolve_sensor(state, plain, T0).target == "7.10.4"
    content = rv.resolve_content(state, plain, "rapid_response", T0)
    # ga+24: 291.4 went GA 2 h ago, so the host gets 291.3
    assert (content.target, content.rule) == ("291.3", "delay")


def test_it_puts_a_pin_above_the_ring_state_and_the_ring_above_the_stage() -> None:
    state = _simple_state()
    ring = rv.RingState(allowed_version="291.3", ring="canary")
    host = rv.HostFacts(
        "h", "windows", "7.10.4", {"rapid_response": "291.1"}, ring_states={"content:rapid_response": ring}
    )
    staged = replace(
        state, content_policies=(rv.ContentPolicy("cd", "Default", "rapid_response", "ga", 10**6, True),)
    )
    assert rv.resolve_content(staged, host, "rapid_response", T0).rule == "ring"
    assert rv.resolve_content(staged, host, "rapid_response", T0).target == "291.3"
    pinned = replace(
        state,
        content_policies=(rv.ContentPolicy("cd", "Default", "rapid_response", "pinned:291.4", 10**6, True),),
    )
    decision = rv.resolve_content(pinned, host, "rapid_response", T0)
    assert (decision.target, decision.rule) == ("291.4", "pin")


def test_it_lets_critical_content_bypass_a_closed_window_only_when_allowed() -> None:
    closed = rv.Window(
        "w", "Sunday night", Recurrence(frozenset({6}), time(1, 0), 60, "UTC")
    )  # T0 is a Friday
    critical = rv.Release("rapid_response", "291.9", "ga", True, critical=True, ga_at=T0 - timedelta(hours=1))
    base = _simple_state()
    state = replace(base, catalog=replace(base.catalog, releases=(critical,)))
    host = rv.HostFacts("h", "windows", "7.10.4", {"rapid_response": "291.1"})
    for bypass, expected in ((True, "291.9"), (False, "291.1")):
        policy = rv.ContentPolicy(
            "cd",
            "Default",
            "rapid_response",
            "ga",
            10**6,
            True,
            windows=(closed,),
            critical_bypass_windows=bypass,
        )
        decision = rv.resolve_content(replace(state, content_policies=(policy,)), host, "rapid_response", T0)
        assert decision.target == expected, decision
    assert "next window 'Sunday night' opens 2024-07-21 01:00 UTC" in decision.reason


def test_it_caps_a_pause_of_a_system_critical_category() -> None:
    ops = rv.Category("sensor_operations", system_critical=True, max_pause_hours=24)
    release = rv.Release("sensor_operations", "5.1", "ga", True, ga_at=T0 - timedelta(days=3))
    state = rv.TenantState(
        rv.Catalog(releases=(release,), categories=(ops,)),
        content_policies=(rv.ContentPolicy("cd", "Default", "sensor_operations", "ga", 10**6, True),),
        pauses=(rv.Pause("p", "tenant", "incident", T0, None),),
    )
    host = rv.HostFacts("h", "windows", "7.10.4", {"sensor_operations": "5.0"})
    assert rv.resolve_content(state, host, "sensor_operations", T0 + timedelta(hours=23)).target == "5.0"
    assert rv.resolve_content(state, host, "sensor_operations", T0 + timedelta(hours=24)).target == "5.1"


def test_it_lets_only_critical_content_through_a_freeze_with_an_approved_bypass() -> None:
    normal = rv.Release("rapid_response", "291.5", "ga", True, ga_at=T0 - timedelta(hours=3))
    critical = rv.Release("rapid_response", "291.6", "ga", True, critical=True, ga_at=T0 - timedelta(hours=1))
    base = _simple_state()
    freeze = rv.Freeze(
        "fz", "quarter close", T0 - timedelta(hours=1), T0 + timedelta(hours=1), critical_bypass=True
    )
    policy = rv.ContentPolicy("cd", "Default", "rapid_response", "ga", 10**6, True)
    host = rv.HostFacts("h", "windows", "7.10.4", {"rapid_response": "291.1"})
    for releases, expected, rule in (((normal,), "291.1", "freeze"), ((normal, critical), "291.6", "stage")):
        state = replace(
            base,
            catalog=replace(base.catalog, releases=releases),
            content_policies=(policy,),
            freezes=(freeze,),
        )
        decision = rv.resolve_content(state, host, "rapid_response", T0)
        assert (decision.target, decision.rule) == (expected, rule), decision
    assert decision.freeze_id == "fz" and "bypasses the freeze" in decision.reason
    # a pause still wins over the bypass
    paused = replace(state, pauses=(rv.Pause("p", "tenant", "incident", T0 - timedelta(minutes=1)),))
    assert rv.resolve_content(paused, host, "rapid_response", T0).target == "291.1"

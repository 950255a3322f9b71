"""The contract matrix in the resolver (DESIGN section 4 rule 12): whatever the policies, pins, ring
states, freezes and stages, no host is ever offered a content release its sensor build is
incompatible with; it keeps what it runs, and explain says why. Pure: no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rollout import resolver as rv

AT = datetime(2024, 7, 19, 4, 9, tzinfo=UTC)
RAPID = "rapid_response"
BUILDS = ("7.09.100", "7.10.200", "7.11.200", "7.12.100", "")
VERSIONS = ("291.1", "291.2", "291.3", "291.4", "291.5")


def release(
    version: str, *, compatible: frozenset[str] | None, stage: str = "ga", hours: float = 100
) -> rv.Release:
    when = AT - timedelta(hours=hours)
    return rv.Release(
        RAPID,
        version,
        stage,
        valid=True,
        early_access_at=when,
        ga_at=when if stage == "ga" else None,
        compatible_builds=compatible,
        incompatible=tuple(
            (rv.build_key("windows", b), f"field 21 has no input on {b}.")
            for b in BUILDS
            if compatible is not None and rv.build_key("windows", b) not in compatible
        ),
    )


def state_with(releases: tuple[rv.Release, ...], mode: str = "ga") -> rv.TenantState:
    return rv.TenantState(
        catalog=rv.Catalog(releases=releases, categories=(rv.Category(RAPID),)),
        content_policies=(rv.ContentPolicy("p", "default", RAPID, mode, 100, is_default=True),),
    )


def host(build: str, current: str | None = "291.3", ring: rv.RingState | None = None) -> rv.HostFacts:
    return rv.HostFacts(
        id="h1",
        platform="windows",
        sensor_build=build,
        content_versions={RAPID: current} if current else {},
        ring_states={f"content:{RAPID}": ring} if ring else {},
    )


def test_it_keeps_a_host_whose_build_supplies_20_inputs_on_what_it_runs_and_says_why() -> None:
    # given 291.4 compatible only with the build that supplies 21 inputs
    state = state_with(
        (release("291.3", compatible=None), release("291.4", compatible=frozenset({"windows:7.11.200"})))
    )
    # when
    old = rv.resolve_content(state, host("7.10.200"), RAPID, AT)
    new = rv.resolve_content(state, host("7.11.200"), RAPID, AT)
    # then
    assert (old.target, old.rule, old.desired) == ("291.3", "incompatible", "291.4")
    assert "field 21 has no input on 7.10.200" in old.reason and "keeps 291.3" in old.reason
    assert (new.target, new.rule) == ("291.4", "stage")


def test_it_refuses_a_pin_and_a_ring_to_an_incompatible_release() -> None:
    state = state_with(
        (release("291.3", compatible=None), release("291.4", compatible=frozenset({"windows:7.11.200"}))),
        mode="pinned:291.4",
    )
    assert rv.resolve_content(state, host("7.10.200"), RAPID, AT).rule == "incompatible"
    ringed = state_with((release("291.4", compatible=frozenset()),))
    decision = rv.resolve_content(ringed, host("7.11.200", ring=rv.RingState("291.4", "canary")), RAPID, AT)
    assert (decision.target, decision.rule) == ("291.3", "incompatible")


def test_it_leaves_a_release_never_checked_unfiltered() -> None:
    # given a release published before the matrix existed (no stored cells)
    state = state_with((release("291.4", compatible=None),))
    assert rv.resolve_content(state, host("7.10.200"), RAPID, AT).target == "291.4"


modes = st.sampled_from(["early_access", "ga", "ga+4", "ga+72", "paused", *[f"pinned:{v}" for v in VERSIONS]])
releases = st.lists(
    st.builds(
        release,
        st.sampled_from(VERSIONS),
        compatible=st.none() | st.frozensets(st.sampled_from([rv.build_key("windows", b) for b in BUILDS])),
        stage=st.sampled_from(["internal", "canary", "early_access", "ga", "recalled"]),
        hours=st.floats(min_value=-10, max_value=200),
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda r: r.version,
)
rings = st.none() | st.builds(
    rv.RingState,
    st.none() | st.sampled_from(VERSIONS),
    st.just("canary"),
    fast_track=st.booleans(),
)
freezes = st.lists(
    st.builds(
        rv.Freeze,
        st.just("f"),
        st.just("change freeze"),
        st.just(AT - timedelta(hours=1)),
        st.just(AT + timedelta(hours=1)),
        critical_bypass=st.booleans(),
    ),
    max_size=1,
)


@settings(max_examples=400, deadline=None)
@given(
    catalog=releases,
    mode=modes,
    build=st.sampled_from(BUILDS),
    current=st.none() | st.sampled_from(VERSIONS),
    ring=rings,
    frozen=freezes,
    critical=st.booleans(),
)
def test_it_never_offers_a_host_a_release_its_build_is_incompatible_with(
    catalog: list[rv.Release],
    mode: str,
    build: str,
    current: str | None,
    ring: rv.RingState | None,
    frozen: list[rv.Freeze],
    critical: bool,
) -> None:
    # given any catalog, any policy mode (pins included), any ring state, any freeze
    made = tuple(replace(r, critical=critical) for r in catalog)
    state = replace(state_with(made, mode), freezes=tuple(frozen))
    facts = host(build, current, ring)
    # when
    resolution = rv.resolve_with_fallback(state, facts, AT)
    decision = resolution.content[RAPID]
    # then what it is told is what it runs, or a release its build can interpret
    if decision.target is not None and decision.target != current:
        # (a ring may name a version the generated catalog lacks: no release, so nothing to check)
        offered = next((r for r in made if r.version == decision.target), None)
        assert offered is None or rv.release_compatible(offered, "windows", build), (decision, offered)

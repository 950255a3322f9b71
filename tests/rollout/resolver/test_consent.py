"""The resolver and vendor-override consent (``rv.Override``): only a consented override lets its one
release past a closed window or a freeze, until it expires; a pause still wins."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from rollout import resolver as rv
from rollout.resolver.recurrence import Recurrence

T0 = datetime(2024, 7, 19, 4, 9, tzinfo=UTC)  # a Friday
CLOSED = rv.Window("w", "Sunday night", Recurrence(frozenset({6}), time(1, 0), 60, "UTC"))
HOST = rv.HostFacts("h", "windows", "7.10.4", {"rapid_response": "291.1"})


def _state(**changes: object) -> rv.TenantState:
    releases = (
        rv.Release("rapid_response", "291.1", "ga", True, ga_at=T0 - timedelta(days=3)),
        rv.Release("rapid_response", "291.9", "ga", True, critical=True, ga_at=T0 - timedelta(hours=1)),
    )
    policy = rv.ContentPolicy(
        "cd", "Default", "rapid_response", "ga", 10**6, True, windows=(CLOSED,), critical_bypass_windows=False
    )
    state = rv.TenantState(rv.Catalog(releases=releases), content_policies=(policy,))
    return replace(state, **changes)  # type: ignore[arg-type]


def _override(kinds: set[str], version: str = "291.9", hours: int = 4) -> rv.Override:
    return rv.Override(
        "o1", "rapid_response", version, frozenset(kinds), T0 + timedelta(hours=hours), "re@vendor"
    )


def test_it_keeps_a_closed_window_closed_without_consent_and_opens_it_for_the_consented_release() -> None:
    # given: a policy that does not let critical content past its windows
    assert rv.resolve_content(_state(), HOST, "rapid_response", T0).rule == "window"
    # when: the tenant consented to 291.9 passing the windows
    passed = rv.resolve_content(_state(overrides=(_override({"window"}),)), HOST, "rapid_response", T0)
    # then: it passes, and explain names the consent
    assert passed.target == "291.9" and "approved re@vendor's request" in passed.reason
    # but not another version, nor another control, nor after it expires
    for override, at in (
        (_override({"window"}, version="291.8"), T0),
        (_override({"freeze"}), T0),
        (_override({"window"}, hours=1), T0 + timedelta(hours=2)),
    ):
        held = rv.resolve_content(_state(overrides=(override,)), HOST, "rapid_response", at)
        assert held.target == "291.1", (override, held)


def test_it_lets_only_the_consented_release_past_a_freeze_and_never_past_a_pause() -> None:
    freeze = rv.Freeze("f", "quarter close", T0 - timedelta(hours=1), T0 + timedelta(days=1))
    open_policy = rv.ContentPolicy("cd", "Default", "rapid_response", "ga", 10**6, True)
    frozen = _state(freezes=(freeze,), content_policies=(open_policy,))
    assert rv.resolve_content(frozen, HOST, "rapid_response", T0).rule == "freeze"
    consented = replace(frozen, overrides=(_override({"freeze"}),))
    passed = rv.resolve_content(consented, HOST, "rapid_response", T0)
    assert (passed.target, passed.freeze_id) == ("291.9", "f")
    paused = replace(consented, pauses=(rv.Pause("p", "tenant", "incident", T0 - timedelta(hours=1)),))
    assert rv.resolve_content(paused, HOST, "rapid_response", T0).rule == "pause"

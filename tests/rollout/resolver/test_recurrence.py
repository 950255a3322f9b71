"""Windows across DST, as a person in that timezone reads them: "Sundays 01:30 to 03:30" means
01:30 to 03:30 on the wall clock, also on the nights the clocks change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rollout import resolver as rv
from rollout.resolver.recurrence import Recurrence, is_open, next_occurrences, occurrence_bounds, zone

SUNDAY = frozenset({6})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_it_shortens_a_new_york_window_on_the_spring_forward_night() -> None:
    # given Sundays 01:30-03:30 in New York; on 10 March 2024 02:00 EST jumps to 03:00 EDT
    window = Recurrence(SUNDAY, time(1, 30), 120, "America/New_York")
    # then it opens at 01:30 EST (06:30 UTC) and closes at 03:30 EDT (07:30 UTC): one real hour
    assert occurrence_bounds(window, date(2024, 3, 10)) == (
        utc(2024, 3, 10, 6, 30),
        utc(2024, 3, 10, 7, 30),
    )
    assert not is_open(window, utc(2024, 3, 10, 6, 29))
    assert is_open(window, utc(2024, 3, 10, 6, 30))
    assert is_open(window, utc(2024, 3, 10, 7, 29))
    assert not is_open(window, utc(2024, 3, 10, 7, 30))


def test_it_lengthens_a_new_york_window_on_the_fall_back_night() -> None:
    # given the same window on 3 November 2024, when 01:00-02:00 happens twice
    window = Recurrence(SUNDAY, time(1, 30), 120, "America/New_York")
    start, end = occurrence_bounds(window, date(2024, 11, 3))
    # then it opens at the first 01:30 (EDT, 05:30 UTC) and closes at 03:30 EST (08:30 UTC)
    assert (start, end) == (utc(2024, 11, 3, 5, 30), utc(2024, 11, 3, 8, 30))
    ny = ZoneInfo("America/New_York")
    assert start.astimezone(ny).strftime("%H:%M %Z") == "01:30 EDT"
    assert end.astimezone(ny).strftime("%H:%M %Z") == "03:30 EST"
    assert is_open(window, utc(2024, 11, 3, 6, 45))  # 01:45 EST, the second time round
    assert not is_open(window, utc(2024, 11, 3, 8, 30))


def test_it_handles_lord_howes_half_hour_shift_in_both_directions() -> None:
    window = Recurrence(SUNDAY, time(1, 30), 120, "Australia/Lord_Howe")
    lh = ZoneInfo("Australia/Lord_Howe")
    # 7 April 2024: 02:00 (+11) goes back to 01:30 (+10:30): the window lasts 2.5 h
    start, end = occurrence_bounds(window, date(2024, 4, 7))
    assert (start, end) == (utc(2024, 4, 6, 14, 30), utc(2024, 4, 6, 17, 0))
    assert end.astimezone(lh).strftime("%H:%M") == "03:30"
    # 6 October 2024: 02:00 (+10:30) jumps to 02:30 (+11): the window lasts 1.5 h
    start, end = occurrence_bounds(window, date(2024, 10, 6))
    assert (start, end) == (utc(2024, 10, 5, 15, 0), utc(2024, 10, 5, 16, 30))
    assert is_open(window, utc(2024, 10, 5, 16, 29)) and not is_open(window, utc(2024, 10, 5, 16, 30))


def test_it_moves_a_start_in_the_gap_forward_by_the_gap() -> None:
    # 02:10 does not exist in Lord Howe on 6 October 2024; a person's clock shows 02:40 then
    window = Recurrence(SUNDAY, time(2, 10), 60, "Australia/Lord_Howe")
    start, end = occurrence_bounds(window, date(2024, 10, 6))
    lh = ZoneInfo("Australia/Lord_Howe")
    assert start.astimezone(lh).strftime("%H:%M") == "02:40"
    assert end.astimezone(lh).strftime("%H:%M") == "03:10"


def test_it_shows_the_next_week_at_the_same_local_time_across_the_change() -> None:
    daily = Recurrence(frozenset(range(7)), time(1, 30), 120, "America/New_York")
    after = utc(2024, 3, 7, 12, 0)
    week = next_occurrences(daily, after, days=7)
    ny = ZoneInfo("America/New_York")
    assert len(week) == 7
    assert {s.astimezone(ny).strftime("%H:%M") for s, _ in week} == {"01:30"}
    assert {e.astimezone(ny).strftime("%H:%M") for _, e in week} == {"03:30"}
    offsets = {s.astimezone(ny).utcoffset() for s, _ in week}
    assert offsets == {timedelta(hours=-5), timedelta(hours=-4)}


def test_it_opens_the_resolver_window_exactly_then() -> None:
    # given a release waiting for a New York Sunday window on the spring-forward night
    window = rv.Window("w", "Sunday night", Recurrence(SUNDAY, time(1, 30), 120, "America/New_York"))
    release = rv.Release("rapid_response", "291.4", "ga", True, ga_at=utc(2024, 3, 1))
    state = rv.TenantState(
        rv.Catalog(releases=(release,), categories=(rv.Category("rapid_response"),)),
        content_policies=(
            rv.ContentPolicy("cd", "Default", "rapid_response", "ga", 10**6, True, windows=(window,)),
        ),
    )
    host = rv.HostFacts("h", "windows", "7.11.1", {"rapid_response": "291.3"})

    def target(at: datetime) -> str | None:
        return rv.resolve_content(state, host, "rapid_response", at).target

    assert target(utc(2024, 3, 10, 6, 29)) == "291.3"
    assert target(utc(2024, 3, 10, 6, 30)) == "291.4"
    assert target(utc(2024, 3, 10, 7, 30)) == "291.3"


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "UTC "])
def test_it_refuses_unknown_timezones(name: str) -> None:
    with pytest.raises(ValueError, match="unknown timezone"):
        zone(name)

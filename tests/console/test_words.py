"""The word filters pages use for machine values (``console.templatetags``), including times kept
as ISO text in JSON (a rollout event's ``at``): shown in the viewer's zone with the zone named."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone

from console.templatetags.console_time import when
from console.templatetags.console_words import words


def test_it_shows_an_iso_time_in_the_active_zone_with_its_name() -> None:
    # given a viewer in New York
    with timezone.override(ZoneInfo("America/New_York")):
        # when a time kept as ISO text in UTC is shown
        shown = str(when("2026-12-07T17:05:00+00:00"))
    # then it is their local time, zone named, with the UTC instant kept in the element
    assert "2026-12-07 12:05 EST" in shown
    assert 'datetime="2026-12-07T17:05:00+00:00"' in shown


def test_it_says_gate_measures_as_words() -> None:
    assert words("boot_loop") == "boot loop"
    assert words("update_failure") == "update failure"
    assert when("not a time") == "not a time"


def test_it_says_what_a_rollout_rolls_out_and_its_events_as_words() -> None:
    from console.templatetags.console_words import subject

    # a rollout's subject and an event kind, as a person reads them; versions stay as they are
    assert subject("content:rapid_response") == "Rapid response content"
    assert subject("sensor:windows") == "Windows sensor"
    assert words("ring.entered") == "ring entered"
    assert words("291.4") == "291.4" and words("7.11.18110") == "7.11.18110"

"""Recurring weekly periods (maintenance windows, sensor update blocks) in their own IANA timezone.

Pure functions over plain data. A period is read the way a person reads a schedule: "Tuesdays from
01:30 for 2 hours" means from 01:30 on the wall clock to 03:30 on the wall clock, whatever the
clocks do in between. So on the night clocks go forward the window is shorter in real time, and on
the night they go back it is longer. A start that falls in a gap (02:30 when 02:00 jumps to 03:00)
moves forward by the gap; an ambiguous start takes its first occurrence and an ambiguous end its
second, so a window never silently loses time it was promised.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_DURATION_MINUTES = 24 * 60


@dataclass(frozen=True)
class Recurrence:
    """Weekdays (0 = Monday), a local start time and a wall-clock duration in ``timezone``."""

    weekdays: frozenset[int]
    start: time
    duration_minutes: int
    timezone: str


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises ``ValueError`` for an unknown or malformed name."""
    if not name or name != name.strip() or ".." in name or name.startswith("/"):
        raise ValueError(f"unknown timezone {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def local_to_utc(naive: datetime, tz: ZoneInfo, *, ambiguous_later: bool = False) -> datetime:
    """The UTC instant of a wall-clock time in ``tz`` (gaps move forward; see the module doc)."""
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    first_utc = first.astimezone(UTC)
    exists = first_utc.astimezone(tz).replace(tzinfo=None) == naive
    if not exists:
        # In a gap: fold=0 uses the offset before the transition, i.e. moves the time forward.
        return first_utc
    if ambiguous_later and first.utcoffset() != second.utcoffset():
        return second.astimezone(UTC)
    return first_utc


def occurrence_bounds(rec: Recurrence, local_day: date) -> tuple[datetime, datetime]:
    """UTC start and end of the occurrence that starts on ``local_day`` (whether or not it recurs then)."""
    tz = zone(rec.timezone)
    start_naive = datetime.combine(local_day, rec.start)
    end_naive = start_naive + timedelta(minutes=rec.duration_minutes)
    start = local_to_utc(start_naive, tz)
    end = local_to_utc(end_naive, tz, ambiguous_later=True)
    return start, max(start, end)


def occurrences(rec: Recurrence, after: datetime, before: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Occurrences (UTC start, UTC end) that overlap ``[after, before)``, in order."""
    tz = zone(rec.timezone)
    day = after.astimezone(tz).date() - timedelta(days=1 + rec.duration_minutes // (24 * 60))
    last = before.astimezone(tz).date()
    while day <= last:
        if day.weekday() in rec.weekdays:
            start, end = occurrence_bounds(rec, day)
            if end > after and start < before and end > start:
                yield start, end
        day += timedelta(days=1)


def is_open(rec: Recurrence, at: datetime) -> bool:
    """Whether ``at`` (aware) falls inside an occurrence of ``rec``."""
    return any(start <= at < end for start, end in occurrences(rec, at, at + timedelta(microseconds=1)))


def next_occurrences(rec: Recurrence, after: datetime, days: int = 7) -> list[tuple[datetime, datetime]]:
    """The occurrences overlapping the next ``days`` days from ``after``."""
    return list(occurrences(rec, after, after + timedelta(days=days)))

"""Local diary days across day boundaries and DST changes (CLINICAL.md §1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from diary.dates import is_valid_time_zone, local_calendar_date, local_today

FOUR = time(4, 0)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "now", "today", "calendar"),
    [
        # Berlin, ordinary day: 01:30 local is still yesterday's diary day
        ("Europe/Berlin", utc(2026, 11, 21, 0, 30), date(2026, 11, 20), date(2026, 11, 21)),
        ("Europe/Berlin", utc(2026, 11, 21, 3, 0), date(2026, 11, 21), date(2026, 11, 21)),  # 04:00 local
        ("Europe/Berlin", utc(2026, 11, 21, 2, 59), date(2026, 11, 20), date(2026, 11, 21)),  # 03:59 local
        # Berlin spring forward, 29 March 2026: 02:00 → 03:00 CEST
        ("Europe/Berlin", utc(2026, 3, 29, 0, 30), date(2026, 3, 28), date(2026, 3, 29)),  # 01:30 CET
        ("Europe/Berlin", utc(2026, 3, 29, 1, 30), date(2026, 3, 28), date(2026, 3, 29)),  # 03:30 CEST
        ("Europe/Berlin", utc(2026, 3, 29, 2, 0), date(2026, 3, 29), date(2026, 3, 29)),  # 04:00 CEST
        # Berlin fall back, 25 October 2026: 03:00 CEST → 02:00 CET (01:30 UTC is 02:30 CET)
        ("Europe/Berlin", utc(2026, 10, 25, 0, 30), date(2026, 10, 24), date(2026, 10, 25)),  # 02:30 CEST
        ("Europe/Berlin", utc(2026, 10, 25, 1, 30), date(2026, 10, 24), date(2026, 10, 25)),  # 02:30 CET
        ("Europe/Berlin", utc(2026, 10, 25, 2, 59), date(2026, 10, 24), date(2026, 10, 25)),  # 03:59 CET
        ("Europe/Berlin", utc(2026, 10, 25, 3, 0), date(2026, 10, 25), date(2026, 10, 25)),  # 04:00 CET
        # New York spring forward, 8 March 2026: 02:00 EST → 03:00 EDT
        ("America/New_York", utc(2026, 3, 8, 6, 30), date(2026, 3, 7), date(2026, 3, 8)),  # 01:30 EST
        ("America/New_York", utc(2026, 3, 8, 7, 59), date(2026, 3, 7), date(2026, 3, 8)),  # 03:59 EDT
        ("America/New_York", utc(2026, 3, 8, 8, 0), date(2026, 3, 8), date(2026, 3, 8)),  # 04:00 EDT
        # New York fall back, 1 November 2026: 02:00 EDT → 01:00 EST
        ("America/New_York", utc(2026, 11, 1, 5, 30), date(2026, 10, 31), date(2026, 11, 1)),  # 01:30 EDT
        ("America/New_York", utc(2026, 11, 1, 6, 30), date(2026, 10, 31), date(2026, 11, 1)),  # 01:30 EST
        ("America/New_York", utc(2026, 11, 1, 9, 0), date(2026, 11, 1), date(2026, 11, 1)),  # 04:00 EST
        # late evening in New York is already tomorrow in UTC
        ("America/New_York", utc(2026, 11, 22, 3, 0), date(2026, 11, 21), date(2026, 11, 21)),  # 22:00 EST
    ],
)
def test_local_today(tz, now, today, calendar):
    assert local_today(tz, FOUR, now) == today
    assert local_calendar_date(tz, now) == calendar


def test_a_midnight_boundary_means_the_calendar_day():
    assert local_today("Europe/Berlin", time(0, 0), utc(2026, 11, 21, 0, 30)) == date(2026, 11, 21)


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("Europe/Berlin", True),
        ("America/New_York", True),
        ("UTC", True),
        ("Mars/Olympus_Mons", False),
        ("europe/berlin", False),
        ("", False),
        ("../etc/passwd", False),
    ],
)
def test_time_zone_names(name, valid):
    assert is_valid_time_zone(name) is valid

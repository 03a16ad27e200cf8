"""Local dates and times for patients. The database holds UTC; a diary day is a local date.

Pass the patient's zone explicitly; never use naive datetimes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.utils import timezone

_KNOWN_ZONES: frozenset[str] | None = None


def is_valid_time_zone(name: str) -> bool:
    """True for a canonical IANA zone name this system knows (e.g. Europe/Berlin)."""
    global _KNOWN_ZONES
    if _KNOWN_ZONES is None:
        _KNOWN_ZONES = frozenset(available_timezones())
    if name not in _KNOWN_ZONES:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_now(tz: str, now: datetime | None = None) -> datetime:
    return (now or timezone.now()).astimezone(ZoneInfo(tz))


def local_calendar_date(tz: str, now: datetime | None = None) -> date:
    """The patient's calendar date right now (midnight to midnight)."""
    return local_now(tz, now).date()


def local_today(tz: str, boundary: time, now: datetime | None = None) -> date:
    """The diary day the app proposes: before the day boundary it is still yesterday.

    With the default 04:00 boundary, an entry started at 01:30 defaults to the previous date.
    """
    moment = local_now(tz, now)
    day = moment.date()
    if moment.timetz().replace(tzinfo=None) < boundary:
        day -= timedelta(days=1)
    return day


def local_instant(tz: str, day: date, at: time) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `tz`, DST-safe.

    1. An ordinary time: that instant.
    2. A time repeated when the clocks go back: its first occurrence (fold=0), once.
    3. A time skipped when the clocks go forward (02:30 on a spring-forward night): the
       first valid local time after it, i.e. the moment of the change (03:00 new time).
       zoneinfo silently accepts a skipped time, so it is detected by a round trip.
    """
    zone = ZoneInfo(tz)
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # In a gap: fold=1 reads the wall time with the offset after the change, an earlier
    # instant; the change lies between the two. Transitions fall on whole minutes.
    moment = wall.replace(tzinfo=zone, fold=1).astimezone(UTC).replace(second=0, microsecond=0)
    while moment.astimezone(zone).replace(tzinfo=None) < wall:
        moment += timedelta(minutes=1)
    return moment

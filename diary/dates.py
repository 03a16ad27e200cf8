"""Local dates and times for patients. The database holds UTC; a diary day is a local date.

Pass the patient's zone explicitly; never use naive datetimes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
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

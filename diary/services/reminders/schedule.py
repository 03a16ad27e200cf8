"""Scheduling: the next time a reminder fires, DST-safe (docs/architecture.md "Reminders")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from diary.choices import DoseTime, Occurrence
from diary.dates import local_calendar_date, local_instant
from diary.models import (
    Reminder,
    ReminderDelivery,
)

DOSE_TIMES = {DoseTime.BEDTIME: time(21, 30), DoseTime.MORNING: time(8, 0)}
DIARY_TIME = time(20, 0)


def occurrences(tz: str, at: time, days: int, start: date) -> Iterator[tuple[date, datetime]]:
    """(local date, UTC instant) of each scheduled day from `start` on, for two weeks."""
    for offset in range(15):
        day = start + timedelta(days=offset)
        if days & (1 << day.weekday()):
            yield day, local_instant(tz, day, at)


@lru_cache(maxsize=4096)  # pure; a minute's batch asks the same few questions thousands of times
def next_occurrence(
    tz: str, at: time, days: int, after: datetime, after_date: date | None = None
) -> tuple[date, datetime] | None:
    """The first occurrence later than the instant `after` and on a date after `after_date`."""
    start = local_calendar_date(tz, after) - timedelta(days=1)
    for day, instant in occurrences(tz, at, days, start):
        if instant > after and (after_date is None or day > after_date):
            return day, instant
    return None


def next_fire_at(reminder: Reminder, tz: str, now: datetime) -> datetime | None:
    """When the reminder fires next: the first occurrence after now whose date is not done.

    None while it is off. A date that already has a scheduled delivery in the ledger is
    passed over, so moving the time later on the same evening does not send twice.
    """
    if not reminder.enabled or not (reminder.push or reminder.email) or reminder.days == 0:
        return None
    done = set(
        ReminderDelivery.objects.filter(
            reminder_id=reminder.pk,
            occurrence=Occurrence.SCHEDULED,
            local_date__gte=local_calendar_date(tz, now) - timedelta(days=1),
        ).values_list("local_date", flat=True)
    )
    after_date = None
    while True:
        found = next_occurrence(tz, reminder.local_time, reminder.days, now, after_date)
        if found is None:
            return None
        if found[0] not in done:
            return found[1]
        after_date = found[0]

"""A patient's reminder settings: their two reminders, updates, rescheduling, snooze."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from diary.choices import DeliveryStatus, DoseTime, Occurrence, ReminderKind
from diary.models import (
    Patient,
    Reminder,
    ReminderDelivery,
)
from diary.models.reminders import TEXT_MAX_LENGTH
from diary.services.errors import Conflict, InvalidInput, NotFound
from diary.services.inputs import ReminderChange
from diary.services.reminders.schedule import DIARY_TIME, DOSE_TIMES, next_fire_at

DOSE_TEXT = {DoseTime.BEDTIME: "Time for your evening dose", DoseTime.MORNING: "Time for your morning dose"}
DIARY_TEXT = "Time to fill in your diary"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SNOOZE_WINDOW = timedelta(hours=12)  # a notification older than this cannot be snoozed


def days_to_mask(days: Iterable[str]) -> int:
    mask = 0
    for name in days:
        mask |= 1 << DAY_NAMES.index(name)
    return mask


def mask_to_days(mask: int) -> list[str]:
    return [name for bit, name in enumerate(DAY_NAMES) if mask & (1 << bit)]


def default_text(kind: str, dose_time: str) -> str:
    return DOSE_TEXT.get(DoseTime(dose_time), DOSE_TEXT[DoseTime.BEDTIME]) if kind == ReminderKind.DOSE else DIARY_TEXT


def reminder_text(reminder: Reminder, patient: Patient) -> str:
    return reminder.text or default_text(reminder.kind, patient.preferred_dose_time)


def reminders_ensure(patient: Patient) -> list[Reminder]:
    """The patient's dose and diary reminders, created off with their defaults if missing."""
    defaults = {
        ReminderKind.DOSE: DOSE_TIMES.get(DoseTime(patient.preferred_dose_time), DOSE_TIMES[DoseTime.BEDTIME]),
        ReminderKind.DIARY: DIARY_TIME,
    }
    existing = {r.kind: r for r in Reminder.objects.filter(patient=patient)}
    missing = [Reminder(patient=patient, kind=k, local_time=at) for k, at in defaults.items() if k not in existing]
    if missing:
        Reminder.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {r.kind: r for r in Reminder.objects.filter(patient=patient)}
    return [existing[ReminderKind.DOSE], existing[ReminderKind.DIARY]]


def reminder_get(patient: Patient, kind: str) -> Reminder:
    if kind not in ReminderKind.values:
        raise NotFound()
    return next(r for r in reminders_ensure(patient) if r.kind == kind)


@transaction.atomic
def reminder_update(patient: Patient, kind: str, data: ReminderChange, now: datetime | None = None) -> Reminder:
    """Change a reminder's time, days, channels, text or on/off; reschedule it.

    `data` may hold enabled, local_time, days (names), channels (["push", "email"]),
    text (blank: the default) and show_dose.
    """
    reminder = reminder_get(patient, kind)
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if "local_time" in data:
        reminder.local_time = data["local_time"].replace(second=0, microsecond=0)
    if "days" in data:
        reminder.days = days_to_mask(data["days"])
    if "channels" in data:
        reminder.push = "push" in data["channels"]
        reminder.email = "email" in data["channels"]
    if "text" in data:
        text = " ".join(data["text"].split())
        if len(text) > TEXT_MAX_LENGTH:
            raise InvalidInput({"text": f"At most {TEXT_MAX_LENGTH} characters."})
        reminder.text = text
    for key in ("enabled", "show_dose"):
        if key in data:
            setattr(reminder, key, data[key])
    if not reminder.enabled:
        reminder.snoozed_until = None
    if reminder.enabled and reminder.days == 0:
        raise InvalidInput({"days": "Choose at least one day, or turn the reminder off."})
    if reminder.enabled and not (reminder.push or reminder.email):
        raise InvalidInput({"channels": "Choose push, e-mail or both, or turn the reminder off."})
    now = now or timezone.now()
    reminder.next_fire_at = next_fire_at(reminder, patient.time_zone, now)
    reminder.updated_at = now
    reminder.save()
    return reminder


def reminders_reschedule(patient: Patient, old_dose_time: str | None = None, now: datetime | None = None) -> None:
    """After a profile change (time zone, preferred dose time): recompute next_fire_at.

    A dose reminder still at the old dose time's default moves to the new default.
    Runs inside the caller's transaction (the patient row is locked there).
    """
    now = now or timezone.now()
    for reminder in Reminder.objects.select_for_update().filter(patient=patient):
        if (
            old_dose_time is not None
            and reminder.kind == ReminderKind.DOSE
            and reminder.local_time == DOSE_TIMES.get(DoseTime(old_dose_time))
        ):
            reminder.local_time = DOSE_TIMES.get(DoseTime(patient.preferred_dose_time), reminder.local_time)
        reminder.next_fire_at = next_fire_at(reminder, patient.time_zone, now)
        reminder.save(update_fields=["local_time", "next_fire_at"])


@transaction.atomic
def reminder_snooze(patient: Patient, kind: str, now: datetime | None = None) -> Reminder:
    """ "Remind me again in 30 minutes", from the notification: once per reminder and day."""
    now = now or timezone.now()
    reminder = reminder_get(patient, kind)
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    last = (
        ReminderDelivery.objects.filter(
            reminder=reminder,
            occurrence=Occurrence.SCHEDULED,
            status=DeliveryStatus.SENT,
            finished_at__gte=now - SNOOZE_WINDOW,
        )
        .order_by("-local_date")
        .first()
    )
    if last is None:
        raise Conflict("There is no reminder to snooze right now.")
    if reminder.snooze_date == last.local_date:
        raise Conflict("This reminder was already snoozed once today.")
    reminder.snoozed_until = now + settings.REMINDER_SNOOZE
    reminder.snooze_date = last.local_date
    reminder.save(update_fields=["snoozed_until", "snooze_date"])
    return reminder

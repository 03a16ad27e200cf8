"""The signed one-click unsubscribe link of a reminder e-mail (RFC 8058)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from diary.models import (
    Patient,
    Reminder,
)
from diary.services.errors import InvalidInput, NotFound
from diary.services.reminders.schedule import next_fire_at

UNSUBSCRIBE_SALT = "diary.reminders.unsubscribe"


def unsubscribe_token(reminder: Reminder, patient: Patient) -> str:
    return signing.dumps({"r": reminder.pk, "p": str(patient.public_id)}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(reminder: Reminder, patient: Patient) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/api/v1/reminders/unsubscribe/{unsubscribe_token(reminder, patient)}"


def reminder_from_token(token: str) -> Reminder:
    """The reminder an unsubscribe link names (signed; no expiry: old e-mails keep working)."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        reminder = Reminder.objects.select_related("patient").filter(pk=value["r"], patient__public_id=value["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError):
        raise InvalidInput({"token": "This unsubscribe link is not valid (was it cut short?)."}) from None
    found = reminder.first()
    if found is None:
        raise NotFound()
    return found


@transaction.atomic
def reminder_unsubscribe(token: str, now: datetime | None = None) -> Reminder:
    """One-click: no more e-mail for this reminder (push, if on, stays). Safe to repeat."""
    reminder = reminder_from_token(token)
    reminder = Reminder.objects.select_for_update().select_related("patient").get(pk=reminder.pk)
    if reminder.email:
        reminder.email = False
        reminder.next_fire_at = next_fire_at(reminder, reminder.patient.time_zone, now or timezone.now())
        reminder.save(update_fields=["email", "next_fire_at"])
    return reminder

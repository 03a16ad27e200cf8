from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers.common import LocalTimeField, StrictSerializer
from diary.choices import ReminderKind
from diary.models import Patient, PushSubscription, Reminder
from diary.models.reminders import TEXT_MAX_LENGTH
from diary.services.reminders import DAY_NAMES, default_text, mask_to_days

CHANNELS = ("push", "email")


class ReminderOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReminderKind.choices)
    enabled = serializers.BooleanField()
    local_time = LocalTimeField()
    days = serializers.ListField(child=serializers.ChoiceField(choices=DAY_NAMES))
    channels = serializers.ListField(child=serializers.ChoiceField(choices=CHANNELS))
    text = serializers.CharField(help_text="What the lock screen shows; the default when blank.")
    default_text = serializers.CharField()
    show_dose = serializers.BooleanField(help_text="Name the new dose (mg) on the first day of a step.")
    next_fire_at = serializers.DateTimeField(allow_null=True, help_text="UTC; null while off.")
    snoozed_until = serializers.DateTimeField(allow_null=True)


def reminder_out(reminder: Reminder, patient: Patient) -> dict[str, Any]:
    fallback = default_text(reminder.kind, patient.preferred_dose_time)
    data = {
        "kind": reminder.kind,
        "enabled": reminder.enabled,
        "local_time": reminder.local_time,
        "days": mask_to_days(reminder.days),
        "channels": [c for c in CHANNELS if getattr(reminder, c)],
        "text": reminder.text or fallback,
        "default_text": fallback,
        "show_dose": reminder.show_dose,
        "next_fire_at": reminder.next_fire_at,
        "snoozed_until": reminder.snoozed_until,
    }
    return dict(ReminderOut(data).data)


class ReminderIn(StrictSerializer):
    enabled = serializers.BooleanField(required=False)
    local_time = LocalTimeField(required=False, help_text="Local wall-clock time, e.g. 21:30.")
    days = serializers.ListField(
        child=serializers.ChoiceField(choices=DAY_NAMES), required=False, max_length=7, allow_empty=True
    )
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=CHANNELS), required=False, max_length=2, allow_empty=True
    )
    text = serializers.CharField(
        max_length=TEXT_MAX_LENGTH,
        allow_blank=True,
        required=False,
        trim_whitespace=True,
        help_text="Lock-screen text of your choice (blank: the default). Keep health details out of it.",
    )
    show_dose = serializers.BooleanField(required=False)


class PushKeysIn(StrictSerializer):
    p256dh = serializers.CharField(max_length=100)
    auth = serializers.CharField(max_length=50)


class PushSubscriptionIn(StrictSerializer):
    """What the browser's PushSubscription.toJSON() returns."""

    endpoint = serializers.CharField(max_length=1000)
    keys = PushKeysIn()
    expirationTime = serializers.IntegerField(allow_null=True, required=False, min_value=0, help_text="Ignored.")


class PushSubscriptionOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = PushSubscription
        fields = ("id", "endpoint", "user_agent", "created_at", "last_success_at", "failure_count")
        read_only_fields = fields


class VapidKeyOut(serializers.Serializer):
    public_key = serializers.CharField(help_text="applicationServerKey for pushManager.subscribe(), base64url.")


class UnsubscribeOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReminderKind.choices)
    email = serializers.BooleanField(help_text="Whether this reminder is still sent by e-mail.")

"""Reminders: settings per patient, Web Push subscriptions, the delivery ledger, VAPID keys.

The ledger row (`ReminderDelivery`, unique per reminder, local date and occurrence) is
the claim: whoever inserts it sends, nobody else (DESIGN.md §1, §5; docs/architecture.md).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from diary.choices import DeliveryStatus, Occurrence, ReminderKind
from diary.models.people import Patient

ALL_DAYS = 0b1111111  # bit 0 = Monday … bit 6 = Sunday (date.weekday())
TEXT_MAX_LENGTH = 80


class PushSubscription(models.Model):
    """One browser's Web Push subscription (PushSubscription.toJSON() of the PWA)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=100, help_text="The browser's P-256 ECDH public key, base64url.")
    auth = models.CharField(max_length=50, help_text="The 16-byte auth secret, base64url.")
    user_agent = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failure_count = models.PositiveIntegerField(default=0)
    last_failure = models.CharField(max_length=200, blank=True, default="")

    def __str__(self) -> str:
        return f"push subscription {self.public_id} of patient {self.patient_id}"


class Reminder(models.Model):
    """A patient's dose or diary reminder. Times are local; `next_fire_at` is UTC."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=8, choices=ReminderKind.choices)
    local_time = models.TimeField()
    days = models.PositiveSmallIntegerField(default=ALL_DAYS, help_text="Bit 0 Monday … bit 6 Sunday.")
    enabled = models.BooleanField(default=False)
    push = models.BooleanField(default=True)
    email = models.BooleanField(default=False)
    # What a lock screen shows. Chosen by the patient; never generated from health data
    # unless the patient turns on show_dose.
    text = models.CharField(max_length=TEXT_MAX_LENGTH, blank=True, default="")
    show_dose = models.BooleanField(default=False, help_text="Name the new dose on the first day of a step.")
    # The next scheduled instant (UTC); null while disabled. The dispatcher's index.
    next_fire_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # "Remind me again in 30 minutes": when, and for which local date (once a day).
    snoozed_until = models.DateTimeField(null=True, blank=True, db_index=True)
    snooze_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["patient", "kind"], name="reminder_one_per_kind"),
            models.CheckConstraint(condition=Q(days__gte=0, days__lte=ALL_DAYS), name="reminder_days_range"),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder of patient {self.patient_id} at {self.local_time:%H:%M}"


class ReminderDelivery(models.Model):
    """The ledger: one row per reminder, local date and occurrence, inserted to claim it."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    local_date = models.DateField()
    occurrence = models.CharField(max_length=10, choices=Occurrence.choices, default=Occurrence.SCHEDULED)
    scheduled_for = models.DateTimeField()
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.CLAIMED)
    claim_token = models.UUIDField()
    claimed_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=1, help_text="Claims taken (1 + stale re-claims).")
    finished_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        verbose_name_plural = "reminder deliveries"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["reminder", "local_date", "occurrence"], name="delivery_once_per_local_date"
            ),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["claimed_at"], condition=Q(status="claimed"), name="delivery_open_claims"),
        ]

    def __str__(self) -> str:
        return f"{self.reminder_id} {self.local_date} {self.occurrence}: {self.status}"


class VapidKey(models.Model):
    """The server's VAPID key pair when settings do not provide one: generated once, kept."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    private_pem = models.TextField()
    public_key = models.CharField(max_length=100, help_text="applicationServerKey, base64url.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [models.CheckConstraint(condition=Q(id=1), name="vapid_key_singleton")]

    def __str__(self) -> str:
        return "VAPID key"

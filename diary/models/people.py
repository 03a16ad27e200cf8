from __future__ import annotations

import uuid
from datetime import time
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from diary.choices import Condition, ConditionSetBy, DoseTime, LinkStatus, RevokedBy
from diary.models.history import tracked


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account, identified by e-mail. Its role comes from the profile it has."""

    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.email


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Clinician(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="clinician")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clinicians")
    # May change the clinic's settings (its licensed HIT-6 wording); set in the admin.
    is_clinic_admin = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.user.display_name or self.user.email


@tracked(
    exclude=["change_seq", "insights_stale_since", "insights_claimed_at", "insights_failures", "insights_retry_at"]
)
class Patient(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="patient")
    time_zone = models.CharField(max_length=64, default="UTC")
    day_boundary = models.TimeField(default=time(4, 0))
    primary_condition = models.CharField(max_length=32, choices=Condition.choices, default=Condition.MIGRAINE)
    preferred_dose_time = models.CharField(max_length=16, choices=DoseTime.choices, default=DoseTime.BEDTIME)
    # The last ConditionChange, kept on the row so the profile reads it without a query.
    condition_set_by = models.CharField(max_length=16, choices=ConditionSetBy.choices, blank=True, default="")
    condition_set_by_name = models.CharField(max_length=200, blank=True, default="")
    condition_set_at = models.DateTimeField(null=True, blank=True)
    # Set (if not already set) in the same transaction as any write that changes what
    # the analytics see; the insights sweep clears it.
    insights_stale_since = models.DateTimeField(null=True, blank=True, db_index=True)
    # A worker's claim on the recompute (a lease): a second sweep skips the patient until
    # the claim is cleared or has expired (a crashed worker).
    insights_claimed_at = models.DateTimeField(null=True, blank=True)
    # An analysis that raised: how many times in a row, and when to try again (backing
    # off), so one patient's failure never holds up the others' recomputes.
    insights_failures = models.PositiveIntegerField(default=0)
    insights_retry_at = models.DateTimeField(null=True, blank=True)
    # Per-patient change counter. Every write takes the next value under a row lock, so
    # one patient's writes are serialised and `changes?since=` never skips a commit.
    change_seq = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.user.display_name or self.user.email


@tracked()
class CareLink(models.Model):
    """Patient ↔ clinic, from invitation through consent to revocation.

    An invitation is a link in status `invited` with a hashed, expiring, single-use
    code and no patient yet. Redeeming it with consent makes it `active`.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="care_links")
    clinician = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="care_links")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_links", null=True, blank=True)
    status = models.CharField(max_length=16, choices=LinkStatus.choices, default=LinkStatus.INVITED)
    code_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    invited_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    invitee_note = models.CharField(max_length=200, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=16, choices=RevokedBy.choices, null=True, blank=True)  # noqa: DJ001

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["patient", "clinic"],
                condition=Q(status="active"),
                name="carelink_one_active_per_clinic",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | (Q(patient__isnull=False) & Q(consented_at__isnull=False)),
                name="carelink_active_has_patient_and_consent",
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | Q(revoked_at__isnull=False),
                name="carelink_revoked_has_time",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["clinic", "status"]), models.Index(fields=["patient", "status"])]

    def __str__(self) -> str:
        return f"{self.clinic} ↔ {self.patient or 'invitation'} ({self.status})"


class ConditionChange(models.Model):
    """Who set the patient's primary condition, to what, and when (sign-up, the Me page, or
    a clinician of a linked clinic). Kept on every database: the condition decides which
    verdict rule applies, so a verdict is only checkable with the condition it was made
    under and who chose it."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="condition_changes")
    condition_from = models.CharField(max_length=32, choices=Condition.choices, blank=True, default="")
    condition_to = models.CharField(max_length=32, choices=Condition.choices)
    set_by = models.CharField(max_length=16, choices=ConditionSetBy.choices)
    # The clinician's user (or the patient's own); kept as a name too, so the record reads
    # the same after that account is gone.
    set_by_user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    set_by_name = models.CharField(max_length=200, blank=True, default="")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["patient", "-at", "-pk"]
        indexes: ClassVar = [models.Index(fields=["patient", "at"])]

    def __str__(self) -> str:
        return f"{self.patient_id}: {self.condition_from or '-'} → {self.condition_to} ({self.set_by})"

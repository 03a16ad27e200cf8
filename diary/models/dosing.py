from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from diary.choices import StopReason, TimeOfDay
from diary.models.history import tracked
from diary.models.people import Clinician, Patient

MAX_DOSE_MG = Decimal("50")
# A titration plan is a handful of steps over weeks or months (CLINICAL.md §5); steps are
# dated within a year either side of the patient's today.
STEPS_PER_PLAN_MAX = 60
STEP_DAYS_BACK_MAX = 365
STEP_DAYS_AHEAD_MAX = 365


def _dose_range(field: str, *, nullable: bool = False) -> models.CheckConstraint:
    rule = Q(**{f"{field}__gt": 0, f"{field}__lte": MAX_DOSE_MG})
    if nullable:
        rule |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=rule, name=f"%(class)s_{field}_range")


@tracked()
class DosePlan(models.Model):
    """A titration plan written by the patient's clinician (CLINICAL.md §5)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="plans")
    drug = models.CharField(max_length=64, default="naltrexone")
    target_mg = models.DecimalField(default=Decimal("4.5"), max_digits=5, decimal_places=2)
    decision_weeks = models.PositiveSmallIntegerField(default=12)
    created_by = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="plans_written")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    stopped_on = models.DateField(null=True, blank=True)
    # null, not "": the API documents the field as an enum or null
    stop_reason = models.CharField(max_length=16, choices=StopReason.choices, null=True, blank=True)  # noqa: DJ001
    stop_note = models.CharField(max_length=500, blank=True, default="")
    stopped_by = models.ForeignKey(
        Clinician, on_delete=models.PROTECT, related_name="plans_stopped", null=True, blank=True
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(stopped_on__isnull=True), name="plan_one_current_per_patient"
            ),
            _dose_range("target_mg"),
            models.CheckConstraint(
                condition=Q(decision_weeks__gte=8, decision_weeks__lte=12), name="plan_decision_weeks_range"
            ),
            models.CheckConstraint(
                condition=(Q(stopped_on__isnull=True) & Q(stop_reason__isnull=True))
                | (Q(stopped_on__isnull=False) & Q(stop_reason__in=StopReason.values)),
                name="plan_stop_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"plan {self.pk} for patient {self.patient_id}"


@tracked()
class DoseStep(models.Model):
    plan = models.ForeignKey(DosePlan, on_delete=models.CASCADE, related_name="steps")
    start_date = models.DateField()
    mg = models.DecimalField(max_digits=5, decimal_places=2)
    time_of_day = models.CharField(max_length=16, choices=TimeOfDay.choices, default=TimeOfDay.BEDTIME)

    class Meta:
        ordering: ClassVar = ["plan", "start_date"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["plan", "start_date"], name="step_one_per_start_date"),
            _dose_range("mg"),
        ]

    def __str__(self) -> str:
        return f"{self.mg} mg from {self.start_date}"


@tracked()
class DoseLog(models.Model):
    """A dose actually taken (or missed) on a local date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="dose_logs")
    date = models.DateField()
    taken = models.BooleanField()
    mg = models.DecimalField(null=True, blank=True, max_digits=5, decimal_places=2)
    time_of_day = models.CharField(max_length=16, choices=TimeOfDay.choices, default=TimeOfDay.BEDTIME)
    taken_at = models.TimeField(null=True, blank=True, help_text="Local clock time, if given.")
    client_id = models.UUIDField()
    seq = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["patient", "date"], name="doselog_one_per_day"),
            models.UniqueConstraint(fields=["patient", "client_id"], name="doselog_client_id_once"),
            _dose_range("mg", nullable=True),
            models.CheckConstraint(condition=Q(taken=False) | Q(mg__isnull=False), name="doselog_taken_has_mg"),
        ]
        indexes: ClassVar = [models.Index(fields=["patient", "seq"])]

    def __str__(self) -> str:
        return f"{self.date} {'taken' if self.taken else 'missed'} {self.mg or ''}"


class DoseLogRevision(models.Model):
    """A logged dose as it was before a correction or a deletion (the patient's own record
    of every earlier value, on every database; pghistory's triggers add row events on
    PostgreSQL). A deleted dose lives on here only: `deleted` rows are also what the
    changes feed reports, so the patient's other devices drop the dose."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="dose_revisions")
    dose_id = models.UUIDField(help_text="The DoseLog's public id (the log itself may be gone).")
    date = models.DateField()
    snapshot = models.JSONField()
    deleted = models.BooleanField(default=False)
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.ForeignKey("diary.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    seq = models.BigIntegerField(default=0, help_text="Patient.change_seq of the change.")

    class Meta:
        ordering: ClassVar = ["patient", "-replaced_at", "-pk"]
        indexes: ClassVar = [models.Index(fields=["patient", "seq"]), models.Index(fields=["dose_id"])]

    def __str__(self) -> str:
        return f"dose {self.dose_id} on {self.date} ({'deleted' if self.deleted else 'changed'})"


@tracked()
class ReportedBaseline(models.Model):
    """A baseline month the clinician entered for a patient who did not log one (§4)."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="reported_baseline")
    monthly_headache_days = models.DecimalField(max_digits=4, decimal_places=1)
    monthly_migraine_days = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    mean_pain = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, default="")
    entered_by = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(monthly_headache_days__gte=0, monthly_headache_days__lte=28),
                name="baseline_headache_days_range",
            ),
            models.CheckConstraint(
                condition=Q(monthly_migraine_days__isnull=True)
                | Q(
                    monthly_migraine_days__gte=0,
                    monthly_migraine_days__lte=models.F("monthly_headache_days"),
                ),
                name="baseline_migraine_days_range",
            ),
            models.CheckConstraint(
                condition=Q(mean_pain__isnull=True) | Q(mean_pain__gte=0, mean_pain__lte=10),
                name="baseline_mean_pain_range",
            ),
        ]

    def __str__(self) -> str:
        return f"reported baseline for patient {self.patient_id}"

"""What the insights engine stores: one current insight per patient, verdict history, flags."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from diary.choices import Condition, FlagKind, FlagStatus, Severity, VerdictKind
from diary.models.people import Clinician, Patient


class PatientInsight(models.Model):
    """The latest analysis of one patient, replaced as a whole on every recompute.

    ``input_seq`` is the patient's change number the analysis read (the watermark): a
    slower, older computation never overwrites a newer one.
    """

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="insight")
    rules_version = models.CharField(max_length=16)
    as_of = models.DateField(help_text="The patient's local date the analysis was made for.")
    computed_at = models.DateTimeField(default=timezone.now)
    input_seq = models.BigIntegerField()
    verdict = models.CharField(max_length=32, choices=VerdictKind.choices)
    data = models.JSONField(help_text="diary.analysis.result.Insight.to_json()")

    def __str__(self) -> str:
        return f"insight for patient {self.patient_id} as of {self.as_of}: {self.verdict}"


class PatientOutcome(models.Model):
    """What the clinic outcomes count of a patient's stored insight (CLINICAL.md §6), cut out
    of its summary when the insight is stored, in the same transaction
    (``diary.services.insights.insights_store``; ``diary.analysis.outcome.outcome_fields``).

    The page totals the whole clinic: from these few columns that is one small read, where
    cutting the parts out of every patient's ~30 kB summary grew with the clinic (issue 17).
    """

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, primary_key=True, related_name="outcome")
    verdict = models.CharField(max_length=32, choices=VerdictKind.choices)
    condition = models.CharField(
        max_length=32, choices=Condition.choices, blank=True, help_text="The condition the analysis was made for."
    )
    starting_mg = models.FloatField(null=True, blank=True, help_text="The first amount held on LDN.")
    stable_mg = models.FloatField(
        null=True, blank=True, help_text="Held on the decision point, or the last amount held before it."
    )
    side_effect_kinds = models.JSONField(
        default=list, blank=True, help_text="Each side effect logged on at least one day on LDN, sorted."
    )

    def __str__(self) -> str:
        return f"outcome of patient {self.patient_id}: {self.verdict}"


class Verdict(models.Model):
    """Verdict history: a row each time a patient's verdict changes (CLINICAL.md §6)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="verdicts")
    kind = models.CharField(max_length=32, choices=VerdictKind.choices)
    evidence = models.JSONField()
    rules_version = models.CharField(max_length=16)
    as_of = models.DateField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["patient", "computed_at"])]
        ordering: ClassVar = ["patient", "-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} for patient {self.patient_id} as of {self.as_of}"


class Flag(models.Model):
    """A condition for the clinician's triage list (CLINICAL.md §7, §11.8).

    open → acknowledged (by a clinician, optional note) → resolved (by the recompute when
    a state condition clears, or by a clinician). At most one unresolved flag per patient
    and kind, enforced by a partial unique index.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=32, choices=FlagKind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    status = models.CharField(max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    evidence = models.JSONField()
    rules_version = models.CharField(max_length=16)
    last_occurred_on = models.DateField(null=True, blank=True, help_text="Event flags: the latest occurrence.")
    opened_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    acknowledge_note = models.CharField(max_length=1000, blank=True, default="")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    resolve_note = models.CharField(max_length=1000, blank=True, default="")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["patient", "kind"],
                condition=~Q(status=FlagStatus.RESOLVED),
                name="flag_one_unresolved_per_condition",
            ),
            models.CheckConstraint(condition=Q(kind__in=FlagKind.values), name="flag_kind_known"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="flag_severity_known"),
            models.CheckConstraint(
                condition=~Q(status=FlagStatus.RESOLVED) | Q(resolved_at__isnull=False), name="flag_resolved_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status=FlagStatus.ACKNOWLEDGED) | Q(acknowledged_at__isnull=False),
                name="flag_acknowledged_has_time",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["patient", "status"]), models.Index(fields=["status", "severity"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status}) for patient {self.patient_id}"

    @property
    def is_resolved(self) -> bool:
        return self.status == FlagStatus.RESOLVED

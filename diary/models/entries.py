from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from diary.choices import MedicineClass, SideEffectKind
from diary.models.history import tracked
from diary.models.people import Patient

NOTE_MAX_LENGTH = 2000
# Bounds on what one day may list (a PUT replaces the day as a whole): each side effect
# kind once, and more acute medicines than anyone takes in a day.
SIDE_EFFECTS_PER_DAY_MAX = len(SideEffectKind)
MEDICINES_PER_DAY_MAX = 20


def _between(field: str, low: int | Decimal, high: int | Decimal, *, nullable: bool = False) -> models.CheckConstraint:
    rule = Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if nullable:
        rule |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=rule, name=f"%(class)s_{field}_range")


@tracked()
class DiaryEntry(models.Model):
    """One patient's diary day (CLINICAL.md §1–§2). The date is the patient's local date."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="entries")
    date = models.DateField()
    # core
    pain_score = models.PositiveSmallIntegerField()
    headache = models.PositiveSmallIntegerField()
    migraine = models.BooleanField(null=True, blank=True)
    sleep_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    # detail
    headache_hours = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    one_sided = models.BooleanField(null=True, blank=True)
    pulsating = models.BooleanField(null=True, blank=True)
    worse_with_activity = models.BooleanField(null=True, blank=True)
    nausea_vomiting = models.BooleanField(null=True, blank=True)
    light_sensitivity = models.BooleanField(null=True, blank=True)
    sound_sensitivity = models.BooleanField(null=True, blank=True)
    aura_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    # bookkeeping
    client_id = models.UUIDField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    late = models.BooleanField(default=False)
    seq = models.BigIntegerField(default=0, help_text="Patient.change_seq at the last change.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "diary entries"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["patient", "date"], name="entry_one_per_day"),
            _between("pain_score", 0, 10),
            _between("headache", 0, 3),
            _between("sleep_quality", 0, 10, nullable=True),
            _between("headache_hours", Decimal("0"), Decimal("24"), nullable=True),
            _between("aura_minutes", 0, 1440, nullable=True),
            models.CheckConstraint(condition=Q(version__gte=1), name="entry_version_positive"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), NOTE_MAX_LENGTH), name="entry_note_length"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["patient", "seq"])]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.date}"


@tracked()
class SideEffect(models.Model):
    entry = models.ForeignKey(DiaryEntry, on_delete=models.CASCADE, related_name="side_effects")
    kind = models.CharField(max_length=32, choices=SideEffectKind.choices)
    severity = models.PositiveSmallIntegerField()
    limited_activities = models.BooleanField(default=False)
    other_text = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["entry", "kind"], name="side_effect_once_per_entry"),
            _between("severity", 1, 3),
            models.CheckConstraint(condition=Q(kind__in=SideEffectKind.values), name="side_effect_kind_known"),
            models.CheckConstraint(condition=~Q(kind="other") | ~Q(other_text=""), name="side_effect_other_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.severity})"


@tracked()
class AcuteMedication(models.Model):
    entry = models.ForeignKey(DiaryEntry, on_delete=models.CASCADE, related_name="acute_medications")
    med_class = models.CharField(max_length=32, choices=MedicineClass.choices)
    name = models.CharField(max_length=100, blank=True, default="")
    for_headache = models.BooleanField()
    contains_opioid = models.BooleanField(default=False)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(med_class__in=MedicineClass.values), name="acute_med_class_known"),
            models.CheckConstraint(
                condition=~Q(med_class="opioid") | Q(contains_opioid=True), name="acute_med_opioid_flagged"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.med_class} {self.name}".strip()


class EntryRevision(models.Model):
    """A complete copy of an entry as it was before a change (children included).

    Written by the service layer on every change, so a conflict screen and the patient
    can see every version. Database triggers (pghistory) additionally record every
    row-level write on PostgreSQL, whichever code path made it.
    """

    entry = models.ForeignKey(DiaryEntry, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["entry", "version"], name="revision_once_per_version"),
        ]
        ordering: ClassVar = ["entry", "-version"]

    def __str__(self) -> str:
        return f"entry {self.entry_id} v{self.version}"

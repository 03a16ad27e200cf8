"""Questionnaire responses (CLINICAL.md §9, §12) and a clinic's licensed HIT-6 wording."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from diary.choices import EnteredBy, Instrument
from diary.models.history import tracked
from diary.models.people import Clinic, Patient


@tracked()
class QuestionnaireResponse(models.Model):
    """One completed questionnaire. Never edited in place: a correction is a new response,
    and the latest completed on a date counts (§12.1, §12.10).

    ``answers``: MIDAS ``{"items": [5 × 0–90], "a": 0–90|null, "b": 0–10|null}``; HIT-6
    ``{"answers": [6 × never|rarely|sometimes|very_often|always]}`` or ``{}`` for a bare
    total entered by a clinician; PGIC ``{"answer": 1–7}``; a reported baseline ``{}``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="questionnaires")
    instrument = models.CharField(max_length=8, choices=Instrument.choices)
    completed_on = models.DateField()  # the patient's diary day
    answers = models.JSONField(default=dict, blank=True)
    total = models.PositiveSmallIntegerField()
    entered_by = models.CharField(max_length=16, choices=EnteredBy.choices)
    entered_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The device's id for an offline submission: a replay returns the first response.
    client_id = models.UUIDField(null=True, blank=True)
    seq = models.BigIntegerField(default=0)  # the patient's change number (Patient.change_seq)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["completed_on", "created_at", "pk"]
        indexes: ClassVar = [models.Index(fields=["patient", "instrument", "completed_on"])]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["patient", "client_id"], condition=Q(client_id__isnull=False), name="questionnaire_client_id"
            ),
            models.CheckConstraint(
                condition=(Q(instrument=Instrument.MIDAS) & Q(total__lte=450))
                | (Q(instrument=Instrument.HIT6) & Q(total__gte=36, total__lte=78))
                | (Q(instrument=Instrument.PGIC) & Q(total__gte=1, total__lte=7)),
                name="questionnaire_total_range",
            ),
            models.CheckConstraint(condition=Q(entered_by__in=EnteredBy.values), name="questionnaire_entered_by"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.completed_on} ({self.total}) for patient {self.patient_id}"


class Hit6Wording(models.Model):
    """A clinic's licensed HIT-6 item wording (§9, §12.1): the product ships none. Without
    it, patients of the clinic cannot fill HIT-6 in the app."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="hit6_wording")
    items = models.JSONField()  # six item texts, in order
    licence_note = models.CharField(max_length=500, blank=True, default="")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"HIT-6 wording of {self.clinic}"

"""Reads of the analysis' results: the stored insight, flags in triage order, verdicts, the opioid alert."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from diary.access import visible_patients
from diary.choices import (
    SEVERITY_RANK,
    FlagKind,
    FlagStatus,
    MedicineClass,
)
from diary.models import (
    AcuteMedication,
    Clinician,
    Flag,
    Patient,
    PatientInsight,
    Verdict,
)


def insight_of(patient: Patient) -> PatientInsight | None:
    """The last stored analysis of the patient (None until the worker ran once)."""
    return PatientInsight.objects.filter(patient=patient).first()


_STATUS_RANK = {FlagStatus.OPEN: 0, FlagStatus.ACKNOWLEDGED: 1, FlagStatus.RESOLVED: 2}


def _triage_order(flags: QuerySet[Flag]) -> QuerySet[Flag]:
    """Open first, then acknowledged, then resolved; within each, most severe first, newest first."""
    return flags.annotate(
        status_rank=Case(
            *(When(status=s, then=Value(rank)) for s, rank in _STATUS_RANK.items()), output_field=IntegerField()
        ),
        severity_rank=Case(
            *(When(severity=s, then=Value(rank)) for s, rank in SEVERITY_RANK.items()), output_field=IntegerField()
        ),
    ).order_by("status_rank", "severity_rank", "-opened_at", "-pk")


def flags_for(clinician: Clinician) -> QuerySet[Flag]:
    """Flags of the patients the clinician may see, in triage order (constant query count)."""
    flags = Flag.objects.filter(patient__in=visible_patients(clinician)).select_related(
        "patient__user", "acknowledged_by__user", "resolved_by__user"
    )
    return _triage_order(flags)


def flags_filtered(
    clinician: Clinician,
    statuses: Sequence[str],
    kinds: Sequence[str] = (),
    severities: Sequence[str] = (),
    patient_id: uuid.UUID | None = None,
) -> QuerySet[Flag]:
    """``flags_for`` narrowed to these statuses, and to these kinds, severities and patient
    when given."""
    flags = flags_for(clinician).filter(status__in=statuses)
    if kinds:
        flags = flags.filter(kind__in=kinds)
    if severities:
        flags = flags.filter(severity__in=severities)
    if patient_id is not None:
        flags = flags.filter(patient__public_id=patient_id)
    return flags


def flag_of(clinician: Clinician, public_id: uuid.UUID) -> Flag | None:
    """One flag of a patient the clinician may see (None: not visible)."""
    return flags_for(clinician).filter(public_id=public_id).first()


def flags_of_patient(patient: Patient) -> QuerySet[Flag]:
    flags = Flag.objects.filter(patient=patient).select_related("acknowledged_by__user", "resolved_by__user")
    return _triage_order(flags)


def flag_of_patient(patient: Patient, pk: int) -> Flag:
    return flags_of_patient(patient).get(pk=pk)


def verdicts_of_patient(patient: Patient, limit: int = 50) -> list[Verdict]:
    return list(Verdict.objects.filter(patient=patient).order_by("-computed_at", "-pk")[:limit])


def opioid_alert_holds(patient: Patient) -> bool:
    """The patient's opioid alert (CLINICAL.md §7, §11.8): an unresolved opioid flag, and the
    patient's diary as it is now still holds an opioid in the period the flag covers (a day
    the patient corrected away no longer shows the alert, though the flag stays open)."""
    flag = (
        Flag.objects.filter(patient=patient, kind=FlagKind.OPIOID_INTERACTION)
        .exclude(status=FlagStatus.RESOLVED)
        .only("evidence")
        .first()
    )
    if flag is None:
        return False
    opioids = AcuteMedication.objects.filter(entry__patient=patient).filter(
        Q(med_class=MedicineClass.OPIOID) | Q(contains_opioid=True)
    )
    since = flag.evidence.get("on_ldn_from")
    if since:
        opioids = opioids.filter(entry__date__gte=since)
    return opioids.exists()

"""The reads of "my data" (a patient's download, the FHIR export): everything a patient
logged and everything stored about them, in one query per table whatever the number of days."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from diary.models import (
    AcuteMedication,
    CareLink,
    DiaryEntry,
    DoseLog,
    DoseLogRevision,
    DosePlan,
    EntryRevision,
    Patient,
    PushSubscription,
    QuestionnaireResponse,
    Reminder,
    ReportedBaseline,
    SideEffect,
)
from diary.selectors.dosing import dose_logs_for, plans_for
from diary.selectors.people import care_links_for_patient
from diary.selectors.questionnaires import questionnaires_for


@dataclass(frozen=True)
class ExportData:
    patient: Patient
    entries: list[DiaryEntry]  # side_effects, acute_medications and revisions prefetched
    dose_logs: list[DoseLog]
    dose_revisions: list[DoseLogRevision]  # earlier values of corrected and deleted doses
    plans: list[DosePlan]  # steps prefetched
    reported_baseline: ReportedBaseline | None
    care_links: list[CareLink]
    reminders: list[Reminder]
    push_subscriptions: list[PushSubscription]
    questionnaires: list[QuestionnaireResponse]


def export_gather(patient: Patient) -> ExportData:
    """One query per table (12 in all), whatever the size of the diary."""
    entries = list(
        DiaryEntry.objects.filter(patient=patient)
        .prefetch_related(
            Prefetch("side_effects", queryset=SideEffect.objects.order_by("pk")),
            Prefetch("acute_medications", queryset=AcuteMedication.objects.order_by("pk")),
            Prefetch("revisions", queryset=EntryRevision.objects.order_by("-version")),
        )
        .order_by("date")
    )
    return ExportData(
        patient=patient,
        entries=entries,
        dose_logs=list(dose_logs_for(patient)),
        dose_revisions=list(DoseLogRevision.objects.filter(patient=patient).order_by("date", "seq")),
        plans=list(plans_for(patient)),
        reported_baseline=ReportedBaseline.objects.filter(patient=patient).first(),
        care_links=list(care_links_for_patient(patient)),
        reminders=list(Reminder.objects.filter(patient=patient).order_by("kind")),
        push_subscriptions=list(PushSubscription.objects.filter(patient=patient).order_by("created_at")),
        questionnaires=list(questionnaires_for(patient)),
    )

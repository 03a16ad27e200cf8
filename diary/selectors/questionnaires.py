"""Reads of questionnaires (CLINICAL.md §12): responses, what is due and what counts, the HIT-6 wording."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Min, QuerySet
from django.db.models.fields.json import KeyTransform

from diary.analysis import questionnaires as rules_q
from diary.choices import (
    HEADACHE_CONDITIONS,
    Instrument,
    LinkStatus,
)
from diary.dates import local_calendar_date, local_today
from diary.evidence import total_words
from diary.models import (
    CareLink,
    DoseLog,
    DosePlan,
    Hit6Wording,
    Patient,
    PatientInsight,
    QuestionnaireResponse,
)
from diary.selectors.dosing import latest_plans


def clinic_hit6_wording(clinic_id: int) -> Hit6Wording | None:
    """The clinic's own licensed HIT-6 wording (None: none entered)."""
    return Hit6Wording.objects.filter(clinic_id=clinic_id).first()


def questionnaires_for(patient: Patient) -> QuerySet[QuestionnaireResponse]:
    """Every response of the patient, oldest first (never edited: corrections are new rows)."""
    return (
        QuestionnaireResponse.objects.filter(patient=patient)
        .select_related("entered_by_user")
        .order_by("completed_on", "created_at", "pk")
    )


def questionnaires_now(patient: Patient, now: dt.datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """What is due and what counts on the patient's diary day (``questionnaire_standing``),
    from the stored responses, the current plan, and the trial clock of the last analysis."""
    return questionnaire_reads([patient.pk]).standing(patient, now)


@dataclass
class QuestionnaireReads:
    """What ``questionnaire_standing`` needs for a set of patients, read at once
    (``questionnaire_reads``): the reminders dispatcher decides a whole claimed batch
    with it, the patient's own page a batch of one."""

    rows: dict[int, list[rules_q.QuestionnaireRow]]
    plans: dict[int, DosePlan]
    clocks: dict[int, object]
    first_doses: dict[int, dt.date]

    def standing(self, patient: Patient, now: dt.datetime | None = None) -> dict[str, list[dict[str, Any]]]:
        return questionnaire_standing(
            patient,
            self.rows.get(patient.pk, []),
            plan=self.plans.get(patient.pk),
            clock=self.clocks.get(patient.pk),
            first_dose_logged=self.first_doses.get(patient.pk),
            today=questionnaire_today(patient, now),
        )


def questionnaire_reads(patient_ids: Collection[int]) -> QuestionnaireReads:
    """``QuestionnaireReads`` of the listed patients in four queries, however many."""
    ids = list(patient_ids)
    clocks = dict(
        PatientInsight.objects.filter(patient_id__in=ids)
        .annotate(clock=KeyTransform("clock", KeyTransform("summary", "data")))
        .values_list("patient_id", "clock")
    )
    # before any analysis saw a dose, the first dose logged starts the clock
    unknown = [pid for pid in ids if not (isinstance(clocks.get(pid), dict) and clocks[pid].get("first_dose"))]
    first_doses = dict(
        DoseLog.objects.filter(patient_id__in=unknown, taken=True)
        .values("patient_id")
        .annotate(first=Min("date"))
        .values_list("patient_id", "first")
    )
    return QuestionnaireReads(
        rows=questionnaire_rows(ids),
        plans=latest_plans(ids, steps=False),
        clocks=clocks,
        first_doses=first_doses,
    )


def patients_with_hit6_wording(patient_ids: Collection[int]) -> set[int]:
    """Those of the listed patients who share their diary with a clinic that entered the
    licensed HIT-6 wording (§12.1: without it the app cannot ask HIT-6). One query."""
    return set(
        CareLink.objects.filter(
            patient_id__in=list(patient_ids), status=LinkStatus.ACTIVE, clinic__hit6_wording__isnull=False
        ).values_list("patient_id", flat=True)
    )


def questionnaire_rows(patient_ids: Collection[int]) -> dict[int, list[rules_q.QuestionnaireRow]]:
    """Every response of the listed patients, as the analysis reads them (one query)."""
    by_patient: dict[int, list[rules_q.QuestionnaireRow]] = defaultdict(list)
    rows = QuestionnaireResponse.objects.filter(patient_id__in=list(patient_ids)).values_list(
        "patient_id", "instrument", "completed_on", "total", "entered_by", "pk"
    )
    for patient_id, instrument, completed_on, total, entered_by, pk in rows:
        by_patient[patient_id].append(rules_q.QuestionnaireRow(instrument, completed_on, total, entered_by, pk))
    return by_patient


def questionnaire_today(patient: Patient, now: dt.datetime | None = None) -> dt.date:
    """The day questionnaires are due on and dated by: the patient's diary day (§12.10)."""
    return local_today(patient.time_zone, patient.day_boundary, now)


def _counted(instrument: str, response: dict[str, Any] | None) -> dict[str, Any] | None:
    if response is None:
        return None
    return {**response, "words": total_words(instrument, response["total"], response.get("band"))}


def questionnaire_standing(
    patient: Patient,
    rows: Sequence[rules_q.QuestionnaireRow],
    *,
    plan: DosePlan | None,
    clock: object,
    first_dose_logged: dt.date | None,
    today: dt.date,
) -> dict[str, list[dict[str, Any]]]:
    """``{due, counted}`` on ``today`` from what a caller has read already: the patient's
    responses, their latest plan (a stopped one: nothing is due), the stored trial clock
    (its first dose and earliest evaluation date; before any analysis saw a dose, the
    first dose logged). One rule for the patient's page and the triage list, which reads
    these for a whole page at once.

    1. ``due``: §12.3, §12.4 (``analysis.questionnaires.due``).
    2. ``counted``: per instrument the condition lists, the baseline and follow-up
       responses that count today (``analysis.questionnaires.findings``; the stored
       verdict may not have seen the latest yet), and whether the instrument can change
       the verdict (``decides``: MIDAS and HIT-6 for headache conditions, PGIC otherwise).
    """
    known = clock if isinstance(clock, dict) else {}
    first, earliest = known.get("first_dose"), known.get("earliest_evaluation")
    first_dose = dt.date.fromisoformat(first) if first else first_dose_logged
    earliest_evaluation = dt.date.fromisoformat(earliest) if earliest else None
    current = plan if plan is not None and plan.stopped_on is None else None
    condition = patient.primary_condition
    due = rules_q.due(
        rows,
        condition,
        plan_since=None if current is None else local_calendar_date(patient.time_zone, current.created_at),
        plan_continues=current is not None,
        first_dose=first_dose,
        earliest_evaluation=earliest_evaluation,
        as_of=today,
    )
    found = rules_q.findings(rows, condition, first_dose, earliest_evaluation, today)
    headache = condition in HEADACHE_CONDITIONS
    counted = [
        {
            "instrument": instrument,
            "baseline": _counted(instrument, block["baseline"]),
            "followup": _counted(instrument, block["followup"]),
            "decides": (instrument != Instrument.PGIC) == headache,
        }
        for instrument, block in found.instruments.items()
        if block["baseline"] or block["followup"]
    ]
    return {"due": due, "counted": counted}


def hit6_wording_of(patient: Patient) -> Hit6Wording | None:
    """The licensed HIT-6 wording of a clinic the patient shares their diary with."""
    return (
        Hit6Wording.objects.filter(clinic__care_links__patient=patient, clinic__care_links__status=LinkStatus.ACTIVE)
        .order_by("-updated_at")
        .first()
    )

"""The analysis' input for a batch of patients (the insights worker, the visit report), one query per table."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Field, Func
from django.utils import timezone

from diary.analysis.history import EntryRow, PatientHistory, PlanRow, ReportedBaselineRow, StepRow
from diary.dates import local_calendar_date
from diary.models import (
    AcuteMedication,
    DiaryEntry,
    DoseLog,
    DoseStep,
    Patient,
    QuestionnaireResponse,
    ReportedBaseline,
    SideEffect,
)
from diary.selectors.dosing import latest_plans


def _as_float(column: str) -> Func:
    """CAST(column AS DOUBLE PRECISION), read as the database driver returns it.

    Django's ``Cast(..., FloatField())`` would call ``float()`` again on every row in
    Python; over a year of diary days for a batch of patients that is a measurable part
    of the read (bench/insights). The generic output field skips that converter.
    """
    return Func(column, template="CAST(%(expressions)s AS DOUBLE PRECISION)", output_field=Field())


# EntryRow's field order, with headache_hours read as a float (annotated "hours").
_ENTRY_COLUMNS = tuple("hours" if name == "headache_hours" else name for name in EntryRow._fields)


def histories_load(patient_ids: Sequence[int], now: dt.datetime | None = None) -> dict[int, PatientHistory]:
    """Every listed patient's whole history, with one query per table.

    Rows go to the analysis as the plain tuples ``values_list`` returns (in the field
    order of ``diary.analysis.history``), without the leading patient id.
    """
    now = now or timezone.now()
    ids = list(patient_ids)
    entries: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    side_effects: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    medications: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    doses: dict[int, list[tuple[Any, ...]]] = defaultdict(list)

    entry_rows = (
        DiaryEntry.objects.filter(patient_id__in=ids)
        .annotate(hours=_as_float("headache_hours"))
        .values_list("patient_id", *_ENTRY_COLUMNS)
    )
    for row in entry_rows:
        entries[row[0]].append(row[1:])
    se_rows = SideEffect.objects.filter(entry__patient_id__in=ids).values_list(
        "entry__patient_id", "entry__date", "kind", "severity", "limited_activities"
    )
    for row in se_rows:
        side_effects[row[0]].append(row[1:])
    med_rows = AcuteMedication.objects.filter(entry__patient_id__in=ids).values_list(
        "entry__patient_id", "entry__date", "med_class", "for_headache", "contains_opioid"
    )
    for row in med_rows:
        medications[row[0]].append(row[1:])
    dose_rows = (
        DoseLog.objects.filter(patient_id__in=ids)
        .annotate(amount=_as_float("mg"))
        .values_list("patient_id", "date", "taken", "amount", "time_of_day")
    )
    for row in dose_rows:
        doses[row[0]].append(row[1:])

    questionnaires: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    response_rows = QuestionnaireResponse.objects.filter(patient_id__in=ids).values_list(
        "patient_id", "instrument", "completed_on", "total", "entered_by", "pk"
    )
    for row in response_rows:
        questionnaires[row[0]].append(row[1:])

    patients = list(Patient.objects.filter(pk__in=ids).values_list("pk", "time_zone", "primary_condition"))
    plans = _latest_plans(ids, {pk: tz for pk, tz, _ in patients})
    baselines = {
        b.patient_id: ReportedBaselineRow(
            float(b.monthly_headache_days),
            None if b.monthly_migraine_days is None else float(b.monthly_migraine_days),
            None if b.mean_pain is None else float(b.mean_pain),
        )
        for b in ReportedBaseline.objects.filter(patient_id__in=ids)
    }
    return {
        pk: PatientHistory(
            as_of=local_calendar_date(tz, now),
            condition=condition,
            entries=entries.get(pk, []),
            side_effects=side_effects.get(pk, []),
            medications=medications.get(pk, []),
            doses=doses.get(pk, []),
            plan=plans.get(pk),
            reported_baseline=baselines.get(pk),
            questionnaires=questionnaires.get(pk, []),
        )
        for pk, tz, condition in patients
    }


def _latest_plans(patient_ids: list[int], zones: dict[int, str]) -> dict[int, PlanRow]:
    """Each patient's most recent plan (the current one, else the last stopped) with its
    steps, and the patient's local date it was written on."""
    latest = latest_plans(patient_ids, steps=False)  # the steps are read below, as floats
    steps: dict[int, list[StepRow]] = defaultdict(list)
    step_rows = (
        DoseStep.objects.filter(plan_id__in=[p.pk for p in latest.values()])
        .annotate(amount=_as_float("mg"))
        .order_by("plan_id", "start_date")
        .values_list("plan_id", "start_date", "amount", "time_of_day")
    )
    for plan_id, start, mg, time_of_day in step_rows:
        steps[plan_id].append(StepRow(start, mg, time_of_day))
    return {
        patient_id: PlanRow(
            float(plan.target_mg),
            plan.decision_weeks,
            plan.stopped_on,
            plan.stop_reason,
            tuple(steps[plan.pk]),
            local_calendar_date(zones.get(patient_id, "UTC"), plan.created_at),
        )
        for patient_id, plan in latest.items()
    }

"""Reads of dosing: logged doses and their revisions, plans (the one "latest plan" rule), the
planned dose of a day, the reported baseline."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from diary.models import (
    DoseLog,
    DoseLogRevision,
    DosePlan,
    DoseStep,
    Patient,
    ReportedBaseline,
)


def dose_logs_for(patient: Patient, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[DoseLog]:
    qs = DoseLog.objects.filter(patient=patient)
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    return qs.order_by("date")


def plans_for(patient: Patient) -> QuerySet[DosePlan]:
    return (
        DosePlan.objects.filter(patient=patient)
        .select_related("created_by__user", "stopped_by__user")
        .prefetch_related(Prefetch("steps", queryset=DoseStep.objects.order_by("start_date")))
        .order_by("-created_at")
    )


def plan_of(patient: Patient, pk: int) -> DosePlan:
    """One of the patient's plans with its steps and authors (as ``plans_for`` reads them)."""
    return plans_for(patient).get(pk=pk)


def current_plan(patient: Patient) -> DosePlan | None:
    """The plan not yet stopped, if any."""
    return plans_for(patient).filter(stopped_on__isnull=True).first()


def latest_plan(plans: Iterable[DosePlan]) -> DosePlan | None:
    """The patient's latest plan, from their plans newest first: the current one (not
    stopped), else the last stopped. The one rule for "the patient's plan" wherever a page,
    the visit report or the analysis shows one."""
    newest = None
    for plan in plans:
        if plan.stopped_on is None:
            return plan
        newest = newest or plan
    return newest


def latest_plans(patient_ids: Sequence[int], *, steps: bool = True) -> dict[int, DosePlan]:
    """``latest_plan`` of each listed patient who has a plan: one query (two with the steps)."""
    plans = DosePlan.objects.filter(patient_id__in=patient_ids).order_by("patient_id", "-created_at", "-pk")
    if steps:
        plans = plans.prefetch_related("steps")
    by_patient: dict[int, list[DosePlan]] = defaultdict(list)
    for plan in plans:
        by_patient[plan.patient_id].append(plan)
    return {pid: chosen for pid, own in by_patient.items() if (chosen := latest_plan(own)) is not None}


def first_dose_taken(patient: Patient) -> dt.date | None:
    """The date of the patient's first logged dose that was taken, if any."""
    return DoseLog.objects.filter(patient=patient, taken=True).order_by("date").values_list("date", flat=True).first()


def dose_log_of(patient: Patient, public_id: uuid.UUID) -> DoseLog | None:
    return DoseLog.objects.filter(patient=patient, public_id=public_id).first()


def dose_revisions_of(patient: Patient, public_id: uuid.UUID) -> QuerySet[DoseLogRevision]:
    """Earlier values of one logged dose, newest first."""
    return DoseLogRevision.objects.filter(patient=patient, dose_id=public_id).order_by("-seq", "-pk")


def dose_logged_on(patient: Patient, day: dt.date) -> bool:
    return DoseLog.objects.filter(patient=patient, date=day).exists()


def reported_baseline_of(patient: Patient) -> ReportedBaseline | None:
    return ReportedBaseline.objects.filter(patient=patient).first()


@dataclass(frozen=True)
class PlannedDose:
    date: dt.date
    mg: Decimal
    time_of_day: str
    step_start: dt.date
    first_day_of_step: bool
    is_step_up: bool
    next_step: DoseStep | None


def planned_dose_on(patient: Patient, day: dt.date, plans: Sequence[DosePlan] | None = None) -> PlannedDose | None:
    """Today's (or any day's) planned dose: the step in force, or None.

    None before the first step, on and after a stop date, and with no plan at all.
    `plans` (newest first, steps prefetched) saves the query when the caller has them.
    """
    if plans is None:
        plans = list(plans_for(patient))
    for candidate in plans:
        if candidate.stopped_on is not None and day >= candidate.stopped_on:
            continue
        steps = list(candidate.steps.all())
        in_force = [s for s in steps if s.start_date <= day]
        if not in_force:
            continue
        step = in_force[-1]
        previous = in_force[-2] if len(in_force) > 1 else None
        later = [s for s in steps if s.start_date > day]
        return PlannedDose(
            date=day,
            mg=step.mg,
            time_of_day=step.time_of_day,
            step_start=step.start_date,
            first_day_of_step=step.start_date == day,
            is_step_up=previous is not None and step.mg > previous.mg,
            next_step=later[0] if later else None,
        )
    return None

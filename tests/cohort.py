"""Diaries for dashboard tests: a patient's baseline month and trial, written in bulk, then
analysed by the real insights engine (``insights_sweep``), never hand-written verdicts.

A course: 28 diary days before the first dose (the baseline), a plan titrated
``steps`` (default 1.5 → 3.0 → 4.5 mg a week apart), a dose taken every planned day, and
diary days up to ``today`` (or the stop). Pain / headache levels are one value for the
baseline and one after the first 14 days on LDN (the settling weeks ramp linearly).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from diary.models import AcuteMedication, Clinician, DiaryEntry, DoseLog, DosePlan, DoseStep, Patient, SideEffect
from diary.services.insights import insights_sweep
from tests.factories import PatientFactory, link


@dataclass
class Course:
    condition: str = "chronic_pain"
    baseline_pain: int = 8
    pain: int = 8  # on LDN, after the settling weeks
    baseline_headache_days: int = 0  # of the 28 baseline days
    headache_days_per_28: int = 0  # on LDN
    days_on_ldn: int = 100  # before today: 14 days of titration + 86 on the target (≥ 12 weeks)
    steps: tuple[tuple[int, str], ...] = ((0, "1.5"), (7, "3.0"), (14, "4.5"))
    target_mg: str = "4.5"
    stopped_after: int | None = None  # days on LDN before a stop (then discontinued)
    stop_reason: str = "no_benefit"
    side_effects: dict[str, int] = field(default_factory=dict)  # kind → number of days (from the first dose)
    opioid_on: int | None = None  # days after the first dose: codeine logged that day
    name: str = ""


def _headache(day_index: int, per_28: int) -> int:
    """``per_28`` headache days spread evenly over each 28 days."""
    return 2 if per_28 and (day_index * per_28) // 28 != ((day_index + 1) * per_28) // 28 else 0


def course_write(patient: Patient, clinician: Clinician, course: Course, today: date) -> None:
    first = today - timedelta(days=course.days_on_ldn)
    last = today if course.stopped_after is None else first + timedelta(days=course.stopped_after - 1)
    entries = []
    for k in range((last - first).days + 1 + 28):
        day = first - timedelta(days=28) + timedelta(days=k)
        on = k - 28  # days since the first dose
        if on < 0:
            pain, per_28 = course.baseline_pain, course.baseline_headache_days
        else:
            ramp = min(on / 14, 1.0)
            pain = round(course.baseline_pain + (course.pain - course.baseline_pain) * ramp)
            per_28 = round(
                course.baseline_headache_days + (course.headache_days_per_28 - course.baseline_headache_days) * ramp
            )
        entries.append(
            DiaryEntry(patient=patient, date=day, pain_score=pain, headache=_headache(k % 28, per_28), sleep_quality=6)
        )
    DiaryEntry.objects.bulk_create(entries)
    by_date = {e.date: e for e in DiaryEntry.objects.filter(patient=patient)}
    effects = []
    for kind, days in course.side_effects.items():
        for k in range(days):
            entry = by_date.get(first + timedelta(days=k))
            if entry is not None:
                effects.append(SideEffect(entry=entry, kind=kind, severity=1))
    SideEffect.objects.bulk_create(effects)
    if course.opioid_on is not None:
        AcuteMedication.objects.create(
            entry=by_date[first + timedelta(days=course.opioid_on)],
            med_class="opioid",
            name="codeine",
            for_headache=False,
            contains_opioid=True,
        )
    plan = DosePlan.objects.create(
        patient=patient, created_by=clinician, target_mg=Decimal(course.target_mg), decision_weeks=12
    )
    DoseStep.objects.bulk_create(
        DoseStep(plan=plan, start_date=first + timedelta(days=offset), mg=Decimal(mg)) for offset, mg in course.steps
    )
    if course.stopped_after is not None:
        plan.stopped_on = last + timedelta(days=1)
        plan.stop_reason = course.stop_reason
        plan.stopped_by = clinician
        plan.save()
    doses = []
    for k in range((last - first).days + 1):
        day = first + timedelta(days=k)
        mg = [Decimal(mg) for offset, mg in course.steps if offset <= k][-1]
        doses.append(DoseLog(patient=patient, date=day, taken=True, mg=mg, client_id=uuid.uuid4()))
    DoseLog.objects.bulk_create(doses)
    Patient.objects.filter(pk=patient.pk).update(insights_stale_since=timezone.now(), change_seq=1)


def patient_with(clinician: Clinician, course: Course, today: date, **fields: object) -> Patient:
    patient = PatientFactory.create(primary_condition=course.condition, **fields)
    if course.name:
        patient.user.display_name = course.name
        patient.user.save()
    link(patient, clinician)
    course_write(patient, clinician, course, today)
    return patient


def analyse_all() -> int:
    """Run the real insights sweep until nothing is stale."""
    return insights_sweep().stored

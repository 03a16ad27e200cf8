"""Plans, doses actually taken, and the reported baseline (CLINICAL.md §4–§5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from diary.analysis import rules
from diary.dates import local_calendar_date
from diary.models import Clinician, DoseLog, DoseLogRevision, DosePlan, DoseStep, Patient, ReportedBaseline, User
from diary.models.dosing import MAX_DOSE_MG, STEP_DAYS_AHEAD_MAX, STEP_DAYS_BACK_MAX, STEPS_PER_PLAN_MAX
from diary.selectors import current_plan, planned_dose_on
from diary.services.entries import diary_date_check
from diary.services.errors import Conflict, InvalidInput
from diary.services.inputs import BaselineData, DoseLogChange, DoseLogData, PlanData, StepData
from diary.services.patients import patient_lock, patient_mark_changed

# The plan checks' limits are the analysis' (CLINICAL.md §11.4), as exact decimals.
USUAL_MAX_MG = Decimal(str(rules.USUAL_MAX_MG))
MAX_STEP_UP_MG = Decimal(str(rules.MAX_STEP_UP_MG))


@dataclass(frozen=True)
class DoseWarning:
    code: str
    message: str
    field: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


@dataclass
class Written:
    obj: Any
    created: bool
    warnings: list[DoseWarning] = field(default_factory=list)


def dose_value_check(mg: Decimal | None, field_name: str) -> None:
    """0 < dose ≤ 50 mg, else rejected."""
    if mg is None:
        return
    if mg <= 0:
        raise InvalidInput({field_name: "A dose must be more than 0 mg."})
    if mg > MAX_DOSE_MG:
        raise InvalidInput({field_name: f"{mg} mg is above {MAX_DOSE_MG} mg: not a low-dose naltrexone dose."})


def _mg_text(mg: Decimal) -> str:
    """4.5, 6.0, 0.75: as a dose is written (one decimal, two when it has them)."""
    text = f"{mg:.2f}"
    return text[:-1] if text.endswith("0") else text


def dose_warnings(
    steps: list[tuple[str, Decimal]], target: Decimal | None = None, *, plan_target: Decimal | None = None
) -> list[DoseWarning]:
    """Warnings for doses above the usual LDN range or steps up of more than 1.5 mg, and,
    for a plan, steps above the plan's own target.

    `steps` is (field path, mg) in date order. The first step is not a step up. A step above
    both the usual range and the target gets one warning that says both.
    """
    warnings = []
    if target is not None and target > USUAL_MAX_MG:
        warnings.append(
            DoseWarning(
                "above_usual_range",
                f"Target {_mg_text(target)} mg is above the usual LDN range (≤ 4.5 mg).",
                "target_mg",
            )
        )
    previous: Decimal | None = None
    for number, (path, mg) in enumerate(steps, start=1):
        step = f"Step {number}: " if plan_target is not None else ""
        above_target = plan_target is not None and mg > plan_target
        if mg > USUAL_MAX_MG:
            also = f" and above this plan's target ({_mg_text(plan_target)} mg)" if above_target and plan_target else ""
            warnings.append(
                DoseWarning(
                    "above_usual_range", f"{step}{_mg_text(mg)} mg is above the usual LDN range (≤ 4.5 mg){also}.", path
                )
            )
        elif above_target and plan_target is not None:
            message = f"{step}{_mg_text(mg)} mg is above this plan's target ({_mg_text(plan_target)} mg)."
            warnings.append(DoseWarning("above_target", message, path))
        if previous is not None and mg - previous > MAX_STEP_UP_MG:
            warnings.append(
                DoseWarning(
                    "large_step_up",
                    f"{step}{'a' if step else 'A'} step up from {_mg_text(previous)} to {_mg_text(mg)} mg is more than "
                    f"{_mg_text(MAX_STEP_UP_MG)} mg.",
                    path,
                )
            )
        previous = mg
    return warnings


# --- dose log ----------------------------------------------------------------------


def _previous_taken_mg(patient: Patient, day: date) -> Decimal | None:
    previous = (
        DoseLog.objects.filter(patient=patient, date__lt=day, taken=True).order_by("-date").values_list("mg", flat=True)
    ).first()
    return previous


@transaction.atomic
def dose_log_record(*, patient: Patient, data: DoseLogData, now: datetime | None = None) -> Written:
    """Record the dose taken (or missed) on a date; idempotent on `client_id`.

    1. A log with this client_id exists → return it unchanged (created=False).
    2. Check the date; lock the patient.
    3. Another log for that date exists → Conflict with it (edit that one instead).
    4. Taken without mg → the planned dose of that date, else an error.
    5. Save; warn above 4.5 mg or a jump of more than 1.5 mg over the previous dose.
    """
    existing = DoseLog.objects.filter(patient=patient, client_id=data["client_id"]).first()
    if existing is not None:
        return Written(existing, created=False, warnings=_log_warnings(patient, existing))
    day: date = data["date"]
    diary_date_check(patient, day, now=now)
    patient = patient_lock(patient.pk)
    existing = DoseLog.objects.filter(patient=patient, client_id=data["client_id"]).first()
    if existing is not None:  # the same request raced us to the lock
        return Written(existing, created=False, warnings=_log_warnings(patient, existing))
    clash = DoseLog.objects.filter(patient=patient, date=day).first()
    if clash is not None:
        raise Conflict(f"A dose is already logged for {day.isoformat()}; change that one instead.", clash)
    values = _dose_values(patient, data)
    now = now or timezone.now()
    log = DoseLog.objects.create(
        patient=patient,
        date=day,
        client_id=data["client_id"],
        seq=patient_mark_changed(patient, now),
        created_at=now,
        updated_at=now,
        **values,
    )
    return Written(log, created=True, warnings=_log_warnings(patient, log))


def _dose_snapshot(log: DoseLog) -> dict[str, Any]:
    return {
        "id": str(log.public_id),
        "client_id": str(log.client_id),
        "date": log.date.isoformat(),
        "taken": log.taken,
        "mg": None if log.mg is None else str(log.mg),
        "time_of_day": log.time_of_day,
        "taken_at": None if log.taken_at is None else log.taken_at.strftime("%H:%M"),
        "created_at": log.created_at.isoformat(),
        "updated_at": log.updated_at.isoformat(),
    }


def _dose_revision(log: DoseLog, *, seq: int, actor: User | None, now: datetime, deleted: bool) -> None:
    DoseLogRevision.objects.create(
        patient_id=log.patient_id,
        dose_id=log.public_id,
        date=log.date,
        snapshot=_dose_snapshot(log),
        deleted=deleted,
        replaced_at=now,
        replaced_by=actor,
        seq=seq,
    )


@transaction.atomic
def dose_log_update(
    *, log: DoseLog, data: DoseLogChange, actor: User | None = None, now: datetime | None = None
) -> Written:
    """Correct a logged dose (taken, amount, time). The date and client_id stay; the value
    before the correction is kept as a DoseLogRevision."""
    patient = patient_lock(log.patient_id)
    log = DoseLog.objects.select_for_update().get(pk=log.pk)
    merged: DoseLogData = {
        "client_id": log.client_id,
        "date": log.date,
        "taken": data.get("taken", log.taken),
        "mg": data.get("mg", log.mg),
        "time_of_day": data.get("time_of_day", log.time_of_day),
        "taken_at": data.get("taken_at", log.taken_at),
    }
    if "mg" not in data and data.get("taken") is False:
        merged["mg"] = None
    values = _dose_values(patient, merged)
    changed = any(getattr(log, k) != v for k, v in values.items())
    if changed:
        now = now or timezone.now()
        seq = patient_mark_changed(patient, now)
        _dose_revision(log, seq=seq, actor=actor, now=now, deleted=False)
        for key, value in values.items():
            setattr(log, key, value)
        log.seq = seq
        log.updated_at = now
        log.save()
    return Written(log, created=False, warnings=_log_warnings(patient, log))


@transaction.atomic
def dose_log_delete(*, log: DoseLog, actor: User | None = None, now: datetime | None = None) -> None:
    """Delete a logged dose (logged by mistake). 1. Lock the patient. 2. Keep the dose as a
    deleted DoseLogRevision with the change number, so the changes feed tells the
    patient's other devices and nothing logged is lost. 3. Delete the row, so the day can
    be logged again and the analysis no longer counts it."""
    patient = patient_lock(log.patient_id)
    locked = DoseLog.objects.select_for_update().filter(pk=log.pk).first()
    if locked is None:
        return  # deleted meanwhile (a repeated request)
    now = now or timezone.now()
    seq = patient_mark_changed(patient, now)
    _dose_revision(locked, seq=seq, actor=actor, now=now, deleted=True)
    locked.delete()


def _dose_values(patient: Patient, data: DoseLogData) -> dict[str, Any]:
    taken = data["taken"]
    mg = data.get("mg")
    dose_value_check(mg, "mg")
    time_of_day = data.get("time_of_day")
    planned = planned_dose_on(patient, data["date"])
    if taken and mg is None:
        if planned is None:
            raise InvalidInput({"mg": "There is no planned dose on this date: say how many mg were taken."})
        mg = planned.mg
    if time_of_day is None:
        time_of_day = planned.time_of_day if planned else patient.preferred_dose_time
    return {"taken": taken, "mg": mg, "time_of_day": time_of_day, "taken_at": data.get("taken_at")}


def _log_warnings(patient: Patient, log: DoseLog) -> list[DoseWarning]:
    if not log.taken or log.mg is None:
        return []
    previous = _previous_taken_mg(patient, log.date)
    steps = ([("previous", previous)] if previous is not None else []) + [("mg", log.mg)]
    return [w for w in dose_warnings(steps) if w.field == "mg"]


# --- plans -------------------------------------------------------------------------


def _steps_check(steps: list[StepData]) -> None:
    if not steps:
        raise InvalidInput({"steps": "A plan needs at least one step."})
    if len(steps) > STEPS_PER_PLAN_MAX:
        raise InvalidInput({"steps": f"A plan has at most {STEPS_PER_PLAN_MAX} steps."})
    seen: set[date] = set()
    for index, step in enumerate(steps):
        dose_value_check(step["mg"], f"steps.{index}.mg")
        if step["start_date"] in seen:
            raise InvalidInput({f"steps.{index}.start_date": "Two steps start on the same date."})
        seen.add(step["start_date"])


def _plan_prepare(patient: Patient, data: PlanData, now: datetime | None) -> tuple[list[StepData], date]:
    """Step 1 of ``plan_write``: check each dose (0 < mg ≤ 50), the target and decision
    weeks, and how far back steps go; returns the steps in date order and today."""
    steps = sorted(data["steps"], key=lambda s: s["start_date"])
    _steps_check(steps)
    dose_value_check(data.get("target_mg", USUAL_MAX_MG), "target_mg")
    weeks = data.get("decision_weeks", 12)
    if not 8 <= weeks <= 12:
        raise InvalidInput({"decision_weeks": "The decision point is 8 to 12 weeks on the trial clock."})
    today = local_calendar_date(patient.time_zone, now)
    for index, step in enumerate(steps):
        days_ahead = (step["start_date"] - today).days
        if days_ahead < -STEP_DAYS_BACK_MAX:
            raise InvalidInput(
                {f"steps.{index}.start_date": f"A step cannot start more than {STEP_DAYS_BACK_MAX} days ago."}
            )
        if days_ahead > STEP_DAYS_AHEAD_MAX:
            raise InvalidInput(
                {f"steps.{index}.start_date": f"A step cannot start more than {STEP_DAYS_AHEAD_MAX} days ahead."}
            )
    return steps, today


def _started_steps_check(patient: Patient, plan: DosePlan, steps: list[StepData], today: date) -> None:
    """Step 2 of ``plan_write``: steps that started before today are history and must stay."""
    started = [(s.start_date, s.mg, s.time_of_day) for s in plan.steps.all() if s.start_date < today]
    proposed = [
        (s["start_date"], s["mg"], s.get("time_of_day") or patient.preferred_dose_time)
        for s in steps
        if s["start_date"] < today
    ]
    if started != proposed:
        raise InvalidInput(
            {
                "steps": "Steps that started before today are part of the record and cannot be changed; "
                "change steps from today on, or stop this plan and write a new one."
            }
        )


def _plan_warnings(steps: list[StepData], data: PlanData) -> list[DoseWarning]:
    target = data.get("target_mg", USUAL_MAX_MG)
    return dose_warnings([(f"steps.{i}.mg", s["mg"]) for i, s in enumerate(steps)], target, plan_target=target)


def plan_check(*, patient: Patient, data: PlanData, now: datetime | None = None) -> list[DoseWarning]:
    """What ``plan_write`` would answer, without writing: the same 400s, the same warnings."""
    steps, today = _plan_prepare(patient, data, now)
    plan = current_plan(patient)
    if plan is not None:
        _started_steps_check(patient, plan, steps, today)
    return _plan_warnings(steps, data)


@transaction.atomic
def plan_write(*, patient: Patient, clinician: Clinician, data: PlanData, now: datetime | None = None) -> Written:
    """Create the patient's current plan, or change it.

    1. Check each dose (0 < mg ≤ 50), target and decision weeks; steps sorted by date.
    2. Changing a current plan: steps that started before today are history and must
       stay as they are; later steps may be added, changed or removed.
    3. Replace the steps; warn above 4.5 mg or for a step up of more than 1.5 mg.
    """
    steps, today = _plan_prepare(patient, data, now)
    patient = patient_lock(patient.pk)
    plan = current_plan(patient)
    created = plan is None
    now = now or timezone.now()
    if plan is None:
        plan = DosePlan(patient=patient, created_by=clinician, created_at=now)
    else:
        _started_steps_check(patient, plan, steps, today)
    plan.drug = data.get("drug") or "naltrexone"
    plan.target_mg = data.get("target_mg", USUAL_MAX_MG)
    plan.decision_weeks = data.get("decision_weeks", 12)
    plan.updated_at = now
    plan.save()
    plan.steps.all().delete()
    DoseStep.objects.bulk_create(
        DoseStep(
            plan=plan,
            start_date=s["start_date"],
            mg=s["mg"],
            time_of_day=s.get("time_of_day") or patient.preferred_dose_time,
        )
        for s in steps
    )
    patient_mark_changed(patient)
    return Written(plan, created=created, warnings=_plan_warnings(steps, data))


@transaction.atomic
def plan_stop(
    *, plan: DosePlan, clinician: Clinician, stopped_on: date, reason: str, note: str = "", now: datetime | None = None
) -> DosePlan:
    """Stop the current plan on a date (not in the future, not before it began)."""
    patient = patient_lock(plan.patient_id)
    plan = DosePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.stopped_on is not None:
        raise Conflict(f"This plan was already stopped on {plan.stopped_on.isoformat()}.", plan)
    today = local_calendar_date(patient.time_zone, now)
    if stopped_on > today:
        raise InvalidInput({"stopped_on": "A plan is stopped on today's date or a past one."})
    first = plan.steps.order_by("start_date").values_list("start_date", flat=True).first()
    if first is not None and stopped_on < first:
        raise InvalidInput({"stopped_on": f"The plan began on {first.isoformat()}; it cannot stop before that."})
    plan.stopped_on = stopped_on
    plan.stop_reason = reason
    plan.stop_note = note
    plan.stopped_by = clinician
    plan.updated_at = now or timezone.now()
    plan.save()
    patient_mark_changed(patient)
    return plan


@transaction.atomic
def baseline_report(*, patient: Patient, clinician: Clinician, data: BaselineData) -> ReportedBaseline:
    """Enter (or replace) the baseline month the patient reported but did not log."""
    headache_days = data["monthly_headache_days"]
    migraine_days = data.get("monthly_migraine_days")
    if migraine_days is not None and migraine_days > headache_days:
        raise InvalidInput({"monthly_migraine_days": "Migraine days are headache days: at most the headache days."})
    patient = patient_lock(patient.pk)
    baseline, _ = ReportedBaseline.objects.update_or_create(
        patient=patient,
        defaults={
            "monthly_headache_days": headache_days,
            "monthly_migraine_days": migraine_days,
            "mean_pain": data.get("mean_pain"),
            "note": data.get("note", ""),
            "entered_by": clinician,
            "entered_at": timezone.now(),
        },
    )
    patient_mark_changed(patient)
    return baseline

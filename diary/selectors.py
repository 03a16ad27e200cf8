"""Reads. Every function takes the patient (or clinician) it is scoped to; ``histories_load``
reads the analysis' input for a batch of patients (the insights worker, the visit report)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Field, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from diary.access import visible_patients
from diary.analysis import questionnaires as rules_q
from diary.analysis.history import EntryRow, PatientHistory, PlanRow, ReportedBaselineRow, StepRow
from diary.choices import (
    HEADACHE_CONDITIONS,
    SEVERITY_RANK,
    FlagKind,
    FlagStatus,
    Instrument,
    LinkStatus,
    MedicineClass,
)
from diary.dates import local_calendar_date, local_today
from diary.evidence import total_words
from diary.models import (
    AcuteMedication,
    CareLink,
    Clinician,
    DiaryEntry,
    DoseLog,
    DoseLogRevision,
    DosePlan,
    DoseStep,
    Flag,
    Hit6Wording,
    Patient,
    PatientInsight,
    PushSubscription,
    QuestionnaireResponse,
    ReportedBaseline,
    SideEffect,
    Verdict,
)


def entries_for(patient: Patient, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[DiaryEntry]:
    qs = DiaryEntry.objects.filter(patient=patient).prefetch_related("side_effects", "acute_medications")
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    return qs.order_by("date")


def entry_on(patient: Patient, day: dt.date) -> DiaryEntry | None:
    return entries_for(patient).filter(date=day).first()


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


def entry_version_on(patient: Patient, day: dt.date) -> int | None:
    """The stored entry's version for a day (None: no entry), without reading the entry."""
    return DiaryEntry.objects.filter(patient=patient, date=day).values_list("version", flat=True).first()


def dose_logged_on(patient: Patient, day: dt.date) -> bool:
    return DoseLog.objects.filter(patient=patient, date=day).exists()


def reported_baseline_of(patient: Patient) -> ReportedBaseline | None:
    return ReportedBaseline.objects.filter(patient=patient).first()


def insight_of(patient: Patient) -> PatientInsight | None:
    """The last stored analysis of the patient (None until the worker ran once)."""
    return PatientInsight.objects.filter(patient=patient).first()


def push_subscriptions_of(patient: Patient) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(patient=patient).order_by("created_at", "pk")


def clinic_hit6_wording(clinic_id: int) -> Hit6Wording | None:
    """The clinic's own licensed HIT-6 wording (None: none entered)."""
    return Hit6Wording.objects.filter(clinic_id=clinic_id).first()


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


def care_links_for_patient(patient: Patient) -> QuerySet[CareLink]:
    return (
        CareLink.objects.filter(patient=patient)
        .select_related("clinic", "clinician__user")
        .order_by("-consented_at", "-invited_at")
    )


def care_link_of(patient: Patient, public_id: uuid.UUID) -> CareLink | None:
    """One of the patient's own care links or invitations (None: not theirs)."""
    return care_links_for_patient(patient).filter(public_id=public_id).first()


def active_link_id(patient: Patient, clinic_id: int) -> uuid.UUID | None:
    """The public id of the patient's active care link with this clinic."""
    links = care_links_for_patient(patient).filter(clinic_id=clinic_id, status=LinkStatus.ACTIVE)
    return links.values_list("public_id", flat=True).first()


def invitations_for(clinician: Clinician, statuses: Sequence[str] = ()) -> QuerySet[CareLink]:
    """The clinic's invitations and links, newest first; only those in ``statuses`` when
    given. An invitation past its expiry counts as expired before the periodic task marks
    it so ("pending" is "invited" and not yet expired)."""
    links = (
        CareLink.objects.filter(clinic_id=clinician.clinic_id)
        .select_related("clinician__user", "patient__user")
        .order_by("-invited_at")
    )
    if not statuses:
        return links
    now = timezone.now()
    pending = Q(status=LinkStatus.INVITED, expires_at__gt=now)
    lapsed = Q(status=LinkStatus.EXPIRED) | Q(status=LinkStatus.INVITED, expires_at__lte=now)
    special: dict[str, Q] = {LinkStatus.INVITED: pending, "pending": pending, LinkStatus.EXPIRED: lapsed}
    match = Q(pk__in=[])
    for value in statuses:
        match |= special.get(value, Q(status=value))
    return links.filter(match)


def invitation_of(clinician: Clinician, public_id: uuid.UUID) -> CareLink | None:
    """One invitation or link of the clinician's clinic (None: not the clinic's)."""
    return invitations_for(clinician).filter(public_id=public_id).first()


def patients_for(clinician: Clinician) -> QuerySet[Patient]:
    """The clinician's linked patients with list columns, in a constant number of queries."""
    last_entry = DiaryEntry.objects.filter(patient=OuterRef("pk")).order_by("-date").values("date")[:1]
    linked_since = CareLink.objects.filter(
        patient=OuterRef("pk"), clinic_id=clinician.clinic_id, status=LinkStatus.ACTIVE
    ).values("consented_at")[:1]
    return (
        visible_patients(clinician)
        .select_related("user")
        .annotate(
            last_entry_date=Subquery(last_entry),
            linked_since=Subquery(linked_since),
        )
        .order_by("user__display_name", "pk")
    )


def changes_since(patient: Patient, since: int, limit: int = 500) -> dict[str, object]:
    """Everything changed after change number `since`, oldest first, at most `limit` rows.

    The cursor is the patient's change sequence: writes take it under the patient row
    lock, so numbers commit in order and a cursor never skips a write.
    """
    entries = list(entries_for(patient).filter(seq__gt=since).order_by("seq")[: limit + 1])
    logs = list(DoseLog.objects.filter(patient=patient, seq__gt=since).order_by("seq")[: limit + 1])
    deleted = list(
        DoseLogRevision.objects.filter(patient=patient, deleted=True, seq__gt=since).order_by("seq")[: limit + 1]
    )
    merged = sorted(
        [(e.seq, "entry", e) for e in entries]
        + [(d.seq, "dose", d) for d in logs]
        + [(r.seq, "deleted_dose", r) for r in deleted],
        key=lambda t: t[0],
    )
    has_more = len(merged) > limit
    merged = merged[:limit]
    cursor = merged[-1][0] if has_more else patient.change_seq
    return {
        "cursor": cursor,
        "has_more": has_more,
        "entries": [obj for _, kind, obj in merged if kind == "entry"],
        "dose_logs": [obj for _, kind, obj in merged if kind == "dose"],
        # a dose deleted after the cursor: other devices drop their copy
        "deleted_dose_logs": [obj for _, kind, obj in merged if kind == "deleted_dose"],
    }


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


# --- questionnaires (CLINICAL.md §12) ------------------------------------------------------


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
    clock = (
        PatientInsight.objects.filter(patient=patient)
        .annotate(clock=KeyTransform("clock", KeyTransform("summary", "data")))
        .values_list("clock", flat=True)
        .first()
    )
    logged = None
    if not (isinstance(clock, dict) and clock.get("first_dose")):
        logged = first_dose_taken(patient)
    plan = DosePlan.objects.filter(patient=patient, stopped_on__isnull=True).order_by("-created_at").first()
    rows = [
        rules_q.QuestionnaireRow(*row)
        for row in QuestionnaireResponse.objects.filter(patient=patient).values_list(
            "instrument", "completed_on", "total", "entered_by", "pk"
        )
    ]
    return questionnaire_standing(
        patient, rows, plan=plan, clock=clock, first_dose_logged=logged, today=questionnaire_today(patient, now)
    )


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


# --- the analysis' input ------------------------------------------------------------------


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

"""The triage list: the clinician's patients in order of what needs a look first, one row each.

A constant number of queries whatever the number of patients: one for the page (light
columns only), then one per table for the page's patients (the package's docstring).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.fields.json import KeyTransform

from diary import selectors
from diary.analysis import rules
from diary.choices import HEADACHE_CONDITIONS, SEVERITY_RANK, FlagStatus, VerdictKind
from diary.dates import local_calendar_date
from diary.models import Clinician, DoseLog, DosePlan, DoseStep, Flag, Patient, PatientInsight

UNRESOLVED = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)

# Triage order of verdicts: the ones that need a decision first; no analysis at all last.
VERDICT_TRIAGE_ORDER = (
    VerdictKind.NON_RESPONDER,
    VerdictKind.DISCONTINUED,
    VerdictKind.INSUFFICIENT_DATA,
    VerdictKind.PARTIAL,
    VerdictKind.IN_PROGRESS,
    VerdictKind.RESPONDER,
    VerdictKind.STRONG_RESPONDER,
)
SEVERITY_BY_RANK = {rank: severity for severity, rank in SEVERITY_RANK.items()}
_STATUS_RANK = {FlagStatus.OPEN: 0, FlagStatus.ACKNOWLEDGED: 1}


def summary_parts(patient_ids: Sequence[int], keys: Sequence[str]) -> dict[int, dict[str, Any]]:
    """``{patient_id: {key: insight.data["summary"][key]}}`` for the stored insights, one query.

    Each part is a JSON key transform in the query, so only the parts leave the database,
    never the ~30 kB documents whole; the same ORM expression on PostgreSQL (``->``) and on
    SQLite (``JSON_EXTRACT``). A part the summary lacks is ``None``.
    """
    if not patient_ids:
        return {}

    names = {f"part_{index}": key for index, key in enumerate(keys)}
    rows = (
        PatientInsight.objects.filter(patient_id__in=list(patient_ids))
        .annotate(**{name: KeyTransform(key, KeyTransform("summary", "data")) for name, key in names.items()})
        .values("patient_id", *names)
    )
    return {row["patient_id"]: {key: row[name] for name, key in names.items()} for row in rows}


def _severity_rank(field: str = "severity") -> Case:
    return Case(
        *(When(**{field: s}, then=Value(rank)) for s, rank in SEVERITY_RANK.items()), output_field=IntegerField()
    )


def triage_patients(
    clinician: Clinician,
    *,
    q: str = "",
    flag_kinds: Sequence[str] = (),
    verdicts: Sequence[str] = (),
    conditions: Sequence[str] = (),
) -> QuerySet[Patient]:
    """The clinic's actively linked patients in triage order, with the list columns.

    Order: patients with an unresolved (open or acknowledged) flag first, by their most
    severe one (critical, high, medium, low); at one severity, a patient with a flag nobody
    has acknowledged yet first; then by verdict (``VERDICT_TRIAGE_ORDER``, no analysis last);
    then by name. ``q`` matches name or e-mail (case-insensitive, contains). ``flag_kinds``:
    having an unresolved flag of one of these kinds; ``verdicts`` may include ``none`` (no
    analysis yet).
    """
    unresolved = Flag.objects.filter(patient=OuterRef("pk"), status__in=UNRESOLVED)
    top_rank = unresolved.annotate(rank=_severity_rank()).order_by("rank").values("rank")[:1]
    patients = selectors.patients_for(clinician).annotate(
        flag_rank=Subquery(top_rank, output_field=IntegerField()),
        has_open_flag=Exists(unresolved.filter(status=FlagStatus.OPEN)),
        verdict_rank=Case(
            *(When(insight__verdict=v, then=Value(i)) for i, v in enumerate(VERDICT_TRIAGE_ORDER)),
            default=Value(len(VERDICT_TRIAGE_ORDER)),
            output_field=IntegerField(),
        ),
        insight_verdict=F("insight__verdict"),
        insight_as_of=F("insight__as_of"),
        # §12.3: a baseline is due until the first dose, also before any analysis saw it
        first_dose_logged=Subquery(
            DoseLog.objects.filter(patient=OuterRef("pk"), taken=True).order_by("date").values("date")[:1]
        ),
    )
    if q.strip():
        term = q.strip()
        patients = patients.filter(Q(user__display_name__icontains=term) | Q(user__email__icontains=term))
    if flag_kinds:
        patients = patients.filter(Exists(unresolved.filter(kind__in=list(flag_kinds))))
    if verdicts:
        wanted = Q(insight__verdict__in=[v for v in verdicts if v != "none"])
        if "none" in verdicts:
            wanted |= Q(insight__isnull=True)
        patients = patients.filter(wanted)
    if conditions:
        patients = patients.filter(primary_condition__in=list(conditions))
    return patients.order_by(
        F("flag_rank").asc(nulls_last=True),
        F("has_open_flag").desc(),
        "verdict_rank",
        "user__display_name",
        "pk",
    )


def insight_status(patient: Patient, has_insight: bool) -> str:
    """pending: never analysed; stale: data changed since, a recompute is on its way; current."""
    if not has_insight:
        return "pending"
    return "stale" if patient.insights_stale_since is not None else "current"


def _unresolved_flags(patient_ids: list[int]) -> dict[int, list[Flag]]:
    flags = (
        Flag.objects.filter(patient_id__in=patient_ids, status__in=UNRESOLVED)
        .annotate(
            severity_rank=_severity_rank(),
            status_rank=Case(
                *(When(status=s, then=Value(r)) for s, r in _STATUS_RANK.items()), output_field=IntegerField()
            ),
        )
        .order_by("severity_rank", "status_rank", "-opened_at", "-pk")
    )
    by_patient: dict[int, list[Flag]] = defaultdict(list)
    for flag in flags:
        by_patient[flag.patient_id].append(flag)
    return by_patient


def dose_block(plan: DosePlan | None, today: date, clock: dict[str, Any] | None) -> dict[str, Any]:
    """Current planned dose and step, the target, and the days on the target dose.

    ``days_on_target``: from the first dose taken at the target (the trial clock started on
    the target, CLINICAL.md §5) to today, or to the last day before a stop, both counted;
    null when the target was never reached.
    """
    days_on_target = None
    if clock and clock.get("basis") == "target" and clock.get("start"):
        end = today
        if plan is not None and plan.stopped_on is not None:
            end = min(end, plan.stopped_on - timedelta(days=1))
        days_on_target = max((end - date.fromisoformat(clock["start"])).days + 1, 0)
    if plan is None:
        return {
            "current_mg": None,
            "step_number": None,
            "step_count": 0,
            "target_mg": None,
            "days_on_target": days_on_target,
            "plan_status": "none",
        }
    steps: list[DoseStep] = sorted(plan.steps.all(), key=lambda s: s.start_date)
    in_force = [i for i, s in enumerate(steps) if s.start_date <= today]
    active = plan.stopped_on is None or today < plan.stopped_on
    step_index = in_force[-1] if in_force and active else None
    return {
        "current_mg": steps[step_index].mg if step_index is not None else None,
        "step_number": step_index + 1 if step_index is not None else None,
        "step_count": len(steps),
        "target_mg": plan.target_mg,
        "days_on_target": days_on_target,
        "plan_status": "active" if plan.stopped_on is None else "stopped",
    }


def _sparkline(patient: Patient, weekly: dict[str, Any] | None, today: date) -> dict[str, Any]:
    metric = "headache_days" if patient.primary_condition in HEADACHE_CONDITIONS else "pain"
    weeks = rules.WEEKLY_SPARKLINE_WEEKS
    if not weekly or len(weekly.get("week_starts", [])) != weeks:
        starts = [(today - timedelta(days=7 * (k + 1) - 1)).isoformat() for k in reversed(range(weeks))]
        return {"metric": metric, "week_starts": starts, "values": [None] * weeks}
    # An insight stored before weekly headache days existed has none: nulls until the next recompute.
    values = weekly.get(metric) or [None] * weeks
    return {"metric": metric, "week_starts": weekly["week_starts"], "values": values}


def _compliance_28(weekly: dict[str, Any] | None) -> float | None:
    """Diary days logged in the 28 days ending on the insight's date, as a percentage."""
    if not weekly or len(weekly.get("days_logged", [])) < 4:
        return None
    logged = sum(weekly["days_logged"][-4:])
    return round(100 * logged / rules.MONTH_DAYS, 1)


def triage_rows(page: Sequence[Patient]) -> list[dict[str, Any]]:
    """The list columns for one page of ``triage_patients`` (4 queries for the page: flags,
    plans with their steps, the summary parts, the questionnaire responses)."""
    ids = [p.pk for p in page]
    flags = _unresolved_flags(ids)
    plans = selectors.latest_plans(ids)
    parts = summary_parts(ids, ("weekly", "clock", "adherence"))
    responses = selectors.questionnaire_rows(ids)
    rows = []
    for patient in page:
        today = local_calendar_date(patient.time_zone)
        summary = parts.get(patient.pk, {})
        weekly = summary.get("weekly")
        verdict = patient.insight_verdict  # type: ignore[attr-defined]
        patient_flags = flags.get(patient.pk, [])
        adherence = summary.get("adherence") or {}
        rows.append(
            {
                "patient": patient,
                "open_flags": patient_flags,
                "top_severity": patient_flags[0].severity if patient_flags else None,
                "verdict": (
                    {"kind": verdict, "label": VerdictKind(verdict).label} if verdict in VerdictKind.values else None
                ),
                "insight_status": insight_status(patient, verdict is not None),
                "insight_as_of": patient.insight_as_of,  # type: ignore[attr-defined]
                "dose": dose_block(plans.get(patient.pk), today, summary.get("clock")),
                "compliance_28_pct": _compliance_28(weekly),
                "adherence_28_pct": adherence.get("adherence_pct"),
                "last_entry_date": getattr(patient, "last_entry_date", None),
                "sparkline": _sparkline(patient, weekly, today),
                # what is due and what counts today (CLINICAL.md §12.9)
                "questionnaires": selectors.questionnaire_standing(
                    patient,
                    responses.get(patient.pk, []),
                    plan=plans.get(patient.pk),
                    clock=summary.get("clock"),
                    first_dose_logged=getattr(patient, "first_dose_logged", None),
                    today=selectors.questionnaire_today(patient),
                ),
            }
        )
    return rows

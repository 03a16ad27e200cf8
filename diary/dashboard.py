"""Reads for the clinician dashboard (issue 6): the triage list, clinic outcomes, the visit report.

Everything is scoped by ``diary.access.visible_patients`` (through ``selectors.patients_for``)
and built from what the insights worker stored (``PatientInsight.data["summary"]``, layout in
``diary/analysis/engine.py``): nothing is analysed inside a request. Lists read a constant
number of queries whatever the number of patients: one for the page (light columns only:
the order needs the flags and the verdict, not the stored summary), then one per table for
the page's patients, the parts of the summary they show cut out by the database
(``summary_parts``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.fields.json import KeyTransform

from diary import selectors
from diary.analysis import rules
from diary.analysis.questionnaires import QuestionnaireRow
from diary.choices import HEADACHE_CONDITIONS, SEVERITY_RANK, FlagStatus, VerdictKind
from diary.dates import local_calendar_date
from diary.models import Clinician, DoseLog, DosePlan, DoseStep, Flag, Patient, QuestionnaireResponse

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
    from diary.models import PatientInsight

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


# --- the triage list -----------------------------------------------------------------------


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


def latest_plans(patient_ids: list[int]) -> dict[int, DosePlan]:
    """Each patient's current plan, else the last stopped one, steps prefetched (2 queries)."""
    plans = (
        DosePlan.objects.filter(patient_id__in=patient_ids)
        .prefetch_related("steps")
        .order_by("patient_id", "-created_at", "-pk")
    )
    chosen: dict[int, DosePlan] = {}
    for plan in plans:
        current = chosen.get(plan.patient_id)
        if current is None or (current.stopped_on is not None and plan.stopped_on is None):
            chosen[plan.patient_id] = plan
    return chosen


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


def _questionnaire_rows(patient_ids: list[int]) -> dict[int, list[QuestionnaireRow]]:
    """Every response of the page's patients, as the analysis reads them (one query)."""
    by_patient: dict[int, list[QuestionnaireRow]] = defaultdict(list)
    rows = QuestionnaireResponse.objects.filter(patient_id__in=patient_ids).values_list(
        "patient_id", "instrument", "completed_on", "total", "entered_by", "pk"
    )
    for patient_id, instrument, completed_on, total, entered_by, pk in rows:
        by_patient[patient_id].append(QuestionnaireRow(instrument, completed_on, total, entered_by, pk))
    return by_patient


def triage_rows(page: Sequence[Patient]) -> list[dict[str, Any]]:
    """The list columns for one page of ``triage_patients`` (4 queries for the page: flags,
    plans with their steps, the summary parts, the questionnaire responses)."""
    ids = [p.pk for p in page]
    flags = _unresolved_flags(ids)
    plans = latest_plans(ids)
    parts = summary_parts(ids, ("weekly", "clock", "adherence"))
    responses = _questionnaire_rows(ids)
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


# --- plan templates --------------------------------------------------------------------------


def _template_steps(doses: list[str], days_each: int) -> list[dict[str, Any]]:
    return [
        {
            "start_day": k * days_each,
            "days": days_each if k < len(doses) - 1 else None,  # the last step (the target) goes on
            "mg": mg,
        }
        for k, mg in enumerate(doses)
    ]


# CLINICAL.md §5: typical starts 0.5–1.5 mg, +0.5–1.5 mg every 1–2 weeks, slower for sensitive patients.
PLAN_TEMPLATES: tuple[dict[str, Any], ...] = (
    {
        "key": "standard",
        "label": "1.5 → 3 → 4.5 mg weekly",
        "target_mg": "4.50",
        "decision_weeks": 12,
        "steps": _template_steps(["1.50", "3.00", "4.50"], 7),
    },
    {
        "key": "sensitive",
        "label": "0.5 mg steps every 2 weeks",
        "target_mg": "4.50",
        "decision_weeks": 12,
        "steps": _template_steps([f"{Decimal(k) / 2:.2f}" for k in range(1, 10)], 14),
    },
)


# --- clinic outcomes -------------------------------------------------------------------------

# CLINICAL.md §6: the published case series' categories and how verdicts map to them.
OUTCOME_CATEGORIES = (
    ("responders", "Responders (≥ 50% relief)"),
    ("partial_responders", "Partial responders"),
    ("non_responders", "Non-responders"),
)
# What each category holds, in the verdicts' own words (outcome_category is the rule).
OUTCOME_DEFINITIONS = {
    "responders": "Strong responders (50% or more less pain), and responders with migraine or chronic migraine "
    "(50% or more fewer headache days).",
    "partial_responders": "Responders with a pain condition (30–49% less pain: real benefit, but under the "
    "case series' 50% relief), and partial responses.",
    "non_responders": "No adequate response at the decision point, and plans stopped before it (discontinued).",
}
OUTCOME_APART = (VerdictKind.INSUFFICIENT_DATA, VerdictKind.IN_PROGRESS)


def outcome_category(verdict: str | None, condition: str | None) -> str | None:
    """strong_responder, or responder for migraine/headache → responders; responder (pain,
    30–49%) and partial → partial responders; non_responder and discontinued → non-responders;
    anything else is not counted."""
    if verdict == VerdictKind.STRONG_RESPONDER:
        return "responders"
    if verdict == VerdictKind.RESPONDER:
        return "responders" if condition in HEADACHE_CONDITIONS else "partial_responders"
    if verdict == VerdictKind.PARTIAL:
        return "partial_responders"
    if verdict in (VerdictKind.NON_RESPONDER, VerdictKind.DISCONTINUED):
        return "non_responders"
    return None


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _doses(segments: list[dict[str, Any]], clock: dict[str, Any]) -> tuple[float | None, float | None]:
    """(starting dose, stable dose): the first amount taken, and the amount held on the
    decision point, or the last amount held when the trial ended before it (a stop)."""
    if not segments:
        return None, None
    stable = segments[-1]["mg"]
    point = clock.get("decision_point")
    if point:
        for segment in segments:
            if segment["start"] <= point <= segment["end"]:
                stable = segment["mg"]
                break
    return segments[0]["mg"], stable


def _dose_rows(counts: dict[float, int]) -> list[dict[str, Any]]:
    return [{"mg": f"{Decimal(str(mg)):.2f}", "patients": n} for mg, n in sorted(counts.items())]


def _rate_block(
    categories: dict[str, int], counted: int, members: dict[str, list[dict[str, Any]]] | None = None
) -> dict[str, Any]:
    return {
        "counted": counted,
        "categories": [
            {
                "key": key,
                "label": label,
                "count": categories[key],
                "pct": _pct(categories[key], counted),
                **({"definition": OUTCOME_DEFINITIONS[key], "patients": members[key]} if members is not None else {}),
            }
            for key, label in OUTCOME_CATEGORIES
        ],
        "responder_rate_pct": _pct(categories["responders"] + categories["partial_responders"], counted),
    }


def _member(patient: Patient, verdict: str | None, condition: str) -> dict[str, Any]:
    from diary.choices import Condition

    return {
        "id": patient.public_id,
        "display_name": patient.user.display_name or patient.user.email,
        "condition": condition,
        "condition_label": dict(Condition.choices).get(condition, condition),
        "verdict": verdict,
        "verdict_label": VerdictKind(verdict).label if verdict in VerdictKind.values else "Not analysed yet",
    }


def clinic_outcomes(clinician: Clinician) -> tuple[dict[str, Any], list[Patient]]:
    """The clinic's outcomes in the form of the published case series (CLINICAL.md §6).

    Counted: actively linked patients whose stored verdict maps to a category (they reached
    the decision point, or stopped before it: ``discontinued``). ``in_progress`` and
    ``insufficient_data`` are listed apart, as are patients not analysed yet. Rates are of
    the counted patients. Side-effect rates: counted patients with at least one logged day of
    the side effect while on LDN (the stored incidence per dose step). One query; returns the
    patients read (for the audit).
    """
    from diary.access import visible_patients
    from diary.choices import SideEffectKind

    patients = list(
        visible_patients(clinician)
        .select_related("user")
        .only("pk", "public_id", "primary_condition", "user__display_name", "user__email")
        .annotate(verdict=F("insight__verdict"))
        .order_by("user__display_name", "pk")
    )
    parts = summary_parts(
        [p.pk for p in patients if p.verdict is not None], ("condition", "clock", "segments", "side_effects_by_step")
    )
    categories = dict.fromkeys((key for key, _ in OUTCOME_CATEGORIES), 0)
    apart = {"insufficient_data": 0, "in_progress": 0, "not_analysed": 0}
    members: dict[str, list[dict[str, Any]]] = {key: [] for key in [*categories, *apart]}
    starting: dict[float, int] = defaultdict(int)
    stable: dict[float, int] = defaultdict(int)
    side_effects: dict[str, int] = defaultdict(int)
    by_condition: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(categories, 0))
    for p in patients:
        verdict = p.verdict
        summary = parts.get(p.pk, {})
        condition = summary.get("condition") or p.primary_condition
        if verdict is None:
            apart["not_analysed"] += 1
            members["not_analysed"].append(_member(p, None, condition))
            continue
        category = outcome_category(verdict, condition)
        if category is None:
            if verdict in apart:
                apart[verdict] += 1
                members[verdict].append(_member(p, verdict, condition))
            continue
        categories[category] += 1
        members[category].append(_member(p, verdict, condition))
        by_condition[condition][category] += 1
        first, held = _doses(summary.get("segments") or [], summary.get("clock") or {})
        if first is not None:
            starting[first] += 1
        if held is not None:
            stable[held] += 1
        steps = (summary.get("side_effects_by_step") or {}).values()
        kinds = {kind for step in steps for kind, share in step["incidence"].items() if share}
        for kind in kinds:
            side_effects[kind] += 1
    counted = sum(categories.values())
    labels = dict(SideEffectKind.choices)
    return (
        {
            **_rate_block(categories, counted, members),
            "apart": apart,
            "apart_patients": {key: members[key] for key in apart},
            "starting_doses": _dose_rows(starting),
            "stable_doses": _dose_rows(stable),
            "side_effect_rates": [
                {"kind": kind, "label": labels.get(kind, kind), "patients": n, "pct": _pct(n, counted)}
                for kind, n in sorted(side_effects.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "by_condition": [
                {"condition": condition, **_rate_block(cats, sum(cats.values()))}
                for condition, cats in sorted(by_condition.items())
            ],
        },
        list[Patient](patients),
    )


# --- the visit report ------------------------------------------------------------------------

REPORT_MAX_DAYS = 366
REPORT_MAX_AGE_DAYS = 3653  # a period ends within the last ten years (the diary keeps no older days)


def _reduction(baseline: float | None, now: float | None) -> float | None:
    """Unrounded: the report's words cut it to a whole percentage (diary/evidence/)."""
    if baseline is None or now is None or baseline == 0:
        return None
    return 100 * (baseline - now) / baseline


def report_default_period(patient: Patient, today: date) -> tuple[date, date]:
    """The period a report covers when none is named: the stored verdict's evaluation window
    (the 28 days the patient page's verdict rests on), else the 28 days ending today."""
    from diary.models import PatientInsight

    window = (
        PatientInsight.objects.filter(patient=patient)
        .annotate(window=KeyTransform("window", KeyTransform("summary", "data")))
        .values_list("window", flat=True)
        .first()
    )
    if isinstance(window, dict) and window.get("start") and window.get("end"):
        start, end = date.fromisoformat(window["start"]), date.fromisoformat(window["end"])
        if end <= today:
            return start, end
    return today - timedelta(days=rules.MONTH_DAYS - 1), today


def visit_report(patient: Patient, start: date, end: date) -> dict[str, Any]:
    """One patient's summary for a period, for a visit (issue 6 §6).

    The period's numbers come from the engine's own day types (CLINICAL.md §3) over the
    chosen dates: the patient's history is read (one query per table) and laid on the
    engine's grid as of the period's last day. This is the one dashboard read that runs
    analysis code in the request: a chosen period is not something the worker stores. The
    verdict is the stored one (with its date and rules version).
    """
    import dataclasses

    from diary.analysis.context import baseline_block, build_context
    from diary.analysis.trends import SpanStats
    from diary.choices import MedicineClass, SideEffectKind
    from diary.models import PatientInsight
    from diary.report_chart import report_chart
    from diary.services.insights import histories_load

    history = histories_load([patient.pk])[patient.pk]
    history = dataclasses.replace(history, as_of=min(end, history.as_of))
    ctx = build_context(history)
    lo, hi = max(ctx.index(start), 0), ctx.today
    period = SpanStats(ctx).span(lo, hi)
    base = baseline_block(ctx)
    measures = [
        ("headache_days_per_28", "Headache days per 28 days"),
        ("migraine_days_per_28", "Migraine days per 28 days"),
        ("moderate_severe_days_per_28", "Moderate or severe headache days per 28 days"),
        ("mean_pain", "Mean daily pain (0–10)"),
    ]
    if patient.primary_condition not in HEADACHE_CONDITIONS:
        measures = [measures[3], measures[0]]
    labels = dict(MedicineClass.choices)
    medication_days = [
        {"class": cls, "label": labels.get(cls, cls), "days": int(days[lo : hi + 1].sum())}
        for cls, days in ctx.grid.med_days.items()
        if days[lo : hi + 1].any()
    ]
    se_labels = dict(SideEffectKind.choices)
    side_effects = [
        {"kind": kind, "label": se_labels.get(kind, kind), "days": int(days[lo : hi + 1].sum())}
        for kind, days in ctx.grid.se_kind.items()
        if days[lo : hi + 1].any()
    ]
    insight = PatientInsight.objects.filter(patient=patient).only("verdict", "rules_version", "as_of", "data").first()
    plans = list(selectors.plans_for(patient)[:1])
    today = local_calendar_date(patient.time_zone)
    headache = patient.primary_condition in HEADACHE_CONDITIONS
    flags = list(
        Flag.objects.filter(patient=patient, status__in=UNRESOLVED)
        .annotate(severity_rank=_severity_rank())
        .order_by("severity_rank", "-opened_at", "-pk")
    )
    return {
        "patient": patient,
        "start": start,
        "end": end,
        "data_end": ctx.grid.day(hi),
        "days": (end - start).days + 1,
        "days_logged": period["days_logged"],
        "compliance_pct": period["compliance_pct"],
        "doses_taken_days": int(ctx.grid.taken[lo : hi + 1].sum()),
        "adherence_pct": period["adherence_pct"],
        "baseline_source": base["source"],
        "baseline_labels": base["labels"],
        "measures": [
            {
                "key": key,
                "label": label,
                "baseline": base.get(key),
                "now": period.get(key),
                "reduction_pct": _reduction(base.get(key), period.get(key)),
            }
            for key, label in measures
        ],
        "mean_sleep": period.get("mean_sleep"),
        "medication_days": medication_days,
        "side_effects": sorted(side_effects, key=lambda s: (-s["days"], s["kind"])),
        "verdict": (
            None
            if insight is None
            else {
                "kind": insight.verdict,
                "label": insight.get_verdict_display(),
                "rules_version": insight.rules_version,
                "as_of": insight.as_of,
                "evidence": insight.data.get("verdict", {}).get("evidence", {}),
            }
        ),
        "plan": plans[0] if plans else None,
        "planned_today": selectors.planned_dose_on(patient, today, plans),
        "flags": flags,
        "chart": report_chart(ctx, start, end, headache, base.get("headache_days_per_28" if headache else "mean_pain")),
        "caveats": list(rules.CAVEATS),
        "generated_on": today,
    }


# --- the patient page ----------------------------------------------------------------------


def daily_values(patient: Patient, series: dict[str, Any]) -> dict[str, Any] | None:
    """The raw daily diary values over the stored chart series' days (one query), aligned with
    ``summary.series`` (one value per day, null where the day is missing): the dots under the
    7-day means of the patient page's charts."""
    if not series.get("start") or not series.get("end"):
        return None
    from diary.models import DiaryEntry

    start, end = date.fromisoformat(series["start"]), date.fromisoformat(series["end"])
    n = (end - start).days + 1
    pain: list[int | None] = [None] * n
    sleep: list[int | None] = [None] * n
    headache: list[int | None] = [None] * n
    rows = DiaryEntry.objects.filter(patient=patient, date__range=(start, end)).values_list(
        "date", "pain_score", "sleep_quality", "headache"
    )
    for day, pain_score, sleep_quality, level in rows:
        i = (day - start).days
        pain[i], sleep[i], headache[i] = pain_score, sleep_quality, level
    return {"start": series["start"], "end": series["end"], "pain": pain, "sleep": sleep, "headache": headache}

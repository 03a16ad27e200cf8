"""The visit report's data for one patient and period (HTML and PDF), and the daily values."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from django.db.models.fields.json import KeyTransform

from diary import selectors
from diary.analysis import rules
from diary.analysis.context import baseline_block, build_context
from diary.analysis.trends import SpanStats
from diary.choices import HEADACHE_CONDITIONS, MedicineClass, SideEffectKind
from diary.dashboard.triage import UNRESOLVED, _severity_rank
from diary.dates import local_calendar_date
from diary.models import DiaryEntry, Flag, Patient, PatientInsight
from diary.report_chart import report_chart

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
    history = selectors.histories_load([patient.pk])[patient.pk]
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


def daily_values(patient: Patient, series: dict[str, Any]) -> dict[str, Any] | None:
    """The raw daily diary values over the stored chart series' days (one query), aligned with
    ``summary.series`` (one value per day, null where the day is missing): the dots under the
    7-day means of the patient page's charts."""
    if not series.get("start") or not series.get("end"):
        return None

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

"""The entry point: ``analyse(history) -> Insight`` (CLINICAL.md §3–§8, read as §11).

``Insight.summary`` layout (JSON types only; dates ISO ``YYYY-MM-DD``; floats rounded to 3
decimals; ``null`` where a value is undefined)::

    rules_version            "2"
    condition                the patient's primary condition
    baseline                 {source: diary|reported|none, labels: [reported, pro_rated],
                              headache_days_per_28, moderate_severe_days_per_28,
                              migraine_days_per_28, mean_pain,
                              diary_window: <window>|null (the 28 days before the first dose)}
    clock                    {start, basis: target|fallback|null, mg, target_mg, plan (bool),
                              decision_weeks, first_dose, evaluation_date, days_on_clock,
                              earliest_evaluation, decision_point, stopped_on, stop_reason}
    window                   <window>: the 28 days ending on the evaluation date
    segments                 [{mg, start, end, days, all: <span>, settling: <span>,
                               steady: <span>|null}]  one per run of the amount held
    series                   {start, end, pain_7, pain_28, sleep_7, sleep_28,
                              headache_days_per_28, migraine_days_per_28, dose_mg, held_mg}
                              one value per day from start to end (≤ 365 days)
    weekly                   {week_starts, days_logged, pain, sleep, headache_days}  last 12 weeks,
                              oldest first (headache_days: a count; null under 4 logged days)
    trends                   {start, end, pain: <trend>, sleep: <trend>}  last 8 weeks
    regression               null (no dose taken) or {outcome, week_zero, segments: [{name,
                              first_week, points, estimated}], method: ols_newey_west|ols|null,
                              maxlags, points, note, coefficients: {intercept, slope_per_week,
                              level_change_at_first_dose, slope_change_at_first_dose,
                              level_change_at_clock_start, slope_change_at_clock_start:
                              {estimate, ci95: [lo, hi], p}}}  (change terms only for
                              segments with ≥ 5 weekly points)
    side_effects_by_step     {"<mg>": {days_logged, incidence: {kind: share}}}
    side_effects_by_dose_time {morning|bedtime|other: {days_logged, incidence: {kind: share}}}
    medication_overuse       {windows: [<overuse window> × 3, oldest first], thresholds}
    adherence                {start, end, planned_days, taken_days, adherence_pct,
                              threshold_pct, low}
    caveats                  [the four §8 caveat texts]
    questionnaires           {instruments: {midas|hit6|pgic: {baseline: <response>|null,
                              followup: <response>|null, followup_from, criterion, criterion_rule,
                              criterion_reason (MIDAS, HIT-6 of headache patients)}},
                              criterion_met: [instrument], due: [{instrument, kind: baseline|followup,
                              since}]}  (§12; the instruments the condition lists)

    <window>  {start, end, days, days_logged, valid, pro_rated, headache_days,
               moderate_severe_days, migraine_days (raw counts), headache_days_per_28,
               moderate_severe_days_per_28, migraine_days_per_28, mean_pain, mean_sleep}
    <span>    {start, end, days, days_logged, compliance_pct, adherence_pct, mean_pain,
               pain_ci95: [lo, hi]|null, headache_days_per_28, migraine_days_per_28,
               moderate_severe_days_per_28, mean_sleep, side_effect_incidence: {kind: share}}
    <response> {total, completed_on, entered_by: patient|clinician|reported, band}
    <trend>   {points, slope_per_week, slope_ci95, tau, p}  (Theil–Sen, Mann–Kendall)
    <overuse window> {start, end, days_per_class: {class: days}, ichd3_classes_present,
               several_classes_union_days, headache_days, days_logged, risk, reasons}
"""

from __future__ import annotations

from datetime import date
from typing import Any

from diary.analysis import questionnaires, rules
from diary.analysis.context import Context, baseline_block, build_context, clock_block, window_block
from diary.analysis.flags import OVERUSE_THRESHOLDS, adherence, all_flags, overuse_panel
from diary.analysis.history import PatientHistory
from diary.analysis.result import Insight
from diary.analysis.suggestions import all_suggestions
from diary.analysis.trends import (
    SpanStats,
    held_dose,
    recent_trends,
    segmented_regression,
    segments,
    series,
    side_effects_by_dose_time,
    side_effects_by_step,
    weekly,
)
from diary.analysis.verdict import decide


def _summary(ctx: Context, panel: list[dict[str, Any]], adherence_block: dict[str, Any]) -> dict[str, Any]:
    held = held_dose(ctx)
    spans = SpanStats(ctx)
    return {
        "rules_version": rules.RULES_VERSION,
        "condition": ctx.history.condition,
        "baseline": baseline_block(ctx),
        "clock": clock_block(ctx),
        "window": window_block(ctx, ctx.window),
        "segments": segments(ctx, held, spans),
        "series": series(ctx, held),
        "weekly": weekly(ctx),
        "trends": recent_trends(ctx),
        "regression": segmented_regression(ctx),
        "side_effects_by_step": side_effects_by_step(ctx, held, spans),
        "side_effects_by_dose_time": side_effects_by_dose_time(ctx, spans),
        "medication_overuse": {"windows": panel, "thresholds": OVERUSE_THRESHOLDS},
        "adherence": adherence_block,
        "caveats": list(rules.CAVEATS),
        "questionnaires": questionnaire_block(ctx),
    }


def questionnaire_block(ctx: Context) -> dict[str, Any]:
    """The responses that count and what is due (§12.3, §12.4)."""
    plan = ctx.history.plan
    clock = clock_block(ctx)
    earliest = clock["earliest_evaluation"]
    due = questionnaires.due(
        [questionnaires.QuestionnaireRow(*row) for row in ctx.history.questionnaires],
        ctx.history.condition,
        plan_since=None if plan is None else plan.created_on,
        plan_continues=plan is not None and ctx.stopped is None,
        first_dose=None if ctx.first_dose is None else ctx.grid.day(ctx.first_dose),
        earliest_evaluation=None if earliest is None else date.fromisoformat(earliest),
        as_of=ctx.history.as_of,
    )
    return {**ctx.questionnaires.block(), "due": due}


def analyse(history: PatientHistory) -> Insight:
    """1. Build the context: grid and day types, baseline, trial clock, evaluation window.
    2. The verdict (§6, §11.6). 3. The flags (§7) and suggestions (§11.14).
    4. The summary for charts and tables (§8)."""
    ctx = build_context(history)
    verdict = decide(ctx)
    panel = overuse_panel(ctx)
    adherence_block = adherence(ctx)
    return Insight(
        rules_version=rules.RULES_VERSION,
        as_of=history.as_of,
        verdict=verdict,
        flags=all_flags(ctx, verdict, panel, adherence_block),
        suggestions=all_suggestions(ctx),
        summary=_summary(ctx, panel, adherence_block),
    )

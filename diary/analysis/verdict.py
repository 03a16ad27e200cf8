"""The response verdict (CLINICAL.md §6, precedence §11.6, migraine measures §11.7)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from diary.analysis import questionnaires, rules
from diary.analysis.context import Context, baseline_block, clock_block, num, pct, window_block
from diary.analysis.result import VerdictResult
from diary.analysis.windows import REPORTED, weeks_on_clock

# Rule verdicts from best to worst: the order "never improves" is measured on.
GOODNESS = (rules.STRONG_RESPONDER, rules.RESPONDER, rules.PARTIAL, rules.NON_RESPONDER)


def _reduction(base: Fraction | None, now: Fraction | None) -> Fraction | None:
    if base is None or now is None or base == 0:
        return None
    return (base - now) / base


def _at_least(value: Fraction, percent: int) -> bool:
    return value >= Fraction(percent, 100)


def _questionnaire_headache(
    ctx: Context, kind: str, mhd: Fraction | None, modsev: Fraction | None
) -> tuple[str, dict[str, Any]]:
    """§12.5: a met MIDAS or HIT-6 criterion makes a partial or non-responder a responder,
    unless the diary got worse (either diary reduction below 0): then the criterion is
    reported as "met, but the diary shows worsening" and the day counts decide."""
    found = ctx.questionnaires
    block = found.block()
    block["effect"] = None
    if not found.criterion_met or kind not in (rules.PARTIAL, rules.NON_RESPONDER):
        return kind, block
    worse = any(r is not None and r < 0 for r in (mhd, modsev))
    if worse:
        for instrument in found.criterion_met:
            block["instruments"][instrument]["criterion"] = questionnaires.MET_BUT_DIARY_WORSE
        block["effect"] = "met_but_diary_worse"
        return kind, block
    block["effect"] = "made_responder"
    return rules.RESPONDER, block


def _questionnaire_pain(ctx: Context, kind: str) -> tuple[str, dict[str, Any]]:
    """§12.6: a follow-up PGIC of 1 or 2 makes a non_responder partial; never lowers a
    verdict and never raises partial or above."""
    block = ctx.questionnaires.block()
    block["effect"] = None
    if kind == rules.NON_RESPONDER and questionnaires.pgic_improved(ctx.questionnaires.pgic):
        block["effect"] = "made_partial"
        return rules.PARTIAL, block
    return kind, block


def _headache_rule(ctx: Context) -> tuple[str | None, dict[str, Any]]:
    """1. Reductions in MHD, moderate/severe days and MMD (MMD reported only).
    2. The better of MHD and moderate/severe (skipped for a reported baseline) decides:
       ≥ 50% responder, ≥ 30% partial, else non_responder (§11.7).
    3. Chronic migraine at baseline (≥ 15 headache days with ≥ 8 migraine days): show the
       30% continuation threshold.
    4. The questionnaire criterion (MIDAS, HIT-6) may make it a responder (§12.5)."""
    b, w = ctx.baseline, ctx.window
    mhd = _reduction(b.headache_days, w.per_month(w.headache_days))
    modsev = _reduction(b.modsev_days, w.per_month(w.modsev_days))
    mmd = _reduction(b.migraine_days, w.per_month(w.migraine_days))
    chronic = (
        b.headache_days is not None
        and b.migraine_days is not None
        and b.headache_days >= rules.CHRONIC_MIGRAINE_HEADACHE_DAYS
        and b.migraine_days >= rules.CHRONIC_MIGRAINE_MIGRAINE_DAYS
    )
    candidates = [r for r in (mhd, modsev) if r is not None]
    best = max(candidates) if candidates else None
    evidence: dict[str, Any] = {
        "rule": "headache",
        "headache_days_reduction_pct": pct(mhd),
        "moderate_severe_days_reduction_pct": pct(modsev),
        "migraine_days_reduction_pct": pct(mmd),
        "best_reduction_pct": pct(best),
        "moderate_severe_criterion": "skipped: reported baseline"
        if b.source == REPORTED
        else ("used" if modsev is not None else "skipped: no moderate/severe days at baseline"),
        "thresholds_pct": {"responder": rules.HEADACHE_RESPONDER_PCT, "partial": rules.HEADACHE_PARTIAL_PCT},
        "chronic_migraine_at_baseline": chronic,
    }
    if chronic:
        evidence["continuation_threshold_pct"] = rules.CHRONIC_MIGRAINE_CONTINUATION_PCT
        evidence["continuation_threshold_met"] = best is not None and _at_least(
            best, rules.CHRONIC_MIGRAINE_CONTINUATION_PCT
        )
    if mhd is None or best is None:
        evidence["questionnaire"] = {**ctx.questionnaires.block(), "effect": None}
        return None, evidence
    if _at_least(best, rules.HEADACHE_RESPONDER_PCT):
        kind = rules.RESPONDER
    elif _at_least(best, rules.HEADACHE_PARTIAL_PCT):
        kind = rules.PARTIAL
    else:
        kind = rules.NON_RESPONDER
    kind, evidence["questionnaire"] = _questionnaire_headache(ctx, kind, mhd, modsev)
    return kind, evidence


def _pain_rule(ctx: Context) -> tuple[str | None, dict[str, Any]]:
    """1. Reduction in mean daily pain, window vs baseline, and the absolute points.
    2. ≥ 50% strong_responder, ≥ 30% responder, ≥ 10% partial, else non_responder; a
       follow-up PGIC of 1 or 2 makes a non_responder partial (§12.6).
    3. Baseline mean pain < 4: note that percentages are unstable."""
    base, now = ctx.baseline.mean_pain, ctx.window.mean_pain
    red = _reduction(base, now)
    evidence: dict[str, Any] = {
        "rule": "pain",
        "mean_pain_reduction_pct": pct(red),
        "absolute_points": num(base - now) if base is not None and now is not None else None,
        "thresholds_pct": {
            "strong_responder": rules.PAIN_STRONG_RESPONDER_PCT,
            "responder": rules.PAIN_RESPONDER_PCT,
            "partial": rules.PAIN_PARTIAL_PCT,
        },
        "placebo_pain_reduction_pct": rules.PLACEBO_PAIN_REDUCTION_PCT,
    }
    if base is not None and base < rules.PAIN_UNSTABLE_BASELINE_BELOW:
        evidence["unstable_baseline_note"] = rules.UNSTABLE_PAIN_NOTE
    if red is None:
        evidence["questionnaire"] = {**ctx.questionnaires.block(), "effect": None}
        return None, evidence
    if _at_least(red, rules.PAIN_STRONG_RESPONDER_PCT):
        kind = rules.STRONG_RESPONDER
    elif _at_least(red, rules.PAIN_RESPONDER_PCT):
        kind = rules.RESPONDER
    elif _at_least(red, rules.PAIN_PARTIAL_PCT):
        kind = rules.PARTIAL
    else:
        kind = rules.NON_RESPONDER
    kind, evidence["questionnaire"] = _questionnaire_pain(ctx, kind)
    return kind, evidence


def baseline_problem(ctx: Context) -> str | None:
    if ctx.history.condition == rules.CONDITION_NOT_SET:
        return rules.CONDITION_NOT_SET_REASON
    b = ctx.baseline
    if b.source == "none":
        return "no valid baseline (diary baseline invalid and none reported)"
    measure = b.headache_days if ctx.headache_patient else b.mean_pain
    if measure is None:
        return "the reported baseline has no figure for this condition"
    if measure == 0:
        return "baseline is 0: a reduction cannot be computed"
    return None


def decide(ctx: Context) -> VerdictResult:
    """The verdict with its evidence.

    1. Compute the rule's numbers from the baseline and the window ending on the
       evaluation date (as_of, or the last day on LDN after a stop).
    2. Precedence (§11.6): discontinued (stopped before the decision point) > in_progress
       (decision point not reached; numbers shown as interim) > insufficient_data (no
       valid baseline, baseline 0, the window invalid, or no condition set) > the rule.
    """
    if ctx.history.condition == rules.CONDITION_NOT_SET:
        kind, numbers = None, {"rule": None, "questionnaire": {**ctx.questionnaires.block(), "effect": None}}
    else:
        kind, numbers = _headache_rule(ctx) if ctx.headache_patient else _pain_rule(ctx)
    labels = list(baseline_block(ctx)["labels"])
    if ctx.window.pro_rated and "pro_rated" not in labels:
        labels.append("pro_rated")
    notes: list[str] = []
    if ctx.baseline.source == REPORTED:
        notes.append(rules.REPORTED_NOTE)
    if ctx.baseline.pro_rated or ctx.window.pro_rated:
        notes.append(rules.PRO_RATED_NOTE)
    if not ctx.has_plan:
        notes.append(
            f"No dose plan: target {rules.DEFAULT_TARGET_MG} mg and a "
            f"{rules.DEFAULT_DECISION_WEEKS}-week decision point assumed."
        )
    evidence: dict[str, Any] = {
        "rules_version": rules.RULES_VERSION,
        "condition": ctx.history.condition,
        **numbers,
        "baseline": baseline_block(ctx),
        "window": window_block(ctx, ctx.window),
        "clock": clock_block(ctx),
        "labels": labels,
        "notes": notes,
        "caveats": list(rules.CAVEATS),
    }
    decided = weeks_on_clock(ctx.clock, ctx.eval_end, ctx.decision_weeks)
    # §12.9: from the decision point on (unless the plan stopped before it), a missing
    # follow-up PGIC is shown beside the verdict.
    evidence["questionnaire"]["pgic_missing_at_decision_point"] = decided and ctx.questionnaires.pgic is None
    problem = baseline_problem(ctx)
    if ctx.stopped is not None and not decided:
        return VerdictResult(rules.DISCONTINUED, {**evidence, "reason": "plan stopped before the decision point"})
    if ctx.stopped is not None:
        notes.append("Plan stopped after the decision point: evaluated on the 28 days up to the last day on LDN.")
    if not decided:
        reason = "trial clock not started" if ctx.clock.start is None else "decision point not reached"
        return VerdictResult(rules.IN_PROGRESS, {**evidence, "reason": reason, "interim": True})
    if problem is not None:
        return VerdictResult(rules.INSUFFICIENT_DATA, {**evidence, "reason": problem})
    if not ctx.window.valid:
        reason = (
            f"evaluation window invalid: {ctx.window.days_logged} of {rules.MONTH_DAYS} days logged "
            f"({rules.WINDOW_VALID_DAYS} needed)"
        )
        return VerdictResult(rules.INSUFFICIENT_DATA, {**evidence, "reason": reason})
    assert kind is not None  # a valid window and a non-zero baseline always give a number
    return VerdictResult(kind, {**evidence, "reason": "rule"})

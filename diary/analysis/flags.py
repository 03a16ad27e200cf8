"""The flags of CLINICAL.md §7, read as §11.8–§11.13 settle them.

Each function returns a finding when its condition holds now (state flags) or has ever
occurred (event flags, with every occurrence date so the caller can open a new flag only
for an occurrence after the last resolution).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import numpy as np

from diary.analysis import rules
from diary.analysis.context import Context, num, pct, window_block
from diary.analysis.grid import BoolArray, IntArray
from diary.analysis.history import PatientHistory
from diary.analysis.result import FlagFinding, VerdictResult
from diary.analysis.verdict import baseline_problem
from diary.analysis.windows import Sums, month_ending, weeks_on_clock


def _finding(kind: str, evidence: dict[str, Any], occurrences: tuple[date, ...] = ()) -> FlagFinding:
    return FlagFinding(
        kind=kind,
        severity=rules.FLAG_SEVERITY[kind],
        evidence={"rules_version": rules.RULES_VERSION, **evidence},
        occurrences=occurrences,
    )


def _dates(ctx: Context, idx: IntArray | list[int]) -> list[str]:
    return [ctx.grid.day(int(i)).isoformat() for i in idx]


def _occurrences(ctx: Context, idx: IntArray | list[int]) -> tuple[date, ...]:
    return tuple(ctx.grid.day(int(i)) for i in sorted({int(i) for i in idx}))


# Event flags (§11.8): each occurrence is (date, what, value); the store keeps, per occurrence,
# the value that raised the flag and the value now. ``what`` names the kind of occurrence.
DOSE_TAKEN = "dose_taken"  # a dose taken above the usual range: value = mg
PLAN_STEP = "plan_step"  # a plan step above the usual range: value = mg
STEP_UP = "step_up"  # a plan step up by more than the usual: value = the step's mg
OPIOID_LOGGED = "opioid"  # an opioid row on that day: value = True
SERIOUS_SIDE_EFFECT = "serious_side_effect"  # severe or activity-limiting: value = True
# value = True: a run of side-effect days from that date reached the length (a run that goes
# on is the same occurrence, so its growing length is no change)
SIDE_EFFECT_RUN = "side_effect_run"


def _occurrence(day: date | str | None, what: str, value: float | bool) -> dict[str, Any]:
    iso = day.isoformat() if isinstance(day, date) else day
    return {"date": iso, "what": what, "value": value}


def occurrence_value_now(history: PatientHistory, what: str, day: date) -> float | bool | None:
    """What the patient's data hold now on ``day`` for an occurrence of ``what`` that the
    analysis no longer finds (a dose corrected, an opioid removed, §11.8): the dose taken or
    the plan step's amount (None: none now), whether an opioid or a serious side effect is
    still logged; False for a run of side-effect days (it no longer reaches the length)."""
    if what == DOSE_TAKEN:
        amounts = [row[2] for row in history.doses if row[0] == day and row[1] and row[2] is not None]
        return max(amounts) if amounts else None
    if what in (PLAN_STEP, STEP_UP):
        steps = [] if history.plan is None else [s[1] for s in history.plan.steps if s[0] == day]
        return max(steps) if steps else None
    if what == OPIOID_LOGGED:
        return any(row[0] == day and (row[1] == rules.OPIOID or row[3]) for row in history.medications)
    if what == SERIOUS_SIDE_EFFECT:
        return any(row[0] == day and (row[2] >= rules.SIDE_EFFECT_SEVERE or row[3]) for row in history.side_effects)
    return None


def run_lengths(days: BoolArray) -> IntArray:
    """Length of the run of True days ending on each day (0 on a False day)."""
    pos = np.arange(days.size)
    last_false = np.maximum.accumulate(np.where(days, -1, pos))
    return np.where(days, pos - last_false, 0)


def no_adequate_response(ctx: Context, verdict: VerdictResult) -> FlagFinding | None:
    """A rule verdict exists only at or after the decision point; partial or non_responder fires."""
    if verdict.kind not in (rules.PARTIAL, rules.NON_RESPONDER):
        return None
    ev = verdict.evidence
    keep = (
        "rule",
        "best_reduction_pct",
        "headache_days_reduction_pct",
        "moderate_severe_days_reduction_pct",
        "mean_pain_reduction_pct",
        "absolute_points",
    )
    return _finding(
        rules.NO_ADEQUATE_RESPONSE,
        {"verdict": verdict.kind, **{k: ev[k] for k in keep if k in ev}, "clock": ev["clock"]},
    )


def insufficient_data(ctx: Context, verdict: VerdictResult) -> FlagFinding | None:
    """At or after the earliest evaluation (8 weeks on the clock), the baseline or the
    evaluation window is invalid. Not after a discontinuation: there is nothing to evaluate."""
    if verdict.kind == rules.DISCONTINUED:
        return None
    if not weeks_on_clock(ctx.clock, ctx.eval_end, rules.EARLIEST_EVALUATION_WEEKS):
        return None
    problem = baseline_problem(ctx)
    if problem is None and ctx.window.valid:
        return None
    return _finding(
        rules.INSUFFICIENT_DATA_FLAG,
        {
            "baseline_problem": problem,
            "window": window_block(ctx, ctx.window),
            "valid_days_needed": rules.WINDOW_VALID_DAYS,
        },
    )


def adverse_event(ctx: Context) -> FlagFinding | None:
    """1. From the first dose on, severe or activity-limiting side-effect days (any kind):
       each such day with another at most 6 days before it is an occurrence (§11.9).
    2. Runs of consecutive logged days with any side effect (a missing day breaks a run):
       the day a run reaches 14 days is an occurrence. A run that goes on is the same
       event, so a clinician's resolution holds until a new run reaches 14 (§11.8)."""
    if ctx.first_dose is None:
        return None
    g = ctx.grid
    on_ldn = np.arange(g.n) >= ctx.first_dose
    serious = np.flatnonzero(g.se_serious & on_ldn)
    close = serious[1:][np.diff(serious) <= rules.ADVERSE_PAIR_MAX_GAP_DAYS] if serious.size > 1 else serious[:0]
    runs = run_lengths(g.se_any & g.logged & on_ldn)
    long_days = np.flatnonzero(runs >= rules.ADVERSE_CONSECUTIVE_DAYS)
    if close.size == 0 and long_days.size == 0:
        return None
    run_ends = long_days[(np.append(long_days[1:], -1) != long_days + 1)]
    reached = np.flatnonzero(runs == rules.ADVERSE_CONSECUTIVE_DAYS)
    run_list: list[dict[str, Any]] = [
        {"start": ctx.iso(int(e - runs[e] + 1)), "end": ctx.iso(int(e)), "days": int(runs[e])} for e in run_ends
    ]
    return _finding(
        rules.ADVERSE_EVENT,
        {
            "serious_days": _dates(ctx, serious),
            "serious_within_days": rules.ADVERSE_PAIR_MAX_GAP_DAYS + 1,
            "consecutive_runs": run_list,
            "consecutive_days_needed": rules.ADVERSE_CONSECUTIVE_DAYS,
            "occurrences": [_occurrence(d, SERIOUS_SIDE_EFFECT, True) for d in _dates(ctx, serious)]
            + [_occurrence(r["start"], SIDE_EFFECT_RUN, True) for r in run_list],
        },
        _occurrences(ctx, np.concatenate((close, reached))),
    )


def opioid_interaction(ctx: Context) -> FlagFinding | None:
    """Any opioid row (class opioid, or any row marked contains_opioid) from 10 days before
    the first dose taken to the last day before a stop (§11.3)."""
    if ctx.first_dose is None:
        return None
    lo = ctx.first_dose - rules.OPIOID_DAYS_BEFORE_FIRST_DOSE
    hi = ctx.eval_end
    hits = [o - ctx.grid.start for o in ctx.grid.opioid_dates if lo <= o - ctx.grid.start <= hi]
    if not hits:
        return None
    return _finding(
        rules.OPIOID_INTERACTION,
        {
            "dates": _dates(ctx, hits),
            "on_ldn_from": ctx.iso(lo),
            "on_ldn_to": ctx.iso(hi),
            "show_patient": True,
            "occurrences": [_occurrence(d, OPIOID_LOGGED, True) for d in _dates(ctx, hits)],
        },
        _occurrences(ctx, hits),
    )


def overuse_window(ctx: Context, hi: int) -> dict[str, Any]:
    """Raw day counts per class in the 28 days ending on grid index ``hi`` (§11.10), and
    which ICHD-3 8.2 thresholds they reach."""
    lo = hi - rules.MONTH_DAYS + 1
    g = ctx.grid
    days = {c: int(a[max(lo, 0) : hi + 1].sum()) for c, a in g.med_days.items()}
    present = [c for c in rules.ICHD3_CLASSES if days.get(c, 0) > 0]
    union = np.zeros(hi + 1 - max(lo, 0), dtype=np.bool_)
    for c in present:
        union |= g.med_days[c][max(lo, 0) : hi + 1]
    reasons = []
    if days.get(rules.NON_OPIOID_ANALGESIC, 0) >= rules.OVERUSE_NON_OPIOID_DAYS:
        reasons.append(rules.NON_OPIOID_ANALGESIC)
    reasons += [c for c in rules.OVERUSE_SPECIFIC_CLASSES if days.get(c, 0) >= rules.OVERUSE_SPECIFIC_DAYS]
    several = len(present) >= rules.OVERUSE_SEVERAL_CLASSES_MIN
    if several and int(union.sum()) >= rules.OVERUSE_SEVERAL_CLASSES_DAYS:
        reasons.append("several_classes")
    return {
        "start": ctx.iso(lo),
        "end": ctx.iso(hi),
        "days_per_class": days,
        "ichd3_classes_present": present,
        "several_classes_union_days": int(union.sum()) if several else None,
        "headache_days": Sums.span(ctx.sums.headache, lo, hi),
        "days_logged": Sums.span(ctx.sums.logged, lo, hi),
        "risk": bool(reasons),
        "reasons": reasons,
    }


OVERUSE_THRESHOLDS = {
    rules.NON_OPIOID_ANALGESIC: rules.OVERUSE_NON_OPIOID_DAYS,
    **dict.fromkeys(rules.OVERUSE_SPECIFIC_CLASSES, rules.OVERUSE_SPECIFIC_DAYS),
    "several_classes": rules.OVERUSE_SEVERAL_CLASSES_DAYS,
}


def overuse_panel(ctx: Context) -> list[dict[str, Any]]:
    """The last three back-to-back 28-day windows, oldest first."""
    ends = [ctx.today - k * rules.MONTH_DAYS for k in range(rules.OVERUSE_PANEL_WINDOWS)]
    return [overuse_window(ctx, hi) for hi in reversed(ends)]


def medication_overuse(ctx: Context, panel: list[dict[str, Any]]) -> list[FlagFinding]:
    """Risk: the last window reaches a threshold. Probable (ICHD-3 8.2): the risk in all
    three windows with ≥ 15 headache days (raw) in each. Both are reported: they are
    different conditions with different severities."""
    found = []
    last = panel[-1]
    if last["risk"]:
        found.append(_finding(rules.MEDICATION_OVERUSE_RISK, {"window": last, "thresholds": OVERUSE_THRESHOLDS}))
    if len(panel) == rules.PROBABLE_OVERUSE_WINDOWS and all(
        w["risk"] and w["headache_days"] >= rules.PROBABLE_OVERUSE_HEADACHE_DAYS for w in panel
    ):
        found.append(
            _finding(
                rules.PROBABLE_MEDICATION_OVERUSE,
                {"windows": panel, "headache_days_needed": rules.PROBABLE_OVERUSE_HEADACHE_DAYS},
            )
        )
    return found


def frequent_acute_medication(ctx: Context) -> FlagFinding | None:
    """Acute medicines (any class, any purpose) on more than 8 of the last 28 days."""
    lo = ctx.today - rules.MONTH_DAYS + 1
    days = int(ctx.grid.any_med[max(lo, 0) :].sum())
    if days <= rules.FREQUENT_ACUTE_DAYS_ABOVE:
        return None
    return _finding(
        rules.FREQUENT_ACUTE_MEDICATION,
        {"start": ctx.iso(lo), "end": ctx.iso(ctx.today), "days": days, "more_than": rules.FREQUENT_ACUTE_DAYS_ABOVE},
    )


def adherence(ctx: Context) -> dict[str, Any]:
    """Planned days in the last 28 (§11.11): from the first plan step on, none on or after a
    stop; a planned day with no dose record counts as not taken."""
    plan = ctx.history.plan
    lo = ctx.today - rules.MONTH_DAYS + 1
    planned = np.zeros(ctx.grid.n, dtype=np.bool_)
    if plan is not None and plan.steps:
        first = ctx.index(min(s[0] for s in plan.steps))
        end = ctx.today if ctx.stopped is None else ctx.stopped - 1
        planned[max(first, lo, 0) : end + 1] = True
    planned_days = int(planned.sum())
    taken_days = int((planned & ctx.grid.taken).sum())
    share = Fraction(taken_days, planned_days) if planned_days else None
    return {
        "start": ctx.iso(lo),
        "end": ctx.iso(ctx.today),
        "planned_days": planned_days,
        "taken_days": taken_days,
        "adherence_pct": pct(share),
        "threshold_pct": rules.ADHERENCE_MIN_PCT,
        "low": share is not None and share * 100 < rules.ADHERENCE_MIN_PCT,
    }


def low_adherence(block: dict[str, Any]) -> FlagFinding | None:
    return _finding(rules.LOW_ADHERENCE, block) if block["low"] else None


PLAN_STEP_ABOVE_USUAL = "plan_step_above_usual"
STEP_UP_TOO_LARGE = "step_up_too_large"
DOSE_ABOVE_USUAL = "dose_above_usual"
EVENT_OCCURRENCE = {PLAN_STEP_ABOVE_USUAL: PLAN_STEP, STEP_UP_TOO_LARGE: STEP_UP, DOSE_ABOVE_USUAL: DOSE_TAKEN}


def dose_out_of_range(ctx: Context) -> FlagFinding | None:
    """Any plan step (past or future) or dose taken above 4.5 mg, or a step more than 1.5 mg
    above the step before it; the first step is not a step up (§11.13). Occurrences are the
    event dates up to as_of."""
    plan = ctx.history.plan
    events: list[tuple[date, str, float]] = []
    if plan is not None:
        steps = sorted(plan.steps, key=lambda s: (s[0], s[1]))
        for k, (start, mg, _time) in enumerate(steps):
            if mg > rules.USUAL_MAX_MG + rules.MG_TOLERANCE:
                events.append((start, PLAN_STEP_ABOVE_USUAL, mg))
            if k and mg - steps[k - 1][1] > rules.MAX_STEP_UP_MG + rules.MG_TOLERANCE:
                events.append((start, STEP_UP_TOO_LARGE, mg))
    with np.errstate(invalid="ignore"):
        high = np.flatnonzero(ctx.grid.dose_mg > rules.USUAL_MAX_MG + rules.MG_TOLERANCE)
    events += [(ctx.grid.day(int(i)), DOSE_ABOVE_USUAL, float(ctx.grid.dose_mg[i])) for i in high]
    if not events:
        return None
    events.sort()
    return _finding(
        rules.DOSE_OUT_OF_RANGE,
        {
            "events": [{"date": d.isoformat(), "kind": k, "mg": mg} for d, k, mg in events],
            "usual_max_mg": rules.USUAL_MAX_MG,
            "max_step_up_mg": rules.MAX_STEP_UP_MG,
            "occurrences": [_occurrence(d, EVENT_OCCURRENCE[k], mg) for d, k, mg in events],
        },
        # a future plan step is in the evidence but has not occurred yet (§11.8: an occurrence
        # dated after a resolution opens a new flag, so a future date would undo it)
        tuple(sorted({d for d, _, _ in events if d <= ctx.history.as_of})),
    )


def worsening(ctx: Context) -> FlagFinding | None:
    """The last 28 days, valid and entirely on LDN, ≥ 30% above the baseline: monthly
    headache days for headache conditions, mean pain for pain conditions (§11.12). A zero
    baseline cannot be worsened by a percentage: no flag."""
    w = month_ending(ctx.sums, ctx.today)
    if not w.valid or ctx.first_dose is None or w.lo < ctx.first_dose or ctx.stopped is not None:
        return None
    if ctx.headache_patient:
        base, now, measure = ctx.baseline.headache_days, w.per_month(w.headache_days), "headache_days_per_28"
    else:
        base, now, measure = ctx.baseline.mean_pain, w.mean_pain, "mean_pain"
    if base is None or now is None or base == 0:
        return None
    increase = (now - base) / base
    if increase * 100 < rules.WORSENING_PCT:
        return None
    return _finding(
        rules.WORSENING,
        {
            "measure": measure,
            "baseline": num(base),
            "baseline_source": ctx.baseline.source,
            "window": window_block(ctx, w),
            "increase_pct": pct(increase),
            "threshold_pct": rules.WORSENING_PCT,
        },
    )


def all_flags(
    ctx: Context, verdict: VerdictResult, panel: list[dict[str, Any]], adherence_block: dict[str, Any]
) -> tuple[FlagFinding, ...]:
    """Every flag that holds, most severe first, then by kind (a stable order)."""
    found = [
        no_adequate_response(ctx, verdict),
        insufficient_data(ctx, verdict),
        adverse_event(ctx),
        opioid_interaction(ctx),
        *medication_overuse(ctx, panel),
        frequent_acute_medication(ctx),
        low_adherence(adherence_block),
        dose_out_of_range(ctx),
        worsening(ctx),
    ]
    present = [f for f in found if f is not None]
    return tuple(sorted(present, key=lambda f: (rules.SEVERITY_ORDER.index(f.severity), f.kind)))

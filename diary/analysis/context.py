"""What every part of the analysis shares: the grid, the baseline, the clock, the windows.

Built once per ``analyse`` call (see ``engine.py``); the verdict, flags, suggestions and
trends only read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from diary.analysis import rules
from diary.analysis.grid import Grid, build_grid, grid_start
from diary.analysis.history import PatientHistory
from diary.analysis.questionnaires import Findings, QuestionnaireRow, findings
from diary.analysis.windows import Baseline, Clock, Sums, Window, baseline, month_ending, trial_clock

# How far before as_of the grid always reaches: the three back-to-back overuse windows
# and a year of chart series.
LOOKBACK_DAYS = max(rules.PROBABLE_OVERUSE_WINDOWS * rules.MONTH_DAYS, rules.SERIES_MAX_DAYS)


@dataclass(frozen=True, slots=True)
class Context:
    history: PatientHistory
    grid: Grid
    sums: Sums
    headache_patient: bool
    has_plan: bool
    target_mg: float
    decision_weeks: int
    stopped: int | None  # grid index of the stop date when the plan was stopped on or before as_of
    stop_reason: str | None
    first_dose: int | None  # grid index of the first dose taken
    today: int  # grid index of as_of
    eval_end: int  # as_of, or the last day before a stop (the last day on LDN)
    baseline: Baseline
    clock: Clock
    window: Window  # the 28 days ending on eval_end
    questionnaires: Findings  # the responses that count at as_of (§12)

    def iso(self, i: int | None) -> str | None:
        return None if i is None else self.grid.day(i).isoformat()

    def index(self, day: date) -> int:
        return self.grid.index(day)


def build_context(history: PatientHistory) -> Context:
    """1. Read the plan (or the defaults when there is none). 2. Lay out the grid.
    3. Find the first dose, the stop and the evaluation date. 4. Baseline, clock, window."""
    plan = history.plan
    target = plan.target_mg if plan is not None else rules.DEFAULT_TARGET_MG
    weeks = plan.decision_weeks if plan is not None else rules.DEFAULT_DECISION_WEEKS
    weeks = min(max(weeks, rules.MIN_DECISION_WEEKS), rules.MAX_DECISION_WEEKS)
    start = grid_start(history, LOOKBACK_DAYS)
    grid = build_grid(history, start)
    sums = Sums(grid)
    today = grid.n - 1
    taken = grid.taken.nonzero()[0]
    first_dose = int(taken[0]) if taken.size else None
    stopped = None
    if plan is not None and plan.stopped_on is not None and plan.stopped_on <= history.as_of:
        stopped = grid.index(plan.stopped_on)
    eval_end = today if stopped is None else min(today, stopped - 1)
    clock = trial_clock(grid, eval_end, target)
    earliest = None if clock.start is None else clock.start + rules.EARLIEST_EVALUATION_WEEKS * rules.DAYS_PER_WEEK
    answers = findings(
        [QuestionnaireRow(*row) for row in history.questionnaires],
        history.condition,
        first_dose=None if first_dose is None else grid.day(first_dose),
        earliest_evaluation=None if earliest is None else grid.day(earliest),
        as_of=history.as_of,
    )
    return Context(
        history=history,
        grid=grid,
        sums=sums,
        headache_patient=history.condition in rules.HEADACHE_CONDITIONS,
        has_plan=plan is not None,
        target_mg=target,
        decision_weeks=weeks,
        stopped=stopped,
        stop_reason=plan.stop_reason if stopped is not None and plan is not None else None,
        first_dose=first_dose,
        today=today,
        eval_end=eval_end,
        baseline=baseline(sums, first_dose, history.reported_baseline),
        clock=clock,
        window=month_ending(sums, eval_end),
        questionnaires=answers,
    )


def num(value: float | Fraction | None) -> float | None:
    """A JSON float rounded to FLOAT_DECIMALS (None stays None, NaN becomes None)."""
    if value is None:
        return None
    f = float(value)
    if f != f:  # NaN
        return None
    return round(f, rules.FLOAT_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def pct(value: Fraction | None) -> float | None:
    return None if value is None else num(value * 100)


def window_block(ctx: Context, w: Window) -> dict[str, Any]:
    """A window's numbers for the evidence and the summary (raw counts and per-28 rates)."""
    return {
        "start": ctx.iso(w.lo),
        "end": ctx.iso(w.hi),
        "days": w.days,
        "days_logged": w.days_logged,
        "valid": w.valid,
        "pro_rated": w.pro_rated,
        "headache_days": w.headache_days,
        "moderate_severe_days": w.modsev_days,
        "migraine_days": w.migraine_days,
        "headache_days_per_28": num(w.per_month(w.headache_days)),
        "moderate_severe_days_per_28": num(w.per_month(w.modsev_days)),
        "migraine_days_per_28": num(w.per_month(w.migraine_days)),
        "mean_pain": num(w.mean_pain),
        "mean_sleep": num(w.mean_sleep),
    }


def baseline_block(ctx: Context) -> dict[str, Any]:
    b = ctx.baseline
    labels = []
    if b.source == "reported":
        labels.append("reported")
    if b.pro_rated:
        labels.append("pro_rated")
    return {
        "source": b.source,
        "labels": labels,
        "headache_days_per_28": num(b.headache_days),
        "moderate_severe_days_per_28": num(b.modsev_days),
        "migraine_days_per_28": num(b.migraine_days),
        "mean_pain": num(b.mean_pain),
        "diary_window": None if b.diary_window is None else window_block(ctx, b.diary_window),
    }


def clock_block(ctx: Context) -> dict[str, Any]:
    c = ctx.clock
    days = None if c.start is None else ctx.eval_end - c.start
    return {
        "start": ctx.iso(c.start),
        "basis": c.basis,
        "mg": c.mg,
        "target_mg": ctx.target_mg,
        "plan": ctx.has_plan,
        "decision_weeks": ctx.decision_weeks,
        "first_dose": ctx.iso(ctx.first_dose),
        "evaluation_date": ctx.iso(ctx.eval_end),
        "days_on_clock": days,
        "earliest_evaluation": ctx.iso(
            None if c.start is None else c.start + rules.EARLIEST_EVALUATION_WEEKS * rules.DAYS_PER_WEEK
        ),
        "decision_point": ctx.iso(None if c.start is None else c.start + ctx.decision_weeks * rules.DAYS_PER_WEEK),
        "stopped_on": ctx.iso(ctx.stopped),
        "stop_reason": ctx.stop_reason,
    }

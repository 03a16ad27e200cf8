"""The two suggestions of CLINICAL.md §7, read as §11.14 settles them (none after a stop)."""

from __future__ import annotations

import numpy as np

from diary.analysis import rules
from diary.analysis.context import Context
from diary.analysis.grid import DOSE_TIME_CODE
from diary.analysis.result import Suggestion


def morning_dosing(ctx: Context) -> Suggestion | None:
    """1. Days in the last 7 with vivid dreams or insomnia (either counts once) ≥ 3.
    2. The most recent dose taken in those 7 days was at bedtime."""
    g = ctx.grid
    lo = max(ctx.today - rules.SUGGESTION_LOOKBACK_DAYS + 1, 0)
    sleep_days = np.zeros(ctx.today + 1 - lo, dtype=np.bool_)
    for kind in rules.SLEEP_SIDE_EFFECTS:
        sleep_days |= g.se_kind[kind][lo:]
    days = int(sleep_days.sum())
    taken = np.flatnonzero(g.taken[lo:])
    if days < rules.MORNING_DOSING_MIN_DAYS or taken.size == 0:
        return None
    last_dose = lo + int(taken[-1])
    if g.dose_time[last_dose] != DOSE_TIME_CODE[rules.BEDTIME]:
        return None
    return Suggestion(
        kind=rules.MORNING_DOSING,
        text=rules.MORNING_DOSING_TEXT.format(days=days),
        patient_text=rules.MORNING_DOSING_PATIENT_TEXT.format(days=days),
        evidence={
            "rules_version": rules.RULES_VERSION,
            "sleep_side_effect_days": days,
            "of_last_days": rules.SUGGESTION_LOOKBACK_DAYS,
            "last_dose": ctx.iso(last_dose),
            "last_dose_time": rules.BEDTIME,
        },
    )


def slower_titration(ctx: Context) -> Suggestion | None:
    """1. Step-up days: a dose taken above the previous dose taken (the first dose is none).
    2. Starts of a `headache` side effect: a day with it after a calendar day without it.
    3. A start 0–7 days after the latest step-up on or before it qualifies; the most
       recent qualifying start is shown. 4. Only while the side effect was reported in
       the last 7 days. Clinician-only (no patient text)."""
    g = ctx.grid
    headache = g.se_kind[rules.SE_HEADACHE]
    lo = max(ctx.today - rules.SUGGESTION_LOOKBACK_DAYS + 1, 0)
    idx = np.flatnonzero(g.taken)
    if not headache[lo:].any() or idx.size < 2:
        return None
    mg = g.dose_mg[idx]
    ups = np.flatnonzero(np.diff(mg) > rules.MG_TOLERANCE) + 1
    if ups.size == 0:
        return None
    up_days = idx[ups]
    starts = np.flatnonzero(headache & ~np.concatenate(([False], headache[:-1])))
    which = np.searchsorted(up_days, starts, side="right") - 1
    ok = (which >= 0) & (starts - up_days[np.maximum(which, 0)] <= rules.SLOWER_TITRATION_MAX_DAYS_AFTER_STEP)
    if not ok.any():
        return None
    k = int(np.flatnonzero(ok)[-1])
    start, step = int(starts[k]), int(which[k])
    step_day, new_mg, previous_mg = int(up_days[step]), float(mg[ups[step]]), float(mg[ups[step] - 1])
    days_after = start - step_day
    return Suggestion(
        kind=rules.SLOWER_TITRATION,
        text=rules.SLOWER_TITRATION_TEXT.format(
            days_after=days_after, mg=new_mg, step_date=ctx.iso(step_day), previous_mg=previous_mg
        ),
        patient_text=None,
        evidence={
            "rules_version": rules.RULES_VERSION,
            "step_up": ctx.iso(step_day),
            "mg": new_mg,
            "previous_mg": previous_mg,
            "side_effect_start": ctx.iso(start),
            "days_after_step_up": days_after,
            "max_days_after": rules.SLOWER_TITRATION_MAX_DAYS_AFTER_STEP,
        },
    )


def all_suggestions(ctx: Context) -> tuple[Suggestion, ...]:
    if ctx.stopped is not None:
        return ()
    found = (morning_dosing(ctx), slower_titration(ctx))
    return tuple(s for s in found if s is not None)

"""Windows, pro-rating, baseline and the trial clock (CLINICAL.md §4, §5, §11.4, §11.5)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from diary.analysis.context import build_context
from diary.analysis.history import ReportedBaselineRow
from diary.analysis.windows import weeks_on_clock
from tests.diary.analysis.helpers import (
    AS_OF,
    BASELINE_START,
    FIRST_DOSE,
    WINDOW_START,
    coded,
    daily_doses,
    day,
    dose,
    make_history,
    plan,
)


@pytest.mark.parametrize(("missing", "valid"), [(5, True), (6, False), (0, True)])
def test_window_validity_23_of_28(missing, valid):
    # 28 - 5 = 23 logged: valid; 28 - 6 = 22: invalid
    codes = "." * missing + "0" * (28 - missing)
    ctx = build_context(make_history(entries=coded(WINDOW_START, codes)))
    assert ctx.window.days_logged == 28 - missing
    assert ctx.window.valid is valid


def test_pro_rating_counts_times_28_over_days_logged():
    # 23 logged days, 10 of them headache days: 10 × 28 / 23 = 280/23 = 12.1739…
    codes = "....." + "1" * 10 + "0" * 13
    ctx = build_context(make_history(entries=coded(WINDOW_START, codes)))
    w = ctx.window
    assert (w.days_logged, w.headache_days) == (23, 10)
    assert w.per_month(w.headache_days) == Fraction(280, 23)
    assert w.pro_rated


def test_full_window_is_not_pro_rated():
    ctx = build_context(make_history(entries=coded(WINDOW_START, "1" * 7 + "0" * 21)))
    assert ctx.window.per_month(ctx.window.headache_days) == 7
    assert not ctx.window.pro_rated


def _baseline(codes: str, reported: ReportedBaselineRow | None = None):
    history = make_history(
        entries=coded(BASELINE_START, codes), doses=daily_doses(FIRST_DOSE, AS_OF), reported=reported
    )
    return build_context(history).baseline


def test_diary_baseline_from_the_28_days_before_the_first_dose_taken():
    # 25 logged, 5 headache days (2 of them moderate): 5 × 28 / 25 = 5.6, 2 × 28 / 25 = 2.24
    b = _baseline("..." + "11122" + "0" * 20)
    assert b.source == "diary"
    assert b.headache_days == Fraction(28, 5)
    assert b.modsev_days == Fraction(56, 25)
    assert b.pro_rated


def test_baseline_uses_the_first_dose_taken_not_the_plan_or_a_missed_dose():
    entries = coded(BASELINE_START, "1" * 28) + coded(FIRST_DOSE, "0" * 10)
    doses = [dose(FIRST_DOSE - 5 * AS_OF.resolution, taken=False), *daily_doses(FIRST_DOSE, AS_OF)]
    history = make_history(entries=entries, doses=doses, plan_row=plan([(FIRST_DOSE - 10 * AS_OF.resolution, 4.5)]))
    ctx = build_context(history)
    assert ctx.baseline.diary_window is not None
    assert ctx.iso(ctx.baseline.diary_window.lo) == BASELINE_START.isoformat()
    assert ctx.baseline.headache_days == 28


def test_invalid_diary_baseline_falls_back_to_the_reported_one():
    b = _baseline("." * 6 + "0" * 22, ReportedBaselineRow(12.5, 6.0, None))  # 22 logged: invalid
    assert b.source == "reported"
    assert b.headache_days == Fraction(25, 2)
    assert b.modsev_days is None  # a reported baseline has no moderate/severe figure


def test_no_baseline_when_invalid_and_none_reported():
    assert _baseline("." * 6 + "0" * 22).source == "none"


def test_valid_diary_baseline_wins_over_a_reported_one():
    assert _baseline("0" * 28, ReportedBaselineRow(12.0, 6.0, 5.0)).source == "diary"


def _clock(doses, target=4.5):
    ctx = build_context(make_history(doses=doses, plan_row=plan(target=target)))
    c = ctx.clock
    return (None if c.start is None else ctx.iso(c.start)), c.basis, c.mg


def _titration(*amounts_days):
    doses, d = [], FIRST_DOSE
    for mg, days in amounts_days:
        for _ in range(days):
            doses.append(dose(d, mg))
            d = d + AS_OF.resolution
    return doses


def test_clock_starts_on_the_first_target_dose_taken():
    doses = _titration((1.5, 7), (3.0, 7), (4.5, 60))
    assert _clock(doses) == (day(14, FIRST_DOSE).isoformat(), "target", 4.5)


def test_a_dose_above_the_target_counts_as_the_target():
    doses = _titration((1.5, 7), (6.0, 30))
    assert _clock(doses) == (day(7, FIRST_DOSE).isoformat(), "target", 6.0)


def test_lower_target_of_3_mg():
    doses = _titration((1.5, 7), (3.0, 60))
    assert _clock(doses, target=3.0) == (day(7, FIRST_DOSE).isoformat(), "target", 3.0)


def test_never_reaching_target_uses_the_highest_dose_held_14_days():
    # 1.5 for 7 days, then 3.0 up to as_of: the 3.0 run is the highest lasting ≥ 14 days
    doses = _titration((1.5, 7), (3.0, 60))
    assert _clock(doses) == (day(7, FIRST_DOSE).isoformat(), "fallback", 3.0)


def test_fallback_skips_a_higher_dose_held_under_14_days():
    # 1.5 × 20, 3.0 × 10 (too short), back to 1.5: the first 1.5 run starts the clock
    doses = _titration((1.5, 20), (3.0, 10), (1.5, 40))
    assert _clock(doses) == (FIRST_DOSE.isoformat(), "fallback", 1.5)


@pytest.mark.parametrize(("next_dose_day", "expected"), [(14, (0, 3.0)), (13, (13, 1.5))])
def test_missed_days_do_not_end_a_run_only_a_different_amount_does(next_dose_day, expected):
    # 3.0 taken on days 0-4 and 10-12 (days 5-9 missed); 1.5 from next_dose_day to as_of.
    # The 3.0 run lasts from day 0 to next_dose_day - 1: 14 days qualifies, 13 does not.
    doses = [dose(day(i, FIRST_DOSE), 3.0) for i in (0, 1, 2, 3, 4, 10, 11, 12)]
    doses += [dose(day(i, FIRST_DOSE), 1.5) for i in range(next_dose_day, (AS_OF - FIRST_DOSE).days + 1)]
    start, mg = expected
    assert _clock(doses) == (day(start, FIRST_DOSE).isoformat(), "fallback", mg)


def test_no_run_of_14_days_leaves_the_clock_unstarted():
    doses = [dose(day(-i), 1.5) for i in range(13)]  # as_of - 12 .. as_of: 13 days
    assert _clock(doses) == (None, None, None)


@pytest.mark.parametrize(("days", "reached"), [(55, False), (56, True)])
def test_weeks_on_the_clock(days, reached):
    # 8 weeks on the clock = as_of − clock start ≥ 56 days
    ctx = build_context(make_history(doses=daily_doses(day(-days), AS_OF)))
    assert weeks_on_clock(ctx.clock, ctx.today, 8) is reached

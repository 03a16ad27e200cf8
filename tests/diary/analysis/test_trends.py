"""Trends in the summary (CLINICAL.md §8)."""

from __future__ import annotations

import pytest

from diary.analysis.engine import analyse
from tests.diary.analysis.helpers import (
    AS_OF,
    FIRST_DOSE,
    coded,
    daily_doses,
    day,
    dose,
    entry,
    make_history,
    pains,
    plan,
    side_effect,
    trial,
)


def summary(history):
    return analyse(history).to_json()["summary"]


def test_segments_per_amount_held_with_settling_apart():
    # 1.5 mg for 10 days (pain 6 while settling, then 3, 4, 5), 3.0 mg for 20 days (pain 2)
    start = day(-29)
    values = [6] * 7 + [3, 4, 5] + [2] * 20
    doses = [*daily_doses(start, day(-20), 1.5), *daily_doses(day(-19), AS_OF, 3.0)]
    segs = summary(make_history("fibromyalgia", pains(start, values), doses=doses, plan_row=plan()))["segments"]
    assert [(s["mg"], s["days"]) for s in segs] == [(1.5, 10), (3.0, 20)]
    first = segs[0]
    assert first["settling"]["mean_pain"] == 6.0
    assert first["steady"]["days"] == 3
    # steady 3, 4, 5: mean 4, sd 1, t(0.975, 2) = 4.3027 → half width 4.3027 / √3 = 2.484
    assert first["steady"]["mean_pain"] == 4.0
    assert first["steady"]["pain_ci95"] == [1.516, 6.484]
    assert segs[1]["steady"]["mean_pain"] == 2.0


def test_a_missed_dose_day_does_not_split_a_segment_and_lowers_adherence():
    start = day(-9)
    doses = [dose(day(-i), 4.5) for i in range(10) if i != 5]
    segs = summary(make_history(entries=pains(start, [3] * 10), doses=doses, plan_row=plan()))["segments"]
    assert len(segs) == 1
    assert segs[0]["all"]["adherence_pct"] == 90.0  # 9 of 10 days


def test_series_rolling_means_need_enough_days():
    # last 7 days: only days -2, -1, 0 logged (3 < 4) → null; then day -3 logged too → mean
    three = summary(make_history("fibromyalgia", pains(day(-2), [4, 5, 6])))["series"]
    four = summary(make_history("fibromyalgia", pains(day(-3), [3, 4, 5, 6])))["series"]
    assert three["pain_7"][-1] is None
    assert four["pain_7"][-1] == 4.5  # (3 + 4 + 5 + 6) / 4
    assert four["pain_28"][-1] is None  # 4 of 28: invalid window
    assert len(four["pain_7"]) == 365


def test_series_headache_days_per_28_pro_rated():
    # 23 logged days of which 10 headache: 10 × 28 / 23 = 12.174
    s = summary(make_history(entries=coded(day(-27), "....." + "1" * 10 + "0" * 13)))["series"]
    assert s["headache_days_per_28"][-1] == 12.174


def test_weekly_means_last_12_weeks():
    # 4 logged days in the last week (pain 2, 4, 6, 8 → 5.0); the week before 3 days → null
    entries = pains(day(-3), [2, 4, 6, 8]) + pains(day(-9), [5, 5, 5])
    w = summary(make_history("fibromyalgia", entries))["weekly"]
    assert len(w["pain"]) == 12
    assert w["pain"][-1] == 5.0
    assert w["pain"][-2] is None
    assert w["week_starts"][-1] == day(-6).isoformat()


def test_weekly_headache_days_are_a_count_of_the_week():
    # the last week: 5 logged days, 2 of them headache days; the week before: 3 logged → null
    entries = coded(day(-4), "10100") + coded(day(-9), "111")
    w = summary(make_history(entries=entries))["weekly"]
    assert w["headache_days"][-1] == 2.0
    assert w["headache_days"][-2] is None


def test_theil_sen_and_mann_kendall_on_a_perfect_rise():
    # pain logged every 5th day of the last 50, rising 1 point each time: 1/5 point per day =
    # 1.4 per week; perfectly ordered → tau 1, exact p = 2 / 10! ≈ 5.5e-7 → 0.0 at 3 decimals
    entries = [entry(day(-45 + 5 * k), pain=k) for k in range(10)]
    t = summary(make_history("fibromyalgia", entries))["trends"]["pain"]
    assert (t["points"], t["slope_per_week"], t["tau"], t["p"]) == (10, 1.4, 1.0, 0.0)


def test_trend_needs_10_points():
    entries = [entry(day(-5 * k), pain=k) for k in range(9)]
    assert summary(make_history("fibromyalgia", entries))["trends"]["pain"]["slope_per_week"] is None


@pytest.mark.parametrize(("days_since_first_dose", "method", "points"), [(69, "ols", 10), (97, "ols_newey_west", 14)])
def test_segmented_regression_method_by_points(days_since_first_dose, method, points):
    # baseline 28 days = 4 weekly points (< 5: no estimate at the first dose); weeks on LDN:
    # 70 days = 10 full weeks (plain OLS, optimistic note), 98 days = 14 weeks (Newey–West)
    first = day(-days_since_first_dose)
    entries = coded(day(-28, first), "1" * 28 + "0" * (days_since_first_dose + 1))
    reg = summary(make_history(entries=entries, doses=daily_doses(first, AS_OF), plan_row=plan([(first, 4.5)])))[
        "regression"
    ]
    assert reg["method"] == method
    assert reg["points"] == points
    assert reg["segments"][0] == {"name": "before_ldn", "first_week": None, "points": 4, "estimated": False}
    assert "level_change_at_first_dose" not in reg["coefficients"]
    assert (reg["note"] is not None) is (method == "ols")


def test_segmented_regression_level_change_at_first_dose():
    # 8 weeks before LDN at pain 6, then 8 weeks at pain 3: level change −3,
    # no slope in either segment
    first = day(-55)
    entries = pains(day(-56, first), [6] * 56 + [3] * 56)
    reg = summary(
        make_history("fibromyalgia", entries, doses=daily_doses(first, AS_OF), plan_row=plan([(first, 4.5)]))
    )["regression"]
    coef = reg["coefficients"]
    assert coef["level_change_at_first_dose"]["estimate"] == -3.0
    assert coef["slope_change_at_first_dose"]["estimate"] == 0.0
    assert coef["intercept"]["estimate"] == 6.0


def test_segmented_regression_leaves_out_the_days_after_a_stop():
    # §8 segments are before LDN / on LDN (the clock starts with the first dose here). First
    # dose F = day -60, stopped on F + 40, so the last day on LDN is F + 39.
    # Pain 6 on the 35 days before F (weeks -5..-1), 4 on F .. F + 39, 10 from the stop on.
    # Weeks on LDN: k = 0..(39 // 7) = 0..5; week 5 is F + 35 .. F + 41, of which F + 35 ..
    # F + 39 (5 logged days ≥ 4) are on LDN. Counting F + 40 and F + 41 (off LDN, pain 10)
    # would make week 5 (5 × 4 + 2 × 10) / 7 = 5.714 instead of 4.
    # On LDN days only: 5 points at 6, 6 points at 4 → intercept 6, slope 0, level change -2,
    # slope change 0, 11 points (plain OLS).
    first = day(-60)
    entries = pains(day(-35, first), [6] * 35 + [4] * 40 + [10] * 21)
    history = make_history(
        "fibromyalgia",
        entries,
        doses=daily_doses(first, day(39, first)),
        plan_row=plan([(first, 4.5)], stopped_on=day(40, first), reason="no_benefit"),
    )
    reg = summary(history)["regression"]
    coef = reg["coefficients"]
    assert reg["points"] == 11
    assert coef["intercept"]["estimate"] == 6.0
    assert coef["level_change_at_first_dose"]["estimate"] == -2.0
    assert coef["slope_change_at_first_dose"]["estimate"] == 0.0


def test_no_regression_without_a_dose():
    assert summary(make_history(entries=coded(day(-60), "0" * 61)))["regression"] is None


def test_side_effects_by_dose_time_and_step():
    start = day(-9)
    doses = [dose(day(-i), 4.5 if i < 5 else 3.0, "bedtime" if i % 2 else "morning") for i in range(10)]
    effects = [side_effect(day(-i), "vivid_dreams") for i in (1, 3)]  # both bedtime days
    s = summary(make_history(entries=pains(start, [3] * 10), doses=doses, side_effects=effects, plan_row=plan()))
    # bedtime days: 1, 3, 5, 7, 9 → 2 of 5 with vivid dreams = 0.4; morning days: none
    assert s["side_effects_by_dose_time"]["bedtime"] == {"days_logged": 5, "incidence": {"vivid_dreams": 0.4}}
    assert s["side_effects_by_dose_time"]["morning"] == {"days_logged": 5, "incidence": {}}
    # 4.5 mg held on days -4..0: days -1 and -3 → 2 of 5
    assert s["side_effects_by_step"]["4.5"]["incidence"] == {"vivid_dreams": 0.4}
    assert s["side_effects_by_step"]["3"]["incidence"] == {}


def test_summary_blocks_present():
    s = summary(trial())
    for key in (
        "baseline",
        "clock",
        "window",
        "segments",
        "series",
        "weekly",
        "trends",
        "regression",
        "side_effects_by_step",
        "side_effects_by_dose_time",
        "medication_overuse",
        "adherence",
        "caveats",
    ):
        assert key in s
    assert len(s["medication_overuse"]["windows"]) == 3
    assert s["medication_overuse"]["windows"][-1]["end"] == AS_OF.isoformat()
    assert s["clock"]["decision_point"] == day(84, FIRST_DOSE).isoformat()


def test_own_theil_sen_and_tau_agree_with_scipy():
    import numpy as np
    from scipy import stats

    from diary.analysis.trends import theil_sen_mann_kendall

    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(10, 57))
        days = np.sort(rng.choice(56, n, replace=False)).astype(np.int64)
        values = rng.integers(0, 11, n).astype(np.float64)
        if np.ptp(values) == 0:
            continue
        got = theil_sen_mann_kendall(values, days)
        fit, tau = stats.theilslopes(values, days, alpha=0.95), stats.kendalltau(days, values)
        assert got["slope_per_week"] == round(fit.slope * 7, 3)
        assert got["slope_ci95"] == [round(fit.low_slope * 7, 3), round(fit.high_slope * 7, 3)]
        assert got["tau"] == round(tau.statistic, 3)
        # Mann–Kendall p with continuity correction: close to Kendall's p, never identical by design
        assert abs(got["p"] - tau.pvalue) < 0.1

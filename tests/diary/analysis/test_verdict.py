"""Verdicts (CLINICAL.md §6, §11.4–§11.7) with hand-computed reductions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from diary.analysis.engine import analyse
from diary.analysis.history import ReportedBaselineRow
from tests.diary.analysis.helpers import (
    AS_OF,
    BASELINE_START,
    FIRST_DOSE,
    WINDOW_START,
    daily_doses,
    day,
    entry,
    make_history,
    pains,
    plan,
    trial,
)


def verdict(history):
    v = analyse(history).verdict
    return v.kind, v.evidence


# --- migraine: MHD or moderate/severe, the better one (§11.7) ---------------------------
@pytest.mark.parametrize(
    ("baseline", "window", "kind", "best_pct"),
    [
        ("1" * 10 + "0" * 18, "1" * 5 + "0" * 23, "responder", 50.0),  # (10-5)/10 = 50% exactly
        ("1" * 10 + "0" * 18, "1" * 7 + "0" * 21, "partial", 30.0),  # (10-7)/10 = 30% exactly
        ("1" * 10 + "0" * 18, "1" * 8 + "0" * 20, "non_responder", 20.0),  # (10-8)/10 = 20%
        ("1" * 14 + "0" * 14, "1" * 8 + "0" * 20, "partial", 42.857),  # 6/14 = 42.857%
        # MHD (10-8)/10 = 20%, moderate/severe (10-5)/10 = 50%: the better decides
        ("2" * 10 + "0" * 18, "2" * 5 + "1" * 3 + "0" * 20, "responder", 50.0),
        # MHD 0%, moderate/severe (10-7)/10 = 30%
        ("2" * 10 + "0" * 18, "2" * 7 + "1" * 3 + "0" * 18, "partial", 30.0),
        # window with gaps: 5 × 28 / 23 = 6.087 per 28; (12 - 6.087) / 12 = 49.28%: not 50
        ("1" * 12 + "0" * 16, "....." + "1" * 5 + "0" * 18, "partial", 49.275),
        # headache got worse: (10 - 14) / 10 = -40%
        ("1" * 10 + "0" * 18, "1" * 14 + "0" * 14, "non_responder", -40.0),
    ],
)
def test_migraine_bands(baseline, window, kind, best_pct):
    got, ev = verdict(trial(baseline=baseline, window=window))
    assert got == kind
    assert ev["best_reduction_pct"] == best_pct
    assert ev["reason"] == "rule"
    assert len(ev["caveats"]) == 4


def test_pro_rated_window_is_labelled():
    _, ev = verdict(trial(baseline="1" * 12 + "0" * 16, window="....." + "1" * 5 + "0" * 18))
    assert "pro_rated" in ev["labels"]
    assert ev["window"]["headache_days_per_28"] == 6.087  # 5 × 28 / 23


def _chronic_trial(window_headache_days: int, level: int = 1):
    # baseline: 10 days headache 2 + migraine yes, 10 days headache `level`, 8 free →
    # 20 headache days, 10 migraine days; the window has `window_headache_days` at `level`
    base = [entry(BASELINE_START + timedelta(days=i), headache=2, migraine=True) for i in range(10)]
    base += [entry(BASELINE_START + timedelta(days=i), headache=level) for i in range(10, 20)]
    base += [entry(BASELINE_START + timedelta(days=i)) for i in range(20, 28)]
    rest = [entry(FIRST_DOSE + timedelta(days=i)) for i in range((WINDOW_START - FIRST_DOSE).days)]
    window = [
        entry(WINDOW_START + timedelta(days=i), headache=level if i < window_headache_days else 0) for i in range(28)
    ]
    return make_history("chronic_migraine", base + rest + window, doses=daily_doses(FIRST_DOSE, AS_OF), plan_row=plan())


@pytest.mark.parametrize(("days", "kind", "met"), [(14, "partial", True), (15, "non_responder", False)])
def test_chronic_migraine_at_30_percent_shows_the_continuation_threshold(days, kind, met):
    # all headache days moderate: MHD = moderate/severe = (20 - 14) / 20 = 30% → partial, threshold met;
    # (20 - 15) / 20 = 25% → non_responder, not met. MMD (10 - 0) / 10 = 100% is reported only.
    got, ev = verdict(_chronic_trial(days, level=2))
    assert got == kind
    assert ev["chronic_migraine_at_baseline"] is True
    assert ev["continuation_threshold_pct"] == 30
    assert ev["continuation_threshold_met"] is met
    assert ev["migraine_days_reduction_pct"] == 100.0


def test_moderate_severe_criterion_can_decide_for_chronic_migraine():
    # mild window days: MHD (20 - 14) / 20 = 30%, moderate/severe (10 - 0) / 10 = 100% → responder
    kind, ev = verdict(_chronic_trial(14, level=1))
    assert ev["headache_days_reduction_pct"] == 30.0
    assert ev["moderate_severe_days_reduction_pct"] == 100.0
    assert kind == "responder"


def test_not_chronic_below_8_migraine_days():
    _, ev = verdict(trial(baseline="1" * 20 + "0" * 8, window="1" * 14 + "0" * 14))
    assert ev["chronic_migraine_at_baseline"] is False
    assert "continuation_threshold_pct" not in ev


def test_reported_baseline_is_labelled_and_skips_moderate_severe():
    # diary baseline 22 of 28 logged: invalid → reported MHD 10; window 6 → (10-6)/10 = 40%
    history = trial(
        baseline="." * 6 + "2" * 22, window="2" * 6 + "0" * 22, reported=ReportedBaselineRow(10.0, 4.0, None)
    )
    kind, ev = verdict(history)
    assert kind == "partial"
    assert ev["baseline"]["source"] == "reported"
    assert "reported" in ev["labels"]
    assert ev["moderate_severe_days_reduction_pct"] is None
    assert ev["moderate_severe_criterion"] == "skipped: reported baseline"
    assert ev["headache_days_reduction_pct"] == 40.0


def test_lower_target_of_3_mg():
    # 1.5 mg × 14 days, then 3.0: target 3 → clock at FIRST_DOSE + 14, 86 days ≥ 84 on the clock
    doses = [*daily_doses(FIRST_DOSE, day(13, FIRST_DOSE), 1.5), *daily_doses(day(14, FIRST_DOSE), AS_OF, 3.0)]
    history = trial(baseline="1" * 10 + "0" * 18, window="1" * 5 + "0" * 23, doses=doses, plan_row=plan(target=3.0))
    kind, ev = verdict(history)
    assert kind == "responder"
    assert (ev["clock"]["basis"], ev["clock"]["mg"], ev["clock"]["start"]) == ("target", 3.0, "2026-04-05")


def test_never_reaching_target_uses_the_fallback_clock():
    # 1.5 × 7 then 3.0 up to as_of with target 4.5 → fallback clock at FIRST_DOSE + 7 = 2026-03-29
    doses = [*daily_doses(FIRST_DOSE, day(6, FIRST_DOSE), 1.5), *daily_doses(day(7, FIRST_DOSE), AS_OF, 3.0)]
    kind, ev = verdict(trial(baseline="1" * 10 + "0" * 18, window="1" * 8 + "0" * 20, doses=doses))
    assert kind == "non_responder"
    assert (ev["clock"]["basis"], ev["clock"]["mg"], ev["clock"]["start"]) == ("fallback", 3.0, "2026-03-29")


def test_no_fallback_run_is_in_progress():
    doses = [*daily_doses(day(-12), AS_OF, 1.5)]  # 13 days at one amount
    kind, ev = verdict(trial(doses=doses))
    assert kind == "in_progress"
    assert ev["reason"] == "trial clock not started"


def test_before_the_decision_point_is_in_progress_with_interim_numbers():
    # first dose 83 days before as_of: 83 < 84
    history = trial(baseline="1" * 10 + "0" * 18, window="1" * 5 + "0" * 23, doses=daily_doses(day(-83), AS_OF))
    kind, ev = verdict(history)
    assert kind == "in_progress"
    assert ev["interim"] is True


def test_decision_point_is_configurable():
    # 8-week decision point: first dose 100 days ago is well past it
    history = trial(baseline="1" * 10 + "0" * 18, window="1" * 5 + "0" * 23, plan_row=plan(weeks=8))
    assert verdict(history)[0] == "responder"


@pytest.mark.parametrize("missing", [6, 10])
def test_invalid_window_is_insufficient_data(missing):
    kind, ev = verdict(trial(baseline="1" * 10 + "0" * 18, window="." * missing + "0" * (28 - missing)))
    assert kind == "insufficient_data"
    assert "window invalid" in ev["reason"]


def test_no_baseline_is_insufficient_data():
    kind, ev = verdict(trial(baseline="." * 6 + "1" * 22, window="0" * 28))
    assert kind == "insufficient_data"
    assert ev["baseline"]["source"] == "none"


def test_baseline_of_zero_headache_days_is_insufficient_data():
    assert verdict(trial(baseline="0" * 28, window="1" * 3 + "0" * 25))[0] == "insufficient_data"


def test_stopped_before_the_decision_point_is_discontinued():
    # stopped on FIRST_DOSE + 84: the last day on LDN is FIRST_DOSE + 83, 83 days on the clock
    history = trial(
        baseline="1" * 10 + "0" * 18,
        window="1" * 5 + "0" * 23,
        plan_row=plan(stopped_on=day(84, FIRST_DOSE), reason="side_effects"),
    )
    kind, ev = verdict(history)
    assert kind == "discontinued"
    assert ev["clock"]["stop_reason"] == "side_effects"


def test_discontinued_outranks_insufficient_data():
    history = trial(baseline="." * 28, window="." * 28, plan_row=plan(stopped_on=day(-60), reason="no_benefit"))
    assert verdict(history)[0] == "discontinued"


def test_stopped_after_the_decision_point_is_judged_on_the_last_28_days_on_ldn():
    # stopped on as_of - 5: the window is the 28 days ending as_of - 6 = 6 'between' days
    # (headache) + 22 window days (free): 6 headache days; baseline 10 → (10-6)/10 = 40%
    history = trial(
        baseline="1" * 10 + "0" * 18,
        between="1",
        window="0" * 28,
        plan_row=plan(stopped_on=day(-5), reason="no_benefit"),
    )
    kind, ev = verdict(history)
    assert kind == "partial"
    assert ev["window"]["end"] == day(-6).isoformat()
    assert ev["headache_days_reduction_pct"] == 40.0


def test_no_plan_uses_the_default_target_and_decision_point():
    kind, ev = verdict(trial(baseline="1" * 10 + "0" * 18, window="1" * 5 + "0" * 23, plan_row=None))
    assert kind == "responder"
    assert ev["clock"]["plan"] is False
    assert any("No dose plan" in n for n in ev["notes"])


def test_without_questionnaires_every_criterion_is_not_available():
    _, ev = verdict(trial(baseline="1" * 10 + "0" * 18, window="1" * 5 + "0" * 23))
    q = ev["questionnaire"]
    assert q["criterion_met"] == []
    assert q["effect"] is None
    assert q["instruments"]["midas"]["criterion"] == "not_available"
    assert q["instruments"]["hit6"]["criterion"] == "not_available"
    assert q["instruments"]["pgic"]["followup"] is None
    assert q["pgic_missing_at_decision_point"] is True


# --- fibromyalgia: mean pain (IMMPACT) --------------------------------------------------
def pain_trial(baseline, window, condition="fibromyalgia", **kwargs):
    gap = (WINDOW_START - FIRST_DOSE).days
    fields = {"doses": daily_doses(FIRST_DOSE, AS_OF), "plan_row": plan(), **kwargs}
    return make_history(condition, pains(BASELINE_START, [*baseline, *[5] * gap, *window]), **fields)


@pytest.mark.parametrize(
    ("baseline", "window", "kind", "pct", "points"),
    [
        ([6] * 28, [3] * 28, "strong_responder", 50.0, 3.0),  # (6-3)/6 = 50% exactly
        ([6] * 28, [4] + [3] * 27, "responder", 49.405, 2.964),  # 85/28 = 3.0357; 2.9643/6 = 49.40%
        ([5] * 28, [3] * 14 + [4] * 14, "responder", 30.0, 1.5),  # 3.5: 1.5/5 = 30%
        ([5] * 28, [4] * 14 + [5] * 14, "partial", 10.0, 0.5),  # 4.5: 0.5/5 = 10%
        ([5] * 28, [4] * 7 + [5] * 21, "non_responder", 5.0, 0.25),  # 4.75: 0.25/5 = 5%
        ([5] * 28, [6] * 28, "non_responder", -20.0, -1.0),
    ],
)
def test_pain_bands(baseline, window, kind, pct, points):
    got, ev = verdict(pain_trial(baseline, window))
    assert got == kind
    assert ev["mean_pain_reduction_pct"] == pct
    assert ev["absolute_points"] == points
    assert "unstable_baseline_note" not in ev


def test_chronic_pain_and_other_use_the_pain_rule():
    for condition in ("chronic_pain", "other"):
        assert verdict(pain_trial([6] * 28, [3] * 28, condition=condition))[0] == "strong_responder"


def test_baseline_pain_below_4_says_percentages_are_unstable():
    # (3 - 2) / 3 = 33.3%: responder, 1 point, with the note
    kind, ev = verdict(pain_trial([3] * 28, [2] * 28))
    assert kind == "responder"
    assert ev["mean_pain_reduction_pct"] == 33.333
    assert ev["absolute_points"] == 1.0
    assert "unstable" in ev["unstable_baseline_note"]


def test_baseline_pain_of_zero_is_insufficient_data():
    assert verdict(pain_trial([0] * 28, [0] * 28))[0] == "insufficient_data"


def test_pain_reported_baseline_without_pain_is_insufficient():
    history = pain_trial([None] * 28, [3] * 28, reported=ReportedBaselineRow(4.0, None, None))
    kind, ev = verdict(history)
    assert kind == "insufficient_data"
    assert "no figure" in ev["reason"]


def test_pain_reported_baseline_is_used():
    # reported mean pain 6.0, window 3: 50% → strong responder, labelled reported
    kind, ev = verdict(pain_trial([None] * 28, [3] * 28, reported=ReportedBaselineRow(4.0, None, 6.0)))
    assert kind == "strong_responder"
    assert ev["labels"] == ["reported"]


# --- the condition is not set yet (the patient was not sure at sign-up) -------------------
def test_a_condition_not_set_gives_no_rule_and_insufficient_data_at_the_decision_point():
    kind, ev = verdict(pain_trial([6] * 28, [3] * 28, condition="not_set"))
    assert kind == "insufficient_data"
    assert ev["rule"] is None
    assert "condition is not set" in ev["reason"]
    assert ev["baseline"]["mean_pain"] == 6.0  # the numbers are still there for the clinician


def test_a_condition_not_set_before_the_decision_point_is_in_progress():
    early = trial(
        "not_set", baseline="1" * 10 + "0" * 18, window="1" * 5 + "0" * 23, doses=daily_doses(day(-83), AS_OF)
    )
    kind, ev = verdict(early)
    assert kind == "in_progress"
    assert ev["rule"] is None

"""Every flag of CLINICAL.md §7, read as §11.8–§11.13: when it fires and when it must not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from diary.analysis.engine import analyse
from tests.diary.analysis.helpers import (
    AS_OF,
    FIRST_DOSE,
    WINDOW_START,
    coded,
    daily_doses,
    day,
    dose,
    make_history,
    med,
    plan,
    side_effect,
    trial,
)


def flag(history, kind):
    found = [f for f in analyse(history).flags if f.kind == kind]
    assert len(found) <= 1
    return found[0] if found else None


# --- no_adequate_response ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("window", "fires"),
    [("1" * 8 + "0" * 20, True), ("1" * 7 + "0" * 21, True), ("1" * 5 + "0" * 23, False)],
)
def test_no_adequate_response_at_the_decision_point(window, fires):
    # baseline 10: 8 → 20% non_responder, 7 → 30% partial (both fire), 5 → 50% responder
    f = flag(trial(baseline="1" * 10 + "0" * 18, window=window), "no_adequate_response")
    assert (f is not None) is fires
    if f:
        assert f.severity == "high"
        assert f.occurrences == ()


def test_no_adequate_response_not_before_the_decision_point():
    history = trial(baseline="1" * 10 + "0" * 18, window="1" * 9 + "0" * 19, doses=daily_doses(day(-83), AS_OF))
    assert flag(history, "no_adequate_response") is None


def test_a_missing_day_is_not_a_headache_free_day():
    # 20 headache-free days and 8 missing: read as free days it would be a 100% responder;
    # it is 20 of 28 logged → invalid → insufficient_data, and never no_adequate_response
    history = trial(baseline="1" * 10 + "0" * 18, window="." * 8 + "0" * 20)
    insight = analyse(history)
    assert insight.verdict.kind == "insufficient_data"
    assert {f.kind for f in insight.flags} >= {"insufficient_data"}
    assert "no_adequate_response" not in {f.kind for f in insight.flags}


def test_insufficient_data_never_yields_no_adequate_response_even_with_a_bad_window():
    # 22 logged days all with headache: would be a non-responder if it counted
    history = trial(baseline="1" * 10 + "0" * 18, window="." * 6 + "1" * 22)
    assert analyse(history).verdict.kind == "insufficient_data"
    assert flag(history, "no_adequate_response") is None


# --- insufficient_data ------------------------------------------------------------------
@pytest.mark.parametrize(("days_on_clock", "fires"), [(56, True), (55, False)])
def test_insufficient_data_flag_from_the_earliest_evaluation(days_on_clock, fires):
    history = trial(
        baseline="1" * 10 + "0" * 18, window="." * 6 + "0" * 22, doses=daily_doses(day(-days_on_clock), AS_OF)
    )
    f = flag(history, "insufficient_data")
    assert (f is not None) is fires
    if f:
        assert f.severity == "medium"
        assert f.evidence["window"]["days_logged"] == 22


def test_insufficient_data_flag_for_a_missing_baseline():
    f = flag(trial(baseline="." * 28, window="0" * 28), "insufficient_data")
    assert f is not None
    assert "no valid baseline" in f.evidence["baseline_problem"]


def test_no_insufficient_data_flag_when_both_are_valid():
    assert flag(trial(baseline="1" * 10 + "0" * 18, window="0" * 28), "insufficient_data") is None


# --- adverse_event ----------------------------------------------------------------------
def _with_side_effects(effects, entries_codes="0" * 60):
    start = day(-59)
    return make_history(
        entries=coded(start, entries_codes), doses=daily_doses(start, AS_OF), side_effects=effects, plan_row=plan()
    )


@pytest.mark.parametrize(("gap", "fires"), [(6, True), (7, False), (0, False)])
def test_two_severe_days_at_most_6_days_apart(gap, fires):
    first = day(-20)
    effects = [side_effect(first, "nausea", 3), side_effect(first + timedelta(days=gap), "dizziness", 3)]
    f = flag(_with_side_effects(effects), "adverse_event")
    assert (f is not None) is fires
    if f:
        assert f.severity == "high"
        assert f.occurrences == (first + timedelta(days=gap),)


def test_activity_limiting_mild_days_count_like_severe_ones():
    effects = [side_effect(day(-10), "fatigue", 1, limited=True), side_effect(day(-8), "fatigue", 1, limited=True)]
    assert flag(_with_side_effects(effects), "adverse_event") is not None


def test_moderate_not_limiting_days_do_not_count():
    effects = [side_effect(day(-10), "fatigue", 2), side_effect(day(-8), "fatigue", 2)]
    assert flag(_with_side_effects(effects), "adverse_event") is None


@pytest.mark.parametrize(("days", "fires"), [(13, False), (14, True), (15, True)])
def test_side_effects_on_consecutive_days(days, fires):
    start = day(-30)
    effects = [side_effect(start + timedelta(days=i), "vivid_dreams") for i in range(days)]
    f = flag(_with_side_effects(effects), "adverse_event")
    assert (f is not None) is fires
    if f:
        # the day the run reaches 14 (start + 13) is the occurrence; the days after it are
        # the same event, so a resolved flag does not reopen while the run goes on (§11.8)
        assert f.occurrences == (start + timedelta(days=13),)
        assert f.evidence["consecutive_runs"][0]["days"] == days


def test_a_missing_day_breaks_the_run():
    # side effects every day of days -30..-16 (15 days) but day -23 has no entry
    codes = "0" * 60
    gap = 59 - 23  # index of day(-23) from day(-59)
    codes = codes[:gap] + "." + codes[gap + 1 :]
    effects = [side_effect(day(-30 + i), "vivid_dreams") for i in range(15) if -30 + i != -23]
    assert flag(_with_side_effects(effects, codes), "adverse_event") is None


def test_side_effects_before_the_first_dose_do_not_count():
    start = day(-40)
    effects = [side_effect(start + timedelta(days=i), "nausea", 3) for i in range(20)]
    history = make_history(
        entries=coded(start, "0" * 41), doses=daily_doses(day(-10), AS_OF), side_effects=effects, plan_row=plan()
    )
    assert flag(history, "adverse_event") is None


# --- opioid_interaction -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("row", "fires"),
    [
        (med(day(10, FIRST_DOSE), "opioid"), True),  # tramadol logged as an opioid
        (med(day(10, FIRST_DOSE), "combination_analgesic", contains_opioid=True), True),  # e.g. co-codamol
        (med(day(10, FIRST_DOSE), "other", contains_opioid=True), True),
        (med(day(10, FIRST_DOSE), "combination_analgesic", contains_opioid=False), False),
        (med(day(10, FIRST_DOSE), "non_opioid_analgesic"), False),
        (med(day(-10, FIRST_DOSE), "opioid"), True),  # 10 days before the first dose
        (med(day(-11, FIRST_DOSE), "opioid"), False),  # 11 days before
    ],
)
def test_opioid_while_on_ldn(row, fires):
    f = flag(trial(medications=[row]), "opioid_interaction")
    assert (f is not None) is fires
    if f:
        assert f.severity == "critical"
        assert f.occurrences == (row[0],)
        assert f.evidence["show_patient"] is True


@pytest.mark.parametrize(("offset", "fires"), [(-11, True), (-10, False), (-5, False)])
def test_opioid_after_a_stop_does_not_count(offset, fires):
    # stopped on as_of - 10: on LDN up to as_of - 11
    history = trial(medications=[med(day(offset), "opioid")], plan_row=plan(stopped_on=day(-10), reason="other"))
    assert (flag(history, "opioid_interaction") is not None) is fires


def test_opioid_occurrences_are_every_date_ascending():
    rows = [med(day(-3), "opioid"), med(day(-20), "opioid"), med(day(-3), "opioid")]
    f = flag(trial(medications=rows), "opioid_interaction")
    assert f is not None
    assert f.occurrences == (day(-20), day(-3))


# --- medication overuse -----------------------------------------------------------------
def _meds(med_class, days, offset=0):
    return [med(day(-i - offset), med_class) for i in range(days)]


@pytest.mark.parametrize(
    ("rows", "fires"),
    [
        (_meds("non_opioid_analgesic", 15), True),
        (_meds("non_opioid_analgesic", 14), False),
        (_meds("triptan", 10), True),
        (_meds("triptan", 9), False),
        (_meds("ergot", 10), True),
        (_meds("opioid", 10), True),
        (_meds("combination_analgesic", 10), True),
        (_meds("gepant_ditan", 20), False),  # not an ICHD-3 overuse class
        # several classes: 5 triptan + 5 non-opioid days on different days → union 10
        (_meds("triptan", 5) + _meds("non_opioid_analgesic", 5, offset=5), True),
        # the same 9 days with both: union 9
        (_meds("triptan", 9) + _meds("non_opioid_analgesic", 9), False),
        # triptan + gepant: gepant is not an ICHD-3 class, one class present
        (_meds("triptan", 6) + _meds("gepant_ditan", 6, offset=6), False),
        # outside the last 28 days
        (_meds("triptan", 10, offset=28), False),
    ],
)
def test_medication_overuse_risk(rows, fires):
    f = flag(trial(medications=rows), "medication_overuse_risk")
    assert (f is not None) is fires
    if f:
        assert f.severity == "medium"


def test_overuse_counts_are_raw_not_pro_rated():
    # 10 triptan days in a window with only 20 logged days: raw 10 fires (pro-rated would be 14)
    # and 9 raw does not fire even though 9 × 28 / 20 = 12.6 would
    window = "." * 8 + "0" * 20
    assert flag(trial(window=window, medications=_meds("triptan", 9)), "medication_overuse_risk") is None
    assert flag(trial(window=window, medications=_meds("triptan", 10)), "medication_overuse_risk") is not None


def _three_windows(headache_days=(15, 15, 15), triptan_days=(10, 10, 10)):
    # three back-to-back windows ending on as_of; window k (0 = latest) covers days -28k-27 .. -28k
    codes = ""
    for hd in reversed(headache_days):
        codes += "1" * hd + "0" * (28 - hd)
    # triptans on the window's first days, which are already headache days (a triptan day is
    # a headache day too, so elsewhere it would add to the headache count)
    rows = []
    for k, n in enumerate(triptan_days):
        rows += [med(day(-28 * k - 27 + i), "triptan") for i in range(n)]
    return trial(medications=rows, entries=coded(day(-83), codes))


def test_probable_medication_overuse_three_windows():
    f = flag(_three_windows(), "probable_medication_overuse")
    assert f is not None
    assert f.severity == "high"
    assert [w["headache_days"] for w in f.evidence["windows"]] == [15, 15, 15]


@pytest.mark.parametrize(("headache_days", "triptan_days"), [((15, 15, 14), (10, 10, 10)), ((15, 15, 15), (10, 9, 10))])
def test_probable_medication_overuse_needs_all_three(headache_days, triptan_days):
    history = _three_windows(headache_days, triptan_days)
    assert flag(history, "probable_medication_overuse") is None


# --- frequent_acute_medication -----------------------------------------------------------
@pytest.mark.parametrize(("days", "fires"), [(8, False), (9, True)])
def test_frequent_acute_medication(days, fires):
    # any class counts, an antiemetic too
    f = flag(trial(medications=_meds("antiemetic", days)), "frequent_acute_medication")
    assert (f is not None) is fires
    if f:
        assert (f.severity, f.evidence["days"]) == ("low", days)


# --- low_adherence ----------------------------------------------------------------------
def _adherence(planned_from, missed):
    doses = [dose(d, 4.5) for d in (day(-i) for i in range(28)) if d >= planned_from and d not in missed]
    return trial(doses=doses, plan_row=plan([(planned_from, 4.5)]))


@pytest.mark.parametrize(
    ("planned_from_offset", "missed", "fires"),
    [
        (-200, 5, False),  # 23 / 28 = 82.1%
        (-200, 6, True),  # 22 / 28 = 78.6%
        (-19, 4, False),  # 16 / 20 = exactly 80%: does not fire
        (-19, 5, True),  # 15 / 20 = 75%
    ],
)
def test_low_adherence(planned_from_offset, missed, fires):
    missed_days = {day(-1 - i) for i in range(missed)}
    f = flag(_adherence(day(planned_from_offset), missed_days), "low_adherence")
    assert (f is not None) is fires
    if f:
        assert f.severity == "medium"


def test_no_planned_days_after_a_stop():
    history = trial(doses=[], plan_row=plan([(day(-200), 4.5)], stopped_on=day(-40), reason="other"))
    assert flag(history, "low_adherence") is None


def test_no_planned_days_after_a_stop_older_than_the_grid():
    # §11.11: planned days are none after a stop. The plan ran day -420 .. day -381 and was
    # stopped on day -380; the only rows are 30 diary days at the end, so the stop lies
    # before the year of chart days the grid always covers (as_of - 365). The last 28 days
    # (day -27 .. day 0) are all after the stop: 0 planned days, no adherence figure, no flag.
    history = make_history(
        entries=coded(day(-29), "0" * 30),
        plan_row=plan([(day(-420), 1.5)], stopped_on=day(-380), reason="other"),
    )
    insight = analyse(history)
    assert insight.summary["adherence"]["planned_days"] == 0
    assert insight.summary["adherence"]["adherence_pct"] is None
    assert "low_adherence" not in {f.kind for f in insight.flags}
    assert insight.summary["clock"]["evaluation_date"] == day(-381).isoformat()


def test_planned_day_without_a_dose_record_is_not_taken():
    # plan for the last 10 days, no dose rows at all: 0 / 10
    f = flag(trial(doses=[], plan_row=plan([(day(-9), 4.5)])), "low_adherence")
    assert f is not None
    assert (f.evidence["planned_days"], f.evidence["taken_days"]) == (10, 0)


# --- dose_out_of_range ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("steps", "occurrences"),
    [
        ([(day(-60), 1.5), (day(-53), 3.0), (day(-46), 4.5)], ()),
        ([(day(-60), 4.5)], ()),  # the first step is not a step up
        ([(day(-60), 1.5), (day(-53), 4.5)], (day(-53),)),  # +3.0 mg
        ([(day(-60), 3.0), (day(-53), 1.5), (day(-46), 3.0)], ()),  # back up by 1.5
    ],
)
def test_dose_out_of_range_plan_steps(steps, occurrences):
    f = flag(trial(plan_row=plan(steps)), "dose_out_of_range")
    assert (f.occurrences if f else ()) == occurrences
    if f:
        assert f.severity == "low"


def test_a_future_plan_step_above_4_5_mg_flags_now_but_has_not_occurred_yet():
    # §11.13: any plan step, past or future, above 4.5 mg raises dose_out_of_range now.
    # §11.8: an occurrence dated after a clinician's resolution opens a new flag, so an
    # occurrence must be a date that has happened: the 6.0 mg step starting on day +20 is
    # in the evidence but not an occurrence until as_of reaches day +20 (otherwise a
    # resolution today would be undone by the next recompute, day +20 being after it).
    steps = [(day(-60), 3.0), (day(-53), 4.5), (day(20), 6.0)]
    f = flag(trial(plan_row=plan(steps)), "dose_out_of_range")
    assert f is not None
    assert f.severity == "low"
    assert f.evidence["events"] == [{"date": day(20).isoformat(), "kind": "plan_step_above_usual", "mg": 6.0}]
    assert f.occurrences == ()
    # on day +20 the step has started: it is an occurrence dated day +20
    later = make_history(
        entries=coded(day(-60), "0" * 81), doses=daily_doses(day(-60), day(19)), plan_row=plan(steps), as_of=day(20)
    )
    f = flag(later, "dose_out_of_range")
    assert f is not None
    assert f.occurrences == (day(20),)


def test_dose_taken_above_4_5_mg():
    doses = [*daily_doses(FIRST_DOSE, day(-1)), dose(AS_OF, 5.0)]
    f = flag(trial(doses=doses), "dose_out_of_range")
    assert f is not None
    assert f.occurrences == (AS_OF,)


# --- worsening --------------------------------------------------------------------------
@pytest.mark.parametrize(("window_days", "fires"), [(13, True), (12, False)])
def test_worsening_headache_days(window_days, fires):
    # baseline 10: 13 is +30% (fires), 12 is +20%
    history = trial(baseline="1" * 10 + "0" * 18, window="1" * window_days + "0" * (28 - window_days))
    f = flag(history, "worsening")
    assert (f is not None) is fires
    if f:
        assert (f.severity, f.evidence["increase_pct"]) == ("medium", 30.0)


def test_worsening_needs_the_window_entirely_on_ldn():
    # first dose 20 days ago: the last 28 days are not all on LDN
    start = day(-47)
    history = make_history(
        entries=coded(start, "1" * 10 + "0" * 18 + "1" * 20), doses=daily_doses(day(-19), AS_OF), plan_row=plan()
    )
    assert flag(history, "worsening") is None


def test_worsening_mean_pain_for_pain_conditions():
    from tests.diary.analysis.test_verdict import pain_trial

    # baseline 5, window 6.5 (14 × 6 + 14 × 7): +30%
    assert flag(pain_trial([5] * 28, [6] * 14 + [7] * 14), "worsening") is not None
    # window 6.25 (21 × 6 + 7 × 7): +25%
    assert flag(pain_trial([5] * 28, [6] * 21 + [7] * 7), "worsening") is None


def test_worsening_needs_a_valid_window():
    assert flag(trial(baseline="1" * 10 + "0" * 18, window="." * 6 + "1" * 22), "worsening") is None


def test_flags_are_sorted_by_severity():
    history = trial(
        baseline="1" * 10 + "0" * 18,
        window="1" * 14 + "0" * 14,
        medications=[med(WINDOW_START, "opioid"), *_meds("triptan", 9)],
    )
    severities = [f.severity for f in analyse(history).flags]
    order = ["critical", "high", "medium", "low"]
    assert severities == sorted(severities, key=order.index)
    assert severities[0] == "critical"

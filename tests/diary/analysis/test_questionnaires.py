"""Questionnaires (CLINICAL.md §12, version 2): scoring, the windows, the criteria, their
effect on the verdict, what is due; on every boundary §12 names.

The usual trial of helpers.py: first dose (at the 4.5 mg target, so the clock starts) 100
days before AS_OF; earliest evaluation 56 days after it; MIDAS follow-ups count from 90
days after it; the 12-week decision point is passed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diary.analysis import questionnaires as q
from diary.analysis import rules
from diary.analysis.engine import analyse
from diary.analysis.history import ReportedBaselineRow
from diary.analysis.verdict import GOODNESS
from tests.diary.analysis.helpers import (
    AS_OF,
    BASELINE_START,
    FIRST_DOSE,
    WINDOW_START,
    coded,
    daily_doses,
    make_history,
    pains,
    plan,
    response,
    trial,
)

EARLIEST = FIRST_DOSE + timedelta(days=56)
MIDAS_FROM = FIRST_DOSE + timedelta(days=90)
BEFORE = FIRST_DOSE - timedelta(days=3)  # a baseline date inside the window
AFTER = AS_OF - timedelta(days=2)  # a follow-up date inside every follow-up window

# Headache diaries: baseline 10 headache days per 28; window codes for each outcome.
BASE = "1" * 10 + "0" * 18
PARTIAL_40 = "1" * 6 + "0" * 22  # 40%
NON_RESPONDER_20 = "1" * 8 + "0" * 20  # 20%
UNCHANGED_0 = "1" * 10 + "0" * 18  # exactly 0%
WORSE = "1" * 12 + "0" * 16  # −20%


def verdict(history):
    v = analyse(history).verdict
    return v.kind, v.evidence


def headache(window: str, answers, condition: str = "migraine", **kwargs):
    return trial(condition=condition, baseline=BASE, window=window, questionnaires=answers, **kwargs)


def pain(window_pain: int, answers, condition: str = "fibromyalgia", baseline_pain: int = 5, **kwargs):
    gap = (WINDOW_START - FIRST_DOSE).days
    fields = {"doses": daily_doses(FIRST_DOSE, AS_OF), "plan_row": plan(), **kwargs}
    days = [*[baseline_pain] * 28, *[5] * gap, *[window_pain] * 28]
    return make_history(condition, pains(BASELINE_START, days), questionnaires=answers, **fields)


def midas(baseline: int, followup: int, followup_on=AFTER, baseline_on=BEFORE):
    return [response("midas", baseline_on, baseline, order=1), response("midas", followup_on, followup, order=2)]


# --- scoring (§12.1) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "grade"), [(0, "I"), (5, "I"), (6, "II"), (10, "II"), (11, "III"), (20, "III"), (21, "IV"), (450, "IV")]
)
def test_midas_grades(total, grade):
    assert q.midas_grade(total) == grade


def test_midas_total_is_items_1_to_5_without_a_and_b():
    assert q.midas_total([1, 2, 3, 4, 90]) == 100


@pytest.mark.parametrize(
    ("total", "impact"),
    [
        (36, "little_or_none"),
        (49, "little_or_none"),
        (50, "some"),
        (55, "some"),
        (56, "substantial"),
        (59, "substantial"),
        (60, "severe"),
        (78, "severe"),
    ],
)
def test_hit6_impact(total, impact):
    assert q.hit6_impact(total) == impact


def test_hit6_scores_and_the_totals_six_answers_can_give():
    assert q.hit6_total(["never", "rarely", "sometimes", "very_often", "always", "always"]) == 6 + 8 + 10 + 11 + 13 + 13
    assert min(q.HIT6_POSSIBLE_TOTALS) == 36
    assert max(q.HIT6_POSSIBLE_TOTALS) == 78
    assert set(range(36, 79)) - q.HIT6_POSSIBLE_TOTALS == {37, 39, 77}


# --- the MIDAS criterion on its boundaries (§12.5) -------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "followup", "status"),
    [
        (10, 0, "not_met"),  # a baseline ≤ 10 cannot meet it
        (11, 6, "met"),  # 11 − 5 = 6
        (11, 7, "not_met"),
        (20, 15, "met"),  # 20 − 5 = 15
        (20, 16, "not_met"),
        (21, 14, "met"),  # 0.7 × 21 = 14.7
        (21, 15, "not_met"),
        (30, 21, "met"),  # 0.7 × 30 = 21 exactly
        (30, 22, "not_met"),
    ],
)
def test_midas_criterion_boundaries(baseline, followup, status):
    kind, ev = verdict(headache(NON_RESPONDER_20, midas(baseline, followup)))
    got = ev["questionnaire"]["instruments"]["midas"]
    assert got["criterion"] == status
    assert got["baseline"]["total"] == baseline
    assert got["followup"]["total"] == followup
    assert kind == ("responder" if status == "met" else "non_responder")


def test_a_midas_baseline_of_10_says_why_it_is_not_met():
    _, ev = verdict(headache(NON_RESPONDER_20, midas(10, 0)))
    assert "10 or less" in ev["questionnaire"]["instruments"]["midas"]["criterion_reason"]


@pytest.mark.parametrize(("followup", "status"), [(56, "not_met"), (55, "met")])  # −4, −5
def test_hit6_criterion_boundary(followup, status):
    answers = [response("hit6", BEFORE, 60, order=1), response("hit6", AFTER, followup, order=2)]
    kind, ev = verdict(headache(PARTIAL_40, answers))
    assert ev["questionnaire"]["instruments"]["hit6"]["criterion"] == status
    assert kind == ("responder" if status == "met" else "partial")


# --- PGIC (§12.6) ----------------------------------------------------------------------------


@pytest.mark.parametrize(("pgic", "kind"), [(1, "partial"), (2, "partial"), (3, "non_responder"), (4, "non_responder")])
def test_pgic_of_1_or_2_makes_a_pain_non_responder_partial(pgic, kind):
    got, ev = verdict(pain(5, [response("pgic", AFTER, pgic)]))  # 0% pain reduction
    assert got == kind
    assert ev["questionnaire"]["effect"] == ("made_partial" if kind == "partial" else None)


@pytest.mark.parametrize("pgic", [2, 3])
def test_pgic_is_reported_and_changes_nothing_for_headache_patients(pgic):
    kind, ev = verdict(headache(NON_RESPONDER_20, [response("pgic", AFTER, pgic)]))
    assert kind == "non_responder"
    assert ev["questionnaire"]["instruments"]["pgic"]["followup"]["total"] == pgic


def test_pgic_never_lowers_nor_raises_partial_or_above():
    # 6 → 3: 50%, strong responder; a PGIC of 7 (very much worse) does not lower it
    assert verdict(pain(3, [response("pgic", AFTER, 7)], baseline_pain=6))[0] == "strong_responder"
    # 5 → 4.5: 10%, partial; a PGIC of 1 does not raise it
    half = make_history(
        "fibromyalgia",
        pains(BASELINE_START, [*[5] * 28, *[5] * (WINDOW_START - FIRST_DOSE).days, *[4] * 14, *[5] * 14]),
        doses=daily_doses(FIRST_DOSE, AS_OF),
        plan_row=plan(),
        questionnaires=[response("pgic", AFTER, 1)],
    )
    kind, ev = verdict(half)
    assert kind == "partial"
    assert ev["questionnaire"]["effect"] is None


# --- the windows, one day either side (§12.3, §12.4, §12.10) ---------------------------------


@pytest.mark.parametrize(
    ("offset", "counts"),
    [(-29, False), (-28, True), (0, True), (1, False)],  # first dose − 28 … first dose, inclusive
)
def test_baseline_window_edges(offset, counts):
    answers = midas(21, 14, baseline_on=FIRST_DOSE + timedelta(days=offset))
    kind, ev = verdict(headache(NON_RESPONDER_20, answers))
    block = ev["questionnaire"]["instruments"]["midas"]
    assert (block["baseline"] is not None) is counts
    assert kind == ("responder" if counts else "non_responder")


def test_a_baseline_after_the_first_dose_does_not_count():
    kind, ev = verdict(headache(NON_RESPONDER_20, midas(21, 14, baseline_on=FIRST_DOSE + timedelta(days=5))))
    assert ev["questionnaire"]["instruments"]["midas"]["criterion"] == "not_available"
    assert kind == "non_responder"


@pytest.mark.parametrize(("offset", "counts"), [(-1, False), (0, True)])
def test_followup_window_starts_on_the_earliest_evaluation_date(offset, counts):
    answers = [response("hit6", BEFORE, 60, order=1), response("hit6", EARLIEST + timedelta(days=offset), 50, order=2)]
    _, ev = verdict(headache(NON_RESPONDER_20, answers))
    assert (ev["questionnaire"]["instruments"]["hit6"]["followup"] is not None) is counts


@pytest.mark.parametrize(("days_after_first_dose", "counts"), [(89, False), (90, True)])
def test_a_midas_followup_counts_from_90_days_after_the_first_dose(days_after_first_dose, counts):
    answers = midas(21, 14, followup_on=FIRST_DOSE + timedelta(days=days_after_first_dose))
    kind, ev = verdict(headache(NON_RESPONDER_20, answers))
    assert ev["questionnaire"]["instruments"]["midas"]["followup_from"] == MIDAS_FROM.isoformat()
    assert kind == ("responder" if counts else "non_responder")


def test_a_followup_after_the_as_of_date_does_not_count():
    kind, _ = verdict(headache(NON_RESPONDER_20, midas(21, 14, followup_on=AS_OF + timedelta(days=1))))
    assert kind == "non_responder"


def test_the_latest_response_counts_and_on_one_date_the_one_entered_last():
    answers = [
        response("midas", BEFORE, 21, order=1),
        response("midas", AFTER - timedelta(days=1), 10, order=2),  # earlier date: not the latest
        response("midas", AFTER, 14, order=4),  # entered last on AFTER: counts
        response("midas", AFTER, 20, order=3),
    ]
    _, ev = verdict(headache(NON_RESPONDER_20, answers))
    assert ev["questionnaire"]["instruments"]["midas"]["followup"]["total"] == 14


# --- reported baselines (§12.3, §12.10) ------------------------------------------------------


def test_a_reported_total_counts_only_without_a_real_baseline_response():
    reported = response("midas", FIRST_DOSE, 30, by="reported", order=9)
    alone = [reported, response("midas", AFTER, 21, order=2)]  # 21 ≤ 0.7 × 30
    kind, ev = verdict(headache(NON_RESPONDER_20, alone))
    assert ev["questionnaire"]["instruments"]["midas"]["baseline"] == {
        "total": 30,
        "completed_on": FIRST_DOSE.isoformat(),
        "entered_by": "reported",
        "band": "IV",
    }
    assert kind == "responder"
    beside = [*alone, response("midas", BEFORE, 21, order=1)]  # a real baseline: 21 → 21 not met
    kind, ev = verdict(headache(NON_RESPONDER_20, beside))
    assert ev["questionnaire"]["instruments"]["midas"]["baseline"]["entered_by"] == "patient"
    assert kind == "non_responder"


def test_a_reported_total_is_never_a_followup():
    answers = [response("hit6", BEFORE, 60, order=1), response("hit6", AFTER, 40, by="reported", order=2)]
    _, ev = verdict(headache(NON_RESPONDER_20, answers))
    assert ev["questionnaire"]["instruments"]["hit6"]["followup"] is None


def test_a_clinicians_response_counts_like_the_patients():
    answers = [response("hit6", BEFORE, 60, by="clinician", order=1), response("hit6", AFTER, 55, by="clinician")]
    assert verdict(headache(NON_RESPONDER_20, answers))[0] == "responder"


# --- the criterion against the diary (§12.5) --------------------------------------------------


def test_a_met_criterion_with_a_diary_that_got_worse_leaves_the_verdict():
    kind, ev = verdict(headache(WORSE, midas(21, 14)))
    assert kind == "non_responder"
    assert ev["questionnaire"]["instruments"]["midas"]["criterion"] == "met_but_diary_worse"
    assert ev["questionnaire"]["effect"] == "met_but_diary_worse"


def test_a_met_criterion_with_a_best_reduction_of_exactly_zero_makes_a_responder():
    kind, ev = verdict(headache(UNCHANGED_0, midas(21, 14)))
    assert ev["best_reduction_pct"] == 0.0
    assert kind == "responder"
    assert ev["questionnaire"]["effect"] == "made_responder"


def test_moderate_severe_days_that_got_worse_also_block_the_criterion():
    # headache days 10 → 10 (0%), moderate/severe days 5 → 7 (−40%): the diary got worse
    history = trial(
        condition="migraine", baseline="2" * 5 + "1" * 5 + "0" * 18, window="2" * 7 + "1" * 3 + "0" * 18,
        questionnaires=midas(21, 14),
    )  # fmt: skip
    kind, ev = verdict(history)
    assert ev["headache_days_reduction_pct"] == 0.0
    assert ev["moderate_severe_days_reduction_pct"] == -40.0
    assert kind == "non_responder"
    assert ev["questionnaire"]["instruments"]["midas"]["criterion"] == "met_but_diary_worse"


def test_insufficient_data_is_not_rescued():
    history = trial(baseline=BASE, window="." * 6 + "1" * 22, questionnaires=midas(21, 0))  # 22 logged days
    kind, _ = verdict(history)
    assert kind == "insufficient_data"
    pgic = pain(5, [response("pgic", AFTER, 1)], plan_row=plan(), reported=None)
    assert verdict(pgic)[0] == "partial"  # control: the same PGIC does act on a valid window
    no_baseline = make_history(
        "fibromyalgia",
        pains(WINDOW_START, [5] * 28),
        doses=daily_doses(FIRST_DOSE, AS_OF),
        plan_row=plan(),
        questionnaires=[response("pgic", AFTER, 1)],
    )
    assert verdict(no_baseline)[0] == "insufficient_data"


def test_before_the_decision_point_the_verdict_stays_in_progress():
    as_of = FIRST_DOSE + timedelta(days=70)  # 10 weeks: past the earliest evaluation, before 12
    early = make_history(
        "migraine",
        coded(BASELINE_START, BASE + "0" * 71),
        doses=daily_doses(FIRST_DOSE, as_of),
        plan_row=plan(weeks=12),
        questionnaires=[response("hit6", BEFORE, 60, order=1), response("hit6", as_of, 50, order=2)],
        as_of=as_of,
    )
    kind, ev = verdict(early)
    assert kind == "in_progress"
    assert ev["questionnaire"]["instruments"]["hit6"]["criterion"] == "met"  # shown, not applied


def test_a_reported_diary_baseline_still_lets_hit6_decide():
    history = trial(
        baseline="." * 28,
        window=NON_RESPONDER_20,
        reported=ReportedBaselineRow(10.0, 4.0, None),
        questionnaires=[response("hit6", BEFORE, 64, order=1), response("hit6", AFTER, 58, order=2)],
    )
    kind, ev = verdict(history)
    assert ev["moderate_severe_criterion"] == "skipped: reported baseline"
    assert kind == "responder"


def test_pgic_missing_at_the_decision_point_is_stated():
    _, ev = verdict(pain(5, []))
    assert ev["questionnaire"]["pgic_missing_at_decision_point"] is True
    _, ev = verdict(pain(5, [response("pgic", AFTER, 4)]))
    assert ev["questionnaire"]["pgic_missing_at_decision_point"] is False


# --- property: a better follow-up never worsens a verdict -------------------------------------


def goodness(kind: str) -> int:
    return len(GOODNESS) - GOODNESS.index(kind) if kind in GOODNESS else 0


@settings(max_examples=80, deadline=None)
@given(
    window=st.sampled_from([PARTIAL_40, NON_RESPONDER_20, UNCHANGED_0, WORSE]),
    instrument=st.sampled_from(["midas", "hit6"]),
    baseline=st.integers(0, 90),
    followup=st.integers(0, 90),
    better=st.integers(1, 30),
)
def test_a_better_headache_followup_never_worsens_the_verdict(window, instrument, baseline, followup, better):
    if instrument == "hit6":
        baseline, followup = 36 + baseline % 43, 36 + followup % 43
    lower = max(followup - better, 36 if instrument == "hit6" else 0)

    def kind(total: int) -> str:
        answers = [response(instrument, BEFORE, baseline, order=1), response(instrument, AFTER, total, order=2)]
        return verdict(headache(window, answers))[0]

    assert goodness(kind(lower)) >= goodness(kind(followup))


@settings(max_examples=40, deadline=None)
@given(window_pain=st.integers(0, 8), pgic=st.integers(1, 7), better=st.integers(1, 6))
def test_a_better_pgic_never_worsens_the_verdict(window_pain, pgic, better):
    improved = max(pgic - better, rules.PGIC_MIN)
    worse = verdict(pain(window_pain, [response("pgic", AFTER, pgic)]))[0]
    best = verdict(pain(window_pain, [response("pgic", AFTER, improved)]))[0]
    assert goodness(best) >= goodness(worse)


# --- what is due (§12.3, §12.4) ---------------------------------------------------------------


def due(answers, condition="migraine", **kwargs):
    fields = {
        "plan_since": FIRST_DOSE - timedelta(days=10),
        "plan_continues": True,
        "first_dose": FIRST_DOSE,
        "earliest_evaluation": EARLIEST,
        "as_of": AS_OF,
        **kwargs,
    }
    rows = [q.QuestionnaireRow(*row) for row in answers]
    return {(d["instrument"], d["kind"]): d["since"] for d in q.due(rows, condition, **fields)}


def test_baseline_due_from_the_plan_until_the_first_dose():
    before = {"first_dose": None, "earliest_evaluation": None, "as_of": FIRST_DOSE - timedelta(days=2)}
    since = (FIRST_DOSE - timedelta(days=10)).isoformat()
    assert due([], **before) == {("midas", "baseline"): since, ("hit6", "baseline"): since}
    assert due([response("midas", FIRST_DOSE - timedelta(days=5), 12)], **before) == {("hit6", "baseline"): since}
    assert due([], condition="fibromyalgia", **before) == {}  # pain: PGIC at follow-up only
    assert due([], **{**before, "plan_since": None}) == {}  # no plan yet


def test_followups_due_from_their_first_day_and_again_12_weeks_after_the_last():
    assert due([]) == {
        ("midas", "followup"): MIDAS_FROM.isoformat(),
        ("hit6", "followup"): EARLIEST.isoformat(),
        ("pgic", "followup"): EARLIEST.isoformat(),
    }
    done = [response("pgic", AFTER, 2), response("hit6", EARLIEST, 50), response("midas", MIDAS_FROM, 10)]
    assert due(done) == {}
    again = EARLIEST + timedelta(weeks=12)  # HIT-6 was done first: due again first
    assert due(done, as_of=again - timedelta(days=1)) == {}
    assert due(done, as_of=again) == {("hit6", "followup"): again.isoformat()}
    assert due([], condition="fibromyalgia") == {("pgic", "followup"): EARLIEST.isoformat()}
    assert due([], plan_continues=False) == {}

"""Invariants of the analysis (hypothesis)."""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diary.analysis.engine import analyse
from diary.analysis.history import PatientHistory
from diary.analysis.verdict import GOODNESS
from tests.diary.analysis.helpers import day, med, side_effect, trial

RULE_VERDICTS = set(GOODNESS)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

month = st.text(alphabet="..00000123", min_size=28, max_size=28)
conditions = st.sampled_from(["migraine", "chronic_migraine", "fibromyalgia", "chronic_pain"])


def goodness(kind: str) -> int:
    return len(GOODNESS) - GOODNESS.index(kind)


@st.composite
def histories(draw: st.DrawFn) -> PatientHistory:
    meds = [
        med(day(-draw(st.integers(0, 120))), draw(st.sampled_from(["triptan", "opioid", "non_opioid_analgesic"])))
        for _ in range(draw(st.integers(0, 12)))
    ]
    effects = [
        side_effect(day(-draw(st.integers(0, 120))), draw(st.sampled_from(["vivid_dreams", "headache", "nausea"])))
        for _ in range(draw(st.integers(0, 12)))
    ]
    return trial(
        condition=draw(conditions),
        baseline=draw(month),
        window=draw(month),
        between=draw(st.sampled_from(["0", "1", "."])),
        pain=draw(st.integers(0, 10)),
        medications=meds,
        side_effects=effects,
    )


def _shuffled(history: PatientHistory, seed: int) -> PatientHistory:
    rng = random.Random(seed)

    def mix(rows):
        rows = list(rows)
        rng.shuffle(rows)
        return rows

    return PatientHistory(
        as_of=history.as_of,
        condition=history.condition,
        entries=mix(history.entries),
        side_effects=mix(history.side_effects),
        medications=mix(history.medications),
        doses=mix(history.doses),
        plan=history.plan,
        reported_baseline=history.reported_baseline,
    )


@SETTINGS
@given(histories(), st.integers(0, 2**32))
def test_row_order_never_matters(history, seed):
    assert analyse(_shuffled(history, seed)).to_json() == analyse(history).to_json()


@SETTINGS
@given(histories())
def test_recompute_is_identical_and_strict_json(history):
    first = json.dumps(analyse(history).to_json(), allow_nan=False, sort_keys=True)
    second = json.dumps(analyse(history).to_json(), allow_nan=False, sort_keys=True)
    assert first == second


@SETTINGS
@given(
    st.sampled_from(["migraine", "chronic_migraine"]),
    month,
    month,
    st.integers(0, 27),
)
def test_adding_a_headache_day_in_the_window_never_improves_the_verdict(condition, baseline, window, i):
    # turn a missing or headache-free window day into a (mild) headache day
    if window[i] not in ".0":
        window = window[:i] + "0" + window[i + 1 :]
    before = analyse(trial(condition=condition, baseline=baseline, window=window)).verdict.kind
    after = analyse(
        trial(condition=condition, baseline=baseline, window=window[:i] + "1" + window[i + 1 :])
    ).verdict.kind
    if before in RULE_VERDICTS:
        assert after in RULE_VERDICTS  # one more logged day cannot invalidate the window
        assert goodness(after) <= goodness(before)


@SETTINGS
@given(conditions, month, st.text(alphabet="0123", min_size=22, max_size=22), st.permutations(range(28)))
def test_a_window_below_80_percent_never_gives_a_rule_verdict(condition, baseline, logged, order):
    # 22 logged days placed at random among the 28 (6 missing)
    slots = ["."] * 28
    for pos, code in zip(sorted(order[:22]), logged, strict=True):
        slots[pos] = code
    kind = analyse(trial(condition=condition, baseline=baseline, window="".join(slots))).verdict.kind
    assert kind not in RULE_VERDICTS
    assert kind == "insufficient_data"

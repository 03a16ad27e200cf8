"""The two suggestions (CLINICAL.md §7, §11.14)."""

from __future__ import annotations

import pytest

from diary.analysis.engine import analyse
from tests.diary.analysis.helpers import (
    FIRST_DOSE,
    daily_doses,
    day,
    plan,
    side_effect,
    trial,
)


def suggestion(history, kind):
    found = [s for s in analyse(history).suggestions if s.kind == kind]
    return found[0] if found else None


def _dosing(effects, last_time="bedtime", **kwargs):
    doses = [*daily_doses(FIRST_DOSE, day(-1)), *daily_doses(day(0), day(0), time=last_time)]
    return trial(doses=doses, side_effects=effects, **kwargs)


@pytest.mark.parametrize(
    ("effects", "fires"),
    [
        ([side_effect(day(-i), "vivid_dreams") for i in (0, 3, 6)], True),  # 3 of the last 7
        ([side_effect(day(-i), "vivid_dreams") for i in (0, 3, 7)], False),  # day -7 is 8 days back
        ([side_effect(day(-i), "vivid_dreams") for i in (0, 3)], False),
        # either counts, a day with both counts once
        (
            [side_effect(day(-1), "vivid_dreams"), side_effect(day(-2), "insomnia"), side_effect(day(-3), "insomnia")],
            True,
        ),
        (
            [
                side_effect(day(-1), "vivid_dreams"),
                side_effect(day(-2), "vivid_dreams"),
                side_effect(day(-2), "insomnia"),
            ],
            False,
        ),
        ([side_effect(day(-i), "nausea") for i in (0, 3, 6)], False),
    ],
)
def test_morning_dosing(effects, fires):
    s = suggestion(_dosing(effects), "morning_dosing")
    assert (s is not None) is fires
    if s:
        assert s.patient_text  # shown to the patient too
        assert "3 of the last 7" in s.text


def test_morning_dosing_not_when_the_latest_dose_was_in_the_morning():
    effects = [side_effect(day(-i), "vivid_dreams") for i in (0, 1, 2)]
    assert suggestion(_dosing(effects, last_time="morning"), "morning_dosing") is None


def test_no_suggestion_after_a_stop():
    effects = [side_effect(day(-i), "vivid_dreams") for i in (0, 1, 2)]
    history = _dosing(effects, plan_row=plan(stopped_on=day(0), reason="side_effects"))
    assert analyse(history).suggestions == ()


def _titration(effect_days, stopped_on=None):
    # 1.5 mg up to day -11, 3.0 mg from day -10 (the step up)
    doses = [*daily_doses(FIRST_DOSE, day(-11), 1.5), *daily_doses(day(-10), day(0), 3.0)]
    effects = [side_effect(day(d), "headache") for d in effect_days]
    row = plan() if stopped_on is None else plan(stopped_on=stopped_on, reason="other")
    return trial(doses=doses, side_effects=effects, plan_row=row)


@pytest.mark.parametrize(
    ("effect_days", "fires"),
    [
        ([-10], False),  # started on the step-up day (0 days after) but not in the last 7 days
        ([-3, -2], True),  # started 7 days after the step up, reported in the last 7 days
        ([-10, -9, -8, -7, -6, -5], True),  # started on the step-up day, still reported
        ([-2, -1], False),  # started 8 days after
        (list(range(-15, 1)), False),  # already there before the step up: it did not start after it
        ([-4], True),  # 6 days after
    ],
)
def test_slower_titration(effect_days, fires):
    s = suggestion(_titration(effect_days), "slower_titration")
    assert (s is not None) is fires
    if s:
        assert s.patient_text is None  # clinician-only
        assert s.evidence["step_up"] == day(-10).isoformat()
        assert (s.evidence["mg"], s.evidence["previous_mg"]) == (3.0, 1.5)


def test_nausea_after_a_step_up_is_not_the_titration_suggestion():
    doses = [*daily_doses(FIRST_DOSE, day(-11), 1.5), *daily_doses(day(-10), day(0), 3.0)]
    history = trial(doses=doses, side_effects=[side_effect(day(-5), "nausea")])
    assert suggestion(history, "slower_titration") is None


def test_no_titration_suggestion_after_a_stop():
    assert suggestion(_titration([-3, -2], stopped_on=day(0)), "slower_titration") is None

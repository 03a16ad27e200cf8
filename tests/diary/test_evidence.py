"""The evidence presenter (issue 16 item 2): numbers rounded for reading and never across a
band, words instead of codes, a fixed order, the rule once; flag headlines that agree with
the verdict; evidence of an unknown shape gives the name, not an error."""

from __future__ import annotations

import json
import re
from typing import Any, cast

import pytest

from diary.choices import FlagKind
from diary.evidence import days, flag_presented, mg, number, percent, suggestion_text, verdict_presented

CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
OVER_PRECISE = re.compile(r"\d+\.\d{2,}(?!\d*\s?mg)|\d+\.\d+\s?%")

WINDOW = {
    "start": "2026-10-25",
    "end": "2026-11-21",
    "days": 28,
    "days_logged": 27,
    "valid": True,
    "pro_rated": True,
    "headache_days_per_28": 17.630,
    "moderate_severe_days_per_28": 12.444,
    "migraine_days_per_28": 10.370,
    "mean_pain": 4.185,
}
CLOCK = {
    "start": "2026-08-29",
    "basis": "target",
    "mg": 4.5,
    "target_mg": 4.5,
    "decision_weeks": 12,
    "days_on_clock": 84,
    "earliest_evaluation": "2026-10-24",
    "decision_point": "2026-11-21",
    "stopped_on": None,
    "stop_reason": None,
}
HEADACHE = {
    "rule": "headache",
    "headache_days_reduction_pct": 29.96,
    "moderate_severe_days_reduction_pct": 4.274,
    "migraine_days_reduction_pct": 5.724,
    "best_reduction_pct": 29.96,
    "moderate_severe_criterion": "used",
    "thresholds_pct": {"responder": 50, "partial": 30},
    "chronic_migraine_at_baseline": False,
    "baseline": {
        "source": "diary",
        "labels": [],
        "headache_days_per_28": 25.18,
        "moderate_severe_days_per_28": 13.0,
        "migraine_days_per_28": 11.0,
        "mean_pain": 4.179,
        "diary_window": {"start": "2026-07-18", "end": "2026-08-14", "days_logged": 28, "pro_rated": False},
    },
    "window": WINDOW,
    "clock": CLOCK,
    "labels": ["pro_rated"],
    "notes": ["Window with gaps: counts pro-rated to 28 days (count × 28 / days with entry)."],
    "reason": "rule",
}


def words(block: dict) -> str:
    return json.dumps(block, ensure_ascii=False)


def test_numbers_are_rounded_for_reading_and_never_across_a_band():
    assert percent(29.96) == "29%"  # below 30%: a partial response it is not
    assert percent(50.0) == "50%"
    assert percent(49.9999999) == "50%"  # a float's error is no band's edge
    assert percent(94.048) == "94%"
    assert percent(-12.5) == "-12%"
    assert number(17.756) == "17.8"
    assert (mg(4.5), mg(3), mg(0.75), mg("6.00")) == ("4.5 mg", "3.0 mg", "0.75 mg", "6.0 mg")
    assert (days(1), days(0), days(14)) == ("1 day", "0 days", "14 days")


def test_a_verdict_in_words_in_a_fixed_order_with_the_rule_once():
    block = verdict_presented("non_responder", HEADACHE)
    assert block["headline"] == "No adequate response: 29% fewer headache days"
    assert [m["label"] for m in block["measures"]] == [
        "Headache days per 28 days",
        "Moderate or severe headache days per 28 days",
        "Migraine days per 28 days",
    ]
    assert block["measures"][0] == {
        "label": "Headache days per 28 days",
        "baseline": "25.2",
        "now": "17.6",
        "change": "29%",
        "counts": "yes, the better of the two",
    }
    assert block["measures"][2]["counts"] == "no: reported only"
    assert [f["label"] for f in block["facts"]] == ["Evaluation window", "Baseline", "Trial clock", "Decision point"]
    assert block["facts"][0]["value"] == "25 Oct – 21 Nov 2026: 27 of 28 days logged, rates pro-rated to 28 days"
    assert block["rule"].count("50%") == 1
    assert "Headache rule (AHS 2021)" in block["rule"]
    text = words(block)
    assert CODE.findall(text) == []
    assert OVER_PRECISE.findall(text) == []
    assert "Reason" not in text


def test_interim_numbers_do_not_claim_to_count():
    block = verdict_presented("in_progress", {**HEADACHE, "interim": True, "reason": "decision point not reached"})
    assert block["headline"] == "In progress: decision point on 21 Nov 2026"
    assert {m["counts"] for m in block["measures"]} == {""}
    assert "Earliest evaluation" in [f["label"] for f in block["facts"]]


def test_the_decision_point_flag_agrees_with_the_verdict_beside_it():
    flag = {
        "verdict": "partial",
        "rule": "pain",
        "mean_pain_reduction_pct": 32.4,
        "absolute_points": 2.1,
        "clock": CLOCK,
    }
    block = flag_presented(FlagKind.NO_ADEQUATE_RESPONSE, flag)
    assert block["headline"] == "Decision point reached: partial response (32%) — decide on continuation"
    assert block["facts"][0] == {"label": "Verdict", "value": "Partial response: 32% less pain (2.1 points)"}
    pain = {**flag, "thresholds_pct": {}, "baseline": {}, "window": {}}
    assert verdict_presented("partial", pain)["headline"] == block["facts"][0]["value"]


@pytest.mark.parametrize("kind", list(FlagKind.values))
def test_every_flag_kind_reads_without_codes_even_from_evidence_it_does_not_know(kind):
    for evidence in ({}, {"kind": kind}, {"occurrences": "not a list"}, {"window": None}):
        block = flag_presented(kind, evidence)
        assert block["headline"]
        assert CODE.findall(words(block)) == []


def test_a_suggestion_says_1_day_and_a_readable_date():
    text = suggestion_text(
        "slower_titration",
        {"days_after_step_up": 1, "mg": 3.0, "step_up": "2026-11-14", "previous_mg": 1.5},
        "fallback",
    )
    assert text.startswith(
        "A headache side effect (different from the usual headaches) started 1 day after the step up"
    )
    assert "3.0 mg on 14 Nov 2026" in text
    assert "(1.5 mg)" in text
    assert suggestion_text("slower_titration", {}, "as stored") == "as stored"


def _response(total, on, band=None, by="patient"):
    return {"total": total, "completed_on": on, "entered_by": by, "band": band}


QUESTIONNAIRE: dict[str, Any] = {
    "criterion_met": ["midas"],
    "effect": "made_responder",
    "pgic_missing_at_decision_point": False,
    "instruments": {
        "midas": {
            "baseline": _response(24, "2026-08-03", "IV"),
            "followup": _response(16, "2026-11-17", "III"),
            "followup_from": "2026-11-01",
            "criterion": "met",
            "criterion_rule": "midas_percent",
            "criterion_reason": "baseline 21 or more: follow-up at most 0.7 × baseline",
        },
        "hit6": {
            "baseline": _response(62, "2026-08-03", "severe", by="clinician"),
            "followup": None,
            "followup_from": "2026-10-24",
            "criterion": "not_available",
            "criterion_rule": None,
            "criterion_reason": "no follow-up HIT-6 response",
        },
        "pgic": {"baseline": None, "followup": _response(2, "2026-11-18"), "followup_from": "2026-10-24"},
    },
}


def test_a_verdict_a_questionnaire_decided_names_the_instrument_both_totals_and_the_rule():
    """CLINICAL.md §12.5: the evidence names the instrument, both totals and the rule."""
    block = verdict_presented("responder", {**HEADACHE, "questionnaire": QUESTIONNAIRE})
    assert block["headline"] == "Responder by MIDAS 24 → 16; 29% fewer headache days"
    facts = {f["label"]: f["value"] for f in block["facts"]}
    assert facts["MIDAS"] == (
        "24 (grade IV) on 3 Aug 2026 → 16 (grade III) on 17 Nov 2026: criterion met "
        "(baseline 21 or more: at most 0.7 × baseline)"
    )
    assert facts["HIT-6"] == (
        "62 (severe impact) on 3 Aug 2026, entered by a clinician → no follow-up response: "
        "criterion not available (no follow-up HIT-6 response)"
    )
    assert facts["PGIC"] == "much improved (2) on 18 Nov 2026"
    assert "PGIC is reported for headache conditions; it does not change the verdict." in block["notes"]
    assert CODE.findall(words(block)) == []


def test_a_criterion_met_with_a_worse_diary_and_a_missing_pgic_are_said_in_words():
    worse = {
        **QUESTIONNAIRE,
        "effect": "met_but_diary_worse",
        "pgic_missing_at_decision_point": True,
        "instruments": {
            **QUESTIONNAIRE["instruments"],
            "midas": {**QUESTIONNAIRE["instruments"]["midas"], "criterion": "met_but_diary_worse"},
            "pgic": {"baseline": None, "followup": None, "followup_from": "2026-10-24"},
        },
    }
    block = verdict_presented("non_responder", {**HEADACHE, "questionnaire": worse})
    assert block["headline"] == "No adequate response: 29% fewer headache days"
    facts = {f["label"]: f["value"] for f in block["facts"]}
    assert facts["MIDAS"].endswith(
        "criterion met, but the diary shows worsening (baseline 21 or more: at most 0.7 × baseline)"
    )
    assert facts["PGIC"] == "not answered since the earliest evaluation date"
    assert any("diary shows worsening" in n for n in block["notes"])
    assert any("No follow-up PGIC yet" in n for n in block["notes"])
    assert CODE.findall(words(block)) == []


def test_a_pain_verdict_made_partial_by_pgic_says_so():
    pain = {
        "rule": "pain",
        "mean_pain_reduction_pct": 5.7,
        "absolute_points": 0.4,
        "thresholds_pct": {"strong_responder": 50, "responder": 30, "partial": 10},
        "placebo_pain_reduction_pct": 18,
        "baseline": {**cast(dict, HEADACHE["baseline"]), "mean_pain": 7.0},
        "window": {**WINDOW, "mean_pain": 6.6},
        "clock": CLOCK,
        "questionnaire": {
            "criterion_met": [],
            "effect": "made_partial",
            "pgic_missing_at_decision_point": False,
            "instruments": {"pgic": {"baseline": None, "followup": _response(2, "2026-11-18"), "followup_from": "x"}},
        },
    }
    block = verdict_presented("partial", pain)
    assert block["headline"].startswith("Partial response by PGIC (much improved)")
    assert any("perceived benefit" in n for n in block["notes"])
    assert CODE.findall(words(block)) == []

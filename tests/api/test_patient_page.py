"""What the dashboard's patient page reads from GET patients/{id}/insights, after the real
engine analysed a real diary: baseline band, dose step line, segments with CIs, side effects
by step and dose time, the overuse panel, caveats, and the raw daily values."""

from __future__ import annotations

from datetime import date

import pytest

from tests.cohort import Course, analyse_all, patient_with

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 11, 21)


def test_the_patient_page_has_everything_it_draws(cast):
    rita = patient_with(cast.bob, Course(pain=3, side_effects={"vivid_dreams": 3}), TODAY)
    analyse_all()
    body = cast.client("bob").call("GET", f"/api/v1/patients/{rita.public_id}/insights").json_body
    summary = body["summary"]
    assert body["verdict"]["kind"] == "strong_responder"
    assert body["verdict"]["rules_version"] == "2"
    assert summary["baseline"]["source"] == "diary"
    assert summary["baseline"]["mean_pain"] == 8.0
    series = summary["series"]
    assert series["held_mg"][-1] == 4.5
    assert series["dose_mg"][-1] == 4.5
    assert [s["mg"] for s in summary["segments"]] == [1.5, 3.0, 4.5]
    assert summary["segments"][-1]["steady"]["pain_ci95"] == [3.0, 3.0]
    assert summary["side_effects_by_step"]["1.5"]["incidence"]["vivid_dreams"] > 0
    assert "bedtime" in summary["side_effects_by_dose_time"]
    assert len(summary["medication_overuse"]["windows"]) == 3
    assert summary["adherence"]["adherence_pct"] == 100.0
    assert len(summary["caveats"]) == 4
    daily = body["daily"]
    assert (daily["start"], daily["end"]) == (series["start"], series["end"])
    assert len(daily["pain"]) == len(daily["sleep"]) == len(daily["headache"]) == len(series["pain_7"])
    assert daily["pain"][-1] == 3
    assert daily["pain"][-101] == 8  # the last baseline day
    assert daily["pain"][0] is None  # before the diary began


def test_no_analysis_yet_means_no_daily_block(cast):
    body = cast.client("bob").call("GET", f"/api/v1/patients/{cast.alice.public_id}/insights").json_body
    assert body["status"] == "pending"
    assert body["daily"] is None

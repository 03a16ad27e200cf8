"""My trends answers "is LDN working for me?" (issue 13, item 9): the baseline against the
latest 28 days with the very numbers of the clinician's verdict evidence, and safety
notices in plain numbers where the analysis found something the patient does (medicines
taken often, a dose logged above the usual range), never a verdict or flag name."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from diary.choices import FlagKind, VerdictKind
from diary.dates import local_calendar_date
from diary.models import AcuteMedication, DiaryEntry, DoseLog
from tests.cohort import Course, analyse_all, patient_with

pytestmark = pytest.mark.usefixtures("frozen")


def both_views(cast, patient):
    mine = cast.client("alice").as_user(patient.user).call("GET", "/api/v1/me/insights").json_body
    theirs = cast.client("bob").call("GET", f"/api/v1/patients/{patient.public_id}/insights").json_body
    return mine, theirs


def test_since_i_started_ldn_uses_the_numbers_of_the_clinicians_verdict(cast):
    today = local_calendar_date("Europe/Berlin")
    course = Course(condition="migraine", baseline_headache_days=12, headache_days_per_28=6, baseline_pain=5, pain=3)
    patient = patient_with(cast.bob, course, today, time_zone="Europe/Berlin")
    analyse_all()
    mine, theirs = both_views(cast, patient)
    evidence = theirs["verdict"]["evidence"]
    since = mine["since_start"]
    assert since["measure"] == "headache_days"
    assert since["stage"] == "decision"  # 100 days on LDN, 86 on the target: past 12 weeks
    assert since["baseline"]["value"] == evidence["baseline"]["headache_days_per_28"] == 12
    assert since["latest"]["value"] == evidence["window"]["headache_days_per_28"]
    assert since["change_pct"] == evidence["headache_days_reduction_pct"]
    assert (since["latest"]["start"], since["latest"]["end"]) == (
        evidence["window"]["start"],
        evidence["window"]["end"],
    )
    assert since["first_dose"] == evidence["clock"]["first_dose"]
    assert since["moderate_severe"] == {
        "baseline": evidence["baseline"]["moderate_severe_days_per_28"],
        "latest": evidence["window"]["moderate_severe_days_per_28"],
        "change_pct": evidence["moderate_severe_days_reduction_pct"],
    }
    # the patient never gets a verdict name
    text = json.dumps(mine)
    assert theirs["verdict"]["kind"] in VerdictKind.values
    for kind in VerdictKind.values:
        assert f'"{kind}"' not in text, kind


def test_a_pain_condition_is_told_in_mean_pain(cast):
    today = local_calendar_date("Europe/Berlin")
    patient = patient_with(cast.bob, Course(condition="fibromyalgia", baseline_pain=8, pain=5), today)
    analyse_all()
    mine, theirs = both_views(cast, patient)
    evidence = theirs["verdict"]["evidence"]
    assert mine["since_start"]["measure"] == "pain"
    assert mine["since_start"]["baseline"]["value"] == evidence["baseline"]["mean_pain"] == 8
    assert mine["since_start"]["change_pct"] == evidence["mean_pain_reduction_pct"]
    assert mine["since_start"]["change_points"] == evidence["absolute_points"]


def test_medicines_taken_often_are_a_notice_for_the_patient_in_numbers_not_flag_names(cast):
    today = local_calendar_date("Europe/Berlin")
    patient = patient_with(
        cast.bob, Course(condition="migraine", baseline_headache_days=12, headache_days_per_28=10), today
    )
    days = DiaryEntry.objects.filter(patient=patient, date__gt=today - timedelta(days=28)).order_by("date")[:16]
    AcuteMedication.objects.bulk_create(
        AcuteMedication(entry=e, med_class="non_opioid_analgesic", name="ibuprofen", for_headache=True) for e in days
    )
    analyse_all()
    mine, theirs = both_views(cast, patient)
    assert "medication_overuse_risk" in {f["kind"] for f in theirs["flags"]}
    [notice] = [n for n in mine["notices"] if n["kind"] == "medicine_overuse"]
    assert notice["counts"] == [{"med_class": "non_opioid_analgesic", "days": 16}]
    assert notice["probable"] is False
    text = json.dumps(mine)
    for kind in FlagKind.values:
        assert f'"{kind}"' not in text, kind


def test_a_dose_logged_far_above_the_usual_range_is_a_notice_until_it_is_corrected(cast):
    today = local_calendar_date("Europe/Berlin")
    patient = patient_with(
        cast.bob, Course(condition="migraine", baseline_headache_days=12, headache_days_per_28=6), today
    )
    log = DoseLog.objects.get(patient=patient, date=today)
    DoseLog.objects.filter(pk=log.pk).update(mg=15)
    analyse_all()
    mine, _ = both_views(cast, patient)
    [notice] = [n for n in mine["notices"] if n["kind"] == "dose_above_usual"]
    assert notice["doses"] == [{"date": today.isoformat(), "kind": "dose_above_usual", "mg": 15.0}]
    api = cast.client("alice").as_user(patient.user)
    assert api.call("PATCH", f"/api/v1/me/doses/{log.public_id}", {"mg": 4.5}).status_code == 200
    analyse_all()
    mine, _ = both_views(cast, patient)
    assert [n for n in mine["notices"] if n["kind"] == "dose_above_usual"] == []


def test_before_any_analysis_there_is_nothing_to_compare(cast):
    mine = cast.client("alice").call("GET", "/api/v1/me/insights").json_body
    assert (mine["since_start"], mine["notices"]) == (None, [])

"""Clinic outcomes from the per-patient outcome rows (issue 17): every case compares the
whole answer, and the patients read for the audit, with the way it was computed before
the rows existed (``tests/diary/dashboard/oracle.py``); the demo clinic's case is in
tests/diary/test_seed_demo.py, which seeds it once."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from diary.analysis import rules
from diary.analysis.outcome import outcome_fields
from diary.analysis.result import Insight, VerdictResult
from diary.choices import Condition, LinkStatus, VerdictKind
from diary.dashboard.outcomes import OUTCOME_APART_KEYS, clinic_outcomes, outcome_category
from diary.models import CareLink, Clinician, Patient, PatientInsight, PatientOutcome
from diary.services.entries import entry_record
from diary.services.insights import Claimed, insights_store, insights_sweep, patients_mark_stale_for_rules
from diary.services.patients import patient_condition_set
from tests.cohort import Course, analyse_all, patient_with
from tests.conftest import Api
from tests.diary.dashboard.oracle import assert_same_answer_both_ways
from tests.factories import ClinicianFactory, PatientFactory, link

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 11, 21)


def stored_rows() -> dict[int, tuple[Any, ...]]:
    return {
        row[0]: row[1:]
        for row in PatientOutcome.objects.values_list(
            "patient_id", "verdict", "condition", "starting_mg", "stable_mg", "side_effect_kinds"
        )
    }


def rows_from_insights() -> dict[int, tuple[Any, ...]]:
    """What each stored insight says the row holds."""
    out = {}
    for patient_id, verdict, data in PatientInsight.objects.values_list("patient_id", "verdict", "data"):
        fields = outcome_fields(data["summary"])
        out[patient_id] = (verdict, *fields.values())
    return out


@pytest.fixture
def clinic(cast) -> dict[str, Patient]:
    """Bob's clinic: one patient of every kind the page tells apart, through real diaries and
    the real engine, and alice (never analysed)."""
    courses = {
        "strong": Course(pain=3, side_effects={"vivid_dreams": 6}),
        "pain_responder": Course(pain=5),
        "partial": Course(pain=6),
        "non_responder": Course(pain=8, side_effects={"insomnia": 3}),
        "stopped": Course(pain=8, stopped_after=30, stop_reason="side_effects", side_effects={"jitteriness": 4}),
        "migraine": Course(condition="migraine", baseline_headache_days=12, headache_days_per_28=4),
        "slow_start": Course(pain=3, steps=((0, "0.75"), (7, "1.5"), (14, "3.0")), target_mg="3.0"),
        "in_progress": Course(pain=5, days_on_ldn=30),
        "no_headache_baseline": Course(condition="migraine"),
    }
    patients = {key: patient_with(cast.bob, course, TODAY) for key, course in courses.items()}
    patient_with(cast.charlie, Course(pain=3), TODAY)  # another clinic
    assert analyse_all() == len(courses) + 1
    return patients


def test_the_outcome_rows_hold_what_each_stored_summary_says(clinic):
    assert stored_rows() == rows_from_insights()
    assert len(stored_rows()) == len(clinic) + 1


def test_the_answer_is_the_same_as_from_the_summaries(cast, clinic):
    answer = assert_same_answer_both_ways(cast.bob)
    # the cohort spans every part of the page, so the comparison above compares something
    assert [c["count"] for c in answer["categories"]] == [3, 2, 2]
    assert answer["apart"] == {"insufficient_data": 1, "in_progress": 1, "not_analysed": 1}
    assert {row["mg"] for row in answer["starting_doses"]} == {"0.75", "1.50"}
    assert {row["mg"] for row in answer["stable_doses"]} == {"3.00", "4.50"}
    assert {row["kind"] for row in answer["side_effect_rates"]} == {"vivid_dreams", "insomnia", "jitteriness"}
    assert {row["condition"] for row in answer["by_condition"]} == {"chronic_pain", "migraine"}
    assert_same_answer_both_ways(cast.charlie)


def test_a_stale_insight_is_counted_as_stored_until_the_recompute(cast, clinic):
    """A diary day written and the condition changed since the analysis: the page still
    shows the stored analysis (its condition), like before; the recompute updates both."""
    migraine, pain = clinic["migraine"], clinic["pain_responder"]
    entry_record(patient=migraine, day=TODAY, data={"pain_score": 2, "headache": 0}, actor=migraine.user)
    patient_condition_set(pain, "migraine", actor=cast.bob.user, set_by="clinician")
    assert Patient.objects.filter(insights_stale_since__isnull=False).count() == 2

    answer = assert_same_answer_both_ways(cast.bob)
    partial = {p["id"]: p for p in answer["categories"][1]["patients"]}
    assert partial[str(pain.public_id)]["condition"] == "chronic_pain"

    assert insights_sweep().stored == 2
    assert stored_rows()[pain.pk][1] == "migraine"
    assert stored_rows() == rows_from_insights()
    assert_same_answer_both_ways(cast.bob)


def test_an_unlinked_patient_leaves_the_answer_and_comes_back_when_linked_again(cast, clinic):
    stopped = clinic["stopped"]
    CareLink.objects.filter(patient=stopped).update(status=LinkStatus.REVOKED, revoked_at=timezone.now())
    answer = assert_same_answer_both_ways(cast.bob)
    assert answer["counted"] == 6
    assert "jitteriness" not in {row["kind"] for row in answer["side_effect_rates"]}
    assert PatientOutcome.objects.filter(patient=stopped).exists()  # kept for when they come back

    link(stopped, cast.bob)
    assert assert_same_answer_both_ways(cast.bob)["counted"] == 7


def test_an_insight_of_older_rules_counts_as_stored_and_the_rules_recompute_replaces_it(cast, clinic):
    """A deploy changed the rules: insights of the old version (whose summaries may lack
    parts the new rules add) count as stored until the sweep recomputes them."""
    strong = clinic["strong"]
    strong.refresh_from_db()
    old = Insight("1", TODAY, VerdictResult("partial", {}), (), (), {"condition": "chronic_pain", "segments": []})
    insights_store([(Claimed(strong.pk, strong.change_seq), old)])
    assert stored_rows()[strong.pk] == ("partial", "chronic_pain", None, None, [])
    answer = assert_same_answer_both_ways(cast.bob)
    assert [c["count"] for c in answer["categories"]] == [2, 3, 2]

    assert patients_mark_stale_for_rules() == 1
    assert insights_sweep().stored == 1
    assert PatientInsight.objects.get(patient=strong).rules_version == rules.RULES_VERSION
    assert stored_rows()[strong.pk][0] == "strong_responder"
    assert_same_answer_both_ways(cast.bob)


def test_the_migration_fills_a_row_for_every_insight_stored_before_it(cast, clinic):
    strong = clinic["strong"]
    strong.refresh_from_db()
    old = Insight("1", TODAY, VerdictResult("non_responder", {}), (), (), {"segments": []})  # no condition
    insights_store([(Claimed(strong.pk, strong.change_seq), old)])
    expected = stored_rows()
    PatientOutcome.objects.all().delete()

    migration = importlib.import_module("diary.migrations.0009_patient_outcome")
    migration.outcomes_fill(apps, connection.schema_editor())
    assert stored_rows() == expected == rows_from_insights()
    assert expected[strong.pk] == ("non_responder", "", None, None, [])
    assert_same_answer_both_ways(cast.bob)


# --- the read's size ---------------------------------------------------------------------


def summary(condition: str, mgs: list[float], kinds: list[str]) -> dict[str, Any]:
    """The parts of a summary the outcomes read (engine.py's layout)."""
    start = TODAY - timedelta(days=100)
    segments = [
        {
            "mg": mg,
            "start": (start + timedelta(days=7 * i)).isoformat(),
            "end": (start + timedelta(days=7 * i + 6)).isoformat(),
        }
        for i, mg in enumerate(mgs)
    ]
    if segments:
        segments[-1]["end"] = TODAY.isoformat()
    by_step = {f"{mg:g}": {"days_logged": 7, "incidence": dict.fromkeys(kinds, 0.25)} for mg in mgs}
    return {
        "condition": condition,
        "clock": {"decision_point": (TODAY - timedelta(days=3)).isoformat()},
        "segments": segments,
        "side_effects_by_step": by_step,
    }


VERDICTS = ("strong_responder", "responder", "partial", "non_responder", "discontinued", "in_progress")


def patients_analysed(clinician: Clinician, count: int) -> None:
    """``count`` more linked patients, each with an insight stored by the insights store."""
    for n in range(count):
        patient = PatientFactory.create(primary_condition="migraine" if n % 3 else "fibromyalgia")
        link(patient, clinician)
        verdict = VERDICTS[n % len(VERDICTS)]
        result = Insight(
            rules.RULES_VERSION,
            TODAY,
            VerdictResult(verdict, {}),
            (),
            (),
            summary(patient.primary_condition, [1.5, 3.0, 4.5][: 1 + n % 3], ["insomnia"] if n % 2 else []),
        )
        insights_store([(Claimed(patient.pk, patient.change_seq), result)])


def test_the_outcomes_read_is_two_queries_on_the_small_rows_naming_at_most_shown_per_list_for_5_and_50():
    """The totals grouped by the database and the first patients of each list: two queries
    whatever the clinic's size, no summary read, and the same answer as one patient at a
    time (a short list, so that lists are cut)."""
    clinician = ClinicianFactory.create()
    api = Api().as_user(clinician.user)
    page_queries = []
    for size in (5, 50):
        patients_analysed(clinician, size - clinician.clinic.care_links.count())
        with CaptureQueriesContext(connection) as captured:
            answer, named = clinic_outcomes(clinician, shown=3)
        assert answer["counted"] + answer["apart"]["in_progress"] == size
        assert len(captured.captured_queries) == 2, [q["sql"] for q in captured.captured_queries]
        assert not any("diary_patientinsight" in q["sql"] for q in captured.captured_queries)  # no summary read
        lists = [c["patients"] for c in answer["categories"]] + list(answer["apart_patients"].values())
        assert max(len(listed) for listed in lists) == (3 if size == 50 else 2)  # cut at 50 only
        assert len(named) == sum(len(listed) for listed in lists)
        assert_same_answer_both_ways(clinician, shown=3)
        with CaptureQueriesContext(connection) as captured:
            response = api.call("GET", "/api/v1/clinic/outcomes")
        assert response.status_code == 200
        assert response.json_body["counted"] == answer["counted"]
        page_queries.append(len(captured.captured_queries))
    assert page_queries[0] == page_queries[1], page_queries


@pytest.mark.parametrize("condition", ["", *Condition.values])
@pytest.mark.parametrize("verdict", [None, *VerdictKind.values])
def test_the_database_puts_each_patient_on_the_list_outcome_category_names(verdict, condition):
    """The list is decided in SQL (``_with_list``) from the same tables as ``outcome_category``:
    every verdict, with every condition analysed, and "" (the primary condition counts)."""
    clinician = ClinicianFactory.create()
    patient = PatientFactory.create(primary_condition="chronic_migraine")
    link(patient, clinician)
    if verdict is not None:
        PatientOutcome.objects.create(patient=patient, verdict=verdict, condition=condition)
    answer, named = clinic_outcomes(clinician)
    effective = (condition if verdict is not None else "") or "chronic_migraine"  # no row: the primary one
    expected = (
        "not_analysed"
        if verdict is None
        else outcome_category(verdict, effective) or (verdict if verdict in OUTCOME_APART_KEYS else None)
    )
    lists = {c["key"]: c["patients"] for c in answer["categories"]} | answer["apart_patients"]
    assert {key for key, listed in lists.items() if listed} == ({expected} if expected else set())
    assert [p.pk for p in named] == ([patient.pk] if expected else [])
    if expected:
        assert lists[expected][0]["condition"] == effective

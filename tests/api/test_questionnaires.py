"""Questionnaires through the API (CLINICAL.md §12): submit, bad input stores nothing,
what is due, a clinician's entries (on the patient's behalf, a bare HIT-6 total, a reported
baseline), the clinic's HIT-6 wording, and the verdict recomputed on a new response."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from diary.models import AuditEvent, Hit6Wording, Patient, QuestionnaireResponse
from diary.services.insights import insights_sweep
from tests.cohort import Course, course_write
from tests.factories import DoseLogFactory, plan_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 11, 21)  # NOW in Berlin (alice)
MIDAS = {"instrument": "midas", "answers": {"items": [2, 3, 4, 1, 0], "a": 30, "b": 6}}
SIX = ["never", "rarely", "sometimes", "very_often", "always", "always"]


def count() -> int:
    return QuestionnaireResponse.objects.count()


def wording(cast) -> None:
    Hit6Wording.objects.create(clinic=cast.bob.clinic, items=[f"Question {i}" for i in range(1, 7)])


def test_a_patient_submits_midas_and_a_replay_returns_the_first(cast):
    alice = cast.client("alice")
    client_id = str(uuid.uuid4())
    first = alice.call("POST", "/api/v1/me/questionnaires", {**MIDAS, "client_id": client_id})
    assert first.status_code == 201, first.json_body
    body = first.json_body
    assert body["total"] == 10  # items 1–5; A and B are not added
    assert body["band"] == "II"
    assert body["completed_on"] == TODAY.isoformat()
    assert body["entered_by"] == "patient"
    again = alice.call("POST", "/api/v1/me/questionnaires", {**MIDAS, "client_id": client_id})
    assert again.status_code == 200
    assert again.json_body["id"] == body["id"]
    assert count() == 1
    assert Patient.objects.get(pk=cast.alice.pk).insights_stale_since is not None  # a recompute follows


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instrument": "midas", "answers": {"items": [91, 0, 0, 0, 0]}}, "answers.items.0"),
        ({"instrument": "midas", "answers": {"items": [1, 2, 3]}}, "answers.items"),
        ({"instrument": "midas", "answers": {"items": [1, 2, 3, 4, 5], "b": 11}}, "answers.b"),
        ({"instrument": "midas", "answers": {"items": [1, 2, 3, 4, 5], "c": 1}}, "answers.c"),
        ({"instrument": "pgic", "answers": {"answer": 0}}, "answers.answer"),
        ({"instrument": "pgic", "answers": {"answer": 8}}, "answers.answer"),
        ({"instrument": "pgic", "answers": {"answer": "2"}}, "answers.answer"),
        ({"instrument": "hit6", "answers": {"answers": [*SIX[:5], "often"]}}, "answers.answers.5"),
        ({"instrument": "pgic", "answers": {"answer": 2}, "completed_on": "2026-11-22"}, "completed_on"),
        ({"instrument": "pgic", "answers": {"answer": 2}, "completed_on": "2026-11-10"}, "completed_on"),
        ({"instrument": "sf36", "answers": {}}, "instrument"),
        ({"instrument": "pgic", "answers": {"answer": 2}, "total": 2}, "total"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(cast, body, field):
    wording(cast)  # HIT-6 is available: the error is the answer's, not the wording's
    response = cast.client("alice").call("POST", "/api/v1/me/questionnaires", body)
    assert response.status_code == 400, response.json_body
    assert field in response.json_body["errors"], response.json_body
    assert count() == 0


@pytest.mark.parametrize(
    ("instrument", "answers", "field", "words"),
    [
        ("midas", {"items": [1, 2, 3, 4, 5], "c": 1}, "answers.c", 'send only "a", "b" and "items".'),
        ("hit6", {"answers": SIX, "notes": "x"}, "answers.notes", 'send only "answers".'),
        ("pgic", {"answer": 2, "score": 2}, "answers.score", 'send only "answer".'),
    ],
)
def test_an_answer_the_questionnaire_does_not_have_is_named_with_the_ones_it_has(
    cast, instrument, answers, field, words
):
    wording(cast)
    body = {"instrument": instrument, "answers": answers}
    response = cast.client("alice").call("POST", "/api/v1/me/questionnaires", body)
    assert response.status_code == 400, response.json_body
    assert response.json_body["errors"][field] == [f"Not a part of this questionnaire's answers: {words}"]
    assert count() == 0


def test_hit6_needs_the_clinics_licensed_wording(cast):
    alice = cast.client("alice")
    body = {"instrument": "hit6", "answers": {"answers": SIX}}
    refused = alice.call("POST", "/api/v1/me/questionnaires", body)
    assert refused.status_code == 400
    assert "licensed wording" in refused.json_body["errors"]["instrument"][0]
    assert alice.call("GET", "/api/v1/me/questionnaires").json_body["forms"]["hit6"] is None
    wording(cast)
    assert alice.call("GET", "/api/v1/me/questionnaires").json_body["forms"]["hit6"]["items"][0] == "Question 1"
    done = alice.call("POST", "/api/v1/me/questionnaires", body)
    assert done.status_code == 201
    assert done.json_body["total"] == 6 + 8 + 10 + 11 + 13 + 13
    assert done.json_body["band"] == "severe"


def test_a_patient_may_send_the_day_an_offline_phone_filled_it_in(cast):
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    body = {"instrument": "pgic", "answers": {"answer": 2}, "completed_on": yesterday}
    response = cast.client("alice").call("POST", "/api/v1/me/questionnaires", body)
    assert response.status_code == 201
    assert response.json_body["completed_on"] == yesterday


def test_a_clinician_enters_on_the_patients_behalf_up_to_14_days_back_audited(cast):
    bob = cast.client("bob")
    url = f"/api/v1/patients/{cast.alice.public_id}/questionnaires"
    ok = bob.call("POST", url, {"instrument": "pgic", "answers": {"answer": 3}, "completed_on": "2026-11-07"})
    assert ok.status_code == 201, ok.json_body
    assert ok.json_body["entered_by"] == "clinician"
    assert ok.json_body["entered_by_name"] == "Dr Bob"
    too_old = bob.call("POST", url, {"instrument": "pgic", "answers": {"answer": 3}, "completed_on": "2026-11-06"})
    assert too_old.status_code == 400
    assert "completed_on" in too_old.json_body["errors"]
    assert AuditEvent.objects.filter(actor=cast.bob.user, action="questionnaires.enter").count() == 1
    listed = bob.call("GET", url)
    assert [r["total"] for r in listed.json_body["responses"]] == [3]
    assert AuditEvent.objects.filter(actor=cast.bob.user, action="questionnaires.list").exists()


@pytest.mark.parametrize(("total", "status"), [(36, 201), (37, 400), (39, 400), (77, 400), (78, 201), (79, 400)])
def test_a_bare_hit6_total_must_be_one_six_answers_can_give(cast, total, status):
    url = f"/api/v1/patients/{cast.alice.public_id}/questionnaires"
    response = cast.client("bob").call("POST", url, {"instrument": "hit6", "total": total})
    assert response.status_code == status, response.json_body
    if status == 400:
        assert "total" in response.json_body["errors"]


def test_only_a_clinician_enters_a_bare_total(cast):
    response = cast.client("alice").call("POST", "/api/v1/me/questionnaires", {"instrument": "hit6", "total": 50})
    assert response.status_code == 400
    assert count() == 0


def test_a_reported_baseline_only_after_the_first_dose_dated_on_it(cast):
    url = f"/api/v1/patients/{cast.alice.public_id}/questionnaires"
    body = {"instrument": "midas", "total": 24, "reported": True}
    bob = cast.client("bob")
    before = bob.call("POST", url, body)
    assert before.status_code == 400
    assert "after the first dose" in before.json_body["errors"]["entered_by"][0]
    first = TODAY - timedelta(days=20)
    DoseLogFactory.create(patient=cast.alice, date=first)
    DoseLogFactory.create(patient=cast.alice, date=first + timedelta(days=1))
    done = bob.call("POST", url, body)
    assert done.status_code == 201, done.json_body
    assert done.json_body["entered_by"] == "reported"
    assert done.json_body["completed_on"] == first.isoformat()
    pgic = bob.call("POST", url, {"instrument": "pgic", "total": 2, "reported": True})
    assert pgic.status_code == 400
    assert "instrument" in pgic.json_body["errors"]


def test_what_is_due_follows_the_plan_and_the_first_dose(cast):
    alice = cast.client("alice")
    assert alice.call("GET", "/api/v1/me/questionnaires").json_body["due"] == []  # no plan
    plan_for(cast.alice, cast.bob, [(TODAY + timedelta(days=3), "1.5")])
    due = alice.call("GET", "/api/v1/me/questionnaires").json_body  # alice: migraine
    assert [(d["instrument"], d["kind"]) for d in due["due"]] == [("midas", "baseline"), ("hit6", "baseline")]
    assert due["baseline_closed"] is False
    alice.call("POST", "/api/v1/me/questionnaires", MIDAS)
    due = alice.call("GET", "/api/v1/me/questionnaires").json_body
    assert [(d["instrument"], d["kind"]) for d in due["due"]] == [("hit6", "baseline")]


def test_a_pgic_makes_a_pain_non_responder_partial_once_recomputed(cast):
    """A fibromyalgia patient 12 weeks on 4.5 mg whose pain did not change (§12.6)."""
    patient = cast.alice
    Patient.objects.filter(pk=patient.pk).update(primary_condition="fibromyalgia")
    course_write(patient, cast.bob, Course(condition="fibromyalgia", baseline_pain=5, pain=5), TODAY)
    insights_sweep()
    insights = cast.client("bob").call("GET", f"/api/v1/patients/{patient.public_id}/insights").json_body
    assert insights["verdict"]["kind"] == "non_responder"
    due = cast.client("alice").call("GET", "/api/v1/me/questionnaires").json_body["due"]
    assert [(d["instrument"], d["kind"]) for d in due] == [("pgic", "followup")]

    pgic = {"instrument": "pgic", "answers": {"answer": 2}}
    assert cast.client("alice").call("POST", "/api/v1/me/questionnaires", pgic).status_code == 201
    assert insights_sweep().stored == 1
    insights = cast.client("bob").call("GET", f"/api/v1/patients/{patient.public_id}/insights").json_body
    assert insights["verdict"]["kind"] == "partial"
    assert insights["verdict"]["evidence"]["questionnaire"]["effect"] == "made_partial"
    assert cast.client("alice").call("GET", "/api/v1/me/questionnaires").json_body["due"] == []


def test_the_clinic_admin_enters_the_hit6_wording(cast):
    from diary.models import Clinician

    Clinician.objects.filter(pk=cast.bob.pk).update(is_clinic_admin=True)
    body = {"items": [f"Q{i}" for i in range(1, 7)], "licence_note": "Licence 2026-123"}
    saved = cast.client("bob").call("PUT", "/api/v1/clinic/hit6-wording", body)
    assert saved.status_code == 200, saved.json_body
    assert saved.json_body["items"][5] == "Q6"
    assert cast.client("colleague").call("GET", "/api/v1/clinic/hit6-wording").json_body["can_edit"] is False
    assert cast.client("charlie").call("GET", "/api/v1/clinic/hit6-wording").json_body["items"] is None
    five = cast.client("bob").call("PUT", "/api/v1/clinic/hit6-wording", {"items": ["Q"] * 5})
    assert five.status_code == 400
    assert Hit6Wording.objects.get().items[0] == "Q1"  # nothing changed


def test_the_clinicians_form_is_told_the_first_dose_the_instruments_and_the_dates_it_may_give(cast):
    """What the 'enter a response' form needs: the first dose a reported baseline is dated on,
    the instruments §12.2 lists for the condition, and the completed_on range (§12.10)."""
    from diary.services.questionnaires import PATIENT_QUEUE_DAYS

    url = f"/api/v1/patients/{cast.alice.public_id}/questionnaires"
    first = TODAY - timedelta(days=20)
    DoseLogFactory.create(patient=cast.alice, date=first)
    page = cast.client("bob").call("GET", url).json_body
    assert page["first_dose"] == first.isoformat()
    assert page["baseline_closed"] is True
    assert page["instruments"] == {"baseline": ["midas", "hit6"], "followup": ["midas", "hit6", "pgic"]}
    assert page["completed_on_range"] == {"earliest": "2026-11-07", "latest": TODAY.isoformat()}
    mine = cast.client("alice").call("GET", "/api/v1/me/questionnaires").json_body
    since = (TODAY - timedelta(days=PATIENT_QUEUE_DAYS)).isoformat()
    assert mine["completed_on_range"] == {"earliest": since, "latest": TODAY.isoformat()}

    # what counts: a reported baseline and a follow-up answered over the phone
    assert (
        cast.client("bob").call("POST", url, {"instrument": "midas", "total": 24, "reported": True}).status_code == 201
    )
    counted = cast.client("bob").call("GET", url).json_body["counted"]
    assert counted == [
        {
            "instrument": "midas",
            "baseline": {
                "total": 24,
                "completed_on": first.isoformat(),
                "entered_by": "reported",
                "band": "IV",
                "words": "grade IV",
            },
            "followup": None,
            "decides": True,
        }
    ]


def test_a_blank_hit6_question_is_named_by_its_number(cast):
    from diary.models import Clinician

    Clinician.objects.filter(pk=cast.bob.pk).update(is_clinic_admin=True)
    items = [f"Q{i}" for i in range(1, 6)] + ["  "]
    response = cast.client("bob").call("PUT", "/api/v1/clinic/hit6-wording", {"items": items})
    assert response.status_code == 400
    assert response.json_body["errors"] == {"items.5": ["Question 6: enter its licensed text (1 to 500 characters)."]}
    assert not Hit6Wording.objects.exists()

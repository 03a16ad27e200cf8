"""GET /clinic/outcomes: a cohort built like the published case series (35 patients: 10
responders with ≥ 50% relief, 6 partial, 19 non-responders) through real diaries and the
real insights engine reproduces its table, with verdicts mapped as CLINICAL.md §6 says."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from diary.choices import LinkStatus
from diary.dashboard import outcome_category
from diary.models import AuditEvent, CareLink, PatientInsight
from tests.cohort import Course, analyse_all, patient_with

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 11, 21)
SLOW = ((0, "0.75"), (7, "1.5"), (14, "3.0"), (21, "4.5"))
TO_3MG = ((0, "1.5"), (7, "3.0"))


def case_series_courses() -> list[tuple[Course, str]]:
    """(course, the verdict the engine must reach)."""
    pain = [
        *[(Course(pain=3), "strong_responder")] * 3,  # 62.5% less pain
        (Course(pain=3, steps=SLOW, days_on_ldn=110), "strong_responder"),  # started at 0.75 mg
        *[(Course(pain=3, steps=TO_3MG, target_mg="3.0"), "strong_responder")] * 2,  # settled on 3 mg
        *[(Course(pain=5), "responder")] * 3,  # 37.5%: a pain responder is a partial responder
        *[(Course(pain=6), "partial")] * 3,  # 25%
        *[(Course(pain=8), "non_responder")] * 12,
        *[(Course(pain=7, stopped_after=40, side_effects={"jitteriness": 5}), "discontinued")] * 4,
        *[(Course(pain=8, stopped_after=30, stop_reason="side_effects", side_effects={"insomnia": 4}), "discontinued")]
        * 3,
    ]
    migraine = Course(condition="migraine", baseline_headache_days=12, headache_days_per_28=4)
    return [*pain, *[(migraine, "responder")] * 4]


@pytest.fixture
def cohort(cast):
    bob = cast.bob
    patients = [(patient_with(bob, course, TODAY), verdict) for course, verdict in case_series_courses()]
    apart = [
        patient_with(bob, Course(pain=5, days_on_ldn=30), TODAY),  # in progress
        patient_with(bob, Course(pain=5, days_on_ldn=40), TODAY),  # in progress
        patient_with(bob, Course(condition="migraine"), TODAY),  # no headache days at baseline
    ]
    others = [
        patient_with(cast.charlie, Course(pain=8), TODAY),  # another clinic
        patient_with(bob, Course(pain=8), TODAY),  # the link is revoked below
    ]
    assert analyse_all() == len(patients) + len(apart) + len(others)
    CareLink.objects.filter(patient=others[1]).update(status=LinkStatus.REVOKED, revoked_at=timezone.now())
    verdicts = dict(PatientInsight.objects.values_list("patient_id", "verdict"))
    assert [verdicts[p.pk] for p, _ in patients] == [v for _, v in patients]
    assert [verdicts[p.pk] for p in apart] == ["in_progress", "in_progress", "insufficient_data"]
    return patients, apart, others


def test_the_case_series_table_is_reproduced(cast, cohort):
    response = cast.client("bob").call("GET", "/api/v1/clinic/outcomes")
    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert body["counted"] == 35
    assert [(c["key"], c["count"], c["pct"]) for c in body["categories"]] == [
        ("responders", 10, 28.6),
        ("partial_responders", 6, 17.1),
        ("non_responders", 19, 54.3),
    ]
    assert body["responder_rate_pct"] == 45.7
    assert body["apart"] == {"insufficient_data": 1, "in_progress": 2, "not_analysed": 1}  # + alice, never analysed
    assert body["starting_doses"] == [{"mg": 0.75, "patients": 1}, {"mg": 1.5, "patients": 34}]
    assert body["stable_doses"] == [{"mg": 3.0, "patients": 2}, {"mg": 4.5, "patients": 33}]
    assert [(s["kind"], s["patients"], s["pct"]) for s in body["side_effect_rates"]] == [
        ("jitteriness", 4, 11.4),
        ("insomnia", 3, 8.6),
    ]
    by_condition = {c["condition"]: c for c in body["by_condition"]}
    assert by_condition["migraine"]["counted"] == 4
    assert by_condition["migraine"]["responder_rate_pct"] == 100.0
    assert by_condition["chronic_pain"]["counted"] == 31


def test_outcomes_are_audited_for_every_patient_read_and_other_clinics_see_their_own(cast, cohort):
    patients, apart, others = cohort
    cast.client("bob").call("GET", "/api/v1/clinic/outcomes")
    read = set(
        AuditEvent.objects.filter(action="outcomes.read", actor=cast.bob.user).values_list("patient_id", flat=True)
    )
    assert read == {p.pk for p, _ in patients} | {p.pk for p in apart} | {cast.alice.pk}
    assert not read & {p.pk for p in others}

    charlie = cast.client("charlie").call("GET", "/api/v1/clinic/outcomes").json_body
    assert charlie["counted"] == 1
    assert [c["count"] for c in charlie["categories"]] == [0, 0, 1]
    assert charlie["responder_rate_pct"] == 0.0


def test_the_listed_patients_are_what_their_serializer_gives(cast, cohort):
    """The page passes its patient lists through as built (OutcomePatientsOut): each must be
    exactly OutcomePatientOut's representation, which the schema documents."""
    from api.serializers.dashboard import OutcomePatientOut
    from diary.dashboard import clinic_outcomes

    answer, _ = clinic_outcomes(cast.bob)
    lists = [c["patients"] for c in answer["categories"]] + list(answer["apart_patients"].values())
    assert sum(len(listed) for listed in lists) == 39
    for listed in lists:
        assert OutcomePatientOut(listed, many=True).data == listed
    body = cast.client("bob").call("GET", "/api/v1/clinic/outcomes").json_body
    assert [c["patients"] for c in body["categories"]] + list(body["apart_patients"].values()) == lists


def test_an_empty_clinic_has_no_rates(cast):
    body = cast.client("charlie").call("GET", "/api/v1/clinic/outcomes").json_body
    assert body["counted"] == 0
    assert body["responder_rate_pct"] is None
    assert [c["pct"] for c in body["categories"]] == [None, None, None]


@pytest.mark.parametrize(
    ("verdict", "condition", "category"),
    [
        ("strong_responder", "fibromyalgia", "responders"),
        ("responder", "migraine", "responders"),
        ("responder", "chronic_migraine", "responders"),
        ("responder", "chronic_pain", "partial_responders"),
        ("responder", "fibromyalgia", "partial_responders"),
        ("partial", "migraine", "partial_responders"),
        ("non_responder", "other", "non_responders"),
        ("discontinued", "migraine", "non_responders"),
        ("insufficient_data", "migraine", None),
        ("in_progress", "chronic_pain", None),
    ],
)
def test_verdicts_map_to_the_case_series_categories(verdict, condition, category):
    assert outcome_category(verdict, condition) == category


def test_each_category_says_what_it_holds_and_lists_its_patients_by_name(cast, cohort):
    patients, apart, _ = cohort
    body = cast.client("bob").call("GET", "/api/v1/clinic/outcomes").json_body
    by_key = {c["key"]: c for c in body["categories"]}
    assert [len(by_key[k]["patients"]) for k in ("responders", "partial_responders", "non_responders")] == [10, 6, 19]
    assert "responders with migraine" in by_key["responders"]["definition"]
    assert "Responders with a pain condition (30–49% less pain" in by_key["partial_responders"]["definition"]
    # a pain "Responder" on triage is counted, by name, among the partial responders
    partial = {p["id"]: p for p in by_key["partial_responders"]["patients"]}
    pain_responders = [p for p, verdict in patients if verdict == "responder" and p.primary_condition != "migraine"]
    assert {str(p.public_id) for p in pain_responders} <= set(partial)
    assert {partial[str(p.public_id)]["verdict_label"] for p in pain_responders} == {"Responder"}
    assert partial[str(pain_responders[0].public_id)]["condition_label"] == "Chronic pain"
    listed = body["apart_patients"]
    assert [len(listed[k]) for k in ("in_progress", "insufficient_data", "not_analysed")] == [2, 1, 1]
    assert listed["not_analysed"][0]["display_name"] == "Alice"
    assert {p["id"] for p in listed["in_progress"]} == {str(p.public_id) for p in apart[:2]}


def test_outcomes_query_count_does_not_depend_on_the_number_of_patients():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import Api
    from tests.factories import ClinicianFactory

    clinician = ClinicianFactory.create()
    api = Api().as_user(clinician.user)
    counts = []
    for total in (2, 6, 12):
        while clinician.clinic.care_links.count() < total:
            n = clinician.clinic.care_links.count()
            patient_with(clinician, Course(pain=3 + n % 6), TODAY)
        analyse_all()
        with CaptureQueriesContext(connection) as captured:
            response = api.call("GET", "/api/v1/clinic/outcomes")
        assert response.status_code == 200
        assert response.json_body["counted"] == total
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_outcomes_follow_the_verdicts_questionnaires_decide(cast):
    """§12.5, §12.6 through the clinician's phone follow-ups: a pain non-responder who answers
    PGIC 'much improved' is counted a partial responder, a migraine patient partial by the
    diary whose MIDAS fell from 24 to 16 a responder, once the responses are recomputed."""
    from diary.services.insights import insights_sweep

    pain = patient_with(cast.bob, Course(pain=8), TODAY)
    migraine = patient_with(
        cast.bob, Course(condition="migraine", baseline_headache_days=12, headache_days_per_28=8), TODAY
    )
    analyse_all()
    bob = cast.client("bob")

    def counts() -> dict[str, list[str]]:
        body = bob.call("GET", "/api/v1/clinic/outcomes").json_body
        return {c["key"]: sorted(p["id"] for p in c["patients"]) for c in body["categories"]}

    assert counts() == {
        "responders": [],
        "partial_responders": [str(migraine.public_id)],
        "non_responders": [str(pain.public_id)],
    }
    for patient, body in (
        (pain, {"instrument": "pgic", "answers": {"answer": 2}}),
        (migraine, {"instrument": "midas", "total": 24, "reported": True}),
        (migraine, {"instrument": "midas", "answers": {"items": [4, 4, 4, 2, 2], "a": None, "b": None}}),
    ):
        entered = bob.call("POST", f"/api/v1/patients/{patient.public_id}/questionnaires", body)
        assert entered.status_code == 201, entered.json_body
    assert insights_sweep().stored == 2
    assert counts() == {
        "responders": [str(migraine.public_id)],
        "partial_responders": [str(pain.public_id)],
        "non_responders": [],
    }


def test_each_list_names_its_first_patients_and_pages_through_the_rest(cast, cohort, monkeypatch):
    """A list longer than the page shows holds its first patients by name (count says how
    many); clinic/outcomes/patients?list= pages through all of them in the same order, and
    every patient named, on the page or a list page, gets an audit event; the totals one
    event for the clinic."""
    from diary.dashboard import outcomes

    patients, _apart, others = cohort
    monkeypatch.setattr(outcomes, "SHOWN_PER_LIST", 4)
    bob = cast.client("bob")
    body = bob.call("GET", "/api/v1/clinic/outcomes").json_body
    non = next(c for c in body["categories"] if c["key"] == "non_responders")
    assert non["count"] == 19
    assert len(non["patients"]) == 4
    assert [len(c["patients"]) for c in body["categories"]] == [4, 4, 4]

    everyone: list[dict] = []
    page = bob.call("GET", "/api/v1/clinic/outcomes/patients?list=non_responders&page_size=5").json_body
    assert page["count"] == 19
    everyone += page["results"]
    while page["next"]:
        page = bob.call("GET", "/api/v1" + page["next"].split("/api/v1", 1)[1]).json_body
        everyone += page["results"]
    assert len(everyone) == 19
    assert everyone[:4] == non["patients"]  # the page's first four, in its order
    expected = {str(p.public_id) for p, verdict in patients if verdict in ("non_responder", "discontinued")}
    assert {p["id"] for p in everyone} == expected

    events = AuditEvent.objects.filter(actor=cast.bob.user)
    named_on_page = {p["id"] for c in body["categories"] for p in c["patients"]} | {
        p["id"] for listed in body["apart_patients"].values() for p in listed
    }
    read = set(events.filter(action="outcomes.read").values_list("object_id", flat=True))
    assert read == named_on_page | expected
    assert not read & {str(p.public_id) for p in others}
    totals = events.filter(action="outcomes.totals")
    assert [(e.object_type, e.object_id, e.patient_id) for e in totals] == [("clinic", str(cast.bob.clinic_id), None)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "list"),
        ("?list=winners", "list"),
        ("?list=responders,non_responders", "list"),
        ("?list=responders&page_size=0", "page_size"),
    ],
)
def test_a_list_must_be_named_and_known(cast, query, field):
    response = cast.client("bob").call("GET", f"/api/v1/clinic/outcomes/patients{query}")
    assert response.status_code == 400
    assert field in response.json_body["errors"]


def test_the_lists_are_the_clinics_own(cast, cohort):
    """Charlie's clinic sees its one patient; a patient gets 403, nobody signed in 401/403."""
    charlie = cast.client("charlie").call("GET", "/api/v1/clinic/outcomes/patients?list=non_responders").json_body
    assert charlie["count"] == 1
    assert cast.client("alice").call("GET", "/api/v1/clinic/outcomes/patients?list=responders").status_code == 403
    empty = cast.client("charlie").call("GET", "/api/v1/clinic/outcomes/patients?list=responders").json_body
    assert empty == {"count": 0, "next": None, "previous": None, "results": []}

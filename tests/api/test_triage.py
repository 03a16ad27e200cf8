"""GET /triage: every linked patient, open flags first by severity, then by verdict, then by
name; the row columns come from the stored analysis (real engine runs); search and filters
stay inside the clinic; one audit event per patient shown; constant query count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from diary.choices import LinkStatus
from diary.models import AuditEvent, CareLink, Flag, QuestionnaireResponse
from tests.cohort import Course, analyse_all, patient_with
from tests.conftest import Api
from tests.factories import ClinicianFactory, DoseLogFactory, PatientFactory, link, plan_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 11, 21)  # the frozen "now" is 13:00 in Berlin


@pytest.fixture
def clinic(cast):
    bob = cast.bob
    people = {
        "nina": patient_with(bob, Course(pain=8, name="Nina Nonresponder"), TODAY),
        "oscar": patient_with(bob, Course(pain=3, opioid_on=40, name="Oscar Opioid"), TODAY),
        "rita": patient_with(bob, Course(pain=3, name="Rita Responder"), TODAY),
        "ian": patient_with(bob, Course(pain=6, days_on_ldn=30, name="Ian Inprogress"), TODAY),
        "mia": patient_with(
            bob,
            Course(
                condition="migraine",
                baseline_pain=3,
                pain=3,
                baseline_headache_days=12,
                headache_days_per_28=4,
                name="Mia Migraine",
            ),
            TODAY,
        ),
        # another clinic's patient with a critical flag, and a patient whose link was revoked
        "stranger": patient_with(cast.charlie, Course(pain=3, opioid_on=40, name="Nils Stranger"), TODAY),
        "gone": patient_with(bob, Course(pain=8, name="Nora Gone"), TODAY),
    }
    analyse_all()
    CareLink.objects.filter(patient=people["gone"]).update(status=LinkStatus.REVOKED, revoked_at=timezone.now())
    people["zed"] = PatientFactory.create(user__display_name="Zed Unanalysed")
    link(people["zed"], bob)
    return people


def rows(cast, query: str = "") -> list[dict]:
    response = cast.client("bob").call("GET", f"/api/v1/triage{query}")
    assert response.status_code == 200, response.json_body
    return response.json_body["results"]


def test_order_flags_first_then_verdict_then_name(cast, clinic):
    listed = rows(cast)
    assert [(r["patient"]["display_name"], r["top_severity"], (r["verdict"] or {}).get("kind")) for r in listed] == [
        ("Oscar Opioid", "critical", "strong_responder"),
        ("Nina Nonresponder", "high", "non_responder"),
        ("Ian Inprogress", None, "in_progress"),
        ("Mia Migraine", None, "responder"),
        ("Rita Responder", None, "strong_responder"),
        ("Alice", None, None),  # the cast's alice: linked, never analysed
        ("Zed Unanalysed", None, None),
    ]
    oscar = listed[0]
    assert [(f["kind"], f["severity"], f["status"]) for f in oscar["open_flags"]] == [
        ("opioid_interaction", "critical", "open")
    ]
    assert oscar["open_flags"][0]["title"] == "Opioid logged while on LDN"
    assert listed[1]["verdict"] == {"kind": "non_responder", "label": "No adequate response"}


def test_row_columns_come_from_the_stored_analysis(cast, clinic):
    by_name = {r["patient"]["display_name"]: r for r in rows(cast)}
    rita = by_name["Rita Responder"]
    assert rita["insight_status"] == "current"
    assert rita["insight_as_of"] == TODAY.isoformat()
    assert rita["dose"] == {
        "current_mg": 4.5,
        "step_number": 3,
        "step_count": 3,
        "target_mg": 4.5,
        "days_on_target": 87,  # first 4.5 mg dose 86 days ago, today counted
        "plan_status": "active",
    }
    assert rita["compliance_28_pct"] == 100.0
    assert rita["adherence_28_pct"] == 100.0
    assert rita["last_entry_date"] == TODAY.isoformat()
    spark = rita["sparkline"]
    assert spark["metric"] == "pain"
    assert len(spark["week_starts"]) == len(spark["values"]) == 12
    assert spark["week_starts"][-1] == (TODAY - timedelta(days=6)).isoformat()
    assert spark["values"][-1] == 3.0

    mia = by_name["Mia Migraine"]["sparkline"]
    assert mia["metric"] == "headache_days"
    assert sum(v for v in mia["values"][-4:]) == 4  # 4 headache days in the last 28

    ian = by_name["Ian Inprogress"]["dose"]
    assert ian["days_on_target"] == 17  # 30 days on LDN, the first 14 titrating

    zed = by_name["Zed Unanalysed"]
    assert zed["insight_status"] == "pending"
    assert zed["verdict"] is None
    assert zed["dose"]["plan_status"] == "none"
    assert zed["sparkline"]["values"] == [None] * 12
    assert zed["sparkline"]["week_starts"][-1] == (TODAY - timedelta(days=6)).isoformat()


def test_a_patient_nobody_acknowledged_comes_before_one_already_seen(cast, clinic):
    nina = clinic["nina"]
    rita_flag = Flag.objects.create(
        patient=clinic["rita"], kind="adverse_event", severity="high", evidence={}, rules_version="1"
    )
    Flag.objects.filter(patient=nina).update(status="acknowledged", acknowledged_at=timezone.now())
    names = [r["patient"]["display_name"] for r in rows(cast)][:3]
    assert names == ["Oscar Opioid", "Rita Responder", "Nina Nonresponder"]
    listed = rows(cast, "?flag_kind=adverse_event")
    assert [f["id"] for f in listed[0]["open_flags"]] == [str(rita_flag.public_id)]
    # a resolved flag no longer counts
    Flag.objects.filter(pk=rita_flag.pk).update(status="resolved", resolved_at=timezone.now())
    assert rows(cast, "?flag_kind=adverse_event") == []


def test_search_and_filters_stay_inside_the_clinic(cast, clinic):
    def names(query: str) -> list[str]:
        return [r["patient"]["display_name"] for r in rows(cast, query)]

    assert names("?q=NIN") == ["Nina Nonresponder"]
    assert names(f"?q={clinic['rita'].user.email.upper()}") == ["Rita Responder"]
    assert names("?q=Stranger") == []  # another clinic's patient
    assert names("?q=Nora") == []  # link revoked
    assert names("?flag_kind=opioid_interaction") == ["Oscar Opioid"]
    assert names("?verdict=non_responder,in_progress") == ["Nina Nonresponder", "Ian Inprogress"]
    assert names("?verdict=none") == ["Alice", "Zed Unanalysed"]
    assert names("?condition=migraine") == ["Mia Migraine", "Alice", "Zed Unanalysed"]
    assert names("?condition=migraine&verdict=responder") == ["Mia Migraine"]
    assert (
        cast.client("charlie").call("GET", "/api/v1/triage").json_body["results"][0]["patient"]["display_name"]
        == "Nils Stranger"
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?flag_kind=bogus", "flag_kind"),
        ("?verdict=great", "verdict"),
        ("?condition=flu", "condition"),
        ("?q=a%00b", "q"),
    ],
)
def test_unknown_filter_values_are_a_400_naming_the_field(cast, query, field):
    response = cast.client("bob").call("GET", f"/api/v1/triage{query}")
    assert response.status_code == 400
    assert list(response.json_body["errors"]) == [field]
    assert not AuditEvent.objects.filter(action="triage.list").exists()


def test_one_audit_event_per_patient_on_the_page(cast, clinic):
    page = cast.client("bob").call("GET", "/api/v1/triage?page_size=2").json_body
    assert page["count"] == 7
    assert page["next"] is not None
    shown = {r["patient"]["id"] for r in page["results"]}
    events = AuditEvent.objects.filter(action="triage.list")
    assert {str(e.patient.public_id) for e in events if e.patient} == shown
    assert {e.actor_id for e in events} == {cast.bob.user.pk}
    assert events.count() == 2


def triage_query_counts(add_patient, check=lambda listed, total: None) -> list[int]:
    """The queries of one triage page with 2, 5 and 20 patients, each added by ``add_patient(clinician, n)``."""
    clinician = ClinicianFactory.create()
    api = Api().as_user(clinician.user)
    counts = []
    for total in (2, 5, 20):
        while clinician.clinic.care_links.count() < total:
            add_patient(clinician, clinician.clinic.care_links.count())
        analyse_all()
        with CaptureQueriesContext(connection) as captured:
            response = api.call("GET", "/api/v1/triage")
        assert response.status_code == 200
        assert len(response.json_body["results"]) == total
        check(response.json_body["results"], total)
        counts.append(len(captured.captured_queries))
    return counts


def test_query_count_does_not_depend_on_the_number_of_patients():
    def add(clinician, n):
        patient_with(clinician, Course(pain=8 if n % 2 else 3, opioid_on=40 if n % 3 == 0 else None), TODAY)

    counts = triage_query_counts(add)
    assert counts[0] == counts[1] == counts[2], counts


# --- questionnaires in the row (CLINICAL.md §12.9) --------------------------------------------

FIRST_DOSE = TODAY - timedelta(days=100)  # a Course's first dose
EARLIEST = FIRST_DOSE + timedelta(days=14 + 56)  # 4.5 mg from day 14, then 8 weeks on the clock
MIDAS_FROM = FIRST_DOSE + timedelta(days=90)  # its 3-month recall lies on LDN (§12.4)


def respond(patient, instrument: str, day: date, total: int, by: str = "patient") -> None:
    QuestionnaireResponse.objects.create(
        patient=patient, instrument=instrument, completed_on=day, total=total, entered_by=by
    )


def test_the_row_says_what_is_due_and_the_scores_that_count(cast, clinic):
    mia, rita = clinic["mia"], clinic["rita"]
    respond(mia, "midas", FIRST_DOSE - timedelta(days=3), 24)
    respond(mia, "midas", TODAY - timedelta(days=5), 16)
    respond(mia, "midas", MIDAS_FROM - timedelta(days=1), 30)  # before its follow-up window: counts for nothing
    respond(mia, "pgic", TODAY - timedelta(days=1), 3)  # reported for a headache condition, decides nothing
    respond(rita, "pgic", TODAY - timedelta(days=2), 2, by="clinician")
    # a migraine patient whose plan starts in 3 days: the baselines are due from the visit
    bea = PatientFactory.create(user__display_name="Bea Before", primary_condition="migraine")
    link(bea, cast.bob)
    plan_for(bea, cast.bob, [(TODAY + timedelta(days=3), "1.5")])
    # one who took the first dose yesterday, not analysed since: the baseline can no longer be given
    fay = PatientFactory.create(user__display_name="Fay Firstdose", primary_condition="migraine")
    link(fay, cast.bob)
    plan_for(fay, cast.bob, [(TODAY - timedelta(days=1), "1.5")])
    DoseLogFactory.create(patient=fay, date=TODAY - timedelta(days=1))

    by_name = {r["patient"]["display_name"]: r["questionnaires"] for r in rows(cast)}
    since = EARLIEST.isoformat()
    assert by_name["Nina Nonresponder"] == {
        "due": [{"instrument": "pgic", "kind": "followup", "since": since}],
        "counted": [],
    }
    assert by_name["Mia Migraine"]["due"] == [{"instrument": "hit6", "kind": "followup", "since": since}]
    assert by_name["Mia Migraine"]["counted"] == [
        {
            "instrument": "midas",
            "baseline": {
                "total": 24,
                "completed_on": (FIRST_DOSE - timedelta(days=3)).isoformat(),
                "entered_by": "patient",
                "band": "IV",
                "words": "grade IV",
            },
            "followup": {
                "total": 16,
                "completed_on": (TODAY - timedelta(days=5)).isoformat(),
                "entered_by": "patient",
                "band": "III",
                "words": "grade III",
            },
            "decides": True,
        },
        {
            "instrument": "pgic",
            "baseline": None,
            "followup": {
                "total": 3,
                "completed_on": (TODAY - timedelta(days=1)).isoformat(),
                "entered_by": "patient",
                "band": None,
                "words": "minimally improved",
            },
            "decides": False,
        },
    ]
    assert by_name["Rita Responder"] == {
        "due": [],
        "counted": [
            {
                "instrument": "pgic",
                "baseline": None,
                "followup": {
                    "total": 2,
                    "completed_on": (TODAY - timedelta(days=2)).isoformat(),
                    "entered_by": "clinician",
                    "band": None,
                    "words": "much improved",
                },
                "decides": True,
            }
        ],
    }
    assert by_name["Bea Before"]["due"] == [
        {"instrument": "midas", "kind": "baseline", "since": TODAY.isoformat()},
        {"instrument": "hit6", "kind": "baseline", "since": TODAY.isoformat()},
    ]
    assert by_name["Fay Firstdose"] == {"due": [], "counted": []}
    assert by_name["Ian Inprogress"]["due"] == []  # before the earliest evaluation date
    assert by_name["Zed Unanalysed"] == {"due": [], "counted": []}  # no plan

    # the row and the patient's page agree on what is due and what counts
    for person in (clinic["nina"], mia, rita, bea, fay):
        page = cast.client("bob").call("GET", f"/api/v1/patients/{person.public_id}/questionnaires").json_body
        shown = by_name[person.user.display_name]
        assert (shown["due"], shown["counted"]) == (page["due"], page["counted"]), person.user.display_name


def test_query_count_with_questionnaires_does_not_depend_on_the_number_of_patients():
    def add(clinician, n):
        if n % 2 == 0:
            course = Course(condition="migraine", baseline_headache_days=12, headache_days_per_28=8)
            patient = patient_with(clinician, course, TODAY)
            respond(patient, "midas", FIRST_DOSE - timedelta(days=2), 24)
            respond(patient, "midas", TODAY - timedelta(days=4), 16)
            respond(patient, "hit6", FIRST_DOSE - timedelta(days=2), 62, by="clinician")
        else:
            respond(patient_with(clinician, Course(pain=7), TODAY), "pgic", TODAY - timedelta(days=3), 3)

    def check(listed, total):
        assert all(row["questionnaires"]["counted"] for row in listed)
        due = [[d["instrument"] for d in row["questionnaires"]["due"]] for row in listed]
        assert sorted(due) == sorted([["hit6", "pgic"]] * ((total + 1) // 2) + [[]] * (total // 2))

    counts = triage_query_counts(add, check)
    assert counts[0] == counts[1] == counts[2], counts

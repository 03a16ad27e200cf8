"""The insights API: the patient's plain-language view, the clinician's full view, and the
triage list of flags with acknowledge / resolve. Access and audit for all of them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diary.analysis.result import FlagFinding, Insight, Suggestion, VerdictResult
from diary.models import AuditEvent, Flag, Patient
from diary.services.insights import Claimed, insights_store
from tests.conftest import Api
from tests.factories import PatientFactory, link

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 11, 21)
MORNING = Suggestion(
    "morning_dosing",
    "Vivid dreams or insomnia on 4 of the last 7 days with bedtime dosing: consider morning dosing.",
    "Some people sleep better taking their dose in the morning. Ask your clinician.",
    {"days": 4},
)
TITRATION = Suggestion("slower_titration", "Headache side effect 2 days after a step up.", None, {"days": 2})


def analysed(patient: Patient, verdict: str, *flags: FlagFinding, suggestions=(MORNING, TITRATION)) -> None:
    patient.refresh_from_db()
    summary = {
        "segments": [{"mg": 1.5, "days": 14}],
        "series": {"start": "2026-10-25", "pain": [3, 4]},
        "weekly": {"pain": [3.5]},
        "trends": {"pain": {"slope_per_week": -0.2}},
        "regression": {"pain": {"method": "ols"}},
        "medication_overuse": {"windows": []},
    }
    result = Insight("1", TODAY, VerdictResult(verdict, {"reduction": 0.1}), flags, tuple(suggestions), summary)
    insights_store([(Claimed(patient.pk, patient.change_seq), result)])


def finding(kind: str, severity: str, day: date | None = None) -> FlagFinding:
    return FlagFinding(kind, severity, {"kind": kind}, (day,) if day else ())


def test_patient_sees_pending_then_their_numbers_and_suggestions_but_no_verdict(cast):
    alice = cast.client("alice")
    pending = alice.call("GET", "/api/v1/me/insights").json_body
    assert (pending["status"], pending["suggestions"], pending["alerts"]) == ("pending", [], [])

    analysed(cast.alice, "non_responder", finding("worsening", "medium"))
    body = alice.call("GET", "/api/v1/me/insights").json_body
    assert body["status"] == "current"
    assert body["suggestions"] == [{"kind": "morning_dosing", "text": MORNING.patient_text}]  # not the clinician's
    assert body["segments"] == [{"mg": 1.5, "days": 14}]
    assert body["trend"] == {"pain": {"slope_per_week": -0.2}}
    text = str(body)
    for clinician_only in ("non_responder", "verdict", "worsening", "regression", "overuse", "slower"):
        assert clinician_only not in text


def test_patient_is_told_about_an_opioid_at_once(cast):
    # The alert follows the diary as it is now (CLINICAL.md §11.8 as amended): the opioid is in it.
    codeine = {"pain_score": 4, "headache": 1, "acute_medications": [{"med_class": "opioid", "name": "codeine"}]}
    assert cast.client("alice").call("PUT", "/api/v1/me/entries/2026-11-21", codeine).status_code == 201
    analysed(cast.alice, "in_progress", finding("opioid_interaction", "critical", TODAY))
    alerts = cast.client("alice").call("GET", "/api/v1/me/insights").json_body["alerts"]
    assert [a["kind"] for a in alerts] == ["opioid"]
    assert "opioid" in alerts[0]["text"]


def test_status_is_stale_after_a_write(cast):
    analysed(cast.alice, "in_progress")
    alice = cast.client("alice")
    assert alice.call("PUT", "/api/v1/me/entries/2026-11-21", {"pain_score": 2, "headache": 0}).status_code == 201
    assert alice.call("GET", "/api/v1/me/insights").json_body["status"] == "stale"
    assert cast.client("bob").call("GET", f"/api/v1/patients/{cast.alice.public_id}/insights").json_body["status"] == (
        "stale"
    )


def test_clinician_sees_verdict_evidence_history_flags_and_every_suggestion(cast):
    analysed(cast.alice, "in_progress")
    analysed(cast.alice, "partial", finding("no_adequate_response", "high"))
    body = cast.client("bob").call("GET", f"/api/v1/patients/{cast.alice.public_id}/insights").json_body
    assert body["verdict"]["kind"] == "partial"
    assert body["verdict"]["evidence"] == {"reduction": 0.1}
    assert [v["kind"] for v in body["verdict_history"]] == ["partial", "in_progress"]
    assert [(f["kind"], f["status"]) for f in body["flags"]] == [("no_adequate_response", "open")]
    assert [s["kind"] for s in body["suggestions"]] == ["morning_dosing", "slower_titration"]
    assert body["summary"]["regression"] == {"pain": {"method": "ols"}}
    assert AuditEvent.objects.filter(action="insights.read", patient=cast.alice, actor=cast.bob.user).count() == 1


def test_triage_list_orders_open_flags_by_severity_across_patients(cast):
    ben = PatientFactory.create(user__display_name="Ben")
    link(ben, cast.bob)
    analysed(cast.alice, "in_progress", finding("low_adherence", "medium"), finding("dose_out_of_range", "low", TODAY))
    analysed(ben, "non_responder", finding("opioid_interaction", "critical", TODAY), finding("adverse_event", "high"))
    analysed(cast.dora, "in_progress", finding("opioid_interaction", "critical", TODAY))  # not bob's patient
    Flag.objects.filter(kind="adverse_event").update(status="acknowledged", acknowledged_at="2026-11-21T10:00Z")

    body = cast.client("bob").call("GET", "/api/v1/flags").json_body
    assert [(f["patient"]["display_name"], f["kind"], f["status"]) for f in body["results"]] == [
        ("Ben", "opioid_interaction", "open"),
        ("Alice", "low_adherence", "open"),
        ("Alice", "dose_out_of_range", "open"),
        ("Ben", "adverse_event", "acknowledged"),
    ]
    shown = set(AuditEvent.objects.filter(action="flags.list").values_list("patient_id", flat=True))
    assert shown == {cast.alice.pk, ben.pk}
    assert cast.client("charlie").call("GET", "/api/v1/flags").json_body["results"] == []

    bob = cast.client("bob")
    severe = bob.call("GET", "/api/v1/flags?severity=critical,high&status=all").json_body["results"]
    assert [f["kind"] for f in severe] == ["opioid_interaction", "adverse_event"]
    only_alice = bob.call("GET", f"/api/v1/flags?patient={cast.alice.public_id}&kind=low_adherence").json_body
    assert [f["kind"] for f in only_alice["results"]] == ["low_adherence"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=closed", "status"), ("kind=headache", "kind"), ("severity=urgent", "severity"), ("patient=7", "patient")],
)
def test_bad_filters_are_a_clear_400(cast, query, field):
    response = cast.client("bob").call("GET", f"/api/v1/flags?{query}")
    assert response.status_code == 400
    assert field in response.json_body["errors"]


def test_acknowledge_then_resolve_with_notes_and_audit(cast):
    analysed(cast.alice, "in_progress", finding("opioid_interaction", "critical", TODAY))
    flag_id = Flag.objects.get().public_id
    bob = cast.client("bob")
    acked = bob.call("POST", f"/api/v1/flags/{flag_id}/acknowledge", {"note": "Phoned: stopped the codeine."})
    assert acked.status_code == 200
    assert acked.json_body["status"] == "acknowledged"
    assert acked.json_body["acknowledge_note"] == "Phoned: stopped the codeine."
    assert acked.json_body["acknowledged_by"] == "Dr Bob"

    resolved = cast.client("colleague").call("POST", f"/api/v1/flags/{flag_id}/resolve", {})
    assert resolved.json_body["status"] == "resolved"
    assert resolved.json_body["resolved_automatically"] is False
    late_ack = bob.call("POST", f"/api/v1/flags/{flag_id}/acknowledge", {})
    assert late_ack.status_code == 409
    actions = list(AuditEvent.objects.filter(patient=cast.alice).values_list("action", flat=True).order_by("pk"))
    assert actions == ["flag.acknowledge", "flag.resolve"]


def test_flag_notes_are_validated_and_nothing_changes_on_bad_input(cast):
    analysed(cast.alice, "in_progress", finding("worsening", "medium"))
    flag_id = Flag.objects.get().public_id
    bob = cast.client("bob")
    for body in ({"note": "x" * 1001}, {"nope": 1}, {"note": 5 * [1]}):
        response = bob.call("POST", f"/api/v1/flags/{flag_id}/acknowledge", body)
        assert response.status_code == 400, body
    assert Flag.objects.get().status == "open"
    assert bob.call("POST", "/api/v1/flags/not-a-uuid/resolve", {}).status_code == 400


def test_flag_list_query_count_does_not_depend_on_the_number_of_flags(cast):
    api = Api().as_user(cast.bob.user)
    counts = []
    for total in (2, 5, 12):  # alice is linked already
        while Patient.objects.filter(care_links__clinic=cast.bob.clinic).count() < total:
            patient = PatientFactory.create()
            link(patient, cast.bob)
            analysed(patient, "in_progress", finding("worsening", "medium"), finding("adverse_event", "high"))
        with CaptureQueriesContext(connection) as captured:
            assert api.call("GET", "/api/v1/flags").status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_a_resolved_flag_shows_who_resolved_it_or_that_it_resolved_itself(cast, frozen):
    analysed(cast.alice, "in_progress", finding("worsening", "medium"))
    frozen.shift(timedelta(hours=1))
    analysed(cast.alice, "in_progress")
    flags = cast.client("bob").call("GET", "/api/v1/flags?status=resolved").json_body["results"]
    assert [(f["kind"], f["resolved_automatically"], f["resolved_by"]) for f in flags] == [("worsening", True, None)]

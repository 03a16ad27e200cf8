"""Event flags whose triggering values the patient later changed (CLINICAL.md §11.8 as
amended, issue 16 item 7), through the real API and the real insights engine: the flag
stays open, its evidence gives for each occurrence the value that raised it, the value
now and when it changed; the patient's opioid alert shows only while the diary still
holds the opioid."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from diary.models import Flag
from diary.services.insights import insights_sweep
from tests.conftest import Api
from tests.factories import plan_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 11, 21)  # 13:00 in Berlin, alice's zone, at the frozen "now"


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def on_ldn(cast):
    """Alice on 1.5 mg for three weeks, every dose logged."""
    plan_for(cast.alice, cast.bob, [(TODAY - timedelta(days=21), "1.5")])
    alice = cast.client("alice")
    for k in range(21, 1, -1):
        body = {"client_id": str(uuid.uuid4()), "date": day(-k), "taken": True, "mg": 1.5}
        assert alice.call("POST", "/api/v1/me/doses", body).status_code == 201
    return alice


def flag_of(cast, kind: str) -> dict:
    flags = cast.client("bob").call("GET", f"/api/v1/patients/{cast.alice.public_id}/insights").json_body["flags"]
    [flag] = [f for f in flags if f["kind"] == kind]
    return flag


def test_a_dose_corrected_from_45_to_4_5_mg_keeps_the_flag_with_both_values_and_when(cast, on_ldn, frozen):
    typo = {"client_id": str(uuid.uuid4()), "date": day(-1), "taken": True, "mg": 45}
    logged = on_ldn.call("POST", "/api/v1/me/doses", typo)
    assert logged.status_code == 201
    assert [w["code"] for w in logged.json_body["warnings"]] == ["above_usual_range", "large_step_up"]
    insights_sweep()
    raised = flag_of(cast, "dose_out_of_range")
    assert raised["headline"] == "Dose outside the usual LDN range: dose taken of 45.0 mg on 20 Nov 2026"
    assert raised["evidence"]["occurrences"] == [
        {"date": day(-1), "what": "dose_taken", "raised": 45.0, "now": 45.0, "changed_at": None}
    ]
    assert raised["presented"]["changes"] == []

    frozen.shift(timedelta(hours=2))  # 15:00 in Berlin: the patient corrects the typo
    fixed = on_ldn.call("PATCH", f"/api/v1/me/doses/{logged.json_body['id']}", {"mg": 4.5})
    assert fixed.status_code == 200, fixed.json_body
    insights_sweep()

    Api.sessions.clear()  # two hours later Dr Bob signs in again (the clinician idle limit)
    flag = flag_of(cast, "dose_out_of_range")
    assert flag["id"] == raised["id"]
    assert flag["status"] == "open"  # an event flag stays open for a clinician (§11.8)
    assert flag["evidence"]["occurrences"] == [
        {"date": day(-1), "what": "dose_taken", "raised": 45.0, "now": 4.5, "changed_at": "2026-11-21T14:00:00+00:00"}
    ]
    assert flag["headline"] == "Dose outside the usual LDN range: dose taken of 45.0 mg on 20 Nov 2026 (now 4.5 mg)"
    assert flag["presented"]["changes"] == [
        "20 Nov 2026, dose taken: 45.0 mg when the flag was raised, 4.5 mg now (changed 21 Nov 2026, 15:00)."
    ]
    assert flag["presented"]["occurrences"] == [
        {
            "when": "20 Nov 2026",
            "what": "Dose taken",
            "raised": "45.0 mg",
            "now": "4.5 mg",
            "changed": "21 Nov 2026, 15:00",
        }
    ]

    # Recomputing again changes nothing (the change keeps its time); the triage row says it too.
    stored = Flag.objects.get(public_id=flag["id"]).evidence
    insights_sweep()
    from diary.models import Patient

    Patient.objects.filter(pk=cast.alice.pk).update(insights_stale_since="2026-11-21T16:00:00+00:00")
    insights_sweep()
    assert Flag.objects.get(public_id=flag["id"]).evidence == stored
    row = cast.client("bob").call("GET", "/api/v1/triage").json_body["results"][0]
    assert row["open_flags"][0]["headline"].endswith("(now 4.5 mg)")


def test_an_opioid_removed_from_a_day_keeps_the_flag_and_ends_the_patients_alert(cast, on_ldn, frozen):
    codeine = {"med_class": "combination_analgesic", "name": "co-codamol", "contains_opioid": True}
    entry = {"pain_score": 5, "headache": 2, "acute_medications": [codeine]}
    assert on_ldn.call("PUT", f"/api/v1/me/entries/{day(-3)}", entry).status_code == 201
    insights_sweep()
    assert [a["kind"] for a in on_ldn.call("GET", "/api/v1/me/insights").json_body["alerts"]] == ["opioid"]
    raised = flag_of(cast, "opioid_interaction")
    assert raised["headline"] == "Opioid logged while on LDN: 1 day, the last on 18 Nov 2026"

    frozen.shift(timedelta(minutes=30))
    corrected = on_ldn.call("PUT", f"/api/v1/me/entries/{day(-3)}", {"pain_score": 5, "headache": 2})
    assert corrected.status_code == 200, corrected.json_body
    # The alert follows the diary as it is now, before any recompute.
    assert on_ldn.call("GET", "/api/v1/me/insights").json_body["alerts"] == []
    insights_sweep()

    flag = flag_of(cast, "opioid_interaction")
    assert (flag["id"], flag["status"]) == (raised["id"], "open")
    assert flag["evidence"]["occurrences"] == [
        {"date": day(-3), "what": "opioid", "raised": True, "now": False, "changed_at": "2026-11-21T12:30:00+00:00"}
    ]
    assert flag["headline"] == (
        "Opioid logged while on LDN: 1 day, the last on 18 Nov 2026 (all since removed by the patient)"
    )
    assert flag["presented"]["changes"] == [
        "18 Nov 2026, opioid logged: logged when the flag was raised, not logged now (changed 21 Nov 2026, 13:30)."
    ]
    assert on_ldn.call("GET", "/api/v1/me/insights").json_body["alerts"] == []

    # Logged again: the alert is back, and the occurrence is as it was raised.
    frozen.shift(timedelta(minutes=30))
    assert on_ldn.call("PUT", f"/api/v1/me/entries/{day(-3)}", entry).status_code == 200
    assert [a["kind"] for a in on_ldn.call("GET", "/api/v1/me/insights").json_body["alerts"]] == ["opioid"]
    insights_sweep()
    assert flag_of(cast, "opioid_interaction")["evidence"]["occurrences"][0]["changed_at"] is None


def test_a_resolved_opioid_flag_shows_the_patient_no_alert(cast, on_ldn):
    tramadol = {"pain_score": 5, "headache": 0, "acute_medications": [{"med_class": "opioid", "name": "tramadol"}]}
    assert on_ldn.call("PUT", f"/api/v1/me/entries/{day(-3)}", tramadol).status_code == 201
    insights_sweep()
    flag = flag_of(cast, "opioid_interaction")
    resolve = f"/api/v1/patients/{cast.alice.public_id}/flags/{flag['id']}/resolve"
    assert cast.client("bob").call("POST", resolve, {}).status_code == 200
    assert on_ldn.call("GET", "/api/v1/me/insights").json_body["alerts"] == []

"""Plans, dose logs and the reported baseline (CLINICAL.md §4–§5)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import time_machine

from diary.models import DoseLog, DosePlan, DoseStep, ReportedBaseline
from diary.models.dosing import STEPS_PER_PLAN_MAX
from tests.conftest import Api

TITRATION = {
    "target_mg": 4.5,
    "decision_weeks": 12,
    "steps": [
        {"start_date": "2026-11-21", "mg": 1.5, "time_of_day": "bedtime"},
        {"start_date": "2026-11-28", "mg": 3.0},
        {"start_date": "2026-12-05", "mg": 4.5},
    ],
}

pytestmark = pytest.mark.usefixtures("frozen")
TODAY = date(2026, 11, 21)


def plan_url(cast) -> str:
    return f"/api/v1/patients/{cast.alice.public_id}/plan"


def dose(**fields):
    return {"client_id": str(uuid.uuid4()), "date": "2026-11-21", "taken": True, **fields}


def test_clinician_writes_a_titration_plan_and_the_patient_sees_todays_dose(cast):
    written = cast.client("bob").call("PUT", plan_url(cast), TITRATION)
    assert written.status_code == 201, written.json_body
    assert written.json_body["warnings"] == []
    assert [s["mg"] for s in written.json_body["steps"]] == [1.5, 3.0, 4.5]
    assert written.json_body["steps"][1]["time_of_day"] == "bedtime"  # the patient's preferred time

    mine = cast.client("alice").call("GET", "/api/v1/me/plan").json_body
    assert mine["plan"]["target_mg"] == 4.5
    assert mine["today"]["mg"] == 1.5
    assert mine["today"]["first_day_of_step"] is True
    assert mine["today"]["next_step"] == {"start_date": "2026-11-28", "mg": 3.0, "time_of_day": "bedtime"}


@pytest.mark.parametrize(
    ("steps", "target", "expected"),
    [
        ([1.5, 3.0, 4.5], 4.5, []),
        ([1.5, 3.0, 4.5, 6.0], 4.5, [("above_usual_range", "steps.3.mg")]),
        ([1.5, 4.5], 4.5, [("large_step_up", "steps.1.mg")]),
        ([4.5], 4.5, []),  # the first step is not a step up
        ([1.5, 3.0], 6.0, [("above_usual_range", "target_mg")]),
        ([3.0, 1.5, 3.0], 4.5, []),  # down and back up by 1.5 is fine
    ],
)
def test_plan_warnings(cast, steps, target, expected):
    body = {
        "target_mg": target,
        "steps": [{"start_date": f"2026-12-{i + 1:02d}", "mg": mg} for i, mg in enumerate(steps)],
    }
    response = cast.client("bob").call("PUT", plan_url(cast), body)
    assert response.status_code == 201
    assert [(w["code"], w["field"]) for w in response.json_body["warnings"]] == expected


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"steps": [{"start_date": "2026-12-01", "mg": 0}]}, "steps.0.mg"),
        ({"steps": [{"start_date": "2026-12-01", "mg": 60}]}, "steps.0.mg"),
        ({"steps": [{"start_date": "2026-12-01", "mg": -1.5}]}, "steps.0.mg"),
        ({"steps": []}, "steps"),
        ({"steps": [{"start_date": "2026-12-01", "mg": 1.5}], "decision_weeks": 7}, "decision_weeks"),
        ({"steps": [{"start_date": "2026-12-01", "mg": 1.5}], "decision_weeks": 13}, "decision_weeks"),
        ({"steps": [{"start_date": "2026-12-01", "mg": 1.5}], "target_mg": 51}, "target_mg"),
        (
            {"steps": [{"start_date": "2026-12-01", "mg": 1.5}, {"start_date": "2026-12-01", "mg": 3}]},
            "steps.1.start_date",
        ),
        ({"steps": [{"start_date": "2025-01-01", "mg": 1.5}]}, "steps.0.start_date"),
        ({"steps": [{"start_date": "2027-11-22", "mg": 1.5}]}, "steps.0.start_date"),  # 366 days ahead
        ({"steps": [{"start_date": "9999-12-31", "mg": 1.5}]}, "steps.0.start_date"),
        (
            {"steps": [{"start_date": str(TODAY + timedelta(i)), "mg": 1.5} for i in range(STEPS_PER_PLAN_MAX + 1)]},
            "steps",
        ),
        ({"steps": [{"start_date": str(TODAY + timedelta(i)), "mg": 1.5} for i in range(300)]}, "steps"),
    ],
)
def test_bad_plans_are_rejected_and_store_nothing(cast, body, field):
    response = cast.client("bob").call("PUT", plan_url(cast), body)
    assert response.status_code == 400
    assert field in response.json_body["errors"], response.json_body
    assert not DosePlan.objects.exists()


def test_a_3000_step_plan_is_refused_before_anything_is_parsed(cast):
    body = {"steps": [{"start_date": str(TODAY + timedelta(i)), "mg": 1.5} for i in range(3000)]}
    response = cast.client("bob").call("PUT", plan_url(cast), body)
    assert response.status_code == 413
    assert not DosePlan.objects.exists()


def test_steps_that_started_are_history(cast):
    with time_machine.travel("2026-11-10T12:00:00+00:00", tick=False):
        assert (
            cast.client("bob")
            .call(
                "PUT",
                plan_url(cast),
                {
                    "steps": [
                        {"start_date": "2026-11-10", "mg": 1.5},
                        {"start_date": "2026-11-17", "mg": 3.0},
                        {"start_date": "2026-11-24", "mg": 4.5},
                    ]
                },
            )
            .status_code
            == 201
        )
    # Days later: that session ended long ago (the automatic log-off); bob signs in again.
    Api.sessions.clear()
    bob = cast.client("bob")
    rewrite_past = {"steps": [{"start_date": "2026-11-10", "mg": 0.5}, {"start_date": "2026-11-24", "mg": 4.5}]}
    refused = bob.call("PUT", plan_url(cast), rewrite_past)
    assert refused.status_code == 400
    assert "steps" in refused.json_body["errors"]
    assert [s.mg for s in DoseStep.objects.order_by("start_date")] == [1.5, 3.0, 4.5]

    slower = {
        "steps": [
            {"start_date": "2026-11-10", "mg": 1.5},
            {"start_date": "2026-11-17", "mg": 3.0},
            {"start_date": "2026-12-01", "mg": 3.75},
            {"start_date": "2026-12-08", "mg": 4.5},
        ]
    }
    changed = bob.call("PUT", plan_url(cast), slower)
    assert changed.status_code == 200
    assert [s["mg"] for s in changed.json_body["steps"]] == [1.5, 3.0, 3.75, 4.5]
    assert DosePlan.objects.count() == 1


def test_stop_a_plan_with_a_reason(cast):
    bob = cast.client("bob")
    bob.call("PUT", plan_url(cast), {"steps": [{"start_date": "2026-11-01", "mg": 1.5}]})
    future = bob.call("POST", plan_url(cast) + "/stop", {"stopped_on": "2026-11-25", "reason": "side_effects"})
    assert future.status_code == 400
    assert "stopped_on" in future.json_body["errors"]
    bad_reason = bob.call("POST", plan_url(cast) + "/stop", {"stopped_on": "2026-11-20", "reason": "bored"})
    assert bad_reason.status_code == 400
    assert "reason" in bad_reason.json_body["errors"]

    stopped = bob.call(
        "POST", plan_url(cast) + "/stop", {"stopped_on": "2026-11-20", "reason": "side_effects", "note": "nausea"}
    )
    assert stopped.status_code == 200
    assert (stopped.json_body["stopped_on"], stopped.json_body["stop_reason"]) == ("2026-11-20", "side_effects")
    again = bob.call("POST", plan_url(cast) + "/stop", {"stopped_on": "2026-11-20", "reason": "other"})
    assert again.status_code == 409
    # no planned dose after a stop
    assert cast.client("alice").call("GET", "/api/v1/me/plan").json_body["today"] is None
    # a new plan can follow
    assert bob.call("PUT", plan_url(cast), {"steps": [{"start_date": "2026-11-21", "mg": 0.5}]}).status_code == 201


def test_dose_log_is_idempotent_on_client_id(cast):
    alice = cast.client("alice")
    body = dose(mg=1.5)
    first = alice.call("POST", "/api/v1/me/doses", body)
    assert first.status_code == 201
    replay = alice.call("POST", "/api/v1/me/doses", body)
    assert replay.status_code == 200
    assert replay.json_body["id"] == first.json_body["id"]
    # a replay with a different body still returns the first result and changes nothing
    replay_changed = alice.call("POST", "/api/v1/me/doses", {**body, "mg": 3.0})
    assert replay_changed.json_body["mg"] == 1.5
    assert DoseLog.objects.count() == 1


def test_a_second_log_for_the_same_day_is_a_conflict(cast):
    alice = cast.client("alice")
    alice.call("POST", "/api/v1/me/doses", dose(mg=1.5))
    clash = alice.call("POST", "/api/v1/me/doses", dose(mg=3.0))
    assert clash.status_code == 409
    assert clash.json_body["current"]["mg"] == 1.5
    fixed = alice.call("PATCH", f"/api/v1/me/doses/{clash.json_body['current']['id']}", {"mg": 3.0})
    assert fixed.status_code == 200
    assert fixed.json_body["mg"] == 3.0


def test_dose_defaults_to_the_planned_dose(cast):
    cast.client("bob").call("PUT", plan_url(cast), TITRATION)
    logged = cast.client("alice").call("POST", "/api/v1/me/doses", dose())
    assert logged.status_code == 201
    assert (logged.json_body["mg"], logged.json_body["time_of_day"]) == (1.5, "bedtime")
    missed = cast.client("dora").call("POST", "/api/v1/me/doses", dose())  # dora has no plan
    assert missed.status_code == 400
    assert "mg" in missed.json_body["errors"]


@pytest.mark.parametrize(
    ("fields", "warnings"),
    [
        ({"mg": 4.5}, []),
        ({"mg": 6}, ["above_usual_range"]),
        ({"mg": 50}, ["above_usual_range", "large_step_up"]),
    ],
)
def test_dose_warnings(cast, fields, warnings):
    alice = cast.client("alice")
    alice.call("POST", "/api/v1/me/doses", dose(date="2026-11-20", mg=4.5))
    response = alice.call("POST", "/api/v1/me/doses", dose(**fields))
    assert response.status_code == 201
    assert [w["code"] for w in response.json_body["warnings"]] == warnings


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (dose(mg=0), "mg"),
        (dose(mg=60), "mg"),
        (dose(mg=50.01), "mg"),
        (dose(mg=1.5, client_id="12345"), "client_id"),
        (dose(mg=1.5, date="2026-11-22"), "date"),
        (dose(mg=1.5, time_of_day="noonish"), "time_of_day"),
        ({"date": "2026-11-21", "taken": True, "mg": 1.5}, "client_id"),
    ],
)
def test_bad_doses_are_rejected(cast, body, field):
    response = cast.client("alice").call("POST", "/api/v1/me/doses", body)
    assert response.status_code == 400
    assert field in response.json_body["errors"], response.json_body
    assert not DoseLog.objects.exists()


def test_malformed_dose_id_is_400(cast):
    response = cast.client("alice").call("PATCH", "/api/v1/me/doses/not-a-uuid", {"mg": 1})
    assert response.status_code == 400
    assert "dose_id" in response.json_body["errors"]


def test_reported_baseline(cast):
    url = f"/api/v1/patients/{cast.alice.public_id}/baseline"
    bob = cast.client("bob")
    assert bob.call("GET", url).status_code == 404
    bad = bob.call("PUT", url, {"monthly_headache_days": 10, "monthly_migraine_days": 12})
    assert bad.status_code == 400
    assert "monthly_migraine_days" in bad.json_body["errors"]
    assert bob.call("PUT", url, {"monthly_headache_days": 30}).status_code == 400
    assert not ReportedBaseline.objects.exists()
    ok = bob.call("PUT", url, {"monthly_headache_days": 12, "monthly_migraine_days": 8, "mean_pain": 5.5})
    assert ok.status_code == 200
    assert ok.json_body["provenance"] == "reported"
    assert bob.call("GET", url).json_body["monthly_headache_days"] == 12


def test_planned_dose_selector_edges(cast):
    from diary.selectors import planned_dose_on

    cast.client("bob").call("PUT", plan_url(cast), TITRATION)
    assert planned_dose_on(cast.alice, date(2026, 11, 20)) is None
    before_step_up = planned_dose_on(cast.alice, date(2026, 11, 27))
    step_up = planned_dose_on(cast.alice, date(2026, 11, 28))
    much_later = planned_dose_on(cast.alice, date(2027, 6, 1))
    assert before_step_up is not None
    assert step_up is not None
    assert much_later is not None
    assert (before_step_up.mg, before_step_up.first_day_of_step, before_step_up.is_step_up) == (1.5, False, False)
    assert (step_up.mg, step_up.first_day_of_step, step_up.is_step_up) == (3.0, True, True)
    assert much_later.mg == 4.5

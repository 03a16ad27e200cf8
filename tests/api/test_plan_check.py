"""POST patients/{id}/plan/check answers what PUT …/plan would (the same warnings, the same
400s) and saves nothing; GET plan-templates gives the two titration templates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from diary.models import AuditEvent, DosePlan, Patient
from tests.factories import plan_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 11, 21)


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def plan_url(cast, suffix: str = "") -> str:
    return f"/api/v1/patients/{cast.alice.public_id}/plan{suffix}"


STEEP = {
    "steps": [{"start_date": day(0), "mg": 1.5}, {"start_date": day(7), "mg": 3.0}, {"start_date": day(14), "mg": 6.0}]
}


def test_check_gives_the_warnings_of_put_and_saves_nothing(cast):
    bob = cast.client("bob")
    seq = Patient.objects.get(pk=cast.alice.pk).change_seq
    checked = bob.call("POST", plan_url(cast, "/check"), STEEP)
    assert checked.status_code == 200, checked.json_body
    assert checked.json_body["errors"] is None
    warnings = checked.json_body["warnings"]
    assert [(w["code"], w["field"]) for w in warnings] == [
        ("above_usual_range", "steps.2.mg"),  # 6 mg is above 4.5 mg (CLINICAL.md §5)
        ("large_step_up", "steps.2.mg"),  # 3 → 6 mg is more than 1.5 mg
    ]
    assert "4.5 mg" in warnings[0]["message"]
    assert not DosePlan.objects.filter(patient=cast.alice).exists()
    alice = Patient.objects.get(pk=cast.alice.pk)
    assert (alice.change_seq, alice.insights_stale_since) == (seq, None)
    assert AuditEvent.objects.filter(action="plan.check", patient=cast.alice, actor=cast.bob.user).count() == 1

    saved = bob.call("PUT", plan_url(cast), STEEP)
    assert saved.status_code == 201
    assert saved.json_body["warnings"] == warnings


def test_a_target_above_the_usual_range_warns_too(cast):
    body = {"target_mg": 6.0, "steps": [{"start_date": day(0), "mg": 4.5}]}
    warnings = cast.client("bob").call("POST", plan_url(cast, "/check"), body).json_body["warnings"]
    assert [(w["code"], w["field"]) for w in warnings] == [("above_usual_range", "target_mg")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"steps": [{"start_date": day(0), "mg": 60}]}, "steps.0.mg"),
        ({"steps": []}, "steps"),
        ({"steps": [{"start_date": day(0), "mg": 1.5}], "decision_weeks": 13}, "decision_weeks"),
        ({"steps": [{"start_date": day(-400), "mg": 1.5}]}, "steps.0.start_date"),
        ({"steps": [{"start_date": day(0), "mg": 1.5}], "colour": "blue"}, "colour"),
    ],
)
def test_invalid_input_is_the_400_put_gives(cast, body, field):
    bob = cast.client("bob")
    checked = bob.call("POST", plan_url(cast, "/check"), body)
    put = bob.call("PUT", plan_url(cast), body)
    assert checked.status_code == put.status_code == 400
    assert checked.json_body == put.json_body
    assert field in checked.json_body["errors"]
    assert not DosePlan.objects.filter(patient=cast.alice).exists()


def test_steps_that_started_cannot_change_in_a_check_either(cast):
    plan_for(cast.alice, cast.bob, [(TODAY - timedelta(days=10), "1.5"), (TODAY + timedelta(days=4), "3.0")])
    changed_past = {"steps": [{"start_date": day(-10), "mg": 1.0}, {"start_date": day(4), "mg": 3.0}]}
    bob = cast.client("bob")
    checked = bob.call("POST", plan_url(cast, "/check"), changed_past)
    assert checked.status_code == 400
    assert checked.json_body == bob.call("PUT", plan_url(cast), changed_past).json_body
    future_only = {
        "steps": [{"start_date": day(-10), "mg": 1.5, "time_of_day": "bedtime"}, {"start_date": day(4), "mg": 2.0}]
    }
    assert bob.call("POST", plan_url(cast, "/check"), future_only).json_body == {"warnings": [], "errors": None}
    steps = DosePlan.objects.get(patient=cast.alice).steps.order_by("start_date")
    assert [s.mg for s in steps] == [Decimal("1.5"), Decimal("3.0")]


def test_templates_are_the_standard_and_the_sensitive_titration(cast):
    response = cast.client("bob").call("GET", "/api/v1/plan-templates")
    assert response.status_code == 200
    templates = {t["key"]: t for t in response.json_body}
    assert list(templates) == ["standard", "sensitive"]
    standard = templates["standard"]
    assert standard["label"] == "1.5 → 3 → 4.5 mg weekly"
    assert [(s["start_day"], s["days"], s["mg"]) for s in standard["steps"]] == [
        (0, 7, 1.5),
        (7, 7, 3.0),
        (14, None, 4.5),
    ]
    sensitive = templates["sensitive"]["steps"]
    assert [s["mg"] for s in sensitive] == [0.5 * k for k in range(1, 10)]
    assert [s["start_day"] for s in sensitive] == [14 * k for k in range(9)]
    bob = cast.client("bob")
    for template in templates.values():
        body = {
            "target_mg": template["target_mg"],
            "decision_weeks": template["decision_weeks"],
            "steps": [{"start_date": day(s["start_day"]), "mg": s["mg"]} for s in template["steps"]],
        }
        assert bob.call("POST", plan_url(cast, "/check"), body).json_body == {"warnings": [], "errors": None}


def test_a_step_above_the_plans_own_target_is_warned_about(cast):
    body: dict[str, Any] = {
        "target_mg": 3.0,
        "steps": [
            {"start_date": day(0), "mg": 1.5},
            {"start_date": day(7), "mg": 3.0},
            {"start_date": day(14), "mg": 4.5},
        ],
    }
    bob = cast.client("bob")
    warnings = bob.call("POST", plan_url(cast, "/check"), body).json_body["warnings"]
    assert warnings == [
        {
            "code": "above_target",
            "field": "steps.2.mg",
            "message": "Step 3: 4.5 mg is above this plan's target (3.0 mg).",
        }
    ]
    # above the usual range too: one warning that says both
    body["steps"][2]["mg"] = 6.0
    warnings = bob.call("POST", plan_url(cast, "/check"), body).json_body["warnings"]
    assert [(w["code"], w["message"]) for w in warnings] == [
        (
            "above_usual_range",
            "Step 3: 6.0 mg is above the usual LDN range (≤ 4.5 mg) and above this plan's target (3.0 mg).",
        ),
        ("large_step_up", "Step 3: a step up from 3.0 to 6.0 mg is more than 1.5 mg."),
    ]
    assert bob.call("PUT", plan_url(cast), body).json_body["warnings"] == warnings

"""The insights answers are what the published schema says, key for key: real analyses of
several courses (a headache and a pain patient, a stop, overuse, missed doses, a dose above
the usual range, a diary before any dose, none at all) are read as the clinician and as the
patient, and each answer is checked against its schema component with every object closed
(a key the schema does not name fails, as does a missing or mistyped one). The views pass
the stored analysis through as it is, so this is what keeps the schema, and the app's types
generated from it (frontend/src/schema.gen.ts), true to the engine."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

from diary.models import AcuteMedication, DiaryEntry, DoseLog, Hit6Wording, Patient
from tests.cohort import Course, analyse_all, patient_with
from tests.conftest import Api
from tests.factories import PatientFactory, link

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 11, 21)


def _closed(node: Any) -> Any:
    """OpenAPI 3.0 to JSON Schema: `nullable` becomes a null alternative, and an object that
    lists its properties admits no other key."""
    if isinstance(node, list):
        return [_closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _closed(value) for key, value in node.items() if key not in ("nullable", "discriminator")}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@pytest.fixture(scope="module")
def components() -> dict[str, Any]:
    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    return {"components": _closed(json.loads(out.getvalue())["components"])}


def problems(components: dict[str, Any], name: str, body: Any) -> list[str]:
    schema = {**components, "$ref": f"#/components/schemas/{name}"}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{e.json_path}: {e.message[:200]}" for error in validator.iter_errors(body) for e in _reasons(error)]


def _reasons(error: ValidationError) -> list[ValidationError]:
    """The errors under a nullable's anyOf, not "is not valid under any of the given schemas"."""
    if not error.context:
        return [error]
    inner = [e for e in error.context if not (e.validator == "type" and e.validator_value == "null")]
    return [reason for e in inner for reason in _reasons(e)]


def _medicines(patient: Patient, med_class: str, name: str, days: int) -> None:
    """The medicine on `days` of the last 24 days."""
    entries = DiaryEntry.objects.filter(patient=patient, date__gt=TODAY - timedelta(days=24)).order_by("date")
    AcuteMedication.objects.bulk_create(
        AcuteMedication(entry=e, med_class=med_class, name=name, for_headache=True) for e in entries[:days]
    )
    Patient.objects.filter(pk=patient.pk).update(insights_stale_since=timezone.now())


def _missed_doses(patient: Patient, days: int) -> None:
    assert DoseLog.objects.filter(patient=patient, date__gt=TODAY - timedelta(days=days)).delete()[0] == days
    Patient.objects.filter(pk=patient.pk).update(insights_stale_since=timezone.now())


def _diary_without_a_dose(clinician: Any) -> Patient:
    patient = PatientFactory.create(primary_condition="migraine")
    link(patient, clinician)
    DiaryEntry.objects.bulk_create(
        DiaryEntry(patient=patient, date=TODAY - timedelta(days=k), pain_score=5, headache=k % 3, sleep_quality=6)
        for k in range(20)
    )
    Patient.objects.filter(pk=patient.pk).update(insights_stale_since=timezone.now(), change_seq=1)
    return patient


def test_real_analyses_are_what_the_schema_says_key_for_key(cast, components):
    bob = cast.bob
    courses = [
        Course(
            condition="chronic_migraine", baseline_headache_days=14, headache_days_per_28=5, side_effects={"nausea": 5}
        ),
        Course(
            pain=3,
            side_effects={"vivid_dreams": 3, "insomnia": 2},
            steps=((0, "1.5"), (7, "3.0"), (14, "4.5"), (80, "6.0")),
        ),
        Course(stopped_after=20, stop_reason="side_effects"),
        Course(condition="migraine", baseline_headache_days=10, headache_days_per_28=10, opioid_on=3),
    ]
    patients = [patient_with(bob, course, TODAY) for course in courses]
    _medicines(patients[1], "non_opioid_analgesic", "paracetamol", 9)  # frequent, not overuse
    _medicines(patients[3], "triptan", "sumatriptan", 12)  # overuse
    _missed_doses(patients[3], 10)
    patients.append(_diary_without_a_dose(bob))
    assert analyse_all() == len(patients)
    patients.append(cast.alice)  # never analysed

    doctor = cast.client("bob")
    notices = set()
    for patient in patients:
        body = doctor.call("GET", f"/api/v1/patients/{patient.public_id}/insights").json_body
        assert problems(components, "PatientInsightsOut", body) == [], patient.primary_condition
        mine = Api().as_user(patient.user).call("GET", "/api/v1/me/insights").json_body
        assert problems(components, "MyInsightsOut", mine) == [], patient.primary_condition
        notices |= {n["kind"] for n in mine["notices"]}
        if patient == cast.alice:
            assert (body["summary"], mine["series"], mine["trend"]) == (None, None, None)
        else:
            assert body["summary"]["series"]["start"] == mine["series"]["start"]
    # every kind of notice was checked
    assert notices == {"medicine_overuse", "frequent_medicines", "dose_above_usual", "missed_doses"}


def test_a_key_the_schema_does_not_name_or_a_wrong_type_is_found(components):
    span = {
        "start": "2026-11-01",
        "end": "2026-11-07",
        "days": 7,
        "days_logged": 0,
        "compliance_pct": 0.0,
        "adherence_pct": 100.0,
        "mean_pain": None,
        "pain_ci95": None,
    }
    assert problems(components, "SpanOut", span) == []
    assert problems(components, "SpanOut", {**span, "mean_pian": 3.0}) != []
    assert problems(components, "SpanOut", {**span, "days": "7"}) != []
    assert problems(components, "SpanOut", {k: v for k, v in span.items() if k != "days"}) != []


def test_questionnaire_answers_and_forms_are_what_the_schema_says(cast, components):
    Hit6Wording.objects.create(clinic=cast.bob.clinic, items=[f"Question {i}" for i in range(1, 7)])
    alice, bob = cast.client("alice"), cast.client("bob")
    midas = {"instrument": "midas", "answers": {"items": [2, 3, 4, 1, 0], "a": 30, "b": None}}
    six = ["never", "rarely", "sometimes", "very_often", "always", "always"]
    for body in (
        midas,
        {"instrument": "hit6", "answers": {"answers": six}},
        {"instrument": "pgic", "answers": {"answer": 2}},
    ):
        assert alice.call("POST", "/api/v1/me/questionnaires", body).status_code == 201, body
    url = f"/api/v1/patients/{cast.alice.public_id}/questionnaires"
    assert bob.call("POST", url, {"instrument": "hit6", "total": 60}).status_code == 201
    mine = alice.call("GET", "/api/v1/me/questionnaires").json_body
    theirs = bob.call("GET", url).json_body
    assert len(mine["responses"]) == len(theirs["responses"]) == 4
    assert mine["forms"]["hit6"] is not None
    assert problems(components, "QuestionnairesOut", mine) == []
    assert problems(components, "QuestionnairesOut", theirs) == []
    # and the schema says what the answers and the forms are: a wrong one is found
    response = mine["responses"][0]
    assert problems(components, "QuestionnaireOut", {**response, "answers": {"items": "2, 3"}}) != []
    assert problems(components, "QuestionnairesOut", {**mine, "forms": {**mine["forms"], "pgic": {}}}) != []

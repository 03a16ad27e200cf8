"""The FHIR endpoints (api/views/fhir.py): the patient's and the clinician's Bundle, and the
CodeSystem. Who may call which is in test_role_matrix.py; here, what they answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from fhir.resources.codesystem import CodeSystem

from diary.choices import HeadacheLevel, MedicineClass, SideEffectKind, SideEffectSeverity, StopReason, TimeOfDay
from diary.fhir.codes import system_url
from diary.models import AuditEvent
from diary.services.entries import entry_record
from tests.diary.fhir.reader import parse, read_back

FHIR_JSON = "application/fhir+json"


def _alice_logs_a_day(cast: Any) -> None:
    entry_record(
        patient=cast.alice,
        day=date(2026, 11, 20),
        data={"pain_score": 6, "headache": 2, "side_effects": [{"kind": "vivid_dreams", "severity": 1}]},
        actor=None,
    )


def test_the_patient_downloads_her_bundle(cast: Any, frozen: Any) -> None:
    _alice_logs_a_day(cast)
    response = cast.client("alice").call("GET", "/api/v1/me/export.fhir")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == FHIR_JSON
    assert response["Content-Disposition"] == 'attachment; filename="ldn-diary-2026-11-21.fhir.json"'
    assert response["Cache-Control"] == "no-store, private"
    day = read_back(parse(response.body), system_url())["days"]
    assert day[date(2026, 11, 20)]["pain_score"] == 6
    assert day[date(2026, 11, 20)]["side_effects"] == [("vivid_dreams", 1, False, "")]
    event = AuditEvent.objects.get(action="me.export")
    assert (event.actor_id, event.patient_id, event.object_id) == (cast.alice.user.pk, cast.alice.pk, "fhir")


def test_a_fhir_client_asking_for_fhir_json_gets_it(cast: Any, frozen: Any) -> None:
    response = cast.client("alice").call("GET", "/api/v1/me/export.fhir", HTTP_ACCEPT=FHIR_JSON)
    assert response.status_code == 200
    assert response.json_body["resourceType"] == "Bundle"
    # one format: `?format=` is not a renderer switch here (DRF's would be a bare 404)
    assert cast.client("alice").call("GET", "/api/v1/me/export.fhir?format=xml").status_code == 200
    code_system = cast.client("anon").call("GET", "/api/v1/fhir/CodeSystem/ldn-diary", HTTP_ACCEPT=FHIR_JSON)
    assert code_system.status_code == 200
    assert code_system["Content-Type"] == FHIR_JSON


def test_the_clinician_reads_the_same_bundle_and_it_is_audited(cast: Any, frozen: Any) -> None:
    _alice_logs_a_day(cast)
    mine = cast.client("alice").call("GET", "/api/v1/me/export.fhir").json_body
    response = cast.client("bob").call("GET", f"/api/v1/patients/{cast.alice.public_id}/export.fhir")

    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    assert response.json_body == mine  # same data, same ids, same instant (time stands still)
    event = AuditEvent.objects.get(action="export.fhir")
    assert (event.actor_id, event.patient_id) == (cast.bob.user.pk, cast.alice.pk)


def test_a_bad_patient_id_is_a_problem_naming_it(cast: Any) -> None:
    response = cast.client("bob").call("GET", "/api/v1/patients/not-a-uuid/export.fhir")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "patient_id" in response.json_body["errors"]
    assert not AuditEvent.objects.filter(action="export.fhir").exists()


def test_the_code_system_is_served_validates_and_follows_the_choices(api: Any, db: Any) -> None:
    response = api.call("GET", "/api/v1/fhir/CodeSystem/ldn-diary")
    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    system = CodeSystem.parse_obj(response.json_body)
    assert system.url == settings.SITE_URL.rstrip("/") + "/api/v1/fhir/CodeSystem/ldn-diary"
    assert system.content == "complete"

    children = {concept.code: {c.code for c in concept.concept or []} for concept in system.concept}
    assert children["side_effect"] == {f"side_effect.{kind}" for kind in SideEffectKind.values}
    assert children["med_class"] == {f"med_class.{value}" for value in MedicineClass.values}
    assert children["time_of_day"] == {f"time_of_day.{value}" for value in TimeOfDay.values}
    assert children["stop_reason"] == {f"stop_reason.{value}" for value in StopReason.values}
    assert children["headache"] == {f"headache.{level.name.lower()}" for level in HeadacheLevel}
    assert children["severity"] == {f"severity.{level.name.lower()}" for level in SideEffectSeverity}
    assert {"monthly.headache_days", "monthly.migraine_days", "monthly.acute_medication_days"} <= children["monthly"]
    every = [code for parent, kids in children.items() for code in (parent, *kids)]
    assert len(every) == len(set(every)) == system.count

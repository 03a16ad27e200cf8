"""Acknowledge / resolve name the patient (issue 16 item 1): POST
patients/{patient_id}/flags/{flag_id}/acknowledge|resolve acts only on that patient's flag;
a flag of another patient of the clinic is a 409 that changes nothing, a patient or flag
the clinician may not see a 404. The answer carries the flag in the clinician's words."""

from __future__ import annotations

import pytest

from diary.models import AuditEvent, Flag
from tests.factories import PatientFactory, link

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

EVIDENCE = {
    "rules_version": "1",
    "dates": ["2026-11-18"],
    "on_ldn_from": "2026-10-01",
    "on_ldn_to": "2026-11-21",
    "occurrences": [{"date": "2026-11-18", "what": "opioid", "raised": True, "now": True, "changed_at": None}],
}


@pytest.fixture
def flags(cast):
    ben = PatientFactory.create(user__display_name="Ben")
    link(ben, cast.bob)
    alices = Flag.objects.create(
        patient=cast.alice, kind="opioid_interaction", severity="critical", evidence=EVIDENCE, rules_version="1"
    )
    bens = Flag.objects.create(patient=ben, kind="low_adherence", severity="medium", evidence={}, rules_version="1")
    return ben, alices, bens


def url(patient, flag, action: str) -> str:
    return f"/api/v1/patients/{patient.public_id}/flags/{flag.public_id}/{action}"


def test_a_flag_is_acknowledged_and_resolved_through_its_patient(cast, flags):
    _, alices, _ = flags
    bob = cast.client("bob")
    acked = bob.call("POST", url(cast.alice, alices, "acknowledge"), {"note": "Phoned her."})
    assert acked.status_code == 200, acked.json_body
    assert (acked.json_body["status"], acked.json_body["acknowledge_note"]) == ("acknowledged", "Phoned her.")
    assert acked.json_body["headline"] == "Opioid logged while on LDN: 1 day, the last on 18 Nov 2026"
    assert acked.json_body["presented"]["facts"][0] == {"label": "Days with an opioid", "value": "18 Nov 2026"}
    resolved = cast.client("colleague").call("POST", url(cast.alice, alices, "resolve"), {})
    assert resolved.json_body["status"] == "resolved"
    actions = list(AuditEvent.objects.filter(patient=cast.alice).values_list("action", flat=True).order_by("pk"))
    assert actions == ["flag.acknowledge", "flag.resolve"]


def test_a_flag_of_another_patient_is_a_409_and_nothing_changes(cast, flags):
    ben, alices, bens = flags
    bob = cast.client("bob")
    for patient, flag in ((ben, alices), (cast.alice, bens)):
        for action in ("acknowledge", "resolve"):
            response = bob.call("POST", url(patient, flag, action), {"note": "wrong page"})
            assert response.status_code == 409, response.json_body
            assert response["Content-Type"] == "application/problem+json"
            assert "another patient" in response.json_body["detail"]
    assert set(Flag.objects.values_list("status", flat=True)) == {"open"}
    assert not AuditEvent.objects.filter(action__startswith="flag.").exists()


def test_strangers_unknown_flags_and_bad_ids_change_nothing(cast, flags):
    _, alices, _ = flags
    assert cast.client("charlie").call("POST", url(cast.alice, alices, "resolve"), {}).status_code == 404
    assert cast.client("alice").call("POST", url(cast.alice, alices, "resolve"), {}).status_code == 404
    stranger = PatientFactory.create()
    assert cast.client("bob").call("POST", url(stranger, alices, "resolve"), {}).status_code == 404
    unknown = f"/api/v1/patients/{cast.alice.public_id}/flags/00000000-0000-4000-8000-000000000000/resolve"
    assert cast.client("bob").call("POST", unknown, {}).status_code == 404
    bad = cast.client("bob").call("POST", f"/api/v1/patients/{cast.alice.public_id}/flags/not-a-uuid/resolve", {})
    assert bad.status_code == 400
    assert list(bad.json_body["errors"]) == ["flag_id"]
    too_long = cast.client("bob").call("POST", url(cast.alice, alices, "acknowledge"), {"note": "x" * 1001})
    assert too_long.status_code == 400
    assert list(too_long.json_body["errors"]) == ["note"]
    assert Flag.objects.get(pk=alices.pk).status == "open"

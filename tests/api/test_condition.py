"""The primary condition (CLINICAL.md §6 chooses the verdict rule by it): chosen at sign-up
in plain words, or "not set" for the clinician to set; changed by the patient or by a
clinician of a linked clinic; every change kept with who made it, and followed by a
recompute (the stale mark, in the same transaction)."""

from __future__ import annotations

import pytest

from diary.models import AuditEvent, ConditionChange, Patient

pytestmark = pytest.mark.usefixtures("frozen")


def profile_url(patient: Patient) -> str:
    return f"/api/v1/patients/{patient.public_id}/profile"


def test_the_patient_changes_their_condition_and_it_is_kept_with_who_changed_it(cast):
    Patient.objects.filter(pk=cast.alice.pk).update(insights_stale_since=None)
    reply = cast.client("alice").call("PATCH", "/api/v1/me/profile", {"primary_condition": "fibromyalgia"})
    assert reply.status_code == 200, reply.json_body
    assert reply.json_body["primary_condition"] == "fibromyalgia"
    assert reply.json_body["condition_set"] | {"at": None} == {"set_by": "patient", "name": "Alice", "at": None}
    alice = Patient.objects.get(pk=cast.alice.pk)
    assert alice.primary_condition == "fibromyalgia"
    assert alice.insights_stale_since is not None  # the verdict rule changed: recompute
    change = ConditionChange.objects.get(patient=alice)
    assert (change.condition_from, change.condition_to, change.set_by, change.set_by_user_id) == (
        "migraine",
        "fibromyalgia",
        "patient",
        alice.user_id,
    )


def test_the_same_condition_again_changes_nothing(cast):
    cast.client("alice").call("PATCH", "/api/v1/me/profile", {"primary_condition": "migraine"})
    assert not ConditionChange.objects.exists()


def test_the_linked_clinician_sets_the_condition_audited_and_the_patient_sees_who(cast):
    Patient.objects.filter(pk=cast.alice.pk).update(primary_condition="not_set", insights_stale_since=None)
    reply = cast.client("bob").call("PATCH", profile_url(cast.alice), {"primary_condition": "chronic_pain"})
    assert reply.status_code == 200, reply.json_body
    assert reply.json_body["patient"]["primary_condition"] == "chronic_pain"
    [entry] = reply.json_body["condition_history"]
    assert entry | {"at": None} == {
        "condition_from": "not_set",
        "condition_to": "chronic_pain",
        "set_by": "clinician",
        "set_by_name": "Dr Bob",
        "at": None,
    }
    alice = Patient.objects.get(pk=cast.alice.pk)
    assert alice.insights_stale_since is not None
    assert AuditEvent.objects.filter(actor_id=cast.bob.user_id, action="patient.condition_set", patient=alice).exists()
    mine = cast.client("alice").call("GET", "/api/v1/me/profile").json_body
    assert (mine["primary_condition"], mine["condition_set"]["name"]) == ("chronic_pain", "Dr Bob")
    detail = cast.client("bob").call("GET", f"/api/v1/patients/{cast.alice.public_id}").json_body
    assert [c["condition_to"] for c in detail["condition_history"]] == ["chronic_pain"]


@pytest.mark.parametrize("who", ["charlie", "dora", "alice"])
def test_anyone_else_gets_404_and_nothing_changes(cast, who):
    reply = cast.client(who).call("PATCH", profile_url(cast.alice), {"primary_condition": "fibromyalgia"})
    assert reply.status_code == 404
    assert Patient.objects.get(pk=cast.alice.pk).primary_condition == "migraine"
    assert not ConditionChange.objects.exists()


def test_anonymous_is_refused(cast):
    reply = cast.client("nobody").call("PATCH", profile_url(cast.alice), {"primary_condition": "fibromyalgia"})
    assert reply.status_code in (401, 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"primary_condition": "cluster_headache"}, "primary_condition"),
        ({}, "primary_condition"),
        ({"primary_condition": "migraine", "time_zone": "UTC"}, "time_zone"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(cast, body, field):
    reply = cast.client("bob").call("PATCH", profile_url(cast.alice), body)
    assert reply.status_code == 400
    assert field in reply.json_body["errors"]
    assert Patient.objects.get(pk=cast.alice.pk).primary_condition == "migraine"
    assert not ConditionChange.objects.exists()


def test_the_patient_cannot_set_an_unknown_condition(cast):
    reply = cast.client("alice").call("PATCH", "/api/v1/me/profile", {"primary_condition": "flu"})
    assert reply.status_code == 400
    assert list(reply.json_body["errors"]) == ["primary_condition"]
    assert not ConditionChange.objects.exists()

"""A logged dose is corrected or deleted by the patient (issue 13, item 3), and nothing is
lost: every earlier value stays as a revision, a deletion reaches the patient's other
devices through the changes feed, and the analysis no longer counts a deleted dose."""

from __future__ import annotations

import uuid

import pytest

from diary.models import DoseLog, DoseLogRevision, Patient

pytestmark = pytest.mark.usefixtures("frozen")


def log(api, mg: float = 15, day: str = "2026-11-21") -> dict:
    reply = api.call("POST", "/api/v1/me/doses", {"client_id": str(uuid.uuid4()), "date": day, "taken": True, "mg": mg})
    assert reply.status_code == 201, reply.json_body
    return reply.json_body


def test_a_correction_keeps_the_earlier_value(cast):
    alice = cast.client("alice")
    dose = log(alice, 15)
    fixed = alice.call("PATCH", f"/api/v1/me/doses/{dose['id']}", {"mg": 1.5})
    assert fixed.status_code == 200
    assert fixed.json_body["mg"] == 1.5
    [revision] = alice.call("GET", f"/api/v1/me/doses/{dose['id']}/revisions").json_body
    assert (revision["deleted"], revision["snapshot"]["mg"], revision["date"]) == (False, "15.00", "2026-11-21")
    # the same value again is not a change: no second revision
    alice.call("PATCH", f"/api/v1/me/doses/{dose['id']}", {"mg": 1.5})
    assert DoseLogRevision.objects.count() == 1


def test_a_deleted_dose_is_kept_as_a_revision_and_the_day_can_be_logged_again(cast):
    alice = cast.client("alice")
    dose = log(alice, 15)
    Patient.objects.filter(pk=cast.alice.pk).update(insights_stale_since=None)
    gone = alice.call("DELETE", f"/api/v1/me/doses/{dose['id']}")
    assert gone.status_code == 204
    assert not DoseLog.objects.exists()
    assert Patient.objects.get(pk=cast.alice.pk).insights_stale_since is not None  # the analysis reruns
    [revision] = alice.call("GET", f"/api/v1/me/doses/{dose['id']}/revisions").json_body
    assert (revision["deleted"], revision["snapshot"]["mg"], revision["snapshot"]["client_id"]) == (
        True,
        "15.00",
        dose["client_id"],
    )
    again = log(alice, 1.5)
    assert again["mg"] == 1.5
    # deleting it twice is not an error a retrying phone must handle: the id is gone
    assert alice.call("DELETE", f"/api/v1/me/doses/{dose['id']}").status_code == 404
    export = alice.call("GET", "/api/v1/me/export").json_body
    assert [(r["dose_id"], r["deleted"]) for r in export["dose_revisions"]] == [(dose["id"], True)]


def test_another_device_learns_of_the_deletion_from_the_changes_feed(cast):
    alice = cast.client("alice")
    dose = log(alice, 15)
    cursor = alice.call("GET", "/api/v1/me/changes").json_body["cursor"]
    alice.call("DELETE", f"/api/v1/me/doses/{dose['id']}")
    page = alice.call("GET", f"/api/v1/me/changes?since={cursor}").json_body
    assert page["deleted_dose_logs"] == [{"id": dose["id"], "date": "2026-11-21"}]
    assert page["dose_logs"] == []
    assert alice.call("GET", f"/api/v1/me/changes?since={page['cursor']}").json_body["deleted_dose_logs"] == []


@pytest.mark.parametrize("who", ["dora", "bob", "charlie"])
def test_nobody_else_deletes_or_reads_the_revisions_of_a_dose(cast, who):
    dose = log(cast.client("alice"), 15)
    other = cast.client(who)
    assert other.call("DELETE", f"/api/v1/me/doses/{dose['id']}").status_code in (403, 404)
    assert other.call("GET", f"/api/v1/me/doses/{dose['id']}/revisions").status_code in (403, 404)
    assert DoseLog.objects.filter(public_id=dose["id"]).exists()


def test_a_malformed_id_is_a_400_naming_it(cast):
    reply = cast.client("alice").call("DELETE", "/api/v1/me/doses/not-a-uuid")
    assert reply.status_code == 400
    assert list(reply.json_body["errors"]) == ["dose_id"]

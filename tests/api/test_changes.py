"""`changes?since=`: a device that was offline learns everything it missed, once."""

from __future__ import annotations

import uuid

import pytest

from diary.models import DiaryEntry, Patient

pytestmark = pytest.mark.usefixtures("frozen")


def test_changes_feed_follows_writes(cast):
    api = cast.client("alice")
    start = api.call("GET", "/api/v1/me/changes").json_body
    assert (start["entries"], start["dose_logs"], start["has_more"]) == ([], [], False)

    api.call("PUT", "/api/v1/me/entries/2026-11-19", {"pain_score": 3, "headache": 0})
    api.call("PUT", "/api/v1/me/entries/2026-11-20", {"pain_score": 4, "headache": 1})
    api.call(
        "POST", "/api/v1/me/doses", {"client_id": str(uuid.uuid4()), "date": "2026-11-20", "taken": True, "mg": 1.5}
    )
    first = api.call("GET", f"/api/v1/me/changes?since={start['cursor']}").json_body
    assert [e["date"] for e in first["entries"]] == ["2026-11-19", "2026-11-20"]
    assert [d["date"] for d in first["dose_logs"]] == ["2026-11-20"]

    # nothing new: nothing returned
    assert api.call("GET", f"/api/v1/me/changes?since={first['cursor']}").json_body["entries"] == []
    # an unchanged repeat is not a change
    api.call("PUT", "/api/v1/me/entries/2026-11-19", {"pain_score": 3, "headache": 0})
    assert api.call("GET", f"/api/v1/me/changes?since={first['cursor']}").json_body["entries"] == []
    # an edit on another device is
    api.call("PUT", "/api/v1/me/entries/2026-11-19", {"pain_score": 5, "headache": 0})
    later = api.call("GET", f"/api/v1/me/changes?since={first['cursor']}").json_body
    assert [(e["date"], e["pain_score"], e["version"]) for e in later["entries"]] == [("2026-11-19", 5, 2)]


def test_changes_are_paged(cast, monkeypatch):
    from diary import selectors

    api = cast.client("alice")
    for day in range(1, 8):
        api.call("PUT", f"/api/v1/me/entries/2026-11-{day:02d}", {"pain_score": day, "headache": 0})
    original = selectors.changes_since
    monkeypatch.setattr(selectors, "changes_since", lambda p, s: original(p, s, limit=3))
    seen, cursor = [], "0"
    for _ in range(5):
        page = api.call("GET", f"/api/v1/me/changes?since={cursor}").json_body
        seen += [e["date"] for e in page["entries"]]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert seen == [f"2026-11-{d:02d}" for d in range(1, 8)]


@pytest.mark.parametrize("since", ["yesterday", "%C2%B2", "%D9%A3"])  # also "²" and "٣": digits to isdigit()
def test_bad_cursor(cast, since):
    response = cast.client("alice").call("GET", f"/api/v1/me/changes?since={since}")
    assert response.status_code == 400
    assert "since" in response.json_body["errors"]


def test_stale_mark_is_set_in_the_same_write(cast):
    cast.alice.refresh_from_db()
    assert cast.alice.insights_stale_since is None
    cast.client("alice").call("PUT", "/api/v1/me/entries/2026-11-20", {"pain_score": 4, "headache": 1})
    cast.alice.refresh_from_db()
    assert cast.alice.insights_stale_since is not None


def test_an_identical_replay_takes_no_change_number_and_marks_nothing(cast):
    api = cast.client("alice")
    body = {"pain_score": 4, "headache": 1, "side_effects": [{"kind": "nausea", "severity": 1}]}
    assert api.call("PUT", "/api/v1/me/entries/2026-11-20", body).status_code == 201
    Patient.objects.filter(pk=cast.alice.pk).update(insights_stale_since=None)
    seq = Patient.objects.get(pk=cast.alice.pk).change_seq
    assert api.call("PUT", "/api/v1/me/entries/2026-11-20", body).status_code == 200
    alice = Patient.objects.get(pk=cast.alice.pk)
    assert (alice.change_seq, alice.insights_stale_since) == (seq, None)
    assert api.call("PUT", "/api/v1/me/entries/2026-11-20", {**body, "pain_score": 5}).status_code == 200
    alice = Patient.objects.get(pk=cast.alice.pk)
    assert alice.change_seq == seq + 1  # no gap left by the replay
    assert alice.insights_stale_since is not None
    assert DiaryEntry.objects.get(patient=alice).seq == seq + 1

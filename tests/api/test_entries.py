"""Diary days over the API: upsert by date, If-Match, revisions, bad input (CLINICAL.md §1–§2)."""

from __future__ import annotations

from datetime import date

import pytest

from diary.models import AcuteMedication, DiaryEntry, EntryRevision, SideEffect
from diary.models.entries import MEDICINES_PER_DAY_MAX, SIDE_EFFECTS_PER_DAY_MAX
from diary.services.entries import entry_snapshot

URL = "/api/v1/me/entries/2026-11-20"
FULL = {
    "pain_score": 6,
    "headache": 2,
    "migraine": True,
    "sleep_quality": 5,
    "headache_hours": 4.5,
    "one_sided": True,
    "pulsating": True,
    "worse_with_activity": False,
    "nausea_vomiting": True,
    "light_sensitivity": True,
    "sound_sensitivity": True,
    "aura_minutes": 20,
    "note": "Bad night, storm coming.",
    "client_id": "8f0b6f5e-2a3c-4f7a-9d47-0c6f5ad8e0a1",
    "side_effects": [{"kind": "vivid_dreams", "severity": 2, "limited_activities": False}],
    "acute_medications": [{"med_class": "triptan", "name": "sumatriptan"}],
}

pytestmark = pytest.mark.usefixtures("frozen")


def test_put_creates_then_replaces_and_keeps_the_old_version(cast):
    api = cast.client("alice")
    created = api.call("PUT", URL, FULL)
    assert created.status_code == 201, created.json_body
    assert created["ETag"] == '"1"'
    body = created.json_body
    assert body["version"] == 1
    assert body["late"] is False
    assert body["headache_hours"] == 4.5
    assert body["acute_medications"] == [
        # migraine patient: for_headache defaults to yes; a triptan contains no opioid
        {"med_class": "triptan", "name": "sumatriptan", "for_headache": True, "contains_opioid": False}
    ]

    replaced = api.call("PUT", URL, {"pain_score": 2, "headache": 0}, HTTP_IF_MATCH='"1"')
    assert replaced.status_code == 200
    assert replaced.json_body["version"] == 2
    assert replaced.json_body["side_effects"] == []
    assert replaced.json_body["note"] == ""

    revisions = api.call("GET", URL + "/revisions").json_body
    assert [r["version"] for r in revisions] == [1]
    old = revisions[0]["snapshot"]
    assert old["pain_score"] == 6
    assert old["note"] == "Bad night, storm coming."
    assert old["side_effects"] == [
        {"kind": "vivid_dreams", "severity": 2, "limited_activities": False, "other_text": ""}
    ]
    assert old["acute_medications"][0]["name"] == "sumatriptan"


def test_repeating_the_same_put_changes_nothing(cast):
    api = cast.client("alice")
    api.call("PUT", URL, FULL)
    again = api.call("PUT", URL, FULL)
    # even a replay carrying the old If-Match is fine when the content is the same
    replay = api.call("PUT", URL, FULL, HTTP_IF_MATCH='"1"')
    assert (again.status_code, replay.status_code) == (200, 200)
    assert replay.json_body["version"] == 1
    assert EntryRevision.objects.count() == 0


def test_stale_if_match_gets_412_with_the_current_entry_and_changes_nothing(cast):
    api = cast.client("alice")
    api.call("PUT", URL, FULL)
    api.call("PUT", URL, {**FULL, "pain_score": 7}, HTTP_IF_MATCH='"1"')  # another device: v2
    entry = DiaryEntry.objects.get()
    before = entry_snapshot(entry)

    stale = api.call("PUT", URL, {**FULL, "pain_score": 1}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json_body["current"]["pain_score"] == 7
    assert stale.json_body["current"]["version"] == 2
    entry.refresh_from_db()
    assert entry_snapshot(entry) == before


def test_if_match_on_a_day_that_does_not_exist_is_412(cast):
    response = cast.client("alice").call("PUT", URL, FULL, HTTP_IF_MATCH='"3"')
    assert response.status_code == 412
    assert response.json_body["current"] is None
    assert not DiaryEntry.objects.exists()


def test_without_if_match_the_newer_write_wins_and_the_older_is_kept(cast):
    api = cast.client("alice")
    api.call("PUT", URL, FULL)
    api.call("PUT", URL, {**FULL, "pain_score": 1})
    assert DiaryEntry.objects.get().pain_score == 1
    assert EntryRevision.objects.get().snapshot["pain_score"] == 6


def test_late_entries_are_marked(cast):
    api = cast.client("alice")
    assert api.call("PUT", "/api/v1/me/entries/2026-11-19", FULL).json_body["late"] is False  # 2 days: on time
    assert api.call("PUT", "/api/v1/me/entries/2026-11-18", FULL).json_body["late"] is True  # 3 days: late


def test_opioid_defaults(cast):
    body = {
        **FULL,
        "acute_medications": [
            {"med_class": "opioid", "name": "tramadol"},
            {"med_class": "combination_analgesic", "name": "Co-codamol (codeine/paracetamol)"},
            {"med_class": "combination_analgesic", "name": "Excedrin"},
            {"med_class": "combination_analgesic", "name": "Co-codamol 30/500"},
        ],
    }
    meds = cast.client("alice").call("PUT", URL, body).json_body["acute_medications"]
    assert {m["name"]: m["contains_opioid"] for m in meds} == {
        "tramadol": True,
        "Co-codamol (codeine/paracetamol)": True,
        "Excedrin": False,
        "Co-codamol 30/500": True,
    }


def test_for_headache_defaults_to_no_for_pain_conditions(cast):
    cast.alice.primary_condition = "fibromyalgia"
    cast.alice.save()
    body = {**FULL, "acute_medications": [{"med_class": "non_opioid_analgesic", "name": "ibuprofen"}]}
    meds = cast.client("alice").call("PUT", URL, body).json_body["acute_medications"]
    assert meds[0]["for_headache"] is False


def test_range_query(cast):
    api = cast.client("alice")
    for day in ("2026-11-01", "2026-11-10", "2026-11-20"):
        api.call("PUT", f"/api/v1/me/entries/{day}", FULL)
    listed = api.call("GET", "/api/v1/me/entries?from=2026-11-05&to=2026-11-20").json_body
    assert [e["date"] for e in listed["results"]] == ["2026-11-10", "2026-11-20"]
    default = api.call("GET", "/api/v1/me/entries").json_body  # the last 28 days
    assert [e["date"] for e in default["results"]] == ["2026-11-01", "2026-11-10", "2026-11-20"]
    too_long = api.call("GET", "/api/v1/me/entries?from=2025-01-01&to=2026-11-20")
    assert too_long.status_code == 400
    assert "to" in too_long.json_body["errors"]


# --- bad input: each is a 400 naming the field, and nothing stored changes --------------

BAD_INPUT = [
    ("pain 11", URL, {**FULL, "pain_score": 11}, "pain_score"),
    ("pain -1", URL, {**FULL, "pain_score": -1}, "pain_score"),
    ("pain missing", URL, {"headache": 0}, "pain_score"),
    ("pain as text", URL, {**FULL, "pain_score": "high"}, "pain_score"),
    ("headache 4", URL, {**FULL, "headache": 4}, "headache"),
    ("sleep 12", URL, {**FULL, "sleep_quality": 12}, "sleep_quality"),
    ("hours 25", URL, {**FULL, "headache_hours": 25}, "headache_hours"),
    ("future date", "/api/v1/me/entries/2026-11-22", FULL, "date"),
    ("366 days back", "/api/v1/me/entries/2025-11-20", FULL, "date"),
    ("not a date", "/api/v1/me/entries/2026-02-30", FULL, "date"),
    (
        "unknown side effect",
        URL,
        {**FULL, "side_effects": [{"kind": "telepathy", "severity": 1}]},
        "side_effects.0.kind",
    ),
    ("severity 0", URL, {**FULL, "side_effects": [{"kind": "nausea", "severity": 0}]}, "side_effects.0.severity"),
    ("severity 4", URL, {**FULL, "side_effects": [{"kind": "nausea", "severity": 4}]}, "side_effects.0.severity"),
    (
        "side effect twice",
        URL,
        {**FULL, "side_effects": [{"kind": "nausea", "severity": 1}, {"kind": "nausea", "severity": 2}]},
        "side_effects.1.kind",
    ),
    (
        "other without text",
        URL,
        {**FULL, "side_effects": [{"kind": "other", "severity": 1}]},
        "side_effects.0.other_text",
    ),
    ("unknown medicine", URL, {**FULL, "acute_medications": [{"med_class": "magic"}]}, "acute_medications.0.med_class"),
    (
        "opioid without opioid",
        URL,
        {**FULL, "acute_medications": [{"med_class": "opioid", "contains_opioid": False}]},
        "acute_medications.0.contains_opioid",
    ),
    (
        "21 medicines in a day",
        URL,
        {**FULL, "acute_medications": [{"med_class": "triptan"}] * (MEDICINES_PER_DAY_MAX + 1)},
        "acute_medications",
    ),
    (
        "more side effects than kinds",
        URL,
        {**FULL, "side_effects": [{"kind": "nausea", "severity": 1}] * (SIDE_EFFECTS_PER_DAY_MAX + 1)},
        "side_effects",
    ),
    ("malformed client_id", URL, {**FULL, "client_id": "not-a-uuid"}, "client_id"),
    ("note over 2000", URL, {**FULL, "note": "x" * 2001}, "note"),
    ("unknown field", URL, {**FULL, "pain": 3}, "pain"),
    ("body not JSON", URL, "pain=3&headache=0", "body"),
    ("JSON array", URL, [1, 2], "body"),
]


@pytest.mark.parametrize(("case", "url", "body", "field"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(cast, case, url, body, field):
    api = cast.client("alice")
    stored = api.call("PUT", URL, FULL)
    assert stored.status_code == 201
    before = entry_snapshot(DiaryEntry.objects.get())
    counts = (DiaryEntry.objects.count(), SideEffect.objects.count(), AcuteMedication.objects.count())

    response = api.call("PUT", url, body, HTTP_IF_MATCH='"1"')

    assert response.status_code == 400, response.json_body
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json_body
    assert problem["title"] == "Invalid input"
    assert any(key.endswith(field) for key in problem["errors"]), problem
    assert field in problem["detail"]
    assert (DiaryEntry.objects.count(), SideEffect.objects.count(), AcuteMedication.objects.count()) == counts
    assert entry_snapshot(DiaryEntry.objects.get(date=date(2026, 11, 20))) == before


def test_60000_medicines_are_refused_before_anything_is_parsed(cast):
    body = {**FULL, "acute_medications": [{"med_class": "triptan"}] * 60_000}
    response = cast.client("alice").call("PUT", URL, body)
    assert response.status_code == 413
    assert list(response.json_body["errors"]) == ["body"]
    assert not DiaryEntry.objects.exists()


def test_non_json_content_type_is_a_400(cast):
    response = cast.client("alice").call("PUT", URL, "pain=3", content_type="text/plain")
    assert response.status_code == 400
    assert "body" in response.json_body["errors"]
    assert not DiaryEntry.objects.exists()


def test_bad_if_match_header(cast):
    response = cast.client("alice").call("PUT", URL, FULL, HTTP_IF_MATCH="yesterday")
    assert response.status_code == 400
    assert "If-Match" in response.json_body["errors"]


def test_changing_only_the_core_keeps_the_children(cast):
    api = cast.client("alice")
    api.call("PUT", URL, FULL)
    before = list(SideEffect.objects.values_list("pk", flat=True))
    changed = api.call("PUT", URL, {**FULL, "pain_score": 9})
    assert changed.json_body["side_effects"] == [
        {"kind": "vivid_dreams", "severity": 2, "limited_activities": False, "other_text": ""}
    ]
    assert list(SideEffect.objects.values_list("pk", flat=True)) == before  # not rewritten
    assert EntryRevision.objects.get().snapshot["side_effects"][0]["kind"] == "vivid_dreams"

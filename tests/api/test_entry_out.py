"""EntryOut builds its output by hand (it is on every diary save): it must give exactly
what its declared fields give, for a day written over the API and for one read back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from api.serializers.entries import EntryOut
from diary.models import DiaryEntry
from tests.api.test_entries import FULL as ENTRIES_FULL

pytestmark = pytest.mark.usefixtures("frozen")

FULL = {
    **ENTRIES_FULL,
    "pulsating": False,
    "worse_with_activity": None,
    "side_effects": [
        {"kind": "vivid_dreams", "severity": 2, "limited_activities": True},
        {"kind": "other", "severity": 1, "other_text": "itchy"},
    ],
    "acute_medications": [{"med_class": "triptan", "name": "sumatriptan"}, {"med_class": "opioid"}],
}
MINIMAL = {"pain_score": 0, "headache": 0}


def by_fields(entry: DiaryEntry) -> Any:
    """DRF's own way: every declared field's to_representation."""
    return serializers.Serializer.to_representation(EntryOut(), entry)


def rendered(data: Any) -> Any:
    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize("body", [FULL, MINIMAL], ids=["full", "minimal"])
def test_entry_out_gives_what_its_fields_give(cast, body):
    api = cast.client("alice")
    response = api.call("PUT", "/api/v1/me/entries/2026-11-20", body)
    assert response.status_code == 201, response.json_body
    stored = DiaryEntry.objects.prefetch_related("side_effects", "acute_medications").get(patient=cast.alice)
    fast = EntryOut(stored).data
    assert fast == by_fields(stored)
    assert rendered(fast) == rendered(by_fields(stored)) == response.json_body
    assert list(fast) == list(EntryOut().fields)
    assert len(fast["side_effects"]) == len(body.get("side_effects", []))

    changed = api.call("PUT", "/api/v1/me/entries/2026-11-20", {**body, "pain_score": 7})
    assert changed.status_code == 200, changed.json_body
    stored = DiaryEntry.objects.prefetch_related("side_effects", "acute_medications").get(patient=cast.alice)
    assert rendered(EntryOut(stored).data) == rendered(by_fields(stored)) == changed.json_body
    replay = api.call("PUT", "/api/v1/me/entries/2026-11-20", {**body, "pain_score": 7})
    assert (replay.status_code, replay.json_body) == (200, changed.json_body)
    listed = api.call("GET", "/api/v1/me/entries?from=2026-11-20&to=2026-11-20")
    assert listed.json_body["results"] == [changed.json_body]

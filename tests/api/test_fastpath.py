"""api/fastpath.py, the API side of the fence: EntryIn's fields built once per class and
EntryOut's answer written directly give what DRF's own way gives, and the switch
(settings.FASTPATH) turns both off."""

from __future__ import annotations

from typing import Any

import pytest

from api.serializers.entries import EntryIn, EntryOut
from diary.models import DiaryEntry
from diary.models.entries import MEDICINES_PER_DAY_MAX, NOTE_MAX_LENGTH, SIDE_EFFECTS_PER_DAY_MAX
from tests.api.test_entry_out import FULL

BODIES: dict[str, Any] = {
    "full": FULL,
    "minimal": {"pain_score": 0, "headache": 0},
    "nulls": {**FULL, "migraine": None, "sleep_quality": None, "headache_hours": None, "client_id": None},
    "unknown field": {**FULL, "pain": 3},
    "out of range": {**FULL, "pain_score": 11, "headache": -1, "headache_hours": "24.01", "aura_minutes": 1441},
    "wrong types": {**FULL, "migraine": "perhaps", "sleep_quality": "good", "client_id": "not-a-uuid"},
    "missing": {"headache": 1},
    "note too long": {**FULL, "note": "x" * (NOTE_MAX_LENGTH + 1)},
    "nested errors": {
        **FULL,
        "side_effects": [{"kind": "vivid_dreams", "severity": 4}, {"kind": "hiccups", "severity": 1, "colour": "red"}],
        "acute_medications": [{"med_class": "triptan", "name": 7}, {}],
    },
    "too many": {
        **FULL,
        "side_effects": [{"kind": "nausea", "severity": 1}] * (SIDE_EFFECTS_PER_DAY_MAX + 1),
        "acute_medications": [{"med_class": "triptan"}] * (MEDICINES_PER_DAY_MAX + 1),
    },
    "not lists": {**FULL, "side_effects": {"kind": "nausea"}, "acute_medications": "triptan"},
    "not an object": [FULL],
}


def validated(body: Any) -> tuple[bool, Any, Any]:
    serializer = EntryIn(data=body)
    valid = serializer.is_valid()
    return valid, serializer.errors, dict(serializer.validated_data) if valid else None


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_entry_in_validates_and_refuses_the_same_both_ways(settings, body):
    settings.FASTPATH = False
    by_drf = [validated(body), validated(body)]
    settings.FASTPATH = True
    built_once = [validated(body), validated(body)]  # the shared fields keep nothing between uses
    assert built_once == by_drf
    assert by_drf[0][0] == (body is BODIES["full"] or body is BODIES["minimal"] or body is BODIES["nulls"])


def test_entry_in_builds_its_fields_once_only_with_the_fast_paths_on(fastpath):
    first, second = EntryIn(data=FULL), EntryIn(data=FULL)
    assert (first.fields is second.fields) is fastpath
    assert first.fields is first.fields  # one instance: one set of fields either way


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_entry_out_writes_the_day_itself_only_with_the_fast_paths_on(cast, fastpath):
    response = cast.client("alice").call("PUT", "/api/v1/me/entries/2026-11-20", FULL)
    assert response.status_code == 201, response.json_body
    stored = DiaryEntry.objects.prefetch_related("side_effects", "acute_medications").get(patient=cast.alice)
    out = EntryOut(stored)
    assert out.data == response.json_body
    assert ("fields" in out.__dict__) is not fastpath  # DRF's way binds a copy of the fields to the instance

"""entry_record's bounds hold for any caller, not only the API's serializer."""

from __future__ import annotations

from datetime import date

import pytest

from diary.choices import SideEffectKind
from diary.models import AcuteMedication, DiaryEntry, SideEffect
from diary.models.entries import MEDICINES_PER_DAY_MAX, SIDE_EFFECTS_PER_DAY_MAX
from diary.services.entries import entry_record
from diary.services.errors import InvalidInput
from diary.services.inputs import EntryData
from tests.factories import PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

DAY = date(2026, 11, 20)


def test_a_day_lists_at_most_the_bounded_number_of_medicines_and_side_effects():
    patient = PatientFactory.create()
    at_limit: EntryData = {
        "pain_score": 3,
        "headache": 1,
        "acute_medications": [{"med_class": "triptan", "name": f"m{i}"} for i in range(MEDICINES_PER_DAY_MAX)],
        "side_effects": [{"kind": kind, "severity": 1, "other_text": "x"} for kind in SideEffectKind.values],
    }
    assert len(at_limit.get("side_effects", [])) == SIDE_EFFECTS_PER_DAY_MAX
    entry_record(patient=patient, day=DAY, data=at_limit, actor=None)
    assert AcuteMedication.objects.count() == MEDICINES_PER_DAY_MAX

    too_many: EntryData = {**at_limit, "acute_medications": at_limit.get("acute_medications", []) * 2}
    with pytest.raises(InvalidInput) as raised:
        entry_record(patient=patient, day=DAY, data=too_many, actor=None)
    assert list(raised.value.errors) == ["acute_medications"]

    twice: EntryData = {**at_limit, "side_effects": at_limit.get("side_effects", []) * 2}
    with pytest.raises(InvalidInput) as raised:
        entry_record(patient=patient, day=DAY, data=twice, actor=None)
    assert list(raised.value.errors) == ["side_effects"]
    assert (DiaryEntry.objects.get().version, SideEffect.objects.count()) == (1, SIDE_EFFECTS_PER_DAY_MAX)

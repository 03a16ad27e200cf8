"""Each input serializer gives what its service's typed input says (`service_input` in
api/serializers/common.py casts one to the other): the same keys, and every key the TypedDict
requires is one the serializer always gives (a required field, or one with a default)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import serializers
from rest_framework.fields import empty

from api.serializers.dosing import BaselineIn, DoseLogIn, DoseLogPatch, PlanIn, StepIn
from api.serializers.entries import AcuteMedicationIn, EntryIn, SideEffectIn
from api.serializers.people import ProfileIn
from api.serializers.reminders import ReminderIn
from diary.services import inputs

PAIRS: list[tuple[type[serializers.Serializer], Any]] = [
    (EntryIn, inputs.EntryData),
    (SideEffectIn, inputs.SideEffectData),
    (AcuteMedicationIn, inputs.MedicineData),
    (DoseLogIn, inputs.DoseLogData),
    (DoseLogPatch, inputs.DoseLogChange),
    (StepIn, inputs.StepData),
    (PlanIn, inputs.PlanData),
    (BaselineIn, inputs.BaselineData),
    (ProfileIn, inputs.ProfileChange),
    (ReminderIn, inputs.ReminderChange),
]


@pytest.mark.parametrize(("serializer", "typed"), PAIRS, ids=[s.__name__ for s, _ in PAIRS])
def test_the_serializer_gives_the_services_typed_input(serializer, typed):
    fields = serializer().fields
    assert set(fields) == set(typed.__annotations__)
    always_given = {name for name, field in fields.items() if field.required or field.default is not empty}
    assert set(typed.__required_keys__) <= always_given

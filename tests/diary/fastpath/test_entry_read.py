"""The diary save's read of the stored day (diary/fastpath/entry_read.py): the one-statement
read and the ORM's give the same entry with the same children, and with the fast paths off
the ORM's statements are what is sent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from diary.fastpath.entry_read import stored_entry
from diary.models import DiaryEntry
from diary.services.entries import entry_record, entry_snapshot
from diary.services.inputs import EntryData
from tests.factories import PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

DAY = date(2026, 11, 20)
FULL: EntryData = {
    "pain_score": 6,
    "headache": 2,
    "headache_hours": Decimal("3.5"),
    "note": "rain",
    "side_effects": [{"kind": "nausea", "severity": 2}, {"kind": "other", "severity": 1, "other_text": "itch"}],
    "acute_medications": [{"med_class": "triptan", "name": "Sumatriptan"}],
}


def read(patient_id: int, day: date) -> tuple[dict[str, Any] | None, list[str]]:
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        entry = stored_entry(patient_id, day)
        snapshot = entry_snapshot(entry) if entry is not None else None
    return snapshot, [q["sql"] for q in captured.captured_queries]


def test_the_same_day_is_read_both_ways(settings):
    patient = PatientFactory.create()
    entry_record(patient=patient, day=DAY, data=FULL, actor=None)
    settings.FASTPATH = True
    fast, _ = read(patient.pk, DAY)
    settings.FASTPATH = False
    public, public_sql = read(patient.pk, DAY)
    assert fast == public
    assert fast is not None
    assert len(fast["side_effects"]) == 2
    assert not any("json_agg" in sql for sql in public_sql)  # the ORM's statements, not ours
    settings.FASTPATH = True
    assert read(patient.pk, date(2026, 11, 19))[0] is None
    settings.FASTPATH = False
    assert read(patient.pk, date(2026, 11, 19))[0] is None


def test_a_save_answers_the_same_both_ways(fastpath):
    """What entry_record hands back (children included) is what is stored, after a create,
    a change of the children and a change of the day alone."""
    patient = PatientFactory.create()
    steps: list[EntryData] = [
        FULL,
        {**FULL, "side_effects": FULL["side_effects"][:1], "acute_medications": []},
        {**FULL, "side_effects": FULL["side_effects"][:1], "acute_medications": [], "pain_score": 2},
    ]
    for data in steps:
        entry = entry_record(patient=patient, day=DAY, data=data, actor=None).entry
        handed = entry_snapshot(entry)
        stored = entry_snapshot(DiaryEntry.objects.get(pk=entry.pk))
        assert handed == stored

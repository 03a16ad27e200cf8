"""Diary data for the browser tests, written through the real services."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from diary.models import Patient
from diary.services.dosing import dose_log_record
from diary.services.entries import entry_record
from diary.services.inputs import DoseLogData, EntryData, SideEffectData
from diary.services.insights import insights_sweep
from tests.e2e.conftest import diary_day


def insight_with_data(patient: Patient) -> None:
    """Three weeks of days (vivid dreams in the last four), a week of bedtime doses, then
    a real insight computed by the sweep: its suggestion is to take the dose in the morning."""
    today = diary_day(patient)
    for back in range(20, -1, -1):
        day = today - timedelta(days=back)
        side_effects: list[SideEffectData] = (
            [{"kind": "vivid_dreams", "severity": 1, "limited_activities": False, "other_text": ""}] if back < 4 else []
        )
        data: EntryData = {
            "pain_score": 3 + back % 3,
            "headache": 1 if back % 4 == 0 else 0,
            "sleep_quality": 6,
            "side_effects": side_effects,
        }
        entry_record(patient=patient, day=day, data=data, actor=patient.user)
        if back < 8:
            dose: DoseLogData = {
                "client_id": uuid.uuid4(),
                "date": day,
                "taken": True,
                "mg": Decimal("1.5"),
                "time_of_day": "bedtime",
            }
            dose_log_record(patient=patient, data=dose)
    assert insights_sweep().stored == 1

"""No typed value is ever lost: database triggers record every write, whatever the path."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from diary.models import AuditEvent, DiaryEntry, PatientInsight, SideEffect
from diary.services.audit import audit_record
from diary.services.entries import entry_record
from diary.services.inputs import EntryData
from diary.services.insights import insights_sweep
from tests.factories import PatientFactory

DAY = date(2026, 11, 20)


@pytest.fixture
def patient(db):
    return PatientFactory.create()


def history(model):
    return model.pgh_event_model.objects.order_by("pgh_id")


@pytest.mark.postgres_only("history_triggers")
def test_bulk_update_and_raw_sql_are_recorded(patient):
    entry_record(patient=patient, day=DAY, data={"pain_score": 3, "headache": 0}, actor=None)
    DiaryEntry.objects.filter(patient=patient).update(pain_score=8)  # bypasses the service
    with connection.cursor() as cursor:
        cursor.execute("UPDATE diary_diaryentry SET pain_score = 9 WHERE patient_id = %s", [patient.pk])
    DiaryEntry.objects.filter(patient=patient).delete()

    events = [(e.pgh_label, e.pain_score) for e in history(DiaryEntry)]
    assert events == [("insert", 3), ("update", 8), ("update", 9), ("delete", 9)]


@pytest.mark.postgres_only("history_triggers")
def test_replaced_side_effects_stay_in_history(patient):
    day: EntryData = {"pain_score": 3, "headache": 0, "side_effects": [{"kind": "vivid_dreams", "severity": 3}]}
    entry_record(patient=patient, day=DAY, data=day, actor=None)
    entry_record(patient=patient, day=DAY, data={"pain_score": 3, "headache": 0}, actor=None)
    assert not SideEffect.objects.exists()
    assert [(e.pgh_label, e.kind, e.severity) for e in history(SideEffect)] == [
        ("insert", "vivid_dreams", 3),
        ("delete", "vivid_dreams", 3),
    ]


@pytest.mark.postgres_only("history_triggers")
def test_bookkeeping_columns_do_not_flood_patient_history(patient):
    for pain in range(5):
        entry_record(patient=patient, day=DAY, data={"pain_score": pain, "headache": 0}, actor=None)
    assert [e.pgh_label for e in history(type(patient))] == ["insert"]


@pytest.mark.postgres_only("history_triggers")
def test_recomputing_insights_writes_nothing_into_patient_history(patient):
    entry_record(patient=patient, day=DAY, data={"pain_score": 3, "headache": 0}, actor=None)
    assert insights_sweep().stored == 1  # claims the patient, analyses, stores, clears the claim
    assert PatientInsight.objects.filter(patient=patient).exists()
    assert [e.pgh_label for e in history(type(patient))] == ["insert"]


@pytest.mark.postgres_only("history_triggers")
def test_audit_events_are_append_only(patient):
    event = audit_record(actor=patient.user, action="entries.list", patient=patient)
    for statement in ("UPDATE diary_auditevent SET action = 'x'", "DELETE FROM diary_auditevent"):
        with (
            pytest.raises(ProgrammingError, match="Cannot update or delete"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AuditEvent.objects.get().action == event.action

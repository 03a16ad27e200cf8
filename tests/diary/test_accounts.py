"""diary.services.accounts: deleting a patient and their history (service level)."""

from __future__ import annotations

from datetime import date

import pytest

from diary.models import AuditEvent, DiaryEntry, Patient, SideEffect, User
from diary.services.accounts import history_of, patient_account_delete
from diary.services.entries import entry_record
from diary.services.errors import InvalidInput
from diary.services.inputs import EntryData
from tests.factories import PASSWORD, PatientFactory

DAY = date(2026, 11, 20)
BODY: EntryData = {"pain_score": 3, "headache": 1, "side_effects": [{"kind": "nausea", "severity": 2}]}


@pytest.fixture
def patient(db):
    return PatientFactory.create(user__email="pat@example.org")


def test_wrong_password_raises_and_keeps_everything(patient):
    entry_record(patient=patient, day=DAY, data=BODY, actor=None)
    with pytest.raises(InvalidInput) as raised:
        patient_account_delete(user=patient.user, password="guess", confirmation="pat@example.org")
    assert list(raised.value.errors) == ["password"]
    assert DiaryEntry.objects.filter(patient=patient).count() == 1
    assert not AuditEvent.objects.filter(action="me.account_delete").exists()


@pytest.mark.postgres_only("history_triggers")
def test_history_of_rows_deleted_long_ago_goes_too(patient):
    """An entry removed earlier (admin, raw SQL) left its history: that is the patient's too."""
    entry_record(patient=patient, day=DAY, data=BODY, actor=None)
    old = DiaryEntry.objects.get(patient=patient)
    old_id = old.pk
    old.delete()
    entry_record(patient=patient, day=DAY, data={**BODY, "pain_score": 5}, actor=None)
    other = PatientFactory.create()
    entry_record(patient=other, day=DAY, data=BODY, actor=None)
    assert history_of(SideEffect).objects.filter(entry_id=old_id).exists()

    patient_account_delete(user=patient.user, password=PASSWORD, confirmation="PAT@example.org")

    assert not history_of(SideEffect).objects.filter(entry_id=old_id).exists()
    assert not history_of(DiaryEntry).objects.filter(patient_id=patient.pk).exists()
    assert not history_of(Patient).objects.filter(pgh_obj_id=patient.pk).exists()
    assert not User.objects.filter(email="pat@example.org").exists()
    # the other patient's history is untouched
    assert history_of(DiaryEntry).objects.filter(patient_id=other.pk).count() == 1
    other_entries = DiaryEntry.objects.filter(patient=other).values("pk")
    assert history_of(SideEffect).objects.filter(entry_id__in=other_entries).count() == 1

"""The patient's change number (diary/fastpath/patient_change.py): the one `UPDATE …
RETURNING` and the ORM's update-then-read give the same numbers and stale marks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from diary.fastpath.patient_change import patient_change_take
from diary.models import Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_numbers_and_stale_marks_are_the_same_both_ways(fastpath):
    patient = PatientFactory.create(change_seq=7)
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        first = patient_change_take(patient.pk, NOW)
        second = patient_change_take(patient.pk, NOW + timedelta(minutes=5))
    assert (first, second) == (8, 9)
    stored = Patient.objects.values_list("change_seq", "insights_stale_since").get(pk=patient.pk)
    assert stored == (9, NOW)  # the first mark stays
    assert patient_change_take(10**9, NOW) is None
    hand_built = [q["sql"] for q in captured.captured_queries if "RETURNING" in q["sql"]]
    assert len(hand_built) == (2 if fastpath else 0)

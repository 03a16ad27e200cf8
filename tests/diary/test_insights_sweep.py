"""The sweep keeps going when one patient's analysis fails (diary/services/insights.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from diary.analysis.history import PatientHistory
from diary.models import Patient, PatientInsight
from diary.services import insights as service
from tests.diary.test_insights_jobs import record, today_of
from tests.factories import PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def broken_for_fibromyalgia(monkeypatch: pytest.MonkeyPatch) -> None:
    """The analysis has a bug that only one patient's data reaches."""
    analyse = service.analyse

    def analyse_or_fail(history: PatientHistory) -> Any:
        if history.condition == "fibromyalgia":
            raise ZeroDivisionError("a bug in the rules")
        return analyse(history)

    monkeypatch.setattr(service, "analyse", analyse_or_fail)


def stale(*patients: Patient) -> list[bool]:
    return [Patient.objects.get(pk=p.pk).insights_stale_since is not None for p in patients]


def test_one_failing_analysis_does_not_fail_the_batch_and_is_retried_later(broken_for_fibromyalgia, frozen, caplog):
    before = PatientFactory.create_batch(2)
    failing = PatientFactory.create(primary_condition="fibromyalgia")
    after = PatientFactory.create_batch(2)
    everyone = [*before, failing, *after]
    for patient in everyone:
        record(patient, today_of(patient))

    result = service.insights_sweep()

    assert (result.stored, result.more) == (4, False)
    assert set(PatientInsight.objects.values_list("patient", flat=True)) == {p.pk for p in [*before, *after]}
    assert stale(*everyone) == [False, False, True, False, False]
    failing.refresh_from_db()
    assert failing.insights_claimed_at is None  # not held for the claim lease
    assert failing.insights_failures == 1
    assert f"analysis of patient {failing.pk} failed" in caplog.text

    # the others' next writes are recomputed at once; the failing one waits its turn
    for patient in before:
        record(patient, today_of(patient), {"pain_score": 7, "headache": 2})
    assert service.insights_sweep().stored == 2
    assert stale(*everyone) == [False, False, True, False, False]

    frozen.shift(service.FAILURE_BACKOFF + timedelta(seconds=1))
    assert [c.patient_id for c in service.stale_claim()] == [failing.pk]


def test_retries_back_off_and_a_success_clears_the_count(broken_for_fibromyalgia, frozen):
    patient = PatientFactory.create(primary_condition="fibromyalgia")
    record(patient, today_of(patient))
    waits = []
    for _ in range(8):
        frozen.shift(service.FAILURE_BACKOFF_MAX)
        service.insights_sweep()
        patient.refresh_from_db()
        assert patient.insights_retry_at is not None
        waits.append((patient.insights_retry_at - timezone.now()) / service.FAILURE_BACKOFF)
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    assert patient.insights_failures == 8

    Patient.objects.filter(pk=patient.pk).update(primary_condition="migraine")  # the bug is fixed
    frozen.shift(service.FAILURE_BACKOFF_MAX)
    assert service.insights_sweep().stored == 1
    patient.refresh_from_db()
    assert (patient.insights_failures, patient.insights_retry_at, patient.insights_stale_since) == (0, None, None)

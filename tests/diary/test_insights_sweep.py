"""The sweep keeps going when one patient's analysis fails, and recomputes everyone when the
rules change (diary/services/insights.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from diary.analysis import rules
from diary.analysis.history import PatientHistory
from diary.models import Patient, PatientInsight
from diary.services import insights as service
from tests.diary.test_insights_jobs import record, today_of
from tests.factories import PatientFactory
from tests.threads import Threads

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


def test_a_rules_version_change_recomputes_everyone_without_waiting_for_their_writes(frozen):
    patients = PatientFactory.create_batch(3)
    for patient in patients:
        record(patient, today_of(patient))
    assert service.insights_sweep().stored == 3
    # what the previous release stored, before RULES_VERSION changed
    PatientInsight.objects.update(rules_version="0")
    frozen.shift(timedelta(minutes=1))

    assert service.insights_sweep().stored == 3
    assert set(PatientInsight.objects.values_list("rules_version", flat=True)) == {rules.RULES_VERSION}
    assert stale(*patients) == [False, False, False]
    assert service.insights_sweep().stored == 0  # current now: nothing more to do


@pytest.mark.django_db(transaction=True)
def test_sweeps_on_several_workers_mark_each_patient_once():
    patients = PatientFactory.create_batch(4)
    for patient in patients:
        record(patient, today_of(patient))
    service.insights_sweep()
    PatientInsight.objects.update(rules_version="0")

    marked = Threads([service.patients_mark_stale_for_rules] * 3).start().join()

    assert sorted(marked) == [0, 0, 4]
    assert stale(*patients) == [True] * 4

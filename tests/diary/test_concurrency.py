"""Two devices saving the same day at the same moment, on real PostgreSQL connections."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from diary.models import DiaryEntry, EntryRevision
from diary.services.entries import entry_record
from diary.services.errors import PreconditionFailed
from diary.services.inputs import EntryData
from tests.factories import PatientFactory

DAY = date(2026, 11, 20)


def race(patient, bodies, if_match=None):
    """Run entry_record for each body in its own thread and connection, released together."""
    barrier = threading.Barrier(len(bodies))
    outcomes: list[object] = [None] * len(bodies)

    def save(index: int, body: EntryData) -> None:
        try:
            barrier.wait()
            outcomes[index] = entry_record(patient=patient, day=DAY, data=body, actor=None, if_match=if_match)
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(i, b)) for i, b in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_keep_both_versions():
    patient = PatientFactory.create(time_zone="UTC")
    entry_record(patient=patient, day=DAY, data={"pain_score": 1, "headache": 0}, actor=None)

    outcomes = race(patient, [{"pain_score": 5, "headache": 1}, {"pain_score": 7, "headache": 2}])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    entry = DiaryEntry.objects.get()
    assert entry.version == 3
    kept = sorted(r.snapshot["pain_score"] for r in EntryRevision.objects.all())
    assert sorted([*kept, entry.pain_score]) == [1, 5, 7]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_against_the_same_version_conflict_once():
    patient = PatientFactory.create(time_zone="UTC")
    entry_record(patient=patient, day=DAY, data={"pain_score": 1, "headache": 0}, actor=None)

    outcomes = race(patient, [{"pain_score": 5, "headache": 1}, {"pain_score": 7, "headache": 2}], if_match=1)

    assert sorted(type(o).__name__ for o in outcomes) == ["EntryResult", "PreconditionFailed"]
    conflict = next(o for o in outcomes if isinstance(o, PreconditionFailed))
    assert conflict.current.version == 2
    assert DiaryEntry.objects.get().version == 2


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_saves_create_one_entry():
    patient = PatientFactory.create(time_zone="UTC")
    outcomes = race(patient, [{"pain_score": p, "headache": 0} for p in (2, 3, 4)])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert DiaryEntry.objects.count() == 1
    assert DiaryEntry.objects.get().version == 3
    assert EntryRevision.objects.count() == 2

"""The list audit's insert (diary/fastpath/audit_insert.py): the array insert and the ORM's
bulk_create store the same events, each in one statement."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, NamedTuple

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diary.models import AuditEvent
from diary.services.audit import audit_many
from tests.factories import ClinicianFactory, PatientFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 21, 19, 0, tzinfo=UTC)


class Shown(NamedTuple):
    """A patient as a read without model instances hands it to the audit."""

    pk: int
    public_id: uuid.UUID


def audited(settings: Any, fast: bool, count: int, ip: str | None) -> tuple[list[tuple[Any, ...]], list[str]]:
    """The events of one list read of ``count`` patients (half of them as plain rows), and the SQL sent."""
    settings.FASTPATH = fast
    clinician = ClinicianFactory.create()
    patients = PatientFactory.create_batch(count)
    shown = [p if i % 2 else Shown(p.pk, p.public_id) for i, p in enumerate(patients)]
    with CaptureQueriesContext(connection) as captured:
        audit_many(
            actor=clinician.user,
            action="outcomes.read",
            patients=shown,
            ip=ip,
            user_agent="Mozilla/5.0 " + "x" * 400,
            request_id="r" * 80,
            now=NOW,
        )
    index = {p.pk: i for i, p in enumerate(patients)}
    public = {p.pk: str(p.public_id) for p in patients}
    events = []
    for e in AuditEvent.objects.filter(patient_id__in=index).order_by("patient_id"):
        assert e.patient_id is not None
        events.append(
            (
                index[e.patient_id],
                e.object_id == public[e.patient_id],
                e.actor_id == clinician.user.pk,
                e.at,
                e.action,
                e.object_type,
                e.ip,
                e.user_agent,
                e.request_id,
            )
        )
    return events, [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("ip", [None, "203.0.113.9", "2001:db8::1"])
def test_the_same_events_both_ways(settings, ip):
    fast, fast_sql = audited(settings, True, 5, ip)
    public, public_sql = audited(settings, False, 5, ip)
    assert fast == public
    assert [e[:3] for e in fast] == [(i, True, True) for i in range(5)]
    assert {e[3:] for e in fast} == {(NOW, "outcomes.read", "patient", ip, "Mozilla/5.0 " + "x" * 288, "r" * 64)}
    assert len(fast_sql) == len(public_sql) == 1
    assert ("unnest(" in fast_sql[0]) is (connection.vendor == "postgresql")
    assert "unnest(" not in public_sql[0]


def test_a_long_list_is_one_statement_both_ways(settings):
    fast, fast_sql = audited(settings, True, 40, None)
    public, public_sql = audited(settings, False, 40, None)
    assert fast == public
    assert len(fast) == 40
    assert len(fast_sql) == len(public_sql) == 1


def test_an_empty_list_records_nothing(settings, fastpath):
    clinician = ClinicianFactory.create()
    with CaptureQueriesContext(connection) as captured:
        audit_many(actor=clinician.user, action="outcomes.read", patients=[])
    assert captured.captured_queries == []
    assert not AuditEvent.objects.exists()

"""A list read's audit events (one per patient shown) as one `INSERT … SELECT FROM unnest(arrays)`.

A list audits every patient it shows, and the clinic outcomes show every linked patient:
through `bulk_create` each event is a model instance whose nine values Django prepares
one by one and psycopg adapts one by one, the largest cost of the page that grows with
the clinic (bench/dashboard). Here the patients' ids travel as two array parameters and
the database builds the rows, so the statement's text is the same for any list.

Off (settings.FASTPATH false), and on SQLite: `AuditEvent.objects.bulk_create`.
tests/diary/fastpath/test_audit_insert.py compares the stored events both ways.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from django.db import connection

from diary.fastpath import on_postgres
from diary.models import AuditEvent


class PatientShown(Protocol):
    """What a list's audit records of each patient shown: a ``Patient``, or a row of a read
    that needs no model instances (the clinic outcomes)."""

    @property
    def pk(self) -> Any: ...

    @property
    def public_id(self) -> UUID: ...


_COLUMNS = ("at", "actor_id", "action", "patient_id", "object_type", "object_id", "ip", "user_agent", "request_id")


def audit_events_insert(
    *,
    actor_id: int,
    action: str,
    patients: Sequence[PatientShown],
    at: datetime,
    ip: str | None,
    user_agent: str,
    request_id: str,
) -> None:
    """One ``AuditEvent`` per patient (``object_type`` "patient", ``object_id`` the public id)."""
    if not patients:
        return
    if not on_postgres():
        AuditEvent.objects.bulk_create(
            AuditEvent(
                at=at,
                actor_id=actor_id,
                action=action,
                patient_id=patient.pk,
                object_type="patient",
                object_id=str(patient.public_id),
                ip=ip,
                user_agent=user_agent,
                request_id=request_id,
            )
            for patient in patients
        )
        return
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(_COLUMNS)}) "  # noqa: S608 - our names
            "SELECT %s::timestamptz, %s, %s, p, 'patient', u::text, %s::inet, %s, %s "
            "FROM unnest(%s::bigint[], %s::uuid[]) AS shown(p, u)",
            [
                at,
                actor_id,
                action,
                ip,
                user_agent,
                request_id,
                [patient.pk for patient in patients],
                [patient.public_id for patient in patients],
            ],
        )

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from diary.fastpath.audit_insert import PatientShown, audit_events_insert
from diary.models import AuditEvent, Patient


def audit_record(
    *,
    actor: Any,
    action: str,
    patient: Patient | None,
    object_type: str = "",
    object_id: str = "",
    ip: str | None = None,
    user_agent: str = "",
    request_id: str = "",
) -> AuditEvent:
    """Append one audit event. Called for every clinician read of patient data."""
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        patient=patient,
        object_type=object_type,
        object_id=str(object_id)[:64],
        ip=ip,
        user_agent=user_agent[:300],
        request_id=request_id[:64],
    )


def audit_many(
    *,
    actor: Any,
    action: str,
    patients: Sequence[PatientShown],
    ip: str | None = None,
    user_agent: str = "",
    request_id: str = "",
    now: datetime | None = None,
) -> None:
    """One event per patient shown (a list page), in one INSERT, all at one instant."""
    audit_events_insert(
        actor_id=actor.pk,
        action=action,
        patients=patients,
        at=now or timezone.now(),
        ip=ip,
        user_agent=user_agent[:300],
        request_id=request_id[:64],
    )

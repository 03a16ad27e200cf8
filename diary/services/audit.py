from __future__ import annotations

from typing import Any

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
    patients: list[Patient],
    ip: str | None = None,
    user_agent: str = "",
    request_id: str = "",
) -> None:
    """One event per patient shown (a list page), in one INSERT."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            action=action,
            patient=patient,
            object_type="patient",
            object_id=str(patient.public_id),
            ip=ip,
            user_agent=user_agent[:300],
            request_id=request_id[:64],
        )
        for patient in patients
    )

"""The single answer to "may this user see this patient?"."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet

from diary.choices import LinkStatus
from diary.models import Clinician, Patient


def clinician_of(user: Any) -> Clinician | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.clinician
    except Clinician.DoesNotExist:
        return None


def patient_of(user: Any) -> Patient | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.patient
    except Patient.DoesNotExist:
        return None


def has_second_factor(user: Any) -> bool:
    """True when the user has TOTP on, so allauth asked for it at login (or it is not required)."""
    if not settings.CLINICIAN_MFA_REQUIRED:
        return True
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def visible_patients(clinician: Clinician) -> QuerySet[Patient]:
    """Patients with an active care link to the clinician's clinic. Nothing else, ever."""
    return Patient.objects.filter(care_links__clinic_id=clinician.clinic_id, care_links__status=LinkStatus.ACTIVE)


def patient_for_clinician(
    clinician: Clinician, public_id: UUID, scope: QuerySet[Patient] | None = None
) -> Patient | None:
    """The patient if the clinician may see them, else None (callers answer 404).

    `scope` may narrow or annotate the lookup (e.g. with list columns); it is always
    intersected with what the clinician may see.
    """
    patients = visible_patients(clinician) if scope is None else scope & visible_patients(clinician)
    return patients.select_related("user").filter(public_id=public_id).first()

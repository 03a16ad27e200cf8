"""The single answer to "may this user see this patient?"."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import QuerySet
from django.http import HttpRequest

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


def has_second_factor(user: Any, session: SessionBase) -> bool:
    """True when a clinician's session may work with patient data: it passed the second
    factor at sign-in (or none is required)."""
    return not settings.CLINICIAN_MFA_REQUIRED or second_factor_passed(user, session)


def second_factor_passed(user: Any, session: SessionBase) -> bool:
    """True when this session passed a second factor at sign-in.

    allauth records each authentication method a session used (password, then "mfa" after
    the TOTP or recovery code). Owning an authenticator is not enough: a session made any
    other way (Django's own login, a password-only sign-in before TOTP was turned on) has
    no "mfa" record and does not count.
    """
    from allauth.account.authentication import get_authentication_records

    request = HttpRequest()  # the records are read from request.session, whichever session it is
    request.session = session
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def has_authenticator(user: Any) -> bool:
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

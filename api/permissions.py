from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from diary.access import clinician_of, has_second_factor, patient_of


class IsPatient(BasePermission):
    message = "Only patients have a diary here."

    def has_permission(self, request: Request, view: Any) -> bool:
        return patient_of(request.user) is not None


MFA_MESSAGE = (
    "Turn on two-factor authentication (TOTP) before working with patient data: "
    "/_allauth/browser/v1/account/authenticators/totp."
)


class IsClinician(BasePermission):
    """A clinician who signs in with a second factor (DESIGN.md §4)."""

    message = "Only clinicians can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if clinician_of(request.user) is None:
            return False
        if not has_second_factor(request.user):
            self.message = MFA_MESSAGE
            return False
        return True

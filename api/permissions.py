from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from diary.access import clinician_of, has_authenticator, has_second_factor, patient_of


class IsPatient(BasePermission):
    message = "Only patients have a diary here."

    def has_permission(self, request: Request, view: Any) -> bool:
        return patient_of(request.user) is not None


MFA_MESSAGE = (
    "Turn on two-factor authentication (TOTP) before working with patient data: "
    "/_allauth/browser/v1/account/authenticators/totp."
)
MFA_SIGN_IN_MESSAGE = (
    "This session did not pass the second factor: sign out and sign in again with your "
    "password and your authenticator code before working with patient data."
)


def request_session(request: Request) -> SessionBase:
    """The session the caller authenticated with: the X-Session-Token's (allauth's app
    client puts it in ``request.auth``) or the cookie's."""
    if isinstance(request.auth, SessionBase):
        return request.auth
    return request.session


def second_factor_refusal(request: Request) -> str | None:
    """Why a clinician's request may not see patient data yet, or None when it may."""
    if has_second_factor(request.user, request_session(request)):
        return None
    return MFA_SIGN_IN_MESSAGE if has_authenticator(request.user) else MFA_MESSAGE


class IsClinician(BasePermission):
    """A clinician whose session passed the second factor (DESIGN.md §4)."""

    message = "Only clinicians can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if clinician_of(request.user) is None:
            return False
        refusal = second_factor_refusal(request)
        if refusal is not None:
            self.message = refusal
            return False
        return True

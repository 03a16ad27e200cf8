from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from diary.access import clinician_of, patient_of


class IsPatient(BasePermission):
    message = "Only patients have a diary here."

    def has_permission(self, request: Request, view: Any) -> bool:
        return patient_of(request.user) is not None


class IsClinician(BasePermission):
    message = "Only clinicians can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return clinician_of(request.user) is not None

"""Shared view plumbing: who the caller is, path parsing, audit, pagination."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, ClassVar

from django.db.models import QuerySet
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import Pagination
from api.permissions import IsClinician, IsPatient, second_factor_refusal
from diary.access import clinician_of, patient_for_clinician, patient_of
from diary.dates import local_calendar_date
from diary.fastpath.audit_insert import PatientShown
from diary.models import Clinician, Patient
from diary.services.audit import audit_many, audit_record
from diary.services.errors import InvalidInput, NotFound

MAX_RANGE_DAYS = 400


def parse_day(value: str, field: str = "date") -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput({field: f"'{value}' is not a date: use YYYY-MM-DD."}) from None


def parse_uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput({field: f"'{value}' is not a valid id (a UUID)."}) from None


def parse_if_match(request: Request) -> int | None:
    """If-Match: "3" (or W/"3", or 3) → 3. Absent → None."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput({"If-Match": f"'{raw}' is not an entry version (send the ETag you got, e.g. \"3\")."})
    return int(value)


def date_range(request: Request, patient: Patient) -> tuple[date, date]:
    """?from=&to= (inclusive). Defaults to the 28 days ending today; at most 400 days."""
    today = local_calendar_date(patient.time_zone)
    end = parse_day(request.query_params["to"], "to") if "to" in request.query_params else today
    if "from" in request.query_params:
        start = parse_day(request.query_params["from"], "from")
    elif end >= date.min + timedelta(27):
        start = end - timedelta(27)
    else:  # 28 days back would be before the first day of the calendar
        raise InvalidInput({"to": f"{end.isoformat()} is too early for the default 28 days: give 'from' as well."})
    if start > end:
        raise InvalidInput({"from": "'from' is after 'to'."})
    if (end - start).days >= MAX_RANGE_DAYS:
        raise InvalidInput({"to": f"Ask for at most {MAX_RANGE_DAYS} days at a time."})
    return start, end


def query_choices(request: Request, name: str, allowed: list[str]) -> list[str] | None:
    """?name=a,b → [a, b], each checked against the allowed values; absent → None."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    values = [v.strip() for v in raw.split(",") if v.strip()]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise InvalidInput({name: f"Unknown value(s) {', '.join(unknown)}; use one of: {', '.join(allowed)}."})
    return values


class BaseView(APIView):
    pagination_class: type[Pagination] | None = Pagination  # also tells the OpenAPI schema which lists are paged

    def paginate(self, queryset: QuerySet[Any], serializer_class: Any, on_page: Any = None, **context: Any) -> Response:
        assert self.pagination_class is not None
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        assert page is not None
        if on_page is not None:
            on_page(page)
        data = serializer_class(page, many=True, context={"request": self.request, **context}).data
        return paginator.get_paginated_response(data)


class PatientView(BaseView):
    """/api/v1/me/...: the signed-in patient acting on their own diary."""

    permission_classes = [IsAuthenticated, IsPatient]

    @property
    def patient(self) -> Patient:
        patient = patient_of(self.request.user)
        assert patient is not None  # IsPatient
        return patient


class ClinicianView(BaseView):
    """/api/v1/...: a clinician acting for their clinic."""

    permission_classes = [IsAuthenticated, IsClinician]

    @property
    def clinician(self) -> Clinician:
        clinician = clinician_of(self.request.user)
        assert clinician is not None  # IsClinician
        return clinician

    def _origin(self) -> dict[str, Any]:
        request = self.request
        return {
            "actor": request.user,
            "ip": request.META.get("REMOTE_ADDR"),
            "user_agent": request.headers.get("User-Agent", ""),
            "request_id": request.headers.get("X-Request-ID", ""),
        }

    def audit(self, action: str, patient: Patient | None, object_type: str = "", object_id: Any = "") -> None:
        audit_record(
            action=action, patient=patient, object_type=object_type, object_id=str(object_id), **self._origin()
        )

    def audit_list(self, action: str, patients: Sequence[PatientShown]) -> None:
        audit_many(action=action, patients=patients, **self._origin())


class ClinicianPatientView(ClinicianView):
    """/api/v1/patients/{patient_id}/...: a patient the clinician may see, else 404.

    Anyone else who is signed in (a patient, another clinic) gets the same 404 for any
    id, so the answer never reveals whether a patient exists. The patient is resolved and
    checked in ``initial()``, before any handler runs: a handler cannot forget the check.
    """

    permission_classes = [IsAuthenticated]
    # May annotate the lookup (e.g. with list columns); it is still limited to visible patients.
    patient_scope: ClassVar[Callable[[Clinician], QuerySet[Patient]] | None] = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        self._patient = self._resolve_patient()

    def _resolve_patient(self) -> Patient:
        patient_id = parse_uuid(self.kwargs["patient_id"], "patient_id")
        clinician = clinician_of(self.request.user)
        if clinician is not None and (refusal := second_factor_refusal(self.request)) is not None:
            raise PermissionDenied(refusal)
        patient = None
        if clinician is not None:
            scope = type(self).patient_scope
            patient = patient_for_clinician(clinician, patient_id, scope(clinician) if scope else None)
        if patient is None:
            raise NotFound()
        return patient

    def get_patient(self) -> Patient:
        """The patient of the URL, resolved and checked before the handler ran."""
        return self._patient

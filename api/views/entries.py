"""Diary days, addressed by date."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.common import service_input
from api.serializers.entries import EntryIn, EntryOut, RevisionOut
from api.views.base import ClinicianPatientView, PatientView, date_range, parse_day, parse_if_match
from diary import selectors
from diary.models import DiaryEntry, EntryRevision, Patient
from diary.services.entries import entry_record
from diary.services.errors import NotFound
from diary.services.inputs import EntryData

RANGE_PARAMS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First date, YYYY-MM-DD (default: 27 days before 'to')."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last date, YYYY-MM-DD (default: today)."),
]
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, description='The version you edited, e.g. "3" (the ETag).'
)


def entry_response(entry: DiaryEntry, status_code: int = 200) -> Response:
    """The entry as the service left it (children included, no second read)."""
    return Response(EntryOut(entry).data, status=status_code, headers={"ETag": f'"{entry.version}"'})


def revisions_of(patient: Patient, day_text: str) -> list[EntryRevision]:
    entry = selectors.entry_on(patient, parse_day(day_text))
    if entry is None:
        raise NotFound()
    return list(entry.revisions.all())


class MyEntriesView(PatientView):
    @extend_schema(parameters=RANGE_PARAMS, responses=EntryOut(many=True), summary="My diary days in a date range")
    def get(self, request: Request) -> Response:
        start, end = date_range(request, self.patient)
        return self.paginate(selectors.entries_for(self.patient, start, end), EntryOut)


class MyEntryView(PatientView):
    @extend_schema(responses=EntryOut, summary="One diary day")
    def get(self, request: Request, day: str) -> Response:
        entry = selectors.entry_on(self.patient, parse_day(day))
        if entry is None:
            raise NotFound()
        return Response(EntryOut(entry).data, headers={"ETag": f'"{entry.version}"'})

    @extend_schema(
        request=EntryIn,
        parameters=[IF_MATCH],
        responses={
            200: EntryOut,
            201: EntryOut,
            412: OpenApiResponse(description="Stale If-Match: the problem carries the current entry."),
        },
        summary="Create or replace a diary day (safe to repeat)",
    )
    def put(self, request: Request, day: str) -> Response:
        parsed_day = parse_day(day)
        if_match = parse_if_match(request)
        data = EntryIn(data=request.data)
        data.is_valid(raise_exception=True)
        patient = self.patient
        result = entry_record(
            patient=patient, day=parsed_day, data=service_input(data, EntryData), actor=patient.user, if_match=if_match
        )
        return entry_response(result.entry, status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class MyEntryRevisionsView(PatientView):
    pagination_class = None  # one day's versions: a short list

    @extend_schema(responses=RevisionOut(many=True), summary="Earlier versions of a diary day, newest first")
    def get(self, request: Request, day: str) -> Response:
        return Response(RevisionOut(revisions_of(self.patient, day), many=True).data)


class PatientEntriesView(ClinicianPatientView):
    @extend_schema(parameters=RANGE_PARAMS, responses=EntryOut(many=True), summary="A patient's diary days")
    def get(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        start, end = date_range(request, patient)
        self.audit("entries.list", patient, "diary_entry", f"{start}..{end}")
        return self.paginate(selectors.entries_for(patient, start, end), EntryOut)


class PatientEntryView(ClinicianPatientView):
    @extend_schema(responses=EntryOut, summary="One of a patient's diary days")
    def get(self, request: Request, patient_id: str, day: str) -> Response:
        patient = self.get_patient()
        parsed_day = parse_day(day)
        self.audit("entry.read", patient, "diary_entry", parsed_day.isoformat())
        entry = selectors.entry_on(patient, parsed_day)
        if entry is None:
            raise NotFound()
        return Response(EntryOut(entry).data, headers={"ETag": f'"{entry.version}"'})


class PatientEntryRevisionsView(ClinicianPatientView):
    pagination_class = None

    @extend_schema(responses=RevisionOut(many=True), summary="Earlier versions of a patient's diary day")
    def get(self, request: Request, patient_id: str, day: str) -> Response:
        patient = self.get_patient()
        self.audit("entry.revisions", patient, "diary_entry", day)
        return Response(RevisionOut(revisions_of(patient, day), many=True).data)

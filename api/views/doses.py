"""Doses actually taken (or missed)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.common import service_input
from api.serializers.dosing import DoseLogIn, DoseLogOut, DoseLogPatch, DoseRevisionOut
from api.views.base import ClinicianPatientView, PatientView, date_range, parse_uuid
from api.views.entries import RANGE_PARAMS
from diary import selectors
from diary.models import DoseLog
from diary.services.dosing import Written, dose_log_delete, dose_log_record, dose_log_update
from diary.services.errors import NotFound
from diary.services.inputs import DoseLogChange, DoseLogData


def written_response(written: Written) -> Response:
    warnings = [w.as_dict() for w in written.warnings]
    return Response(
        DoseLogOut(written.obj, context={"warnings": warnings}).data,
        status=status.HTTP_201_CREATED if written.created else status.HTTP_200_OK,
    )


class MyDosesView(PatientView):
    @extend_schema(parameters=RANGE_PARAMS, responses=DoseLogOut(many=True), summary="My logged doses")
    def get(self, request: Request) -> Response:
        start, end = date_range(request, self.patient)
        return self.paginate(selectors.dose_logs_for(self.patient, start, end), DoseLogOut)

    @extend_schema(
        request=DoseLogIn,
        responses={
            201: DoseLogOut,
            200: DoseLogOut,
            409: OpenApiResponse(description="A dose is already logged for that date: `current` is that one."),
        },
        summary="Log a dose (idempotent on client_id; warnings in the response)",
    )
    def post(self, request: Request) -> Response:
        data = DoseLogIn(data=request.data)
        data.is_valid(raise_exception=True)
        return written_response(dose_log_record(patient=self.patient, data=service_input(data, DoseLogData)))


class MyDoseView(PatientView):
    def _log(self, dose_id: str) -> DoseLog:
        log = selectors.dose_log_of(self.patient, parse_uuid(dose_id, "dose_id"))
        if log is None:
            raise NotFound()
        return log

    @extend_schema(responses=DoseLogOut, summary="One logged dose")
    def get(self, request: Request, dose_id: str) -> Response:
        return Response(DoseLogOut(self._log(dose_id)).data)

    @extend_schema(request=DoseLogPatch, responses=DoseLogOut, summary="Correct a logged dose")
    def patch(self, request: Request, dose_id: str) -> Response:
        log = self._log(dose_id)
        data = DoseLogPatch(data=request.data)
        data.is_valid(raise_exception=True)
        return written_response(dose_log_update(log=log, data=service_input(data, DoseLogChange), actor=request.user))  # type: ignore[arg-type]

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Delete a logged dose (kept in its revisions; the day can be logged again)",
    )
    def delete(self, request: Request, dose_id: str) -> Response:
        dose_log_delete(log=self._log(dose_id), actor=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyDoseRevisionsView(PatientView):
    pagination_class = None

    @extend_schema(responses=DoseRevisionOut(many=True), summary="Earlier values of a logged dose, newest first")
    def get(self, request: Request, dose_id: str) -> Response:
        public_id = parse_uuid(dose_id, "dose_id")
        revisions = selectors.dose_revisions_of(self.patient, public_id)
        if not revisions.exists() and selectors.dose_log_of(self.patient, public_id) is None:
            raise NotFound()
        return Response(DoseRevisionOut(revisions, many=True).data)


class PatientDosesView(ClinicianPatientView):
    @extend_schema(parameters=RANGE_PARAMS, responses=DoseLogOut(many=True), summary="A patient's logged doses")
    def get(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        start, end = date_range(request, patient)
        self.audit("doses.list", patient, "dose_log", f"{start}..{end}")
        return self.paginate(selectors.dose_logs_for(patient, start, end), DoseLogOut)

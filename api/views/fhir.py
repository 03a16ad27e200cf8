"""FHIR R4: the diary as a Bundle for a clinic's electronic record, and the local CodeSystem.

The Bundle streams (``diary.fhir.bundle``); every row is read before the first byte goes
out, so a failure while writing cannot leave the database half-read.
"""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.views.account import FormatIsOurs
from api.views.base import BaseView, ClinicianPatientView, PatientView
from diary.dates import local_calendar_date
from diary.fhir.bundle import bundle_stream
from diary.fhir.codes import code_system
from diary.models import Patient
from diary.selectors import export_gather
from diary.services.audit import audit_record

FHIR_JSON = "application/fhir+json"


class FhirJsonRenderer(JSONRenderer):
    """Lets a FHIR client ask for application/fhir+json (DRF would answer 406 otherwise)."""

    media_type = FHIR_JSON
    format = "fhir"


FHIR_RENDERERS = [JSONRenderer, FhirJsonRenderer]
# The Bundle is one format: `?format=` is not DRF's renderer switch here (an unknown value
# would be a bare 404), and the schema does not offer it.
NO_FORMAT = [OpenApiParameter("format", exclude=True)]

_BUNDLE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="A FHIR R4 Bundle of type collection: Patient, Observations (daily items, 28-day counts), "
    "MedicationAdministration (each logged dose), MedicationStatement, MedicationRequest (docs/fhir.md).",
)


def _bundle_response(patient: Patient) -> StreamingHttpResponse:
    now = timezone.now()
    data = export_gather(patient)
    filename = f"ldn-diary-{local_calendar_date(patient.time_zone, now).isoformat()}.fhir.json"
    return StreamingHttpResponse(
        bundle_stream(data, now),
        content_type=FHIR_JSON,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # health data: no shared or disk cache keeps a copy
            "Cache-Control": "no-store, private",
        },
    )


class MyFhirExportView(PatientView):
    """The patient's whole diary, doses and plans as a FHIR R4 Bundle, for a clinic's record system."""

    renderer_classes = FHIR_RENDERERS
    content_negotiation_class = FormatIsOurs
    pagination_class = None

    @extend_schema(
        parameters=NO_FORMAT, responses={(200, FHIR_JSON): _BUNDLE}, summary="Download my diary as a FHIR R4 Bundle"
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        patient = self.patient
        audit_record(actor=request.user, action="me.export", patient=patient, object_type="export", object_id="fhir")
        return _bundle_response(patient)


class PatientFhirExportView(ClinicianPatientView):
    """A linked patient's whole diary, doses and plans as a FHIR R4 Bundle (audited); anyone
    else gets 404."""

    renderer_classes = FHIR_RENDERERS
    content_negotiation_class = FormatIsOurs
    pagination_class = None

    @extend_schema(
        parameters=NO_FORMAT, responses={(200, FHIR_JSON): _BUNDLE}, summary="The patient's diary as a FHIR R4 Bundle"
    )
    def get(self, request: Request, patient_id: str) -> StreamingHttpResponse:
        patient = self.get_patient()
        self.audit("export.fhir", patient, "export", "fhir")
        return _bundle_response(patient)


class CodeSystemView(BaseView):
    """The diary's local CodeSystem. It holds no patient data: anyone may read it."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    renderer_classes = FHIR_RENDERERS
    content_negotiation_class = FormatIsOurs
    pagination_class = None

    @extend_schema(
        auth=[],
        parameters=NO_FORMAT,
        responses={(200, FHIR_JSON): OpenApiResponse(OpenApiTypes.OBJECT, description="A FHIR R4 CodeSystem")},
        summary="The local FHIR CodeSystem of the diary's items (docs/fhir.md)",
    )
    def get(self, request: Request) -> Response:
        return Response(code_system(), content_type=FHIR_JSON)

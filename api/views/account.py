"""My data: download everything (JSON or CSV) and delete my account."""

from __future__ import annotations

from typing import Any

from allauth.core import ratelimit
from django.contrib.auth import logout
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.account import AccountDeleteIn, ExportOut
from api.serializers.reminders import reminder_out
from api.views.base import PatientView
from diary.dates import local_calendar_date
from diary.selectors import ExportData, export_gather
from diary.services.accounts import patient_account_delete
from diary.services.audit import audit_record
from diary.services.errors import InvalidInput
from diary.services.export import EXPORT_FORMAT_VERSION, entries_csv

EXPORT_FORMATS = ("json", "csv")


class _NoFormatOverride:
    URL_FORMAT_OVERRIDE = None


class FormatIsOurs(DefaultContentNegotiation):
    """`?format=` names the export's format here, not DRF's renderer override."""

    settings = _NoFormatOverride()  # type: ignore[assignment]


def _export_json(data: ExportData) -> dict[str, Any]:
    patient, user = data.patient, data.patient.user
    return ExportOut(
        {
            "format": "ldn-diary-export",
            "format_version": EXPORT_FORMAT_VERSION,
            "exported_at": timezone.now(),
            "account": {"email": user.email, "display_name": user.display_name, "date_joined": user.date_joined},
            "profile": patient,
            "entries": data.entries,
            "dose_logs": data.dose_logs,
            "dose_revisions": data.dose_revisions,
            "plans": data.plans,
            "reported_baseline": data.reported_baseline,
            "care_links": data.care_links,
            "reminders": [reminder_out(r, patient) for r in data.reminders],
            "push_devices": data.push_subscriptions,
            "questionnaires": data.questionnaires,
        }
    ).data


class MyExportView(PatientView):
    content_negotiation_class = FormatIsOurs
    renderer_classes = [JSONRenderer]  # a browser's download link asks for HTML: it still gets the file

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=EXPORT_FORMATS, description="json (default) or csv")],
        responses={
            (200, "application/json"): ExportOut,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per day (docs/api.md)"),
        },
        summary="Download everything I logged (JSON, or a CSV of my diary days)",
    )
    def get(self, request: Request) -> Response | HttpResponse:
        fmt = request.query_params.get("format", "json")
        if fmt not in EXPORT_FORMATS:
            raise InvalidInput({"format": f"'{fmt}' is not an export format: use json or csv."})
        patient = self.patient
        data = export_gather(patient)
        audit_record(actor=request.user, action="me.export", patient=patient, object_type="export", object_id=fmt)
        filename = f"ldn-diary-{local_calendar_date(patient.time_zone).isoformat()}.{fmt}"
        # health data: no shared or disk cache keeps a copy
        headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store, private"}
        if fmt == "csv":
            return HttpResponse(entries_csv(data), content_type="text/csv; charset=utf-8", headers=headers)
        return Response(_export_json(data), headers=headers)


class MyAccountDeleteView(PatientView):
    @extend_schema(
        request=AccountDeleteIn,
        responses={204: None, 429: None},
        summary="Delete my account and all my health data (needs my password and my e-mail typed again)",
    )
    def post(self, request: Request) -> Response:
        body = AccountDeleteIn(data=request.data)
        body.is_valid(raise_exception=True)
        # Password guesses through a stolen session: allauth's limit for re-entering a
        # password (ACCOUNT_RATE_LIMITS "reauthenticate", 10 a minute per user).
        if not ratelimit.consume(request, action="reauthenticate", user=request.user):
            raise Throttled(detail="Too many attempts. Wait a minute and try again.")
        patient_account_delete(
            user=request.user,  # type: ignore[arg-type]
            password=body.validated_data["password"],
            confirmation=body.validated_data["confirmation"],
        )
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)

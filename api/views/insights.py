"""Insights (patient and clinician views) and the clinician's flag triage list."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.insights import (
    FlagNoteIn,
    FlagOut,
    MyInsightsOut,
    PatientInsightsOut,
    TriageFlagOut,
    VerdictOut,
)
from api.views.base import ClinicianPatientView, ClinicianView, PatientView, parse_uuid
from api.views.base import query_choices as _choice
from diary import selectors
from diary.choices import FlagKind, FlagStatus, Severity
from diary.dashboard import daily_values
from diary.evidence import suggestion_text, verdict_presented
from diary.models import Flag, Patient, PatientInsight
from diary.patient_insights import patient_notices, since_start
from diary.services.errors import Conflict, InvalidInput, NotFound
from diary.services.flags import flag_acknowledge, flag_resolve

OPIOID_ALERT = (
    "You logged a medicine that contains an opioid (for example codeine or tramadol). Opioids and "
    "naltrexone work against each other. Please talk to your clinician before taking them together; "
    "they can see this in your diary."
)


def _status(patient: Patient, insight: PatientInsight | None) -> str:
    if insight is None:
        return "pending"
    return "stale" if patient.insights_stale_since is not None else "current"


def _patient_subset(summary: dict[str, Any] | None) -> dict[str, Any]:
    """The parts of the analysis a patient sees: their own numbers, never a verdict (null
    before the first analysis)."""
    summary = summary or {}
    return {
        "trend": summary.get("trends"),
        "segments": summary.get("segments", []),
        "series": summary.get("series"),
        "weekly": summary.get("weekly"),
    }


class MyInsightsView(PatientView):
    pagination_class = None

    @extend_schema(responses=MyInsightsOut, summary="My trends, my numbers per dose, and suggestions in plain words")
    def get(self, request: Request) -> Response:
        patient = self.patient  # loaded with this request's user, so its stale mark is current
        insight = selectors.insight_of(patient)
        data = insight.data if insight else {}
        alerts = []
        if selectors.opioid_alert_holds(patient):
            alerts.append({"kind": "opioid", "text": OPIOID_ALERT})
        suggestions = [
            {"kind": s["kind"], "text": s["patient_text"]} for s in data.get("suggestions", []) if s.get("patient_text")
        ]
        return Response(
            {
                "status": _status(patient, insight),
                "computed_at": insight.computed_at if insight else None,
                "as_of": insight.as_of if insight else None,
                "alerts": alerts,
                "suggestions": suggestions,
                "notices": patient_notices(data) if insight else [],
                "since_start": since_start(data) if insight else None,
                **_patient_subset(data.get("summary")),
            }
        )


class PatientInsightsView(ClinicianPatientView):
    pagination_class = None

    @extend_schema(
        responses=PatientInsightsOut,
        summary="The patient's analysis: verdict with evidence and history, flags, suggestions, trends",
    )
    def get(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        self.audit("insights.read", patient, "patient_insight")
        insight = selectors.insight_of(patient)
        data = insight.data if insight else {}
        history = selectors.verdicts_of_patient(patient)
        return Response(
            {
                "status": _status(patient, insight),
                "computed_at": insight.computed_at if insight else None,
                "as_of": insight.as_of if insight else None,
                "rules_version": insight.rules_version if insight else None,
                "verdict": (
                    {
                        "kind": insight.verdict,
                        "kind_label": insight.get_verdict_display(),
                        "evidence": data["verdict"]["evidence"],
                        "presented": verdict_presented(insight.verdict, data["verdict"]["evidence"]),
                        "rules_version": insight.rules_version,
                        "as_of": insight.as_of,
                        "computed_at": insight.computed_at,
                    }
                    if insight
                    else None
                ),
                "verdict_history": VerdictOut(history, many=True).data,
                "flags": FlagOut(
                    selectors.flags_of_patient(patient), many=True, context={"time_zone": patient.time_zone}
                ).data,
                "suggestions": [
                    {
                        "kind": s["kind"],
                        "text": suggestion_text(s["kind"], s["evidence"], s["text"]),
                        "evidence": s["evidence"],
                    }
                    for s in data.get("suggestions", [])
                ],
                "summary": data.get("summary"),
                "daily": daily_values(patient, (data.get("summary") or {}).get("series") or {}),
            }
        )


_STATUS_FILTERS = {
    "unresolved": [FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED],
    "open": [FlagStatus.OPEN],
    "acknowledged": [FlagStatus.ACKNOWLEDGED],
    "resolved": [FlagStatus.RESOLVED],
    "all": list(FlagStatus),
}


class FlagsView(ClinicianView):
    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="unresolved (default), open, acknowledged, resolved or all"),
            OpenApiParameter("kind", str, description="one or more flag kinds, comma-separated"),
            OpenApiParameter("severity", str, description="one or more of critical, high, medium, low"),
            OpenApiParameter("patient", str, description="only this patient's flags (patient id)"),
        ],
        responses=TriageFlagOut(many=True),
        summary="Triage list: flags of my clinic's patients, open first, most severe first",
    )
    def get(self, request: Request) -> Response:
        status = _choice(request, "status", list(_STATUS_FILTERS)) or ["unresolved"]
        if len(status) != 1:
            raise InvalidInput({"status": "Give one status."})
        kinds = _choice(request, "kind", list(FlagKind.values)) or ()
        severities = _choice(request, "severity", list(Severity.values)) or ()
        patient = request.query_params.get("patient")
        flags = selectors.flags_filtered(
            self.clinician,
            _STATUS_FILTERS[status[0]],
            kinds,
            severities,
            parse_uuid(patient, "patient") if patient else None,
        )

        def audit_page(page: list[Flag]) -> None:
            self.audit_list("flags.list", list({f.patient_id: f.patient for f in page}.values()))

        return self.paginate(flags, TriageFlagOut, on_page=audit_page)


# The two clinician actions on a flag, by name: each action view says which it is.
FLAG_ACTIONS = {"acknowledge": flag_acknowledge, "resolve": flag_resolve}
FLAG_RESOLVED = OpenApiResponse(description="The flag is already resolved: `current` is the flag.")
FLAG_CONFLICT = OpenApiResponse(
    description="The flag is already resolved (`current` is the flag), or it is another patient's: nothing changed."
)


class FlagActionView(ClinicianView):
    pagination_class = None
    action = ""  # a key of FLAG_ACTIONS

    def act(self, flag: Flag, note: str) -> None:
        FLAG_ACTIONS[self.action](flag=flag, clinician=self.clinician, note=note)

    def post(self, request: Request, flag_id: str) -> Response:
        flag = self.get_flag(flag_id)
        data = FlagNoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        self.act(flag, data.validated_data["note"])
        self.audit(f"flag.{self.action}", flag.patient, "flag", flag.public_id)
        return Response(TriageFlagOut(self.get_flag(flag_id)).data)

    def get_flag(self, flag_id: str) -> Flag:
        flag = selectors.flag_of(self.clinician, parse_uuid(flag_id, "flag_id"))
        if flag is None:
            raise NotFound()
        return flag


class PatientFlagActionView(ClinicianPatientView):
    """patients/{patient_id}/flags/{flag_id}/…: the action names the patient the clinician
    sees on the page, and the server checks it: a patient or flag the clinician may not see
    is a 404; a flag of another patient is a 409 and nothing changes (a page that showed one
    patient's flag under another's name must never act on it)."""

    pagination_class = None
    action = ""  # a key of FLAG_ACTIONS

    def post(self, request: Request, patient_id: str, flag_id: str) -> Response:
        patient = self.get_patient()
        flag = selectors.flag_of(self.clinician, parse_uuid(flag_id, "flag_id"))
        if flag is None:
            raise NotFound()
        if flag.patient_id != patient.pk:
            raise Conflict("This flag belongs to another patient: nothing was changed. Reload the patient's page.")
        data = FlagNoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        FLAG_ACTIONS[self.action](flag=flag, clinician=self.clinician, note=data.validated_data["note"])
        self.audit(f"flag.{self.action}", patient, "flag", flag.public_id)
        fresh = selectors.flag_of_patient(patient, flag.pk)
        return Response(FlagOut(fresh, context={"time_zone": patient.time_zone}).data)


@extend_schema_view(
    post=extend_schema(
        request=FlagNoteIn,
        responses={200: FlagOut, 409: FLAG_CONFLICT},
        summary="Acknowledge one of this patient's flags, with an optional note",
    )
)
class PatientFlagAcknowledgeView(PatientFlagActionView):
    action = "acknowledge"


@extend_schema_view(
    post=extend_schema(
        request=FlagNoteIn,
        responses={200: FlagOut, 409: FLAG_CONFLICT},
        summary="Resolve one of this patient's flags, with an optional note",
    )
)
class PatientFlagResolveView(PatientFlagActionView):
    action = "resolve"


@extend_schema_view(
    post=extend_schema(
        request=FlagNoteIn,
        responses={200: TriageFlagOut, 409: FLAG_RESOLVED},
        summary="Acknowledge a flag, with an optional note (deprecated: use patients/{id}/flags/{id}/acknowledge)",
        deprecated=True,
    )
)
class FlagAcknowledgeView(FlagActionView):
    action = "acknowledge"


@extend_schema_view(
    post=extend_schema(
        request=FlagNoteIn,
        responses={200: TriageFlagOut, 409: FLAG_RESOLVED},
        summary="Resolve a flag, with an optional note (deprecated: use patients/{id}/flags/{id}/resolve)",
        deprecated=True,
    )
)
class FlagResolveView(FlagActionView):
    action = "resolve"

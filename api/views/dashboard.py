"""The clinician dashboard (issue 6): triage list, plan check and templates, clinic outcomes,
visit report. Thin views over ``diary.dashboard``; every read of patient data is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from csp.constants import NONCE
from csp.decorators import csp_update
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import Pagination
from api.serializers.common import service_input
from api.serializers.dashboard import ClinicOutcomesOut, OutcomePatientOut, PlanCheckOut, PlanTemplateOut, TriageRowOut
from api.serializers.dosing import PlanIn
from api.views.base import ClinicianPatientView, ClinicianView, parse_day, query_choices
from diary import dashboard
from diary.choices import Condition, FlagKind, VerdictKind
from diary.dates import local_calendar_date
from diary.evidence import day, flag_presented, mg, number, percent, reduction_text, span, verdict_presented
from diary.models import DosePlan, Patient
from diary.services.dosing import plan_check
from diary.services.errors import InvalidInput
from diary.services.inputs import PlanData


class TriageView(ClinicianView):
    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="name or e-mail contains (case-insensitive)"),
            OpenApiParameter("flag_kind", str, description="has an unresolved flag of this kind (comma-separated)"),
            OpenApiParameter("verdict", str, description="verdict kind(s), comma-separated; 'none': not analysed yet"),
            OpenApiParameter("condition", str, description="primary condition(s), comma-separated"),
        ],
        responses=TriageRowOut(many=True),
        summary="Triage list: every linked patient, open flags first (most severe), then by verdict",
    )
    def get(self, request: Request) -> Response:
        q = request.query_params.get("q", "")
        if "\x00" in q:
            raise InvalidInput({"q": "The search text contains a NUL character."})
        patients = dashboard.triage_patients(
            self.clinician,
            q=q,
            flag_kinds=query_choices(request, "flag_kind", list(FlagKind.values)) or (),
            verdicts=query_choices(request, "verdict", [*VerdictKind.values, "none"]) or (),
            conditions=query_choices(request, "condition", list(Condition.values)) or (),
        )
        paginator = Pagination()
        page: list[Patient] = list(paginator.paginate_queryset(patients, request, view=self) or [])
        self.audit_list("triage.list", page)
        rows = dashboard.triage_rows(page)
        return paginator.get_paginated_response(TriageRowOut(rows, many=True).data)


class PlanCheckView(ClinicianPatientView):
    pagination_class = None

    @extend_schema(
        request=PlanIn,
        responses=PlanCheckOut,
        summary="Check a plan without saving it: the warnings PUT …/plan would give (400 as PUT would)",
    )
    def post(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        data = PlanIn(data=request.data)
        data.is_valid(raise_exception=True)
        warnings = plan_check(patient=patient, data=service_input(data, PlanData))
        self.audit("plan.check", patient, "dose_plan")
        return Response({"warnings": [w.as_dict() for w in warnings], "errors": None})


class PlanTemplatesView(ClinicianView):
    pagination_class = None

    @extend_schema(responses=PlanTemplateOut(many=True), summary="Titration plan templates (CLINICAL.md §5)")
    def get(self, request: Request) -> Response:
        return Response(PlanTemplateOut(dashboard.PLAN_TEMPLATES, many=True).data)


class ClinicOutcomesView(ClinicianView):
    pagination_class = None

    @extend_schema(
        responses=ClinicOutcomesOut,
        summary="Clinic outcomes in the form of the published case series (CLINICAL.md §6)",
        description=(
            "Totals of every linked patient, and the first patients of each list by name "
            f"({dashboard.SHOWN_PER_LIST}; the rest through clinic/outcomes/patients?list=)."
        ),
    )
    def get(self, request: Request) -> Response:
        outcomes, named = dashboard.clinic_outcomes(self.clinician)
        # Each patient named on the page is a read of their verdict; the totals are one
        # read of the clinic, whose linked patients at that moment the care links' history
        # keeps (docs/security.md).
        self.audit("outcomes.totals", None, "clinic", self.clinician.clinic_id)
        self.audit_list("outcomes.read", named)
        return Response(ClinicOutcomesOut(outcomes).data)


class ClinicOutcomesListView(ClinicianView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "list",
                str,
                required=True,
                enum=list(dashboard.OUTCOME_LISTS),
                description="A category of the outcomes page, or a group it lists apart.",
            )
        ],
        responses=OutcomePatientOut(many=True),
        summary="The patients of one list of the clinic outcomes, by name, paged",
    )
    def get(self, request: Request) -> Response:
        listed = query_choices(request, "list", list(dashboard.OUTCOME_LISTS))
        if not listed or len(listed) > 1:
            raise InvalidInput({"list": f"Name one list: {', '.join(dashboard.OUTCOME_LISTS)}."})
        paginator = Pagination()
        rows = paginator.paginate_queryset(dashboard.outcomes_list(self.clinician, listed[0]), request, view=self)
        page = dashboard.outcome_members(rows or [])
        self.audit_list("outcomes.read", page)
        return paginator.get_paginated_response([member.as_json() for member in page])


class _AnyAccept(DefaultContentNegotiation):
    """The report answers HTML or PDF itself; a client that accepts only those still gets
    its errors (problem details, JSON) instead of a 406."""

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type


_REPORT_PARAMETERS = [
    OpenApiParameter(
        "start",
        OpenApiTypes.DATE,
        description="first day (default: 27 days before end; with neither start nor end: the first day of the "
        "verdict's evaluation window, as on the patient page)",
    ),
    OpenApiParameter(
        "end",
        OpenApiTypes.DATE,
        description="last day (default: the patient's today; with neither: the verdict's evaluation window's last day)",
    ),
]


class _ReportView(ClinicianPatientView):
    pagination_class = None
    content_negotiation_class = _AnyAccept
    audit_action = ""

    def report_context(self, request: Request) -> dict[str, Any]:
        """?start=&end= (inclusive, patient-local): without either, the verdict's evaluation
        window (the patient page's 28 days), else the 28 days ending today; not after today,
        start ≤ end, at most a year."""
        patient = self.get_patient()
        today = local_calendar_date(patient.time_zone)
        named_end = request.query_params.get("end")
        named_start = request.query_params.get("start")
        end = parse_day(named_end, "end") if named_end else today
        start = parse_day(named_start, "start") if named_start else None
        if not named_end and not named_start:
            start, end = dashboard.report_default_period(patient, today)
        if end > today:
            raise InvalidInput({"end": f"The period cannot end after the patient's today ({today.isoformat()})."})
        if end < today - timedelta(days=dashboard.REPORT_MAX_AGE_DAYS):
            raise InvalidInput({"end": "The period must end within the last ten years."})
        start = start or end - timedelta(days=27)
        if start > end:
            raise InvalidInput({"start": "'start' is after 'end'."})
        if (end - start).days + 1 > dashboard.REPORT_MAX_DAYS:
            raise InvalidInput({"end": "A report covers at most one year (366 days)."})
        report = dashboard.visit_report(patient, start, end)
        self.audit(self.audit_action, patient, "visit_report", f"{start.isoformat()}..{end.isoformat()}")
        return _report_template_context(report)

    def html(self, request: Request, style_nonce: str = "") -> str:
        return render_to_string("api/visit_report.html", {**self.report_context(request), "style_nonce": style_nonce})


def _plan_lines(plan: DosePlan | None) -> list[str]:
    if plan is None:
        return []
    return [
        f"From {day(step.start_date)}: {mg(step.mg)} ({step.get_time_of_day_display().lower()})"
        for step in sorted(plan.steps.all(), key=lambda s: s.start_date)
    ]


def _report_template_context(report: dict[str, Any]) -> dict[str, Any]:
    """Everything the report shows, in words and readable numbers (diary/evidence/: the
    same presenter as the patient page's)."""
    patient = report["patient"]
    zone = patient.time_zone
    source = report["baseline_source"]
    baseline_text = {
        "diary": "the diary's 28 days before the first dose",
        "reported": "reported by the clinician (not from the diary)",
        "none": "none (no valid diary baseline and none reported)",
    }.get(source, "none")
    if "pro_rated" in report["baseline_labels"]:
        baseline_text += ", pro-rated"
    verdict = report["verdict"]
    presented = verdict_presented(verdict["kind"], verdict["evidence"]) if verdict else None
    if presented and presented["questionnaires"]:
        # the questionnaire table says what these facts say, in columns
        in_table = {row["instrument"] for row in presented["questionnaires"]}
        presented = {**presented, "facts": [f for f in presented["facts"] if f["label"] not in in_table]}
    window = (verdict or {}).get("evidence", {}).get("window") or {}
    same_window = window.get("start") == report["start"].isoformat() and window.get("end") == report["end"].isoformat()
    flags = [
        {
            "severity": flag.severity,
            "severity_label": flag.get_severity_display(),
            "status": flag.get_status_display(),
            "opened": day(local_calendar_date(zone, flag.opened_at)),
            "presented": flag_presented(flag.kind, flag.evidence, zone),
        }
        for flag in report["flags"]
    ]
    measures = [
        {
            "label": m["label"],
            "baseline": number(m["baseline"]),
            "now": number(m["now"]),
            "change": reduction_text(m["reduction_pct"]),
        }
        for m in report["measures"]
    ]
    plan = report["plan"]
    return {
        "r": report,
        "name": patient.user.display_name or patient.user.email,
        "condition": patient.get_primary_condition_display(),
        "baseline_text": baseline_text,
        "measures": measures,
        "compliance": percent(report["compliance_pct"]),
        "adherence": percent(report["adherence_pct"]),
        "mean_sleep": number(report["mean_sleep"]),
        "verdict_presented": presented,
        # the column says something only where a measure does not simply count
        "verdict_counts": bool(presented and any(m["counts"] not in ("", "yes") for m in presented["measures"])),
        "verdict_window": span(window.get("start"), window.get("end")) if window else None,
        "same_window": same_window,
        "flags": flags,
        "plan_lines": _plan_lines(plan),
        "plan_target": mg(plan.target_mg) if plan is not None else None,
        "planned_today": mg(report["planned_today"].mg) if report["planned_today"] else None,
        "chart": report["chart"],
    }


class VisitReportView(_ReportView):
    audit_action = "report.read"

    @extend_schema(
        parameters=_REPORT_PARAMETERS,
        responses={(200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="A print-styled page")},
        summary="Visit report for a period: a one-page, print-styled HTML page",
    )
    # The page's one inline <style> carries the response's CSP nonce, which style-src
    # allows and nothing else (django-csp adds the nonce to the header it writes).
    @method_decorator(csp_update({"style-src": [NONCE]}))
    def get(self, request: Request, patient_id: str) -> HttpResponse:
        html = self.html(request, style_nonce=str(request.csp_nonce))  # type: ignore[attr-defined]  # set by CSPMiddleware
        return HttpResponse(html, content_type="text/html; charset=utf-8")


class VisitReportPdfView(_ReportView):
    audit_action = "report.pdf"

    @extend_schema(
        parameters=_REPORT_PARAMETERS,
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="One A4 page")},
        summary="Visit report for a period as a PDF (one A4 page)",
    )
    def get(self, request: Request, patient_id: str) -> HttpResponse:
        from weasyprint import HTML

        html = self.html(request)
        pdf = HTML(string=html).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="visit-report.pdf"'
        return response

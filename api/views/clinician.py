"""What a clinician sees and writes for the patients linked to their clinic."""

from __future__ import annotations

from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.common import service_input
from api.serializers.dosing import BaselineIn, BaselineOut, PlanIn, PlanOut, PlanStopIn, PlanWithTodayOut
from api.serializers.people import (
    ConditionChangeOut,
    ConditionIn,
    InvitationCreatedOut,
    InvitationIn,
    InvitationOut,
    PatientSummaryOut,
)
from api.views.base import ClinicianPatientView, ClinicianView, parse_uuid, query_choices
from api.views.me import plan_with_today
from diary import selectors
from diary.access import patient_for_clinician
from diary.choices import ConditionSetBy, LinkStatus, RevokedBy
from diary.services.care import care_link_revoke, invitation_create
from diary.services.dosing import baseline_report, plan_stop, plan_write
from diary.services.errors import Conflict, NotFound
from diary.services.inputs import BaselineData, PlanData
from diary.services.patients import patient_condition_set

PatientDetailOut = inline_serializer(
    "PatientDetail",
    {
        "patient": PatientSummaryOut(),
        "care_link_id": serializers.UUIDField(),
        "plan": PlanWithTodayOut(),
        "reported_baseline": BaselineOut(allow_null=True),
        "condition_history": ConditionChangeOut(many=True),
    },
)

PatientProfileOut = inline_serializer(
    "PatientProfile",
    {"patient": PatientSummaryOut(), "condition_history": ConditionChangeOut(many=True)},
)


def condition_history(patient: object) -> list[dict[str, object]]:
    changes = patient.condition_changes.order_by("-at", "-pk")  # type: ignore[attr-defined]
    return list(ConditionChangeOut(changes, many=True).data)


class PatientsView(ClinicianView):
    @extend_schema(responses=PatientSummaryOut(many=True), summary="My clinic's linked patients")
    def get(self, request: Request) -> Response:
        return self.paginate(
            selectors.patients_for(self.clinician),
            PatientSummaryOut,
            on_page=lambda page: self.audit_list("patients.list", page),
        )


class PatientDetailView(ClinicianPatientView):
    patient_scope = selectors.patients_for  # with list columns

    @extend_schema(responses=PatientDetailOut, summary="One linked patient: profile, link, plan, baseline")
    def get(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        self.audit("patient.read", patient, "patient", patient.public_id)
        baseline = selectors.reported_baseline_of(patient)
        return Response(
            {
                "patient": PatientSummaryOut(patient).data,
                "care_link_id": str(selectors.active_link_id(patient, self.clinician.clinic_id)),
                "plan": plan_with_today(patient),
                "reported_baseline": BaselineOut(baseline).data if baseline else None,
                "condition_history": condition_history(patient),
            }
        )


class PatientProfileView(ClinicianPatientView):
    @extend_schema(
        request=ConditionIn,
        responses=PatientProfileOut,
        summary="Set the patient's primary condition (kept in its history; the analysis reruns)",
    )
    def patch(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        data = ConditionIn(data=request.data)
        data.is_valid(raise_exception=True)
        condition = data.validated_data["primary_condition"]
        patient_condition_set(patient, condition, actor=request.user, set_by=ConditionSetBy.CLINICIAN)  # type: ignore[arg-type]
        self.audit("patient.condition_set", patient, "patient", patient.public_id)
        # read again with the list columns, as the detail answers
        scope = selectors.patients_for(self.clinician)
        patient = patient_for_clinician(self.clinician, patient.public_id, scope) or patient
        return Response({"patient": PatientSummaryOut(patient).data, "condition_history": condition_history(patient)})


class PatientPlanView(ClinicianPatientView):
    @extend_schema(responses=PlanWithTodayOut, summary="The patient's plan and today's planned dose")
    def get(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        self.audit("plan.read", patient, "dose_plan")
        return Response(plan_with_today(patient))

    @extend_schema(
        request=PlanIn,
        responses={200: PlanOut, 201: PlanOut},
        summary="Write the titration plan (steps that started are kept); warnings in the response",
    )
    def put(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        data = PlanIn(data=request.data)
        data.is_valid(raise_exception=True)
        written = plan_write(patient=patient, clinician=self.clinician, data=service_input(data, PlanData))
        self.audit("plan.write", patient, "dose_plan", written.obj.pk)
        plan = selectors.plan_of(patient, written.obj.pk)
        return Response(
            PlanOut(plan, context={"warnings": [w.as_dict() for w in written.warnings]}).data,
            status=status.HTTP_201_CREATED if written.created else status.HTTP_200_OK,
        )


class PatientPlanStopView(ClinicianPatientView):
    @extend_schema(
        request=PlanStopIn,
        responses={
            200: PlanOut,
            409: OpenApiResponse(description="No current plan, or it was already stopped (`current`)."),
        },
        summary="Stop the current plan, with a reason",
    )
    def post(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        data = PlanStopIn(data=request.data)
        data.is_valid(raise_exception=True)
        plan = selectors.current_plan(patient)
        if plan is None:
            raise Conflict("This patient has no current plan to stop.")
        v = data.validated_data
        plan = plan_stop(
            plan=plan, clinician=self.clinician, stopped_on=v["stopped_on"], reason=v["reason"], note=v["note"]
        )
        self.audit("plan.stop", patient, "dose_plan", plan.pk)
        return Response(PlanOut(selectors.plan_of(patient, plan.pk)).data)


class PatientBaselineView(ClinicianPatientView):
    @extend_schema(responses=BaselineOut, summary="The reported baseline, if one was entered")
    def get(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        self.audit("baseline.read", patient, "reported_baseline")
        baseline = selectors.reported_baseline_of(patient)
        if baseline is None:
            raise NotFound()
        return Response(BaselineOut(baseline).data)

    @extend_schema(request=BaselineIn, responses=BaselineOut, summary="Enter the baseline month the patient reported")
    def put(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        data = BaselineIn(data=request.data)
        data.is_valid(raise_exception=True)
        baseline = baseline_report(patient=patient, clinician=self.clinician, data=service_input(data, BaselineData))
        self.audit("baseline.write", patient, "reported_baseline", baseline.pk)
        return Response(BaselineOut(baseline).data)


class InvitationsView(ClinicianView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, description="invited (or pending), active, revoked or expired; comma-separated"
            )
        ],
        responses=InvitationOut(many=True),
        summary="My clinic's invitations and care links",
    )
    def get(self, request: Request) -> Response:
        wanted = query_choices(request, "status", [*LinkStatus.values, "pending"])
        return self.paginate(selectors.invitations_for(self.clinician, wanted or ()), InvitationOut)

    @extend_schema(
        request=InvitationIn,
        responses={201: InvitationCreatedOut},
        summary="Create an invitation code (shown once, with a link and a QR code)",
    )
    def post(self, request: Request) -> Response:
        data = InvitationIn(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitation_create(clinician=self.clinician, note=data.validated_data["note"])
        invite_url = request.build_absolute_uri("/") + "?" + urlencode({"invite": invitation.code})
        context = {"codes": {invitation.link.pk: invitation.code}, "invite_url": invite_url}
        return Response(InvitationCreatedOut(invitation.link, context=context).data, status=status.HTTP_201_CREATED)


class InvitationRevokeView(ClinicianView):
    @extend_schema(request=None, responses=InvitationOut, summary="Withdraw an invitation or end a care link")
    def post(self, request: Request, link_id: str) -> Response:
        public_id = parse_uuid(link_id, "link_id")
        link = selectors.invitation_of(self.clinician, public_id)
        if link is None:
            raise NotFound()
        link = care_link_revoke(link=link, by=RevokedBy.CLINICIAN)
        return Response(InvitationOut(link).data)

"""The patient's own profile, today, plan, care links and changes feed."""

from __future__ import annotations

from allauth.core import ratelimit
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.common import service_input
from api.serializers.dosing import DeletedDoseOut, DoseLogOut, PlannedDoseOut, PlanOut, PlanWithTodayOut
from api.serializers.entries import EntryOut
from api.serializers.people import (
    CodeIn,
    InvitationPreviewOut,
    PatientLinkOut,
    ProfileIn,
    ProfileOut,
    RedeemIn,
    TodayOut,
    WhoAmIOut,
)
from api.views.base import BaseView, PatientView, parse_uuid
from diary import selectors
from diary.access import clinician_of, patient_of
from diary.choices import RevokedBy
from diary.dates import local_calendar_date, local_today
from diary.models import Patient
from diary.services.care import care_link_revoke, invitation_preview, invitation_redeem
from diary.services.errors import InvalidInput, NotFound
from diary.services.inputs import ProfileChange
from diary.services.patients import patient_profile_update


class WhoAmIView(BaseView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=WhoAmIOut, summary="Who is signed in, and in which role")
    def get(self, request: Request) -> Response:
        patient = patient_of(request.user)
        clinician = clinician_of(request.user)
        role = "patient" if patient else "clinician" if clinician else "none"
        return Response(
            WhoAmIOut(
                {
                    "email": request.user.email,  # type: ignore[union-attr]
                    "display_name": request.user.display_name,  # type: ignore[union-attr]
                    "role": role,
                    "patient_id": patient.public_id if patient else None,
                    "clinic": clinician.clinic.name if clinician else None,
                }
            ).data
        )


class ProfileView(PatientView):
    @extend_schema(responses=ProfileOut, summary="My profile")
    def get(self, request: Request) -> Response:
        return Response(ProfileOut(self.patient).data)

    @extend_schema(request=ProfileIn, responses=ProfileOut, summary="Change my time zone, day boundary, ...")
    def patch(self, request: Request) -> Response:
        data = ProfileIn(data=request.data)
        data.is_valid(raise_exception=True)
        patient = patient_profile_update(self.patient, service_input(data, ProfileChange))
        return Response(ProfileOut(patient).data)


class TodayView(PatientView):
    @extend_schema(responses=TodayOut, summary="The diary day to propose now, and whether it is logged")
    def get(self, request: Request) -> Response:
        patient = self.patient
        day = local_today(patient.time_zone, patient.day_boundary)
        version = selectors.entry_version_on(patient, day)
        return Response(
            TodayOut(
                {
                    "date": day,
                    "calendar_date": local_calendar_date(patient.time_zone),
                    "time_zone": patient.time_zone,
                    "entry_version": version,
                    "dose_logged": selectors.dose_logged_on(patient, day),
                }
            ).data
        )


def plan_with_today(patient: Patient) -> dict[str, object]:
    plans = list(selectors.plans_for(patient))  # newest first, one query for both answers
    plan = selectors.latest_plan(plans)
    day = local_today(patient.time_zone, patient.day_boundary)
    planned = selectors.planned_dose_on(patient, day, plans)
    return {
        "plan": PlanOut(plan).data if plan else None,
        "today": PlannedDoseOut(planned).data if planned else None,
    }


class MyPlanView(PatientView):
    @extend_schema(responses=PlanWithTodayOut, summary="My plan, and today's planned dose")
    def get(self, request: Request) -> Response:
        return Response(plan_with_today(self.patient))


ChangesOut = inline_serializer(
    "Changes",
    {
        "cursor": serializers.CharField(help_text="Pass as ?since= next time."),
        "has_more": serializers.BooleanField(),
        "entries": EntryOut(many=True),
        "dose_logs": DoseLogOut(many=True),
        "deleted_dose_logs": DeletedDoseOut(many=True),
        "plan": PlanWithTodayOut(),
        "profile": ProfileOut(),
    },
)


class ChangesView(PatientView):
    @extend_schema(
        parameters=[OpenApiParameter("since", str, description="Cursor from the last call; 0 or absent: all.")],
        responses=ChangesOut,
        summary="Everything changed since a cursor (resync after being offline)",
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("since", "0") or "0"
        if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is true, int("²") fails
            raise InvalidInput({"since": f"'{raw}' is not a cursor from this API."})
        patient = self.patient
        changes = selectors.changes_since(patient, int(raw))
        return Response(
            {
                "cursor": str(changes["cursor"]),
                "has_more": changes["has_more"],
                "entries": EntryOut(changes["entries"], many=True).data,
                "dose_logs": DoseLogOut(changes["dose_logs"], many=True).data,
                "deleted_dose_logs": DeletedDoseOut(changes["deleted_dose_logs"], many=True).data,
                "plan": plan_with_today(patient),
                "profile": ProfileOut(patient).data,
            }
        )


class CareLinksView(PatientView):
    @extend_schema(responses=PatientLinkOut(many=True), summary="Who can see my diary (and who could)")
    def get(self, request: Request) -> Response:
        return self.paginate(selectors.care_links_for_patient(self.patient), PatientLinkOut)

    @extend_schema(
        request=RedeemIn,
        responses={201: PatientLinkOut, 409: OpenApiResponse(description="I already share my diary with this clinic.")},
        summary="Accept an invitation and consent",
    )
    def post(self, request: Request) -> Response:
        data = RedeemIn(data=request.data)
        data.is_valid(raise_exception=True)
        link = invitation_redeem(
            patient=self.patient, code=data.validated_data["code"], consent=data.validated_data["consent"]
        )
        return Response(PatientLinkOut(link).data, status=status.HTTP_201_CREATED)


class InvitationPreviewView(PatientView):
    @extend_schema(request=CodeIn, responses=InvitationPreviewOut, summary="Who is inviting me (code not used up)")
    def post(self, request: Request) -> Response:
        data = CodeIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(InvitationPreviewOut(invitation_preview(data.validated_data["code"])).data)


class CareLinkRevokeView(PatientView):
    @extend_schema(request=None, responses=PatientLinkOut, summary="Stop sharing my diary with a clinic")
    def post(self, request: Request, link_id: str) -> Response:
        public_id = parse_uuid(link_id, "link_id")
        link = selectors.care_link_of(self.patient, public_id)
        if link is None:
            raise NotFound()
        link = care_link_revoke(link=link, by=RevokedBy.PATIENT)
        return Response(PatientLinkOut(link).data)


class SignupInvitationPreviewView(BaseView):
    """Before an account exists: the sign-up page names the clinic and clinician the patient
    consents to share with. The code (60 random bits) is the secret; each address may try
    INVITATION_PREVIEW a minute (settings.ACCOUNT_RATE_LIMITS), counted in Redis, and this
    limit fails closed while Redis is away (config/cache.py)."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=CodeIn,
        responses={
            200: InvitationPreviewOut,
            429: OpenApiResponse(
                description="Too many codes checked from this address (or no address to count them by): wait a minute."
            ),
        },
        summary="Who is inviting me (before sign-up; code not used up)",
    )
    def post(self, request: Request) -> Response:
        try:
            allowed = ratelimit.consume(request, action="invitation_preview")
        except DjangoPermissionDenied:
            # allauth cannot tell the client's address (a proxy set-up that hides it): with
            # nothing to count tries by, refuse as if over the limit (fail closed)
            allowed = False
        if not allowed:
            raise Throttled(wait=60, detail="Too many codes checked from here. Try again in a minute.")
        data = CodeIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(InvitationPreviewOut(invitation_preview(data.validated_data["code"])).data)

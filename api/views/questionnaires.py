"""Questionnaires (CLINICAL.md §12): the patient's (me/questionnaires), a clinician's for a
patient (patients/{id}/questionnaires, audited), and the clinic's licensed HIT-6 wording."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers.questionnaires import (
    ClinicianQuestionnaireIn,
    Hit6WordingIn,
    Hit6WordingOut,
    QuestionnaireIn,
    QuestionnaireOut,
    QuestionnairesOut,
)
from api.views.base import ClinicianPatientView, ClinicianView, PatientView
from diary import selectors
from diary.analysis import questionnaires as scoring
from diary.choices import EnteredBy
from diary.models import Hit6Wording, Patient
from diary.questionnaire_forms import forms
from diary.services.questionnaires import (
    ResponseIn,
    Submitted,
    completed_on_range,
    hit6_wording_save,
    questionnaire_submit,
)


def questionnaires_of(patient: Patient, request: Request, by: str) -> dict[str, Any]:
    wording = selectors.hit6_wording_of(patient)
    first_dose = selectors.first_dose_taken(patient)
    condition = patient.primary_condition
    return {
        **selectors.questionnaires_now(patient),
        "responses": QuestionnaireOut(selectors.questionnaires_for(patient), many=True).data,
        "hit6_available": wording is not None,
        "baseline_closed": first_dose is not None,
        "first_dose": first_dose,
        "instruments": {
            "baseline": list(scoring.baseline_instruments(condition)),
            "followup": list(scoring.followup_instruments(condition)),
        },
        "forms": forms(None if wording is None else list(wording.items)),
        "completed_on_range": dict(zip(("earliest", "latest"), completed_on_range(patient, by), strict=True)),
    }


def submitted_response(done: Submitted) -> Response:
    return Response(
        QuestionnaireOut(done.response).data, status=status.HTTP_201_CREATED if done.created else status.HTTP_200_OK
    )


class MyQuestionnairesView(PatientView):
    pagination_class = None

    @extend_schema(responses=QuestionnairesOut, summary="My questionnaires: what is due, my answers, the forms")
    def get(self, request: Request) -> Response:
        return Response(questionnaires_of(self.patient, request, EnteredBy.PATIENT))

    @extend_schema(
        request=QuestionnaireIn,
        responses={201: QuestionnaireOut, 200: OpenApiResponse(QuestionnaireOut, description="A replay (client_id).")},
        summary="Submit a questionnaire (never edits one: a correction is a new response)",
    )
    def post(self, request: Request) -> Response:
        data = QuestionnaireIn(data=request.data)
        data.is_valid(raise_exception=True)
        done = questionnaire_submit(
            patient=self.patient, data=ResponseIn(**data.validated_data), by=EnteredBy.PATIENT, actor=self.patient.user
        )
        return submitted_response(done)


class PatientQuestionnairesView(ClinicianPatientView):
    pagination_class = None

    @extend_schema(responses=QuestionnairesOut, summary="A patient's questionnaires: due, completed, the forms")
    def get(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        self.audit("questionnaires.list", patient, "questionnaire_response")
        return Response(questionnaires_of(patient, request, EnteredBy.CLINICIAN))

    @extend_schema(
        request=ClinicianQuestionnaireIn,
        responses={201: QuestionnaireOut, 200: OpenApiResponse(QuestionnaireOut, description="A replay (client_id).")},
        summary="Enter a response on the patient's behalf, a bare HIT-6 total, or a reported baseline total",
    )
    def post(self, request: Request, patient_id: str) -> Response:
        patient = self.get_patient()
        data = ClinicianQuestionnaireIn(data=request.data)
        data.is_valid(raise_exception=True)
        done = questionnaire_submit(
            patient=patient, data=ResponseIn(**data.validated_data), by=EnteredBy.CLINICIAN, actor=self.clinician.user
        )
        self.audit("questionnaires.enter", patient, "questionnaire_response", done.response.public_id)
        return submitted_response(done)


class Hit6WordingView(ClinicianView):
    pagination_class = None

    def _out(self, wording: Hit6Wording | None) -> dict[str, Any]:
        return {
            "items": None if wording is None else wording.items,
            "licence_note": "" if wording is None else wording.licence_note,
            "updated_at": None if wording is None else wording.updated_at,
            "can_edit": self.clinician.is_clinic_admin,
        }

    @extend_schema(responses=Hit6WordingOut, summary="The clinic's licensed HIT-6 wording (null: none entered)")
    def get(self, request: Request) -> Response:
        wording = selectors.clinic_hit6_wording(self.clinician.clinic_id)
        return Response(Hit6WordingOut(self._out(wording)).data)

    @extend_schema(request=Hit6WordingIn, responses=Hit6WordingOut, summary="Enter the clinic's HIT-6 wording (admin)")
    def put(self, request: Request) -> Response:
        if not self.clinician.is_clinic_admin:
            raise PermissionDenied("Only a clinic administrator enters the clinic's HIT-6 wording.")
        data = Hit6WordingIn(data=request.data)
        data.is_valid(raise_exception=True)
        wording = hit6_wording_save(
            clinic_id=self.clinician.clinic_id,
            items=list(data.validated_data["items"]),
            licence_note=data.validated_data["licence_note"],
            actor=self.clinician.user,
        )
        return Response(Hit6WordingOut(self._out(wording)).data)

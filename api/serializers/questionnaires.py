"""Questionnaires (CLINICAL.md §9, §12): responses in and out, what is due, the forms."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.common import StrictSerializer
from diary.analysis import questionnaires as scoring
from diary.choices import EnteredBy, Instrument
from diary.models import QuestionnaireResponse


class QuestionnaireIn(StrictSerializer):
    """The patient's response: the answers of one instrument (see `forms` in the GET)."""

    instrument = serializers.ChoiceField(choices=Instrument.choices)
    answers = serializers.DictField(
        help_text=(
            'MIDAS {"items": [5 × 0–90], "a": 0–90|null, "b": 0–10|null}; HIT-6 {"answers": [6 × '
            'never|rarely|sometimes|very_often|always]}; PGIC {"answer": 1–7}.'
        )
    )
    completed_on = serializers.DateField(
        required=False, help_text="The diary day it was filled in (default: today; an offline phone's day)."
    )
    client_id = serializers.UUIDField(required=False, help_text="Made by the device; repeating it returns the first.")


class ClinicianQuestionnaireIn(StrictSerializer):
    """A response entered on the patient's behalf, a bare HIT-6 total, or a reported baseline."""

    instrument = serializers.ChoiceField(choices=Instrument.choices)
    answers = serializers.DictField(required=False, default=dict)
    total = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A bare HIT-6 total, or a reported baseline total."
    )
    completed_on = serializers.DateField(required=False, help_text="Up to 14 days back (default: today).")
    reported = serializers.BooleanField(
        default=False, help_text="A reported baseline total (MIDAS or HIT-6), after the first dose only."
    )
    client_id = serializers.UUIDField(required=False)


class QuestionnaireOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    band = serializers.SerializerMethodField(help_text="MIDAS grade (I–IV) or HIT-6 impact; null for PGIC.")
    entered_by_name = serializers.SerializerMethodField()

    class Meta:
        model = QuestionnaireResponse
        fields = (
            "id",
            "client_id",
            "instrument",
            "completed_on",
            "answers",
            "total",
            "band",
            "entered_by",
            "entered_by_name",
            "created_at",
        )

    def get_band(self, obj: QuestionnaireResponse) -> str | None:
        return scoring.band(obj.instrument, obj.total)

    def get_entered_by_name(self, obj: QuestionnaireResponse) -> str:
        user = obj.entered_by_user
        if obj.entered_by == EnteredBy.PATIENT or user is None:
            return ""
        return user.display_name or user.email


class DueOut(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=Instrument.choices)
    kind = serializers.ChoiceField(choices=[("baseline", "Baseline"), ("followup", "Follow-up")])
    since = serializers.DateField()


class Hit6WordingIn(StrictSerializer):
    items = serializers.ListField(child=serializers.CharField(max_length=500), min_length=6, max_length=6)
    licence_note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class Hit6WordingOut(serializers.Serializer):
    items = serializers.ListField(child=serializers.CharField(), allow_null=True)
    licence_note = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)
    can_edit = serializers.BooleanField()


class QuestionnairesOut(serializers.Serializer):
    due = DueOut(many=True)
    responses = QuestionnaireOut(many=True)
    hit6_available = serializers.BooleanField(help_text="The clinic has entered its licensed HIT-6 wording.")
    baseline_closed = serializers.BooleanField(
        help_text="The first dose was taken: no baseline can be given now (a clinician may enter a reported total)."
    )
    forms = serializers.DictField()

"""Questionnaires (CLINICAL.md §9, §12): responses in and out, what is due, the forms."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.common import StrictSerializer
from diary.analysis import questionnaires as scoring
from diary.analysis import rules
from diary.choices import EnteredBy, Instrument
from diary.evidence import total_words
from diary.models import QuestionnaireResponse


class AnswersIn(StrictSerializer):
    """The answers of one instrument (diary.services.questionnaires checks them by instrument)."""

    items = serializers.ListField(
        child=serializers.IntegerField(allow_null=True), required=False, help_text="MIDAS: 5 day counts, 0–90."
    )
    a = serializers.IntegerField(allow_null=True, required=False, help_text="MIDAS A: headache days, 0–90.")
    b = serializers.IntegerField(allow_null=True, required=False, help_text="MIDAS B: average pain, 0–10.")
    answers = serializers.ListField(
        child=serializers.ChoiceField(choices=list(rules.HIT6_ANSWERS)), required=False, help_text="HIT-6: 6 answers."
    )
    answer = serializers.IntegerField(required=False, help_text="PGIC: 1–7.")


@extend_schema_field(AnswersIn)
class AnswersInField(serializers.DictField):
    """A dict as DRF reads it; the schema says which keys an instrument takes."""


class QuestionnaireIn(StrictSerializer):
    """The patient's response: the answers of one instrument (see `forms` in the GET)."""

    instrument = serializers.ChoiceField(choices=Instrument.choices)
    answers = AnswersInField(
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
    answers = AnswersInField(required=False, default=dict)
    total = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A bare HIT-6 total, or a reported baseline total."
    )
    completed_on = serializers.DateField(required=False, help_text="Up to 14 days back (default: today).")
    reported = serializers.BooleanField(
        default=False, help_text="A reported baseline total (MIDAS or HIT-6), after the first dose only."
    )
    client_id = serializers.UUIDField(required=False)


class AnswersOut(serializers.Serializer):
    """The answers as given, by instrument: MIDAS items, a and b; HIT-6 answers; PGIC answer
    (none for a bare or reported total)."""

    items = serializers.ListField(child=serializers.IntegerField(allow_null=True), required=False)
    a = serializers.IntegerField(allow_null=True, required=False)
    b = serializers.IntegerField(allow_null=True, required=False)
    answers = serializers.ListField(child=serializers.ChoiceField(choices=list(rules.HIT6_ANSWERS)), required=False)
    answer = serializers.IntegerField(required=False)


@extend_schema_field(AnswersOut)
class AnswersField(serializers.JSONField):
    pass


class QuestionnaireOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    answers = AnswersField(read_only=True)
    band = serializers.SerializerMethodField(help_text="MIDAS grade (I–IV) or HIT-6 impact; null for PGIC.")
    words = serializers.SerializerMethodField(
        help_text="What the total means, in words: 'grade IV', 'severe impact', 'much improved'."
    )
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
            "words",
            "entered_by",
            "entered_by_name",
            "created_at",
        )
        read_only_fields = fields

    def get_band(self, obj: QuestionnaireResponse) -> str | None:
        return scoring.band(obj.instrument, obj.total)

    def get_words(self, obj: QuestionnaireResponse) -> str:
        return total_words(obj.instrument, obj.total, scoring.band(obj.instrument, obj.total))

    def get_entered_by_name(self, obj: QuestionnaireResponse) -> str:
        user = obj.entered_by_user
        if obj.entered_by == EnteredBy.PATIENT or user is None:
            return ""
        return user.display_name or user.email


class DueOut(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=Instrument.choices)
    kind = serializers.ChoiceField(choices=[("baseline", "Baseline"), ("followup", "Follow-up")])
    since = serializers.DateField()


class CountedResponseOut(serializers.Serializer):
    total = serializers.IntegerField()
    completed_on = serializers.DateField()
    entered_by = serializers.ChoiceField(choices=EnteredBy.choices)
    band = serializers.CharField(allow_null=True, help_text="MIDAS grade (I–IV) or HIT-6 impact; null for PGIC.")
    words = serializers.CharField(help_text="What the total means: 'grade IV', 'severe impact', 'much improved'.")


class CountedOut(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=Instrument.choices)
    baseline = CountedResponseOut(allow_null=True, help_text="The baseline response that counts (§12.3).")
    followup = CountedResponseOut(allow_null=True, help_text="The follow-up response that counts (§12.4).")
    decides = serializers.BooleanField(
        help_text="The instrument can change the verdict: MIDAS and HIT-6 for headache conditions, PGIC otherwise."
    )


class Hit6WordingIn(StrictSerializer):
    items = serializers.ListField(
        child=serializers.CharField(max_length=500, allow_blank=True), min_length=6, max_length=6
    )
    licence_note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class Hit6WordingOut(serializers.Serializer):
    items = serializers.ListField(child=serializers.CharField(), allow_null=True)
    licence_note = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)
    can_edit = serializers.BooleanField()


class ListedInstrumentsOut(serializers.Serializer):
    baseline = serializers.ListField(
        child=serializers.ChoiceField(choices=Instrument.choices),
        help_text="Asked before the first dose for the patient's condition (§12.2): MIDAS and HIT-6 for headache.",
    )
    followup = serializers.ListField(
        child=serializers.ChoiceField(choices=Instrument.choices), help_text="Asked from 8 weeks on the clock."
    )


class DateRangeOut(serializers.Serializer):
    earliest = serializers.DateField()
    latest = serializers.DateField()


class MidasFormOut(serializers.Serializer):
    items = serializers.ListField(child=serializers.CharField())
    a = serializers.CharField()
    b = serializers.CharField()
    max_days = serializers.IntegerField()
    max_pain = serializers.IntegerField()


class PgicFormOut(serializers.Serializer):
    question = serializers.CharField()
    answers = serializers.ListField(child=serializers.CharField(), help_text="From 1 (very much improved) to 7.")


class Hit6AnswerOut(serializers.Serializer):
    value = serializers.ChoiceField(choices=list(rules.HIT6_ANSWERS))
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label


class Hit6FormOut(serializers.Serializer):
    items = serializers.ListField(child=serializers.CharField())
    answers = Hit6AnswerOut(many=True)


class FormsOut(serializers.Serializer):
    """The wording the app shows (diary/questionnaire_forms.py)."""

    midas = MidasFormOut()
    pgic = PgicFormOut()
    hit6 = Hit6FormOut(allow_null=True, help_text="null until the clinic enters its licensed HIT-6 wording.")


class QuestionnairesOut(serializers.Serializer):
    due = DueOut(many=True)
    counted = CountedOut(
        many=True,
        help_text="Per instrument with a response that counts today: its baseline and follow-up (§12.3, §12.4).",
    )
    responses = QuestionnaireOut(many=True)
    hit6_available = serializers.BooleanField(help_text="The clinic has entered its licensed HIT-6 wording.")
    baseline_closed = serializers.BooleanField(
        help_text="The first dose was taken: no baseline can be given now (a clinician may enter a reported total)."
    )
    first_dose = serializers.DateField(
        allow_null=True, help_text="The first dose taken: a reported baseline total is dated on it."
    )
    instruments = ListedInstrumentsOut(help_text="The instruments §12.2 lists for the patient's condition.")
    completed_on_range = DateRangeOut(
        help_text="The dates the caller may give as completed_on: a clinician back 14 days, never after today."
    )
    forms = FormsOut()

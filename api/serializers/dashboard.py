"""The clinician dashboard (issue 6): triage rows, plan templates, clinic outcomes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.common import MEASURES, WarningSerializer
from api.serializers.people import PatientSummaryOut
from api.serializers.questionnaires import CountedOut, DueOut
from diary.choices import FlagKind, FlagStatus, Severity, VerdictKind
from diary.evidence import flag_headline
from diary.models import Flag

INSIGHT_STATUSES = ("pending", "current", "stale")


class TriageFlagBriefOut(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    status = serializers.ChoiceField(choices=FlagStatus.choices)
    title = serializers.CharField(source="get_kind_display", help_text="The flag's name (its kind, in words).")
    headline = serializers.SerializerMethodField()
    note = serializers.CharField(source="acknowledge_note", allow_blank=True, help_text="The acknowledge note, if any.")
    opened_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    last_occurred_on = serializers.DateField(allow_null=True)

    @extend_schema_field(serializers.CharField())
    def get_headline(self, obj: Flag) -> str:
        """What the flag is about, in one line that agrees with the verdict beside it."""
        return flag_headline(obj.kind, obj.evidence)


class VerdictBriefOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=VerdictKind.choices)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label


class TriageDoseOut(serializers.Serializer):
    current_mg = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="Today's planned dose (the step in force)."
    )
    step_number = serializers.IntegerField(
        allow_null=True, help_text="1-based; null before the first step or after a stop."
    )
    step_count = serializers.IntegerField()
    target_mg = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    days_on_target = serializers.IntegerField(
        allow_null=True,
        help_text="From the first dose taken at the target to today (or the last day before a stop), both counted.",
    )
    plan_status = serializers.ChoiceField(choices=["active", "stopped", "none"])


class SparklineOut(serializers.Serializer):
    metric = serializers.ChoiceField(
        choices=MEASURES,
        help_text="headache_days (a count per week) for migraine patients, weekly mean pain otherwise.",
    )
    week_starts = serializers.ListField(child=serializers.DateField())
    values = serializers.ListField(child=serializers.FloatField(allow_null=True))


class TriageQuestionnairesOut(serializers.Serializer):
    due = DueOut(many=True, help_text="Due on the patient's diary day (CLINICAL.md §12.3, §12.4).")
    counted = CountedOut(many=True, help_text="Per instrument with a response that counts today.")


class TriageRowOut(serializers.Serializer):
    patient = PatientSummaryOut()
    open_flags = TriageFlagBriefOut(many=True, help_text="Open and acknowledged flags, most severe first.")
    top_severity = serializers.ChoiceField(choices=Severity.choices, allow_null=True)
    verdict = VerdictBriefOut(allow_null=True)
    insight_status = serializers.ChoiceField(choices=INSIGHT_STATUSES)
    insight_as_of = serializers.DateField(allow_null=True)
    dose = TriageDoseOut()
    compliance_28_pct = serializers.FloatField(allow_null=True, help_text="Diary days logged in the last 28, in %.")
    adherence_28_pct = serializers.FloatField(allow_null=True, help_text="Planned doses taken in the last 28, in %.")
    last_entry_date = serializers.DateField(allow_null=True)
    sparkline = SparklineOut()
    questionnaires = TriageQuestionnairesOut()


class PlanCheckOut(serializers.Serializer):
    warnings = WarningSerializer(many=True)
    errors = serializers.JSONField(  # type: ignore[assignment]  # named like Serializer.errors
        allow_null=True, help_text="Always null: invalid input is a 400, as for PUT."
    )


class TemplateStepOut(serializers.Serializer):
    start_day = serializers.IntegerField(help_text="Days after the plan's first day (0: the first step).")
    days = serializers.IntegerField(allow_null=True, help_text="How long the step lasts; null: the last step goes on.")
    mg = serializers.DecimalField(max_digits=5, decimal_places=2)


class PlanTemplateOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    target_mg = serializers.DecimalField(max_digits=5, decimal_places=2)
    decision_weeks = serializers.IntegerField()
    steps = TemplateStepOut(many=True)


class OutcomePatientOut(serializers.Serializer):
    id = serializers.UUIDField()
    display_name = serializers.CharField()
    condition = serializers.CharField(help_text="The primary condition, as in patients' primary_condition.")
    condition_label = serializers.CharField()
    verdict = serializers.ChoiceField(choices=VerdictKind.choices, allow_null=True)
    verdict_label = serializers.CharField()


@extend_schema_field(OutcomePatientOut(many=True))
class OutcomePatientsOut(serializers.Field):
    """A list of OutcomePatientOut, passed through as ``diary.dashboard.outcomes`` built it
    (JSON types already: ``OutcomeMember.as_json``); tests/api/test_outcomes.py checks the
    lists are what OutcomePatientOut would give."""

    def to_representation(self, value: object) -> object:
        return value


class OutcomeCategoryOut(serializers.Serializer):
    key = serializers.ChoiceField(choices=["responders", "partial_responders", "non_responders"])
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    count = serializers.IntegerField()
    pct = serializers.FloatField(allow_null=True)


class ClinicOutcomeCategoryOut(OutcomeCategoryOut):
    definition = serializers.CharField(help_text="Which verdicts the category holds (CLINICAL.md §6).")
    patients = OutcomePatientsOut(
        help_text="The first patients counted in it, by name (count says how many there are; "
        "clinic/outcomes/patients?list=<key> pages through all)."
    )


class OutcomesApartOut(serializers.Serializer):
    insufficient_data = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    not_analysed = serializers.IntegerField()


class OutcomesApartPatientsOut(serializers.Serializer):
    insufficient_data = OutcomePatientsOut()
    in_progress = OutcomePatientsOut()
    not_analysed = OutcomePatientsOut()


class DoseCountOut(serializers.Serializer):
    mg = serializers.DecimalField(max_digits=5, decimal_places=2)
    patients = serializers.IntegerField()


class SideEffectRateOut(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    patients = serializers.IntegerField()
    pct = serializers.FloatField(allow_null=True)


class ConditionOutcomesOut(serializers.Serializer):
    condition = serializers.CharField()
    counted = serializers.IntegerField()
    categories = OutcomeCategoryOut(many=True)
    responder_rate_pct = serializers.FloatField(allow_null=True)


class ClinicOutcomesOut(serializers.Serializer):
    counted = serializers.IntegerField(help_text="Patients with a verdict that maps to a category (CLINICAL.md §6).")
    categories = ClinicOutcomeCategoryOut(many=True)
    responder_rate_pct = serializers.FloatField(
        allow_null=True, help_text="(responders + partial responders) / counted × 100, one decimal."
    )
    apart = OutcomesApartOut(help_text="Listed apart, not counted.")
    apart_patients = OutcomesApartPatientsOut(
        help_text="The first patients of each group listed apart, by name (apart says how many; "
        "clinic/outcomes/patients?list=<key> pages through all)."
    )
    starting_doses = DoseCountOut(many=True)
    stable_doses = DoseCountOut(many=True, help_text="Held at the decision point, or the last held before a stop.")
    side_effect_rates = SideEffectRateOut(many=True)
    by_condition = ConditionOutcomesOut(many=True)

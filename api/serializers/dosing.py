from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.common import LocalTimeField, StrictSerializer, WarningSerializer, bounded_list
from diary.choices import StopReason, TimeOfDay
from diary.models import DoseLog, DoseLogRevision, DosePlan, DoseStep, ReportedBaseline
from diary.models.dosing import MAX_DOSE_MG, STEPS_PER_PLAN_MAX

DOSE_ERRORS: dict[str, Any] = {
    "min_value": "A dose must be more than 0 mg.",
    "max_value": "Above 50 mg is not a low-dose naltrexone dose.",
}


def dose_field(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_DOSE_MG,
        error_messages=DOSE_ERRORS,
        **kwargs,
    )


class DoseLogIn(StrictSerializer):
    client_id = serializers.UUIDField(help_text="Made by the device; repeating it returns the first result.")
    date = serializers.DateField()
    taken = serializers.BooleanField()
    mg = dose_field(required=False, allow_null=True, default=None, help_text="Default: the planned dose.")
    time_of_day = serializers.ChoiceField(choices=TimeOfDay.choices, required=False, allow_null=True, default=None)
    taken_at = LocalTimeField(required=False, allow_null=True, default=None, help_text="Local clock time.")


class DoseLogPatch(StrictSerializer):
    taken = serializers.BooleanField(required=False)
    mg = dose_field(required=False, allow_null=True)
    time_of_day = serializers.ChoiceField(choices=TimeOfDay.choices, required=False)
    taken_at = LocalTimeField(required=False, allow_null=True)


class DoseLogOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    taken_at = LocalTimeField(read_only=True, allow_null=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = DoseLog
        fields = (
            "id",
            "client_id",
            "date",
            "taken",
            "mg",
            "time_of_day",
            "taken_at",
            "created_at",
            "updated_at",
            "warnings",
        )
        read_only_fields = fields

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, obj: DoseLog) -> list[dict[str, str]]:
        return list(self.context.get("warnings", []))


class DoseRevisionOut(serializers.ModelSerializer):
    """A logged dose as it was before a correction (`deleted`: before it was deleted)."""

    snapshot = serializers.JSONField()

    class Meta:
        model = DoseLogRevision
        fields = ("dose_id", "date", "deleted", "replaced_at", "snapshot")
        read_only_fields = fields


class DeletedDoseOut(serializers.Serializer):
    id = serializers.UUIDField(source="dose_id")
    date = serializers.DateField()


class StepIn(StrictSerializer):
    start_date = serializers.DateField()
    mg = dose_field()
    time_of_day = serializers.ChoiceField(choices=TimeOfDay.choices, required=False, allow_null=True, default=None)


class PlanIn(StrictSerializer):
    drug = serializers.CharField(max_length=64, required=False, default="naltrexone")
    target_mg = dose_field(required=False, default=Decimal("4.5"))
    decision_weeks = serializers.IntegerField(min_value=8, max_value=12, required=False, default=12)
    steps = bounded_list(StepIn(), STEPS_PER_PLAN_MAX, allow_empty=False)


class PlanStopIn(StrictSerializer):
    stopped_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=StopReason.choices)
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class StepOut(serializers.ModelSerializer):
    class Meta:
        model = DoseStep
        fields = ("start_date", "mg", "time_of_day")
        read_only_fields = fields


class PlanOut(serializers.ModelSerializer):
    steps = StepOut(many=True, read_only=True)
    created_by = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = DosePlan
        fields = (
            "id",
            "drug",
            "target_mg",
            "decision_weeks",
            "steps",
            "created_by",
            "created_at",
            "updated_at",
            "stopped_on",
            "stop_reason",
            "stop_note",
            "warnings",
        )
        read_only_fields = fields

    def get_created_by(self, obj: DosePlan) -> str:
        user = obj.created_by.user
        return user.display_name or user.email

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, obj: DosePlan) -> list[dict[str, str]]:
        return list(self.context.get("warnings", []))


class PlannedDoseOut(serializers.Serializer):
    date = serializers.DateField()
    mg = serializers.DecimalField(max_digits=5, decimal_places=2)
    time_of_day = serializers.ChoiceField(choices=TimeOfDay.choices)
    step_start = serializers.DateField()
    first_day_of_step = serializers.BooleanField()
    is_step_up = serializers.BooleanField()
    next_step = StepOut(allow_null=True)


class PlanWithTodayOut(serializers.Serializer):
    plan = PlanOut(allow_null=True)
    today = PlannedDoseOut(allow_null=True)


class BaselineIn(StrictSerializer):
    monthly_headache_days = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=Decimal("0"), max_value=Decimal("28")
    )
    monthly_migraine_days = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("28"),
        required=False,
        allow_null=True,
        default=None,
    )
    mean_pain = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("10"),
        required=False,
        allow_null=True,
        default=None,
    )
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class BaselineOut(serializers.ModelSerializer):
    provenance = serializers.SerializerMethodField(help_text="Always 'reported': entered by the clinician.")

    class Meta:
        model = ReportedBaseline
        fields = ("monthly_headache_days", "monthly_migraine_days", "mean_pain", "note", "entered_at", "provenance")
        read_only_fields = fields

    def get_provenance(self, obj: ReportedBaseline) -> str:
        return "reported"

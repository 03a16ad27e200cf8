"""Insights and flags: what the analysis stored, shaped for the patient and for the clinician."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from api.serializers.analysis import SegmentOut, SeriesOut, SummaryOut, TrendsOut, WeeklyOut
from api.serializers.common import MEASURES, StrictSerializer
from diary.choices import FlagKind, FlagStatus, Severity, VerdictKind
from diary.evidence import flag_presented, verdict_presented
from diary.models import Clinician, Flag, Verdict

JSON_OBJECT = {"type": "object", "additionalProperties": True}


class PresentedMeasureOut(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    baseline = serializers.CharField()
    now = serializers.CharField()
    change = serializers.CharField(help_text="The reduction against the baseline (or the increase, said so).")
    counts = serializers.CharField(help_text="Whether the rule counts this measure, and why not; blank: interim.")


class PresentedFactOut(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    value = serializers.CharField()


class PresentedOccurrenceOut(serializers.Serializer):
    when = serializers.CharField()
    what = serializers.CharField()
    raised = serializers.CharField(help_text="The value that raised the flag.")
    now = serializers.CharField(help_text="The value in the patient's data now ('unchanged' when it is the same).")
    changed = serializers.CharField(help_text="When it changed (the patient's local time); blank when unchanged.")


class PresentedQuestionnaireOut(serializers.Serializer):
    instrument = serializers.CharField()
    baseline = serializers.CharField()
    followup = serializers.CharField()
    criterion = serializers.CharField(help_text="Whether its criterion is met, and the rule (§12.5, §12.6).")


class PresentedOut(serializers.Serializer):
    """Evidence in the clinician's words (diary/evidence/): the page and the report show this."""

    headline = serializers.CharField()
    measures = PresentedMeasureOut(many=True)
    facts = PresentedFactOut(many=True)
    changes = serializers.ListField(child=serializers.CharField())
    occurrences = PresentedOccurrenceOut(many=True)
    rule = serializers.CharField(allow_blank=True)
    notes = serializers.ListField(child=serializers.CharField())
    attention = serializers.ListField(
        child=serializers.CharField(), help_text="The notes that ask for an action, shown beside the headline."
    )
    questionnaires = PresentedQuestionnaireOut(
        many=True, help_text="Verdicts: the questionnaire facts in columns, for a table (empty for flags)."
    )


# pending: never analysed yet; stale: the data changed since, a recompute is on its way.
INSIGHT_STATUSES = ("pending", "current", "stale")


def _clinician_name(clinician: Clinician | None) -> str | None:
    return None if clinician is None else (clinician.user.display_name or clinician.user.email)


class FlagPatientOut(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    display_name = serializers.CharField(source="user.display_name")


class FlagOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    severity = serializers.ChoiceField(choices=Severity.choices)
    status = serializers.ChoiceField(choices=FlagStatus.choices)
    headline = serializers.SerializerMethodField()
    presented = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    acknowledged_by = serializers.SerializerMethodField()
    resolved_by = serializers.SerializerMethodField()
    resolved_automatically = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        fields: tuple[str, ...] = (
            "id",
            "kind",
            "kind_label",
            "severity",
            "status",
            "headline",
            "presented",
            "evidence",
            "rules_version",
            "last_occurred_on",
            "opened_at",
            "updated_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledge_note",
            "resolved_at",
            "resolved_by",
            "resolve_note",
            "resolved_automatically",
        )
        read_only_fields: tuple[str, ...] = fields

    def _presented(self, obj: Flag) -> dict[str, Any]:
        # headline and presented come from one presentation per flag
        cache: dict[int, dict[str, Any]] = self.context.setdefault("_presented", {})
        if obj.pk not in cache:
            cache[obj.pk] = flag_presented(obj.kind, obj.evidence, self.zone(obj))
        return cache[obj.pk]

    def zone(self, obj: Flag) -> str:
        """The patient's time zone (for when an occurrence changed), given by the view."""
        return str(self.context.get("time_zone", "UTC"))

    @extend_schema_field(serializers.CharField())
    def get_headline(self, obj: Flag) -> str:
        """What the flag is about, in one line that agrees with the verdict beside it."""
        return str(self._presented(obj)["headline"])

    @extend_schema_field(PresentedOut)
    def get_presented(self, obj: Flag) -> dict[str, Any]:
        return self._presented(obj)

    @extend_schema_field(JSON_OBJECT)
    def get_evidence(self, obj: Flag) -> dict[str, Any]:
        return obj.evidence

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_acknowledged_by(self, obj: Flag) -> str | None:
        return _clinician_name(obj.acknowledged_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_resolved_by(self, obj: Flag) -> str | None:
        return _clinician_name(obj.resolved_by)

    @extend_schema_field(serializers.BooleanField())
    def get_resolved_automatically(self, obj: Flag) -> bool:
        return obj.status == FlagStatus.RESOLVED and obj.resolved_by_id is None


class TriageFlagOut(FlagOut):
    patient = FlagPatientOut(read_only=True)

    def zone(self, obj: Flag) -> str:
        return obj.patient.time_zone  # the list reads each flag with its patient

    class Meta(FlagOut.Meta):
        fields = ("patient", *FlagOut.Meta.fields)
        read_only_fields = fields


class FlagNoteIn(StrictSerializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class VerdictOut(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=VerdictKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Verdict
        fields: tuple[str, ...] = ("kind", "kind_label", "evidence", "rules_version", "as_of", "computed_at")
        read_only_fields = fields

    @extend_schema_field(JSON_OBJECT)
    def get_evidence(self, obj: Verdict) -> dict[str, Any]:
        return obj.evidence


class CurrentVerdictOut(VerdictOut):
    presented = serializers.SerializerMethodField()

    class Meta(VerdictOut.Meta):
        fields = (*VerdictOut.Meta.fields, "presented")
        read_only_fields = fields

    @extend_schema_field(PresentedOut)
    def get_presented(self, obj: Any) -> dict[str, Any]:
        kind, evidence = (obj["kind"], obj["evidence"]) if isinstance(obj, dict) else (obj.kind, obj.evidence)
        return verdict_presented(kind, evidence)


class SuggestionOut(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()
    evidence = serializers.DictField()


class DailyValuesOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    pain = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    sleep = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    headache = serializers.ListField(child=serializers.IntegerField(allow_null=True))


class PatientInsightsOut(serializers.Serializer):
    """The clinician's full view of one patient's analysis."""

    status = serializers.ChoiceField(
        choices=INSIGHT_STATUSES,
        help_text="pending: never analysed yet; stale: data changed since, a recompute is on its way.",
    )
    computed_at = serializers.DateTimeField(allow_null=True)
    as_of = serializers.DateField(allow_null=True)
    rules_version = serializers.CharField(allow_null=True)
    verdict = CurrentVerdictOut(allow_null=True)
    verdict_history = VerdictOut(many=True)
    flags = FlagOut(many=True)
    suggestions = SuggestionOut(many=True)
    summary = SummaryOut(allow_null=True, help_text="What the charts and tables read (null: never analysed yet).")
    daily = DailyValuesOut(allow_null=True, help_text="Raw daily values over summary.series' days (null: missing).")


class MySuggestionOut(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()


class MyAlertOut(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()


class SinceBaselineOut(serializers.Serializer):
    source = serializers.ChoiceField(choices=["diary", "reported", "none"], allow_null=True)  # type: ignore[assignment]  # a field named like Field.source
    value = serializers.FloatField(allow_null=True)
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    days_logged = serializers.IntegerField(allow_null=True)


class SinceLatestOut(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    days = serializers.IntegerField(allow_null=True)
    days_logged = serializers.IntegerField(allow_null=True)
    valid = serializers.BooleanField(allow_null=True)


class SinceModerateSevereOut(serializers.Serializer):
    baseline = serializers.FloatField()
    latest = serializers.FloatField(allow_null=True)
    change_pct = serializers.FloatField(allow_null=True)


class SinceStartOut(serializers.Serializer):
    """The numbers of the verdict's evidence, without the verdict (diary/patient_insights.py)."""

    measure = serializers.ChoiceField(
        choices=MEASURES, allow_null=True, help_text="null while the condition is not set."
    )
    stage = serializers.ChoiceField(choices=["before_first_dose", "titrating", "early", "decision"])
    first_dose = serializers.DateField(allow_null=True)
    target_mg = serializers.FloatField(allow_null=True)
    clock_start = serializers.DateField(allow_null=True)
    earliest_evaluation = serializers.DateField(allow_null=True)
    decision_point = serializers.DateField(allow_null=True)
    stopped_on = serializers.DateField(allow_null=True)
    baseline = SinceBaselineOut()
    latest = SinceLatestOut()
    change_pct = serializers.FloatField(
        allow_null=True, help_text="(baseline − latest) / baseline: positive is better."
    )
    change_points = serializers.FloatField(allow_null=True)
    moderate_severe = SinceModerateSevereOut(
        allow_null=True, help_text="Headache conditions with a figure at baseline: the other measure (§11.7)."
    )
    days_needed = serializers.IntegerField()


class MedicineCountOut(serializers.Serializer):
    med_class = serializers.CharField(allow_null=True, help_text="null: several classes together.")
    days = serializers.IntegerField(allow_null=True)


class MedicineOveruseNoticeOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["medicine_overuse"])
    probable = serializers.BooleanField()
    counts = MedicineCountOut(many=True)
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    headache_days_needed = serializers.IntegerField(allow_null=True)


class FrequentMedicinesNoticeOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["frequent_medicines"])
    days = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    more_than = serializers.IntegerField()


class HighDoseOut(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    mg = serializers.FloatField()


class DoseAboveUsualNoticeOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["dose_above_usual"])
    doses = HighDoseOut(many=True)
    usual_max_mg = serializers.FloatField()


class MissedDosesNoticeOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["missed_doses"])
    taken_days = serializers.IntegerField()
    planned_days = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="NoticeOut",
        serializers={
            "medicine_overuse": MedicineOveruseNoticeOut,
            "frequent_medicines": FrequentMedicinesNoticeOut,
            "dose_above_usual": DoseAboveUsualNoticeOut,
            "missed_doses": MissedDosesNoticeOut,
        },
        resource_type_field_name="kind",
        many=True,
    )
)
class NoticesField(serializers.ListField):
    """The safety notices, each shaped by its kind."""


class MyInsightsOut(serializers.Serializer):
    """The patient's plain-language subset: no verdicts, no flag names."""

    status = serializers.ChoiceField(choices=INSIGHT_STATUSES)
    computed_at = serializers.DateTimeField(allow_null=True)
    as_of = serializers.DateField(allow_null=True)
    alerts = MyAlertOut(many=True)
    suggestions = MySuggestionOut(many=True)
    notices = NoticesField(
        help_text="Safety notices about what I do (medicines taken often, missed doses, a dose above the usual "
        "range), as numbers the app puts into words."
    )
    since_start = SinceStartOut(
        allow_null=True, help_text="Since I started LDN: the numbers of the verdict's evidence, without the verdict."
    )
    trend = TrendsOut(allow_null=True, help_text="My pain and sleep over the last 8 weeks (null: not analysed yet).")
    segments = SegmentOut(many=True, help_text="My numbers for each dose I have taken.")
    series = SeriesOut(allow_null=True, help_text="Daily series for my charts (null: not analysed yet).")
    weekly = WeeklyOut(allow_null=True, help_text="Weekly means, last 12 weeks (null: not analysed yet).")

"""The analysis's summary (``Insight.summary``, diary/analysis/engine.py) as the insights
answers carry it: the layout of the engine's docstring, field by field, so that the
published schema, and the app's types generated from it, say what the charts and tables
read. The views pass the stored JSON through as it is; tests/api/test_insights_schema.py
checks real analyses against these shapes, with no key left undocumented."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.questionnaires import DueOut
from diary.choices import EnteredBy, Instrument


def _number(required: bool = True) -> serializers.FloatField:
    """A rounded float, null where it is undefined (too few days, no data)."""
    return serializers.FloatField(allow_null=True, required=required)


def _numbers(help_text: str = "") -> serializers.ListField:
    return serializers.ListField(child=serializers.FloatField(allow_null=True), help_text=help_text)


def _interval(help_text: str = "") -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FloatField(allow_null=True), min_length=2, max_length=2, allow_null=True, help_text=help_text
    )


class WindowOut(serializers.Serializer):
    """28 days (or fewer at the start of a diary): raw counts and rates per 28 logged days."""

    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()
    days_logged = serializers.IntegerField()
    valid = serializers.BooleanField(help_text="Enough logged days for the rule (CLINICAL.md §4).")
    pro_rated = serializers.BooleanField()
    headache_days = serializers.IntegerField()
    moderate_severe_days = serializers.IntegerField()
    migraine_days = serializers.IntegerField()
    headache_days_per_28 = _number()
    moderate_severe_days_per_28 = _number()
    migraine_days_per_28 = _number()
    mean_pain = _number()
    mean_sleep = _number()


class BaselineSummaryOut(serializers.Serializer):
    source = serializers.ChoiceField(choices=["diary", "reported", "none"])  # type: ignore[assignment]  # a field named like Field.source
    labels = serializers.ListField(child=serializers.ChoiceField(choices=["reported", "pro_rated"]))
    headache_days_per_28 = _number()
    moderate_severe_days_per_28 = _number()
    migraine_days_per_28 = _number()
    mean_pain = _number()
    diary_window = WindowOut(allow_null=True, help_text="The 28 days before the first dose.")


class ClockOut(serializers.Serializer):
    """The trial clock (CLINICAL.md §5): when it started, and the dates that follow."""

    start = serializers.DateField(allow_null=True)
    basis = serializers.ChoiceField(choices=["target", "fallback"], allow_null=True)
    mg = serializers.FloatField(allow_null=True, help_text="The amount that started the clock.")
    target_mg = serializers.FloatField()
    plan = serializers.BooleanField(help_text="The patient has a plan (without one the default target counts).")
    decision_weeks = serializers.IntegerField()
    first_dose = serializers.DateField(allow_null=True)
    evaluation_date = serializers.DateField()
    days_on_clock = serializers.IntegerField(allow_null=True)
    earliest_evaluation = serializers.DateField(allow_null=True)
    decision_point = serializers.DateField(allow_null=True)
    stopped_on = serializers.DateField(allow_null=True)
    stop_reason = serializers.CharField(allow_null=True)


class SpanOut(serializers.Serializer):
    """A run of days on one amount (or part of it): without a logged day, only the first
    eight figures."""

    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()
    days_logged = serializers.IntegerField()
    compliance_pct = _number()
    adherence_pct = _number()
    mean_pain = _number()
    pain_ci95 = _interval("The mean pain's 95% t-interval (null under 2 logged days).")
    headache_days_per_28 = _number(required=False)
    migraine_days_per_28 = _number(required=False)
    moderate_severe_days_per_28 = _number(required=False)
    mean_sleep = _number(required=False)
    side_effect_incidence = serializers.DictField(
        child=serializers.FloatField(),
        required=False,
        help_text="Per side-effect kind reported: the share of logged days with it (0–1).",
    )


class SegmentOut(serializers.Serializer):
    """One run of the amount held; its first 7 days settling, the rest steady."""

    mg = serializers.FloatField()
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()
    all = SpanOut()
    settling = SpanOut()
    steady = SpanOut(allow_null=True, help_text="null when the run is 7 days or shorter.")


class SeriesOut(serializers.Serializer):
    """One value per day from start to end (at most a year); null where it is undefined."""

    start = serializers.DateField()
    end = serializers.DateField()
    pain_7 = _numbers("Rolling 7-day mean pain.")
    sleep_7 = _numbers()
    pain_28 = _numbers()
    sleep_28 = _numbers()
    headache_days_per_28 = _numbers()
    migraine_days_per_28 = _numbers()
    dose_mg = _numbers("The dose taken that day.")
    held_mg = _numbers("The amount held (the last dose carried over missed days).")


class WeeklyOut(serializers.Serializer):
    """The last 12 weeks, oldest first (null under 4 logged days)."""

    week_starts = serializers.ListField(child=serializers.DateField())
    days_logged = serializers.ListField(child=serializers.IntegerField())
    pain = _numbers()
    sleep = _numbers()
    headache_days = _numbers("A count of days.")


class TrendOut(serializers.Serializer):
    """Theil–Sen slope and Mann–Kendall test (null under 10 points)."""

    points = serializers.IntegerField()
    slope_per_week = _number()
    slope_ci95 = _interval()
    tau = _number()
    p = _number()


class TrendsOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    pain = TrendOut()
    sleep = TrendOut()


class CoefficientOut(serializers.Serializer):
    estimate = _number()
    ci95 = _interval()
    p = _number()


class CoefficientsOut(serializers.Serializer):
    """The change terms only for segments with 5 weekly points or more."""

    intercept = CoefficientOut(required=False)
    slope_per_week = CoefficientOut(required=False)
    level_change_at_first_dose = CoefficientOut(required=False)
    slope_change_at_first_dose = CoefficientOut(required=False)
    level_change_at_clock_start = CoefficientOut(required=False)
    slope_change_at_clock_start = CoefficientOut(required=False)


class RegressionSegmentOut(serializers.Serializer):
    name = serializers.ChoiceField(choices=["before_ldn", "first_dose", "clock_start"])
    first_week = serializers.IntegerField(allow_null=True)
    points = serializers.IntegerField()
    estimated = serializers.BooleanField()


class RegressionOut(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["headache_days_per_28", "mean_pain"])
    week_zero = serializers.DateField()
    segments = RegressionSegmentOut(many=True)
    method = serializers.ChoiceField(choices=["ols_newey_west", "ols"], allow_null=True)
    maxlags = serializers.IntegerField(required=False, allow_null=True)
    points = serializers.IntegerField()
    coefficients = CoefficientsOut()
    note = serializers.CharField(allow_null=True)


class IncidenceOut(serializers.Serializer):
    days_logged = serializers.IntegerField()
    incidence = serializers.DictField(
        child=serializers.FloatField(), help_text="Per side-effect kind reported: the share of logged days with it."
    )


class OveruseWindowOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days_per_class = serializers.DictField(child=serializers.IntegerField(), help_text="Days per medicine class.")
    ichd3_classes_present = serializers.ListField(child=serializers.CharField())
    several_classes_union_days = serializers.IntegerField(allow_null=True)
    headache_days = serializers.IntegerField()
    days_logged = serializers.IntegerField()
    risk = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class OverusePanelOut(serializers.Serializer):
    windows = OveruseWindowOut(many=True, help_text="The last three 28-day windows, oldest first.")
    thresholds = serializers.DictField(
        child=serializers.IntegerField(), help_text="Days per 28 per medicine class, and several_classes."
    )


class AdherenceOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    planned_days = serializers.IntegerField()
    taken_days = serializers.IntegerField()
    adherence_pct = _number()
    threshold_pct = serializers.IntegerField()
    low = serializers.BooleanField()


class CountingResponseOut(serializers.Serializer):
    total = serializers.IntegerField()
    completed_on = serializers.DateField()
    entered_by = serializers.ChoiceField(choices=EnteredBy.choices)
    band = serializers.CharField(allow_null=True)


class InstrumentFindingOut(serializers.Serializer):
    baseline = CountingResponseOut(allow_null=True)
    followup = CountingResponseOut(allow_null=True)
    followup_from = serializers.DateField(allow_null=True)
    criterion = serializers.CharField(required=False, help_text="MIDAS and HIT-6 of headache patients.")
    criterion_rule = serializers.CharField(required=False, allow_null=True)
    criterion_reason = serializers.CharField(required=False)


class QuestionnaireFindingsOut(serializers.Serializer):
    instruments = serializers.DictField(child=InstrumentFindingOut(), help_text="midas, hit6, pgic: those listed.")
    criterion_met = serializers.ListField(child=serializers.ChoiceField(choices=Instrument.choices))
    due = DueOut(many=True)


class SummaryOut(serializers.Serializer):
    """Everything the charts and tables read (docs/insights.md)."""

    rules_version = serializers.CharField()
    condition = serializers.CharField()
    baseline = BaselineSummaryOut()
    clock = ClockOut()
    window = WindowOut(help_text="The 28 days ending on the evaluation date.")
    segments = SegmentOut(many=True)
    series = SeriesOut()
    weekly = WeeklyOut()
    trends = TrendsOut(help_text="The last 8 weeks.")
    regression = RegressionOut(allow_null=True, help_text="null before the first dose.")
    side_effects_by_step = serializers.DictField(child=IncidenceOut(), help_text="Keyed by the amount held (mg).")
    side_effects_by_dose_time = serializers.DictField(child=IncidenceOut(), help_text="morning, bedtime or other.")
    medication_overuse = OverusePanelOut()
    adherence = AdherenceOut(help_text="The last 28 days.")
    caveats = serializers.ListField(child=serializers.CharField())
    questionnaires = QuestionnaireFindingsOut()

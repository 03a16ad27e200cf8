"""The input of the analysis: one patient's whole history as plain rows.

Rows are tuples in the field order of the NamedTuples below. The loader passes the
tuples straight from ``values_list()`` (no per-row objects), so the analysis reads them
by position (or via ``zip(*rows)`` into numpy columns), never by attribute. Row order
carries no meaning: the result must not depend on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple


class EntryRow(NamedTuple):
    """One diary day (CLINICAL.md §2). ``None`` = not answered."""

    date: date
    pain_score: int  # 0–10
    headache: int  # 0 none, 1 mild, 2 moderate, 3 severe
    migraine: bool | None  # the patient's yes/no
    sleep_quality: int | None  # 0–10
    headache_hours: float | None  # 0–24
    one_sided: bool | None
    pulsating: bool | None
    worse_with_activity: bool | None
    nausea_vomiting: bool | None
    light_sensitivity: bool | None
    sound_sensitivity: bool | None
    aura_minutes: int | None


class SideEffectRow(NamedTuple):
    date: date  # the diary day it belongs to
    kind: str  # diary.choices.SideEffectKind value
    severity: int  # 1 mild, 2 moderate, 3 severe
    limited_activities: bool


class MedicationRow(NamedTuple):
    date: date
    med_class: str  # diary.choices.MedicineClass value
    for_headache: bool
    contains_opioid: bool


class DoseRow(NamedTuple):
    date: date
    taken: bool
    mg: float | None  # None when not taken
    time_of_day: str  # "morning" | "bedtime" | "other"


class StepRow(NamedTuple):
    start_date: date
    mg: float
    time_of_day: str


class PlanRow(NamedTuple):
    """The patient's most recent plan (current, or the last one stopped)."""

    target_mg: float
    decision_weeks: int  # 8–12
    stopped_on: date | None
    stop_reason: str | None  # "side_effects" | "no_benefit" | "other"
    steps: tuple[StepRow, ...]  # ordered by start_date
    created_on: date | None = None  # the patient's local date the plan was written (§12.3)


class ReportedBaselineRow(NamedTuple):
    monthly_headache_days: float
    monthly_migraine_days: float | None
    mean_pain: float | None


@dataclass(frozen=True, slots=True)
class PatientHistory:
    as_of: date  # the patient's local "today" (the evaluation date)
    condition: str  # diary.choices.Condition value
    entries: Sequence[tuple]  # EntryRow order
    side_effects: Sequence[tuple]  # SideEffectRow order
    medications: Sequence[tuple]  # MedicationRow order
    doses: Sequence[tuple]  # DoseRow order
    plan: PlanRow | None = None
    reported_baseline: ReportedBaselineRow | None = None
    questionnaires: Sequence[tuple] = ()  # QuestionnaireRow order (diary.analysis.questionnaires)

"""What the write services take: one TypedDict per input, so mypy checks every key a service
reads and every caller writes (the API passes its serializer's validated data, which has
these keys; the demo seed and the tests build them).

A key a serializer may leave out is `NotRequired`; the services apply the defaults.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import NotRequired, TypedDict
from uuid import UUID


class DayFields(TypedDict):
    """What the patient says about a day (`DiaryEntry`'s own fields, in the API's order)."""

    pain_score: int
    headache: int
    migraine: NotRequired[bool | None]
    sleep_quality: NotRequired[int | None]
    headache_hours: NotRequired[Decimal | None]
    one_sided: NotRequired[bool | None]
    pulsating: NotRequired[bool | None]
    worse_with_activity: NotRequired[bool | None]
    nausea_vomiting: NotRequired[bool | None]
    light_sensitivity: NotRequired[bool | None]
    sound_sensitivity: NotRequired[bool | None]
    aura_minutes: NotRequired[int | None]
    note: NotRequired[str]


class SideEffectData(TypedDict):
    kind: str
    severity: int
    limited_activities: NotRequired[bool]
    other_text: NotRequired[str]


class MedicineData(TypedDict):
    med_class: str
    name: NotRequired[str]
    for_headache: NotRequired[bool | None]  # None: the default for the patient's condition
    contains_opioid: NotRequired[bool | None]  # None: from the class and the name


class EntryData(DayFields):
    """A whole diary day (`entry_record`)."""

    client_id: NotRequired[UUID | None]
    side_effects: NotRequired[list[SideEffectData]]
    acute_medications: NotRequired[list[MedicineData]]


# The day's own fields, from the one place that names them.
ENTRY_FIELDS: tuple[str, ...] = tuple(DayFields.__annotations__)


class DoseLogData(TypedDict):
    """A dose taken or missed (`dose_log_record`)."""

    client_id: UUID
    date: date
    taken: bool
    mg: NotRequired[Decimal | None]  # None with taken: the planned dose
    time_of_day: NotRequired[str | None]
    taken_at: NotRequired[time | None]


class DoseLogChange(TypedDict, total=False):
    """A correction of a logged dose (`dose_log_update`): only what changes."""

    taken: bool
    mg: Decimal | None
    time_of_day: str
    taken_at: time | None


class StepData(TypedDict):
    start_date: date
    mg: Decimal
    time_of_day: NotRequired[str | None]  # None: the patient's preferred dose time


class PlanData(TypedDict):
    """A titration plan (`plan_write`, `plan_check`)."""

    steps: list[StepData]
    drug: NotRequired[str]
    target_mg: NotRequired[Decimal]
    decision_weeks: NotRequired[int]


class BaselineData(TypedDict):
    """The baseline month a patient reported (`baseline_report`)."""

    monthly_headache_days: Decimal
    monthly_migraine_days: NotRequired[Decimal | None]
    mean_pain: NotRequired[Decimal | None]
    note: NotRequired[str]


class ProfileChange(TypedDict, total=False):
    """The patient's own settings (`patient_profile_update`): only what changes."""

    display_name: str
    time_zone: str
    day_boundary: time
    primary_condition: str
    preferred_dose_time: str


class ReminderChange(TypedDict, total=False):
    """A reminder's settings (`reminder_update`): only what changes."""

    enabled: bool
    local_time: time
    days: list[str]
    channels: list[str]
    text: str
    show_dose: bool

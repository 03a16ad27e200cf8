"""The demo patients' questionnaires (CLINICAL.md §12), written through the real service.

Each profile's responses were chosen to show one reading of §12: James Carter, a migraine
patient with a 40 % drop in headache days (partial by the diary), becomes a responder by
MIDAS (24 → 16: at most 0.7 × 24); Daniel Murphy, whose chronic pain barely changed
(non-responder by pain), is partial by his PGIC of 2 ("much improved"), as the case series
counted patients who continued for a perceived benefit. HIT-6 is entered by the clinician
as bare totals (a phone follow-up): the demo clinic holds no licensed HIT-6 wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from diary.choices import EnteredBy
from diary.models import Clinician, Patient
from diary.services.questionnaires import ResponseIn, questionnaire_submit

EVENING = time(20, 30)


@dataclass(frozen=True)
class DemoResponse:
    instrument: str
    at_visit: bool = False  # at the visit that wrote the plan (a baseline), else a follow-up
    days_before_today: int = 4
    answers: dict[str, Any] = field(default_factory=dict)
    total: int | None = None  # a clinician's bare HIT-6 total
    by: str = EnteredBy.PATIENT


def _midas(items: list[int], a: int, b: int) -> dict[str, Any]:
    return {"items": items, "a": a, "b": b}


DEMO_RESPONSES: dict[str, tuple[DemoResponse, ...]] = {
    "responder": (
        DemoResponse("midas", at_visit=True, answers=_midas([4, 6, 3, 5, 4], 34, 7)),  # 22, grade IV
        DemoResponse("hit6", at_visit=True, total=62, by=EnteredBy.CLINICIAN),
        DemoResponse("midas", answers=_midas([1, 1, 1, 2, 1], 9, 5)),  # 6
        DemoResponse("hit6", days_before_today=5, total=50, by=EnteredBy.CLINICIAN),
        DemoResponse("pgic", days_before_today=3, answers={"answer": 1}),
    ),
    "partial": (
        DemoResponse("midas", at_visit=True, answers=_midas([5, 5, 4, 6, 4], 30, 6)),  # 24, grade IV
        DemoResponse("midas", answers=_midas([3, 3, 3, 4, 3], 18, 6)),  # 16 ≤ 0.7 × 24: met
        DemoResponse("pgic", days_before_today=3, answers={"answer": 2}),
    ),
    "nonresponder": (
        DemoResponse("midas", at_visit=True, answers=_midas([10, 12, 8, 14, 9], 54, 7)),  # 53
        DemoResponse("hit6", at_visit=True, total=66, by=EnteredBy.CLINICIAN),
        DemoResponse("midas", answers=_midas([10, 11, 8, 13, 9], 51, 7)),  # 51: not met
        DemoResponse("hit6", days_before_today=5, total=65, by=EnteredBy.CLINICIAN),
        DemoResponse("pgic", days_before_today=3, answers={"answer": 4}),
    ),
    "dreams": (DemoResponse("pgic", answers={"answer": 3}),),
    "opioid": (DemoResponse("pgic", answers={"answer": 2}),),  # non-responder by pain → partial
    "morning": (DemoResponse("pgic", answers={"answer": 1}),),
}


def questionnaires_seed(
    patient: Patient, clinician: Clinician, *, profile_key: str, visit: date, today: date, time_zone: str
) -> int:
    """Write the profile's responses as they would have been entered: each on its day, in
    the evening (the patient's), through ``questionnaire_submit``."""
    tz = ZoneInfo(time_zone)
    written = 0
    for demo in DEMO_RESPONSES.get(profile_key, ()):
        day = visit if demo.at_visit else today - timedelta(days=demo.days_before_today)
        now = datetime.combine(day, EVENING, tzinfo=tz)
        by_clinician = demo.by == EnteredBy.CLINICIAN
        questionnaire_submit(
            patient=patient,
            data=ResponseIn(instrument=demo.instrument, answers=demo.answers, total=demo.total),
            by=demo.by,
            actor=clinician.user if by_clinician else patient.user,
            now=now,
        )
        written += 1
    return written

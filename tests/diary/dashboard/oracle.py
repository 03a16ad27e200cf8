"""The clinic outcomes as they were computed before the outcome rows (issue 17), the
parity tests' oracle: the verdict from the insight row and everything else cut out of each
stored summary (``summary_parts``), put through the page's own tally."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from diary.access import visible_patients
from diary.analysis.outcome import outcome_fields
from diary.dashboard import summary_parts
from diary.dashboard.outcomes import OutcomeRow, clinic_outcomes, outcomes_tally
from diary.models import Clinician

SUMMARY_KEYS = ("condition", "clock", "segments", "side_effects_by_step")


def outcomes_from_summaries(clinician: Clinician) -> tuple[dict[str, Any], list[int]]:
    """The answer as it was computed before the outcome rows, and the patients it read."""
    patients = list(
        visible_patients(clinician)
        .select_related("user")
        .annotate(verdict=F("insight__verdict"))
        .order_by("user__display_name", "pk")
    )
    parts = summary_parts([p.pk for p in patients if p.verdict is not None], SUMMARY_KEYS)
    rows = []
    for p in patients:
        shown = (p.pk, p.public_id, p.user.display_name or p.user.email, p.primary_condition)
        if p.verdict is None:
            rows.append(OutcomeRow(*shown, None, "", None, None, []))
        else:
            rows.append(OutcomeRow(*shown, p.verdict, **outcome_fields(parts[p.pk])))
    return outcomes_tally(rows), [p.pk for p in patients]


def assert_same_answer_both_ways(clinician: Clinician) -> dict[str, Any]:
    answer, patients = clinic_outcomes(clinician)
    expected, read = outcomes_from_summaries(clinician)
    assert answer == expected
    assert [p.pk for p in patients] == read
    return answer

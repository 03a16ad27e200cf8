"""The clinic outcomes as they were computed before the outcome rows (issue 17), the
parity tests' oracle: the verdict from the insight row and everything else cut out of each
stored summary (``summary_parts``), one patient at a time, mapped to the page's lists by
``outcome_category`` in Python; then put through the page's own tally, one patient per
group. It checks what the database now decides (the lists, the grouped totals, the side
effects counted per kind, the first patients of each list), not the tally's arithmetic,
which tests/api/test_outcomes.py checks against the published case series."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import F

from diary.access import visible_patients
from diary.analysis.outcome import outcome_fields
from diary.dashboard import summary_parts
from diary.dashboard.outcomes import (
    SHOWN_PER_LIST,
    OutcomeGroup,
    OutcomeMember,
    clinic_outcomes,
    outcome_category,
    outcomes_tally,
)
from diary.models import Clinician

SUMMARY_KEYS = ("condition", "clock", "segments", "side_effects_by_step")


def outcomes_from_summaries(clinician: Clinician, shown: int = SHOWN_PER_LIST) -> tuple[dict[str, Any], list[int]]:
    """The answer as it was computed before the outcome rows, and the patients it names."""
    patients = list(
        visible_patients(clinician)
        .select_related("user")
        .annotate(verdict=F("insight__verdict"))
        .order_by("user__display_name", "pk")
    )
    parts = summary_parts([p.pk for p in patients if p.verdict is not None], SUMMARY_KEYS)
    groups: list[OutcomeGroup] = []
    members: dict[str, list[OutcomeMember]] = defaultdict(list)
    named: list[int] = []
    for p in patients:
        fields = outcome_fields(parts[p.pk]) if p.verdict is not None else {}
        condition = fields.get("condition") or p.primary_condition
        if p.verdict is None:
            listed: str | None = "not_analysed"
        else:
            listed = outcome_category(p.verdict, condition) or (
                p.verdict if p.verdict in ("insufficient_data", "in_progress") else None
            )
        kinds = fields.get("side_effect_kinds") or []
        groups.append(
            OutcomeGroup(
                listed or "",
                condition,
                fields.get("starting_mg"),
                fields.get("stable_mg"),
                1,
                dict.fromkeys(kinds, 1),
            )
        )
        if listed and len(members[listed]) < shown:
            member = OutcomeMember(p.pk, p.public_id, p.user.display_name or p.user.email, condition, p.verdict)
            members[listed].append(member)
            named.append(p.pk)
    return outcomes_tally(groups, members), named


def assert_same_answer_both_ways(clinician: Clinician, shown: int = SHOWN_PER_LIST) -> dict[str, Any]:
    answer, patients = clinic_outcomes(clinician, shown)
    expected, named = outcomes_from_summaries(clinician, shown)
    assert answer == expected
    assert [p.pk for p in patients] == named
    return answer

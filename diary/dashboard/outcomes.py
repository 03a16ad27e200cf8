"""Clinic outcomes: the clinician's patients counted by the case series' categories (CLINICAL.md §6)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from diary.access import visible_patients
from diary.choices import HEADACHE_CONDITIONS, Condition, SideEffectKind, VerdictKind
from diary.models import Clinician

# CLINICAL.md §6: the published case series' categories and how verdicts map to them.
OUTCOME_CATEGORIES = (
    ("responders", "Responders (≥ 50% relief)"),
    ("partial_responders", "Partial responders"),
    ("non_responders", "Non-responders"),
)
# What each category holds, in the verdicts' own words (outcome_category is the rule).
OUTCOME_DEFINITIONS = {
    "responders": "Strong responders (50% or more less pain), and responders with migraine or chronic migraine "
    "(50% or more fewer headache days).",
    "partial_responders": "Responders with a pain condition (30–49% less pain: real benefit, but under the "
    "case series' 50% relief), and partial responses.",
    "non_responders": "No adequate response at the decision point, and plans stopped before it (discontinued).",
}
OUTCOME_APART = (VerdictKind.INSUFFICIENT_DATA, VerdictKind.IN_PROGRESS)


# The verdicts whose category does not depend on the condition, by plain value (the page
# maps every linked patient's verdict: a dict look-up, not a chain of enum comparisons).
_CATEGORY_OF_VERDICT = {
    VerdictKind.STRONG_RESPONDER.value: "responders",
    VerdictKind.PARTIAL.value: "partial_responders",
    VerdictKind.NON_RESPONDER.value: "non_responders",
    VerdictKind.DISCONTINUED.value: "non_responders",
}
_HEADACHE_CONDITION_VALUES = frozenset(condition.value for condition in HEADACHE_CONDITIONS)


def outcome_category(verdict: str | None, condition: str | None) -> str | None:
    """strong_responder, or responder for migraine/headache → responders; responder (pain,
    30–49%) and partial → partial responders; non_responder and discontinued → non-responders;
    anything else is not counted."""
    if verdict == VerdictKind.RESPONDER.value:
        return "responders" if condition in _HEADACHE_CONDITION_VALUES else "partial_responders"
    return _CATEGORY_OF_VERDICT.get(verdict or "")


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _dose_rows(counts: dict[float, int]) -> list[dict[str, Any]]:
    return [{"mg": f"{Decimal(str(mg)):.2f}", "patients": n} for mg, n in sorted(counts.items())]


def _rate_block(
    categories: dict[str, int], counted: int, members: dict[str, list[dict[str, Any]]] | None = None
) -> dict[str, Any]:
    return {
        "counted": counted,
        "categories": [
            {
                "key": key,
                "label": label,
                "count": categories[key],
                "pct": _pct(categories[key], counted),
                **({"definition": OUTCOME_DEFINITIONS[key], "patients": members[key]} if members is not None else {}),
            }
            for key, label in OUTCOME_CATEGORIES
        ],
        "responder_rate_pct": _pct(categories["responders"] + categories["partial_responders"], counted),
    }


_CONDITION_LABELS = dict(Condition.choices)
_VERDICT_LABELS = dict(VerdictKind.choices)


class OutcomeRow(NamedTuple):
    """One linked patient as the page counts them: the stored outcome row's columns, or
    ``verdict`` None (and the rest empty) when the patient has not been analysed yet.
    ``pk`` and ``public_id`` are what the audit records."""

    pk: int
    public_id: UUID
    display_name: str  # the name, or the e-mail address if none
    primary_condition: str
    verdict: str | None
    condition: str  # as analysed; "" → the patient's primary condition
    starting_mg: float | None
    stable_mg: float | None
    side_effect_kinds: list[str]


def _member(row: OutcomeRow, verdict: str | None, condition: str) -> dict[str, Any]:
    """The patient as the API lists them (api.serializers.dashboard.OutcomePatientOut's JSON)."""
    return {
        "id": str(row.public_id),
        "display_name": row.display_name,
        "condition": condition,
        "condition_label": _CONDITION_LABELS.get(condition, condition),
        "verdict": verdict,
        "verdict_label": _VERDICT_LABELS.get(verdict or "", "Not analysed yet"),
    }


_COLUMNS = (
    "pk",
    "public_id",
    "user__display_name",
    "user__email",
    "primary_condition",
    "outcome__verdict",
    "outcome__condition",
    "outcome__starting_mg",
    "outcome__stable_mg",
    "outcome__side_effect_kinds",
)


def clinic_outcomes(clinician: Clinician) -> tuple[dict[str, Any], list[OutcomeRow]]:
    """The clinic's outcomes in the form of the published case series (CLINICAL.md §6).

    One query: the clinic's linked patients with their stored outcome rows
    (``PatientOutcome``, kept with each insight), as plain rows (the page totals the whole
    clinic: no model instances); returns the rows read (for the audit).
    """
    read = visible_patients(clinician).order_by("user__display_name", "pk").values_list(*_COLUMNS)
    rows = [
        OutcomeRow(pk, public_id, name or email, primary, verdict, condition or "", starting, stable, kinds or [])
        for pk, public_id, name, email, primary, verdict, condition, starting, stable, kinds in read
    ]
    return outcomes_tally(rows), rows


def outcomes_tally(rows: list[OutcomeRow]) -> dict[str, Any]:
    """The page from one row per linked patient, in the order listed.

    Counted: patients whose stored verdict maps to a category (they reached the decision
    point, or stopped before it: ``discontinued``). ``in_progress`` and ``insufficient_data``
    are listed apart, as are patients not analysed yet. Rates are of the counted patients.
    Side-effect rates: counted patients with at least one logged day of the side effect
    while on LDN (the stored incidence per dose step).
    """
    categories = dict.fromkeys((key for key, _ in OUTCOME_CATEGORIES), 0)
    apart = {"insufficient_data": 0, "in_progress": 0, "not_analysed": 0}
    members: dict[str, list[dict[str, Any]]] = {key: [] for key in [*categories, *apart]}
    starting: dict[float, int] = defaultdict(int)
    stable: dict[float, int] = defaultdict(int)
    side_effects: dict[str, int] = defaultdict(int)
    by_condition: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(categories, 0))
    for row in rows:
        verdict = row.verdict
        condition = row.condition or row.primary_condition
        if verdict is None:
            apart["not_analysed"] += 1
            members["not_analysed"].append(_member(row, None, condition))
            continue
        category = outcome_category(verdict, condition)
        if category is None:
            if verdict in apart:
                apart[verdict] += 1
                members[verdict].append(_member(row, verdict, condition))
            continue
        categories[category] += 1
        members[category].append(_member(row, verdict, condition))
        by_condition[condition][category] += 1
        if row.starting_mg is not None:
            starting[row.starting_mg] += 1
        if row.stable_mg is not None:
            stable[row.stable_mg] += 1
        for kind in row.side_effect_kinds:
            side_effects[kind] += 1
    counted = sum(categories.values())
    labels = dict(SideEffectKind.choices)
    return {
        **_rate_block(categories, counted, members),
        "apart": apart,
        "apart_patients": {key: members[key] for key in apart},
        "starting_doses": _dose_rows(starting),
        "stable_doses": _dose_rows(stable),
        "side_effect_rates": [
            {"kind": kind, "label": labels.get(kind, kind), "patients": n, "pct": _pct(n, counted)}
            for kind, n in sorted(side_effects.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "by_condition": [
            {"condition": condition, **_rate_block(cats, sum(cats.values()))}
            for condition, cats in sorted(by_condition.items())
        ],
    }

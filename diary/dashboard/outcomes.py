"""Clinic outcomes: the clinician's patients counted by the case series' categories (CLINICAL.md §6)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce, NullIf, RowNumber

from diary.access import visible_patients
from diary.choices import HEADACHE_CONDITIONS, Condition, SideEffectKind, VerdictKind
from diary.models import Clinician, Patient
from diary.postgres_only import available

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
# Listed apart, not counted: those two verdicts, and patients not analysed yet.
OUTCOME_APART_KEYS = ("insufficient_data", "in_progress", "not_analysed")


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
_SIDE_EFFECT_KINDS = tuple(SideEffectKind.values)


# Each list on the page (a category, or a group listed apart) shows its first patients by
# name; the rest are a page away (``outcomes_list``). The totals count everyone.
SHOWN_PER_LIST = 25
OUTCOME_LISTS = (*(key for key, _ in OUTCOME_CATEGORIES), *OUTCOME_APART_KEYS)


class OutcomeMember(NamedTuple):
    """A patient listed by name: the columns the page shows, and ``pk``/``public_id`` for the
    audit."""

    pk: int
    public_id: UUID
    display_name: str  # the name, or the e-mail address if none
    condition: str  # as analysed, else the patient's primary condition
    verdict: str | None

    def as_json(self) -> dict[str, Any]:
        """api.serializers.dashboard.OutcomePatientOut's JSON."""
        return {
            "id": str(self.public_id),
            "display_name": self.display_name,
            "condition": self.condition,
            "condition_label": _CONDITION_LABELS.get(self.condition, self.condition),
            "verdict": self.verdict,
            "verdict_label": _VERDICT_LABELS.get(self.verdict or "", "Not analysed yet"),
        }


def _with_list(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """The patients annotated with ``outcome_condition`` (as analysed, else the primary
    condition) and ``outcome_list``: which list of the page holds them, decided by the database
    by the same tables as ``outcome_category`` (tests/diary/dashboard/test_outcomes.py
    compares the two for every verdict and condition); "" for none."""
    verdict = "outcome__verdict"
    whens = [
        When(Q(**{f"{verdict}__isnull": True}), then=Value("not_analysed")),
        When(
            Q(**{verdict: VerdictKind.RESPONDER.value}, outcome_condition__in=sorted(_HEADACHE_CONDITION_VALUES)),
            then=Value("responders"),
        ),
        When(Q(**{verdict: VerdictKind.RESPONDER.value}), then=Value("partial_responders")),
        *(When(Q(**{verdict: value}), then=Value(key)) for value, key in _CATEGORY_OF_VERDICT.items()),
        *(When(Q(**{verdict: kind.value}), then=Value(kind.value)) for kind in OUTCOME_APART),
    ]
    return patients.annotate(
        outcome_condition=Coalesce(NullIf(F("outcome__condition"), Value("")), F("primary_condition")),
    ).annotate(outcome_list=Case(*whens, default=Value(""), output_field=CharField()))


def _has_side_effect(kind: str) -> Q:
    """The stored list of kinds holds ``kind``: containment where the database has it (a text
    match of the whole text, upper-cased, per kind and row, was most of the read there: bench/dashboard)."""
    if available("json_containment"):
        return Q(outcome__side_effect_kinds__contains=[kind])
    return Q(outcome__side_effect_kinds__icontains=f'"{kind}"')


_MEMBER_COLUMNS = ("pk", "public_id", "user__display_name", "user__email", "outcome_condition", "outcome__verdict")
_MEMBER_ORDER = ("user__display_name", "pk")
_GROUP_COLUMNS = ("outcome_list", "outcome_condition", "outcome__starting_mg", "outcome__stable_mg")


def _member(pk: int, public_id: UUID, name: str, email: str, condition: str, verdict: str | None) -> OutcomeMember:
    """A row of ``_MEMBER_COLUMNS`` as the patient the page names."""
    return OutcomeMember(pk, public_id, name or email, condition, verdict)


def clinic_outcomes(clinician: Clinician, shown: int | None = None) -> tuple[dict[str, Any], list[OutcomeMember]]:
    """The clinic's outcomes in the form of the published case series (CLINICAL.md §6).

    Two reads whose size does not grow with the clinic: the totals, grouped by the database
    (one row per verdict, condition and doses held: the side effects counted per kind in the
    same rows), and the first ``shown`` patients (``SHOWN_PER_LIST``) of each list by name.
    Both read the ``PatientOutcome`` row stored with each insight, never a summary. Returns
    the answer and the patients it names (for the audit).
    """
    shown = SHOWN_PER_LIST if shown is None else shown
    patients = _with_list(visible_patients(clinician))
    side_effects = {
        f"side_effect_{n}": Count("pk", filter=_has_side_effect(kind)) for n, kind in enumerate(_SIDE_EFFECT_KINDS)
    }
    groups = [
        OutcomeGroup(
            row["outcome_list"],
            row["outcome_condition"],
            row["outcome__starting_mg"],
            row["outcome__stable_mg"],
            row["patients"],
            {kind: row[f"side_effect_{n}"] for n, kind in enumerate(_SIDE_EFFECT_KINDS)},
        )
        for row in patients.values(*_GROUP_COLUMNS).annotate(patients=Count("pk"), **side_effects).order_by()
    ]
    ranked = (
        patients.annotate(
            place=Window(RowNumber(), partition_by=[F("outcome_list")], order_by=[F(c).asc() for c in _MEMBER_ORDER])
        )
        .filter(Q(place__lte=shown))
        .exclude(Q(outcome_list=""))
        .order_by(*_MEMBER_ORDER)
        .values_list("outcome_list", *_MEMBER_COLUMNS)
    )
    members: dict[str, list[OutcomeMember]] = {key: [] for key in OUTCOME_LISTS}
    named: list[OutcomeMember] = []
    for listed, *columns in ranked:
        member = _member(*columns)
        members[listed].append(member)
        named.append(member)
    return outcomes_tally(groups, members), named


def outcomes_list(clinician: Clinician, listed: str) -> QuerySet[Patient, tuple[Any, ...]]:
    """The patients of one list of the page (a category or a group listed apart), in the
    page's order, as rows of ``_MEMBER_COLUMNS``: for paging through (``outcome_members``)."""
    return (
        _with_list(visible_patients(clinician))
        .filter(Q(outcome_list=listed))
        .order_by(*_MEMBER_ORDER)
        .values_list(*_MEMBER_COLUMNS)
    )


def outcome_members(rows: Iterable[tuple[Any, ...]]) -> list[OutcomeMember]:
    """``outcomes_list`` rows (a page of them) as the patients the page lists."""
    return [_member(*row) for row in rows]


class OutcomeGroup(NamedTuple):
    """Patients alike in everything the totals count: which list holds them, the condition
    analysed, the starting and stable dose; how many, and how many of them logged each side
    effect on LDN."""

    listed: str  # a key of OUTCOME_LISTS, or "" (a verdict no list holds)
    condition: str
    starting_mg: float | None
    stable_mg: float | None
    patients: int
    side_effects: dict[str, int]


def outcomes_tally(groups: Iterable[OutcomeGroup], members: dict[str, list[OutcomeMember]]) -> dict[str, Any]:
    """The page from the grouped totals and the patients each list names.

    Counted: patients whose stored verdict maps to a category (they reached the decision
    point, or stopped before it: ``discontinued``). ``in_progress`` and ``insufficient_data``
    are listed apart, as are patients not analysed yet. Rates are of the counted patients.
    Side-effect rates: counted patients with at least one logged day of the side effect
    while on LDN (the stored incidence per dose step).
    """
    categories = dict.fromkeys((key for key, _ in OUTCOME_CATEGORIES), 0)
    apart = dict.fromkeys(OUTCOME_APART_KEYS, 0)
    starting: dict[float, int] = defaultdict(int)
    stable: dict[float, int] = defaultdict(int)
    side_effects: dict[str, int] = defaultdict(int)
    by_condition: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(categories, 0))
    for group in groups:
        n = group.patients
        if group.listed in apart:
            apart[group.listed] += n
        if group.listed not in categories:
            continue
        categories[group.listed] += n
        by_condition[group.condition][group.listed] += n
        if group.starting_mg is not None:
            starting[group.starting_mg] += n
        if group.stable_mg is not None:
            stable[group.stable_mg] += n
        for kind, with_kind in group.side_effects.items():
            side_effects[kind] += with_kind
    counted = sum(categories.values())
    labels = dict(SideEffectKind.choices)
    listed = {key: [member.as_json() for member in members.get(key, [])] for key in OUTCOME_LISTS}
    return {
        **_rate_block(categories, counted, listed),
        "apart": apart,
        "apart_patients": {key: listed[key] for key in apart},
        "starting_doses": _dose_rows(starting),
        "stable_doses": _dose_rows(stable),
        "side_effect_rates": [
            {"kind": kind, "label": labels.get(kind, kind), "patients": n, "pct": _pct(n, counted)}
            for kind, n in sorted(side_effects.items(), key=lambda kv: (-kv[1], kv[0]))
            if n
        ],
        "by_condition": [
            {"condition": condition, **_rate_block(cats, sum(cats.values()))}
            for condition, cats in sorted(by_condition.items())
        ],
    }

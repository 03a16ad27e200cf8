"""Questionnaires: scoring, which response counts, when one is due, and the criteria
(CLINICAL.md §9 and §12, version 2). Pure functions over plain rows, like the rest of
``diary.analysis``; the verdict (``verdict.py``) applies the criteria."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from diary.analysis import rules


class QuestionnaireRow(NamedTuple):
    """One stored response. ``order`` tells two responses of one date apart: the one
    entered last is greater (§12.10)."""

    instrument: str  # rules.MIDAS | HIT6 | PGIC
    completed_on: date  # the patient's diary day
    total: int
    entered_by: str  # rules.BY_PATIENT | BY_CLINICIAN | BY_REPORTED
    order: int


# --- scoring (§12.1) ----------------------------------------------------------------------


def midas_total(items: Sequence[int]) -> int:
    """Items 1–5 summed (A and B are never added)."""
    return sum(items[: rules.MIDAS_ITEMS])


def midas_grade(total: int) -> str:
    grade = rules.MIDAS_GRADES[0][1]
    for lower, name in rules.MIDAS_GRADES:
        if total >= lower:
            grade = name
    return grade


def hit6_total(answers: Sequence[str]) -> int:
    return sum(rules.HIT6_SCORES[answer] for answer in answers)


def hit6_impact(total: int) -> str:
    impact = rules.HIT6_IMPACT[0][1]
    for lower, name in rules.HIT6_IMPACT:
        if total >= lower:
            impact = name
    return impact


def hit6_possible_totals() -> frozenset[int]:
    """Every total six answers can give (36–78 without 37, 39 and 77)."""
    totals = {0}
    for _ in range(rules.HIT6_ITEMS):
        totals = {t + score for t in totals for score in rules.HIT6_SCORES.values()}
    return frozenset(totals)


HIT6_POSSIBLE_TOTALS = hit6_possible_totals()


def band(instrument: str, total: int) -> str | None:
    """MIDAS grade (I–IV) or HIT-6 impact; PGIC has none (its answer is its meaning)."""
    if instrument == rules.MIDAS:
        return midas_grade(total)
    if instrument == rules.HIT6:
        return hit6_impact(total)
    return None


# --- which instruments, which response (§12.2–§12.4, §12.10) -------------------------------


def baseline_instruments(condition: str) -> tuple[str, ...]:
    return rules.HEADACHE_BASELINE_INSTRUMENTS if condition in rules.HEADACHE_CONDITIONS else ()


def followup_instruments(condition: str) -> tuple[str, ...]:
    if condition in rules.HEADACHE_CONDITIONS:
        return rules.HEADACHE_FOLLOWUP_INSTRUMENTS
    return rules.PAIN_FOLLOWUP_INSTRUMENTS


def latest(rows: Iterable[QuestionnaireRow]) -> QuestionnaireRow | None:
    """The latest completed-on date; on one date, the one entered last."""
    return max(rows, key=lambda r: (r.completed_on, r.order), default=None)


def _of(rows: Iterable[QuestionnaireRow], instrument: str) -> list[QuestionnaireRow]:
    return [r for r in rows if r.instrument == instrument]


def baseline_response(
    rows: Sequence[QuestionnaireRow], instrument: str, first_dose: date | None
) -> QuestionnaireRow | None:
    """1. The latest response completed from 28 days before the first dose taken up to and
    including it (29 dates). 2. Else the latest reported baseline total of the instrument
    (it counts only when no response lies in the window). 3. No dose taken: none."""
    if first_dose is None:
        return None
    lo = first_dose - timedelta(days=rules.QUESTIONNAIRE_BASELINE_DAYS)
    own = [r for r in _of(rows, instrument) if r.entered_by != rules.BY_REPORTED and lo <= r.completed_on <= first_dose]
    if own:
        return latest(own)
    return latest(r for r in _of(rows, instrument) if r.entered_by == rules.BY_REPORTED)


def followup_start(instrument: str, earliest_evaluation: date | None, first_dose: date | None) -> date | None:
    """The first day a follow-up response counts: the earliest evaluation date (8 weeks on
    the clock); for MIDAS also at least 90 days after the first dose taken."""
    if earliest_evaluation is None or first_dose is None:
        return None
    if instrument == rules.MIDAS:
        return max(earliest_evaluation, first_dose + timedelta(days=rules.MIDAS_FOLLOWUP_MIN_DAYS_AFTER_FIRST_DOSE))
    return earliest_evaluation


def followup_response(
    rows: Sequence[QuestionnaireRow], instrument: str, start: date | None, as_of: date
) -> QuestionnaireRow | None:
    """The latest response completed from ``start`` to the as-of date (reported totals are
    baselines only)."""
    if start is None:
        return None
    return latest(
        r for r in _of(rows, instrument) if r.entered_by != rules.BY_REPORTED and start <= r.completed_on <= as_of
    )


# --- the criteria (§12.5, §12.6) ------------------------------------------------------------

MET = "met"
NOT_MET = "not_met"
NOT_AVAILABLE = "not_available"
MET_BUT_DIARY_WORSE = "met_but_diary_worse"


@dataclass(frozen=True, slots=True)
class Criterion:
    status: str  # MET | NOT_MET | NOT_AVAILABLE (MET_BUT_DIARY_WORSE is the verdict's reading)
    rule: str | None  # which comparison applied: midas_points | midas_percent | hit6_points
    reason: str


def midas_criterion(baseline: int | None, followup: int | None) -> Criterion:
    """Baseline 11–20: follow-up ≤ baseline − 5. Baseline ≥ 21: follow-up ≤ 0.7 × baseline
    (compared as 10 × follow-up ≤ 7 × baseline: exact). Baseline ≤ 10: not met."""
    if baseline is None or followup is None:
        missing = "baseline" if baseline is None else "follow-up"
        return Criterion(NOT_AVAILABLE, None, f"no {missing} MIDAS response")
    if baseline < rules.MIDAS_POINTS_BASELINE_MIN:
        return Criterion(NOT_MET, None, "a MIDAS baseline of 10 or less cannot meet the criterion")
    if baseline <= rules.MIDAS_POINTS_BASELINE_MAX:
        met = followup <= baseline - rules.MIDAS_POINTS_REDUCTION
        return Criterion(MET if met else NOT_MET, "midas_points", "baseline 11–20: follow-up at most baseline − 5")
    met = 100 * followup <= (100 - rules.MIDAS_PCT_REDUCTION) * baseline
    return Criterion(MET if met else NOT_MET, "midas_percent", "baseline 21 or more: follow-up at most 0.7 × baseline")


def hit6_criterion(baseline: int | None, followup: int | None) -> Criterion:
    if baseline is None or followup is None:
        missing = "baseline" if baseline is None else "follow-up"
        return Criterion(NOT_AVAILABLE, None, f"no {missing} HIT-6 response")
    met = followup <= baseline - rules.HIT6_POINTS_REDUCTION
    return Criterion(MET if met else NOT_MET, "hit6_points", "follow-up at most baseline − 5")


def response_block(row: QuestionnaireRow | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "total": row.total,
        "completed_on": row.completed_on.isoformat(),
        "entered_by": row.entered_by,
        "band": band(row.instrument, row.total),
    }


@dataclass(frozen=True, slots=True)
class Findings:
    """What the questionnaires say at the as-of date, for the verdict and the summary."""

    instruments: dict[str, dict[str, Any]]  # per instrument: baseline, follow-up, criterion
    criterion_met: tuple[str, ...]  # headache instruments whose criterion is met
    pgic: QuestionnaireRow | None  # the follow-up PGIC

    def block(self) -> dict[str, Any]:
        return {"instruments": self.instruments, "criterion_met": list(self.criterion_met)}


def findings(
    rows: Sequence[QuestionnaireRow],
    condition: str,
    first_dose: date | None,
    earliest_evaluation: date | None,
    as_of: date,
) -> Findings:
    """1. For each instrument the condition lists (§12.2): the baseline and the follow-up
    response. 2. For MIDAS and HIT-6 of a headache patient: the criterion (§12.5).
    3. The follow-up PGIC (§12.6 applies it for pain patients)."""
    headache = condition in rules.HEADACHE_CONDITIONS
    instruments: dict[str, dict[str, Any]] = {}
    met: list[str] = []
    pgic = None
    for instrument in followup_instruments(condition):
        with_baseline = instrument in baseline_instruments(condition)
        base = baseline_response(rows, instrument, first_dose) if with_baseline else None
        start = followup_start(instrument, earliest_evaluation, first_dose)
        follow = followup_response(rows, instrument, start, as_of)
        block: dict[str, Any] = {
            "baseline": response_block(base),
            "followup": response_block(follow),
            "followup_from": None if start is None else start.isoformat(),
        }
        if headache and instrument in (rules.MIDAS, rules.HIT6):
            judge = midas_criterion if instrument == rules.MIDAS else hit6_criterion
            criterion = judge(None if base is None else base.total, None if follow is None else follow.total)
            block["criterion"] = criterion.status
            block["criterion_rule"] = criterion.rule
            block["criterion_reason"] = criterion.reason
            if criterion.status == MET:
                met.append(instrument)
        if instrument == rules.PGIC:
            pgic = follow
        instruments[instrument] = block
    return Findings(instruments=instruments, criterion_met=tuple(met), pgic=pgic)


def pgic_improved(row: QuestionnaireRow | None) -> bool:
    """PGIC 1 (very much improved) or 2 (much improved)."""
    return row is not None and row.total <= rules.PGIC_IMPROVED_MAX


# --- what is due (§12.3, §12.4, §12.9) -------------------------------------------------------


def due(
    rows: Sequence[QuestionnaireRow],
    condition: str,
    *,
    plan_since: date | None,
    plan_continues: bool,
    first_dose: date | None,
    earliest_evaluation: date | None,
    as_of: date,
) -> list[dict[str, Any]]:
    """The questionnaires due on the as-of date, each ``{instrument, kind, since}``.

    1. Baseline (headache conditions, MIDAS and HIT-6): due from the day a plan exists
       until the first dose, unless one was completed in the last 28 days (it would lie in
       the baseline window of a first dose today).
    2. Follow-up: due from ``followup_start`` until one is completed, and again 12 weeks
       after the last one of the instrument, while the plan continues.
    """
    out: list[dict[str, Any]] = []
    if not plan_continues:
        return out
    if first_dose is None and plan_since is not None:
        recent = as_of - timedelta(days=rules.QUESTIONNAIRE_BASELINE_DAYS)
        for instrument in baseline_instruments(condition):
            if not any(
                r.entered_by != rules.BY_REPORTED and recent <= r.completed_on <= as_of for r in _of(rows, instrument)
            ):
                out.append({"instrument": instrument, "kind": "baseline", "since": plan_since.isoformat()})
        return out
    for instrument in followup_instruments(condition):
        start = followup_start(instrument, earliest_evaluation, first_dose)
        if start is None or as_of < start:
            continue
        last = latest(
            r for r in _of(rows, instrument) if r.entered_by != rules.BY_REPORTED and start <= r.completed_on <= as_of
        )
        since = start if last is None else last.completed_on + timedelta(weeks=rules.QUESTIONNAIRE_REPEAT_WEEKS)
        if as_of >= since:
            out.append({"instrument": instrument, "kind": "followup", "since": since.isoformat()})
    return out

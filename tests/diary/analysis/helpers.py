"""Small builders for patient histories (plain tuples in the NamedTuple field order)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from diary.analysis.history import PatientHistory, PlanRow, ReportedBaselineRow, StepRow

AS_OF = date(2026, 6, 30)
# The usual trial: first dose 100 days before AS_OF, at the target, every day.
FIRST_DOSE = AS_OF - timedelta(days=100)
BASELINE_START = FIRST_DOSE - timedelta(days=28)
WINDOW_START = AS_OF - timedelta(days=27)


def day(offset: int, base: date = AS_OF) -> date:
    return base + timedelta(days=offset)


def entry(
    d: date,
    pain: int = 2,
    headache: int = 0,
    migraine: bool | None = None,
    sleep: int | None = None,
    hours: float | None = None,
    one_sided: bool | None = None,
    pulsating: bool | None = None,
    worse: bool | None = None,
    nausea: bool | None = None,
    light: bool | None = None,
    sound: bool | None = None,
    aura: int | None = None,
) -> tuple:
    return (d, pain, headache, migraine, sleep, hours, one_sided, pulsating, worse, nausea, light, sound, aura)


def coded(start: date, codes: str, pain: int = 2) -> list[tuple]:
    """One entry per character from ``start``: '.' missing, a digit = the peak headache level."""
    return [entry(start + timedelta(days=i), pain=pain, headache=int(c)) for i, c in enumerate(codes) if c != "."]


def pains(start: date, values: Sequence[int | None]) -> list[tuple]:
    """One entry per value from ``start`` (None = missing day), no headache."""
    return [entry(start + timedelta(days=i), pain=v) for i, v in enumerate(values) if v is not None]


def dose(d: date, mg: float = 4.5, time: str = "bedtime", taken: bool = True) -> tuple:
    return (d, taken, mg if taken else None, time)


def daily_doses(start: date, end: date, mg: float = 4.5, time: str = "bedtime") -> list[tuple]:
    return [dose(start + timedelta(days=i), mg, time) for i in range((end - start).days + 1)]


def med(d: date, med_class: str, for_headache: bool = True, contains_opioid: bool | None = None) -> tuple:
    return (d, med_class, for_headache, med_class == "opioid" if contains_opioid is None else contains_opioid)


def side_effect(d: date, kind: str = "nausea", severity: int = 1, limited: bool = False) -> tuple:
    return (d, kind, severity, limited)


def plan(
    steps: Iterable[tuple[date, float]] = ((FIRST_DOSE, 4.5),),
    target: float = 4.5,
    weeks: int = 12,
    stopped_on: date | None = None,
    reason: str | None = None,
    time: str = "bedtime",
) -> PlanRow:
    return PlanRow(target, weeks, stopped_on, reason, tuple(StepRow(d, mg, time) for d, mg in steps))


def make_history(
    condition: str = "migraine",
    entries: Sequence[tuple] = (),
    doses: Sequence[tuple] = (),
    medications: Sequence[tuple] = (),
    side_effects: Sequence[tuple] = (),
    plan_row: PlanRow | None = None,
    reported: ReportedBaselineRow | None = None,
    as_of: date = AS_OF,
    questionnaires: Sequence[tuple] = (),
) -> PatientHistory:
    return PatientHistory(
        as_of=as_of,
        condition=condition,
        entries=list(entries),
        side_effects=list(side_effects),
        medications=list(medications),
        doses=list(doses),
        plan=plan_row,
        reported_baseline=reported,
        questionnaires=list(questionnaires),
    )


def trial(
    condition: str = "migraine",
    baseline: str = "0" * 28,
    window: str = "0" * 28,
    between: str = "0",
    pain: int = 2,
    **kwargs: object,
) -> PatientHistory:
    """The usual trial: 28 coded baseline days before FIRST_DOSE, daily 4.5 mg from it, the
    days up to the evaluation window coded with ``between``, and 28 coded window days."""
    gap = (WINDOW_START - FIRST_DOSE).days
    entries = coded(BASELINE_START, baseline + between * gap + window, pain=pain)
    fields: dict[str, object] = {
        "entries": entries,
        "doses": daily_doses(FIRST_DOSE, AS_OF),
        "plan_row": plan(),
    }
    fields.update(kwargs)
    return make_history(condition, **fields)  # type: ignore[arg-type]


def response(instrument: str, d: date, total: int, by: str = "patient", order: int = 0) -> tuple:
    """A questionnaire response row (QuestionnaireRow order)."""
    return (instrument, d, total, by, order)

"""The evidence's shared words: labels of the codes, numbers, doses, dates and the block shape.

Every presenter in this package writes through these, so a figure reads the same on the
patient page and in the visit report (rounding rules: the package's docstring).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from diary.analysis import rules
from diary.choices import FlagKind, Instrument, MedicineClass, StopReason, VerdictKind

Evidence = Mapping[str, Any]

VERDICT_LABELS = dict(VerdictKind.choices)
FLAG_LABELS = dict(FlagKind.choices)
MEDICINE_LABELS = dict(MedicineClass.choices)
STOP_REASONS = dict(StopReason.choices)
INSTRUMENT_LABELS = dict(Instrument.choices)
HIT6_IMPACT_WORDS = {
    "little_or_none": "little or no impact",
    "some": "some impact",
    "substantial": "substantial impact",
    "severe": "severe impact",
}
MONTH = rules.MONTH_DAYS


def number(value: float | None, decimals: int = 1) -> str:
    """A figure to ``decimals`` places ("–" when there is none)."""
    if value is None:
        return "–"
    return f"{float(value):.{decimals}f}"


def percent(value: float | None) -> str:
    """A whole percentage, cut towards zero (the module docstring says why)."""
    if value is None:
        return "–"
    # rounded to 6 places first: a stored 29.9999999 (a float's error) is 30
    return f"{math.trunc(round(float(value), 6))}%"


def mg(value: float | str | Decimal | None) -> str:
    """A dose as prescribed: one decimal, two when the dose has them (0.75 mg)."""
    if value is None:
        return "–"
    amount = Decimal(str(value))
    text = f"{amount:.2f}"
    return (text[:-1] if text.endswith("0") else text) + " mg"


def days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def day(value: date | str | None) -> str:
    """21 Nov 2026."""
    if not value:
        return "–"
    d = _as_date(value)
    return f"{d.day} {d:%b %Y}"


def span(start: date | str | None, end: date | str | None) -> str:
    """7 Nov – 4 Dec 2026 (the year once when both days share it)."""
    if not start or not end:
        return "–"
    a, b = _as_date(start), _as_date(end)
    first = f"{a.day} {a:%b}" if a.year == b.year else day(a)
    return f"{first} – {day(b)}"


def moment(value: str | None, zone: str) -> str:
    """21 Nov 2026, 10:04 in the patient's time zone."""
    if not value:
        return "–"
    local = datetime.fromisoformat(value).astimezone(ZoneInfo(zone))
    return f"{day(local.date())}, {local:%H:%M}"


def day_list(values: Sequence[str], limit: int = 6) -> str:
    """Dates as one phrase; a long list shows its first and last few."""
    if len(values) <= limit:
        return ", ".join(day(v) for v in values)
    head = ", ".join(day(v) for v in values[:3])
    tail = ", ".join(day(v) for v in values[-2:])
    return f"{head}, … {len(values) - 5} more …, {tail}"


def verdict_label(kind: str | None) -> str:
    return VERDICT_LABELS.get(kind or "", "Not analysed yet")


def _fact(label: str, value: str) -> dict[str, str]:
    return {"label": label, "value": value}


def _block(
    headline: str,
    *,
    measures: Iterable[dict[str, str]] = (),
    facts: Iterable[dict[str, str] | None] = (),
    rule: str = "",
    notes: Iterable[str] = (),
    changes: Iterable[str] = (),
    occurrences: Iterable[dict[str, str]] = (),
    attention: Iterable[str] = (),
    questionnaires: Iterable[dict[str, str]] = (),
) -> dict[str, Any]:
    return {
        "headline": headline,
        "measures": list(measures),
        "facts": [f for f in facts if f is not None],
        "changes": list(changes),
        "occurrences": list(occurrences),
        "rule": rule,
        "notes": list(dict.fromkeys(notes)),
        "attention": list(attention),
        "questionnaires": list(questionnaires),
    }

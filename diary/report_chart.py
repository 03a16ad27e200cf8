"""The visit report's chart (issue 16): the outcome that decides the verdict against the
dose held, as SVG geometry the template draws (WeasyPrint renders inline SVG, so the page
and the PDF show the same picture, and nothing is fetched).

Headache conditions: headache days per 28 days over a rolling 28-day window (needs 23
days logged, as every 28-day rate); pain conditions: the 7-day mean of daily pain (needs
4 days logged). The dose held is a step line on its own axis, the baseline a dashed line,
and the report's period a shaded band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from diary.analysis import rules
from diary.analysis.context import Context
from diary.analysis.trends import held_dose, series
from diary.evidence import day, mg, number

WIDTH, HEIGHT = 700, 178
LEFT, RIGHT, TOP, BOTTOM = 40, 652, 8, 150  # the plot box inside the view box


@dataclass(frozen=True, slots=True)
class Tick:
    at: float  # x or y in the view box
    text: str


def _nice_max(value: float, step: int) -> int:
    return max(step, math.ceil(value / step) * step)


def _runs(points: list[tuple[float, float] | None]) -> list[str]:
    """Polyline point lists, one per run of days with a value (a gap breaks the line)."""
    out: list[str] = []
    run: list[tuple[float, float]] = []
    for p in points:
        if p is None:
            if len(run) > 1:
                out.append(" ".join(f"{x:.1f},{y:.1f}" for x, y in run))
            run = []
        else:
            run.append(p)
    if len(run) > 1:
        out.append(" ".join(f"{x:.1f},{y:.1f}" for x, y in run))
    return out


def report_chart(ctx: Context, start: date, end: date, headache: bool, baseline: float | None) -> dict[str, Any] | None:
    """1. The series over the grid's last year up to the report's end (the context is built
    as of that day). 2. Days from the first with a value (or the period's first day, if
    earlier) to the end. 3. Scales: the outcome from 0 (pain 0–10), the dose from 0 to a
    quarter above the highest held. 4. Polylines, the dose as steps, ticks on month starts."""
    held = held_dose(ctx)
    data = series(ctx, held)
    values: list[float | None] = data["headache_days_per_28"] if headache else data["pain_7"]
    dose: list[float | None] = data["held_mg"]
    first_day = date.fromisoformat(data["start"])
    present = [i for i, v in enumerate(values) if v is not None] + [i for i, v in enumerate(dose) if v is not None]
    if not [v for v in values if v is not None]:
        return None
    lo = min(min(present), max((start - first_day).days, 0))
    hi = len(values) - 1
    n = max(hi - lo, 1)

    def x(i: int) -> float:
        return LEFT + (i - lo) * (RIGHT - LEFT) / n

    known = [v for v in values[lo:] if v is not None]
    y_max = 10 if not headache else _nice_max(max([*known, baseline or 0]) * 1.15, 4)
    dose_known = [v for v in dose[lo:] if v is not None]
    dose_max = max(dose_known or [rules.USUAL_MAX_MG]) * 1.25

    def y(v: float) -> float:
        return BOTTOM - v * (BOTTOM - TOP) / y_max

    def y_dose(v: float) -> float:
        return BOTTOM - v * (BOTTOM - TOP) / dose_max

    lines = _runs([None if v is None else (x(i), y(v)) for i, v in enumerate(values) if i >= lo])
    steps: list[tuple[float, float] | None] = []
    previous: float | None = None
    for i in range(lo, hi + 1):
        v = dose[i]
        if v is None:
            steps.append(None)
        else:
            if previous is not None and v != previous and steps and steps[-1] is not None:
                steps.append((x(i), y_dose(previous)))
            steps.append((x(i), y_dose(v)))
        previous = v
    months: list[Tick] = []
    d = first_day + timedelta(days=lo)
    d = d.replace(day=1) + timedelta(days=32)
    d = d.replace(day=1)
    last = first_day + timedelta(days=hi)
    while d <= last:
        i = (d - first_day).days
        months.append(Tick(x(i), d.strftime("%b %Y" if d.month == 1 or not months else "%b")))
        d = (d + timedelta(days=32)).replace(day=1)
    y_step = 2 if not headache else max(y_max // 4, 1)
    y_ticks = [Tick(y(v), str(v)) for v in range(0, int(y_max) + 1, int(y_step))]
    dose_ticks = [Tick(y_dose(v), mg(v).removesuffix(" mg")) for v in sorted(set(dose_known))]
    period_lo = max((start - first_day).days, lo)
    what = (
        "Headache days per 28 days (rolling 28-day rate, from 23 logged days)"
        if headache
        else "Mean daily pain, 0–10 (7-day mean, from 4 logged days)"
    )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "box": {"left": LEFT, "right": RIGHT, "top": TOP, "bottom": BOTTOM},
        "lines": lines,
        "dose": _runs(steps),
        "baseline_y": None if baseline is None else round(y(min(baseline, y_max)), 1),
        "period": {"x": round(x(period_lo), 1), "width": round(x(hi) - x(period_lo), 1), "height": BOTTOM - TOP},
        "months": months,
        "y_ticks": y_ticks,
        "dose_ticks": dose_ticks,
        "what": what,
        "baseline_text": None if baseline is None else number(baseline),
        "from": day(first_day + timedelta(days=lo)),
        "to": day(first_day + timedelta(days=hi)),
    }

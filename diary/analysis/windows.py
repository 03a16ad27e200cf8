"""28-day windows, the baseline and the trial clock (CLINICAL.md §4, §5, §11.4, §11.5).

Monthly figures are kept as exact fractions (counts and integer pain scores over days
logged), so the half-open verdict bands (§11.6) compare exact values: 5 of 10 is 50%,
never 49.999…%.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from diary.analysis import rules
from diary.analysis.grid import BoolArray, FloatArray, Grid
from diary.analysis.history import ReportedBaselineRow


class Sums:
    """Prefix sums over the grid: any span's counts in O(1)."""

    def __init__(self, grid: Grid) -> None:
        def prefix(values: BoolArray | FloatArray) -> FloatArray:
            return np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))

        self.n = grid.n
        self.logged = prefix(grid.logged)
        self.headache = prefix(grid.headache)
        self.modsev = prefix(grid.modsev)
        self.migraine = prefix(grid.migraine)
        self.pain = prefix(np.where(grid.logged, grid.pain, 0.0))
        self.pain_sq = prefix(np.where(grid.logged, grid.pain, 0.0) ** 2)
        has_sleep = ~np.isnan(grid.sleep)
        self.sleep_n = prefix(has_sleep)
        self.sleep = prefix(np.where(has_sleep, grid.sleep, 0.0))
        self.taken = prefix(grid.taken)

    @staticmethod
    def span(prefix: FloatArray, lo: int, hi: int) -> int:
        """Sum over grid indices lo..hi inclusive; indices outside the grid count as 0."""
        lo = max(lo, 0)
        hi = min(hi, len(prefix) - 2)
        if hi < lo:
            return 0
        return round(prefix[hi + 1] - prefix[lo])

    @staticmethod
    def span_float(prefix: FloatArray, lo: int, hi: int) -> float:
        lo = max(lo, 0)
        hi = min(hi, len(prefix) - 2)
        if hi < lo:
            return 0.0
        return float(prefix[hi + 1] - prefix[lo])


@dataclass(frozen=True, slots=True)
class Window:
    """A span of days (grid indices, inclusive) with its raw counts."""

    lo: int
    hi: int
    days: int
    days_logged: int
    headache_days: int
    modsev_days: int
    migraine_days: int
    pain_sum: int  # pain scores are integers: exact means
    sleep_sum: float
    sleep_n: int

    @property
    def valid(self) -> bool:
        return self.days == rules.MONTH_DAYS and self.days_logged >= rules.WINDOW_VALID_DAYS

    @property
    def pro_rated(self) -> bool:
        return 0 < self.days_logged < self.days

    def per_month(self, count: int) -> Fraction | None:
        """count × 28 / days logged (§4), or None when nothing was logged."""
        if self.days_logged == 0:
            return None
        return Fraction(count * rules.MONTH_DAYS, self.days_logged)

    @property
    def mean_pain(self) -> Fraction | None:
        return Fraction(self.pain_sum, self.days_logged) if self.days_logged else None

    @property
    def mean_sleep(self) -> float | None:
        return self.sleep_sum / self.sleep_n if self.sleep_n else None


def window(sums: Sums, lo: int, hi: int) -> Window:
    return Window(
        lo=lo,
        hi=hi,
        days=hi - lo + 1,
        days_logged=sums.span(sums.logged, lo, hi),
        headache_days=sums.span(sums.headache, lo, hi),
        modsev_days=sums.span(sums.modsev, lo, hi),
        migraine_days=sums.span(sums.migraine, lo, hi),
        pain_sum=sums.span(sums.pain, lo, hi),
        sleep_sum=sums.span_float(sums.sleep, lo, hi),
        sleep_n=sums.span(sums.sleep_n, lo, hi),
    )


def month_ending(sums: Sums, hi: int) -> Window:
    return window(sums, hi - rules.MONTH_DAYS + 1, hi)


DIARY = "diary"
REPORTED = "reported"
NONE = "none"


@dataclass(frozen=True, slots=True)
class Baseline:
    source: str  # diary | reported | none
    headache_days: Fraction | None  # per 28 days
    modsev_days: Fraction | None  # None for a reported baseline (§11.4)
    migraine_days: Fraction | None
    mean_pain: Fraction | None
    diary_window: Window | None  # the 28 days before the first dose, valid or not
    pro_rated: bool


def baseline(sums: Sums, first_dose: int | None, reported: ReportedBaselineRow | None) -> Baseline:
    """The baseline of §11.4.

    1. The diary baseline: the 28 days before the first dose taken, if ≥ 23 are logged.
    2. Else the clinician's reported baseline (labelled ``reported``; no moderate/severe figure).
    3. Else none.
    """
    diary = month_ending(sums, first_dose - 1) if first_dose is not None else None
    if diary is not None and diary.valid:
        return Baseline(
            source=DIARY,
            headache_days=diary.per_month(diary.headache_days),
            modsev_days=diary.per_month(diary.modsev_days),
            migraine_days=diary.per_month(diary.migraine_days),
            mean_pain=diary.mean_pain,
            diary_window=diary,
            pro_rated=diary.pro_rated,
        )
    if reported is not None:

        def exact(value: float | None) -> Fraction | None:
            return None if value is None else Fraction(value).limit_denominator(1000)

        return Baseline(
            source=REPORTED,
            headache_days=exact(reported[0]),
            modsev_days=None,
            migraine_days=exact(reported[1]),
            mean_pain=exact(reported[2]),
            diary_window=diary,
            pro_rated=False,
        )
    return Baseline(NONE, None, None, None, None, diary, False)


TARGET = "target"
FALLBACK = "fallback"


@dataclass(frozen=True, slots=True)
class Clock:
    start: int | None  # grid index of the first day on the clock
    basis: str | None  # target | fallback | None (not started)
    mg: float | None  # the amount that started it


def trial_clock(grid: Grid, last: int, target_mg: float) -> Clock:
    """The trial clock of §5 / §11.5, from the dose log up to grid index ``last``.

    1. The first day a dose at or above the target was taken starts it.
    2. Else split the taken doses into runs of one amount; only a different amount ends a
       run (missed days do not). A run lasts from its first dose to the day before the next
       run, or to ``last`` for the run still going.
    3. Among runs lasting ≥ 14 days, the first run of the highest amount starts the clock.
    4. No such run: the clock has not started.
    """
    idx = np.flatnonzero(grid.taken[: last + 1])
    if idx.size == 0:
        return Clock(None, None, None)
    mg = grid.dose_mg[idx]
    at_target = np.flatnonzero(mg >= target_mg - rules.MG_TOLERANCE)
    if at_target.size:
        i = int(idx[at_target[0]])
        return Clock(i, TARGET, float(mg[at_target[0]]))
    changes = np.flatnonzero(np.abs(np.diff(mg)) > rules.MG_TOLERANCE) + 1
    run_first = np.concatenate(([0], changes))
    starts = idx[run_first]
    ends = np.concatenate((idx[changes] - 1, [last]))
    amounts = mg[run_first]
    long_runs = (ends - starts + 1) >= rules.FALLBACK_CLOCK_MIN_RUN_DAYS
    if not long_runs.any():
        return Clock(None, None, None)
    best = amounts[long_runs].max()
    pick = np.flatnonzero(long_runs & (np.abs(amounts - best) <= rules.MG_TOLERANCE))[0]
    return Clock(int(starts[pick]), FALLBACK, float(amounts[pick]))


def weeks_on_clock(clock: Clock, day: int, weeks: int) -> bool:
    """N weeks on the clock = day − clock start ≥ 7N days (§11.5)."""
    return clock.start is not None and day - clock.start >= rules.DAYS_PER_WEEK * weeks

"""The daily grid: one slot per calendar day, and the day types of CLINICAL.md §3 / §11.1–11.2.

Every array has one element per day from ``start`` to ``as_of`` inclusive. A day with no
diary entry is *missing*: ``logged`` is False there and every day type is False, so counts
must always be read together with ``logged`` (a missing day is never a headache-free day).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from diary.analysis import rules
from diary.analysis.history import PatientHistory

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Dose time codes on the grid (0 = no dose taken that day).
DOSE_TIME_CODE = {name: code for code, name in enumerate(rules.DOSE_TIMES, start=1)}


@dataclass(frozen=True, slots=True)
class Grid:
    start: int  # ordinal of the first day
    n: int
    logged: BoolArray
    pain: FloatArray  # NaN where missing
    sleep: FloatArray  # NaN where missing or not answered
    headache: BoolArray  # headache day (§11.1)
    modsev: BoolArray  # moderate/severe headache day
    migraine: BoolArray  # migraine day (§11.2)
    med_days: dict[str, BoolArray]  # class → a day with ≥ 1 intake (any purpose), raw rows
    any_med: BoolArray
    opioid_dates: tuple[int, ...]  # ordinals of every opioid row (class opioid or contains_opioid)
    taken: BoolArray  # a dose was taken that day
    dose_mg: FloatArray  # the largest amount taken that day, NaN when none
    dose_time: IntArray  # DOSE_TIME_CODE of the day's largest dose (bedtime on a tie), 0 when none
    se_kind: dict[str, BoolArray]  # side-effect kind → reported that day
    se_any: BoolArray
    se_serious: BoolArray  # a side effect rated severe or limiting activities

    def index(self, day: date) -> int:
        return day.toordinal() - self.start

    def day(self, i: int) -> date:
        return date.fromordinal(self.start + i)


def _ordinals(dates: Iterable[date]) -> IntArray:
    return np.fromiter((d.toordinal() for d in dates), dtype=np.int64)


def _opt_float(values: Sequence[object]) -> FloatArray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def grid_start(history: PatientHistory, lookback_days: int) -> int:
    """The first ordinal the grid needs: the earliest row, far enough back for every window,
    and the last day on LDN before a stop."""
    firsts = [history.as_of.toordinal() - lookback_days]
    for rows in (history.entries, history.side_effects, history.medications, history.doses):
        if rows:
            firsts.append(min(r[0] for r in rows).toordinal())
    taken = [r[0] for r in history.doses if r[1] and r[2] is not None]
    if taken:
        # the baseline and the opioid look-back reach this far before the first dose
        reach = max(rules.BASELINE_DAYS, rules.OPIOID_DAYS_BEFORE_FIRST_DOSE)
        firsts.append(min(taken).toordinal() - reach)
    plan = history.plan
    if plan is not None and plan.stopped_on is not None and plan.stopped_on <= history.as_of:
        # the last day on LDN (the day before a stop) must be on the grid: every index
        # derived from the stop is then ≥ 0 (a negative one would slice from the end)
        firsts.append(plan.stopped_on.toordinal() - 1)
    return min(firsts)


def build_grid(history: PatientHistory, start: int) -> Grid:
    """Lay the rows on the grid and derive the day types.

    1. Entries: logged, pain, sleep, and the Leiden criteria 1, 2 and 4 (§11.2).
    2. Medicines: day per class (raw, any purpose), criterion 3 (migraine-specific
       medicine) and "taken for a headache" (§11.1; ``for_headache`` is stored per row
       with the patient's default, so it is read as stored).
    3. Headache day = headache ≥ 1 or migraine day or medicine for a headache, only on
       logged days; moderate/severe = headache ≥ 2 on logged days.
    4. Doses and side effects per day. Rows after ``as_of`` are ignored.
    """
    end = history.as_of.toordinal()
    n = end - start + 1
    logged = np.zeros(n, dtype=np.bool_)
    pain = np.full(n, np.nan)
    sleep = np.full(n, np.nan)
    level = np.zeros(n, dtype=np.int64)
    leiden = np.zeros(n, dtype=np.bool_)

    entries = [r for r in history.entries if r[0].toordinal() <= end]
    if entries:
        cols = list(zip(*entries, strict=True))
        idx = _ordinals(cols[0]) - start
        head = np.asarray(cols[2], dtype=np.int64)
        hours = _opt_float(cols[5])
        # the six yes/no features as one object matrix: compared to None / True in C loops
        features = np.array(cols[6:12], dtype=object).reshape(6, len(entries))
        is_true = features == True  # noqa: E712 (elementwise: None and False are not True)
        one_sided, pulsating, worse, nausea, light, sound = is_true
        aura = _opt_float(cols[12])
        answered = (features != None).any(axis=0) | ~np.isnan(aura)  # noqa: E711 (elementwise)
        pain_features = (
            one_sided.astype(np.int64) + pulsating + (head >= rules.HEADACHE_MODERATE) + worse.astype(np.int64)
        )
        associated = nausea.astype(np.int64) + (light & sound)
        # Criterion 1 describes a headache attack: the peak headache must be ≥ 1, and a
        # duration, when given, at least 30 minutes (hours not given do not block it).
        duration_ok = np.isnan(hours) | (hours >= rules.MIGRAINE_MIN_HOURS)
        c1 = (
            (head >= rules.HEADACHE_MILD)
            & duration_ok
            & (pain_features >= rules.MIGRAINE_MIN_PAIN_FEATURES)
            & (associated >= rules.MIGRAINE_MIN_ASSOCIATED_FEATURES)
        )
        with np.errstate(invalid="ignore"):
            c2 = (aura >= rules.AURA_MIN_MINUTES) & (aura <= rules.AURA_MAX_MINUTES)
        c4 = np.array(cols[3], dtype=object) == True  # noqa: E712 (elementwise)
        logged[idx] = True
        pain[idx] = np.asarray(cols[1], dtype=np.float64)
        sleep[idx] = _opt_float(cols[4])
        level[idx] = head
        leiden[idx] = np.where(answered, c1 | c2, c4)

    med_days = {c: np.zeros(n, dtype=np.bool_) for c in rules.MEDICINE_CLASSES}
    for_headache = np.zeros(n, dtype=np.bool_)
    specific = np.zeros(n, dtype=np.bool_)
    opioid_dates: set[int] = set()
    for day, med_class, headache_purpose, contains_opioid in history.medications:
        o = day.toordinal()
        if o > end:
            continue
        i = o - start
        med_days.setdefault(med_class, np.zeros(n, dtype=np.bool_))[i] = True
        if med_class in rules.MIGRAINE_SPECIFIC_CLASSES:
            specific[i] = True
        if headache_purpose or med_class in rules.MIGRAINE_SPECIFIC_CLASSES:
            for_headache[i] = True
        if med_class == rules.OPIOID or contains_opioid:
            opioid_dates.add(o)
    any_med = np.zeros(n, dtype=np.bool_)
    for days in med_days.values():
        any_med |= days

    migraine = logged & (leiden | specific)
    headache = logged & ((level >= rules.HEADACHE_MILD) | migraine | for_headache)
    modsev = headache & (level >= rules.HEADACHE_MODERATE)

    taken = np.zeros(n, dtype=np.bool_)
    dose_mg = np.full(n, np.nan)
    dose_time = np.zeros(n, dtype=np.int64)
    # Sorted so several doses on one day give the same grid whatever the row order:
    # the largest amount, and bedtime before morning before other.
    time_rank = {rules.BEDTIME: 0, rules.MORNING: 1, rules.OTHER_TIME: 2}
    for day, was_taken, mg, time_of_day in sorted(
        history.doses, key=lambda r: (r[0], not r[1], r[2] or 0.0, -time_rank.get(r[3], 3))
    ):
        o = day.toordinal()
        if o > end or not was_taken or mg is None:
            continue
        i = o - start
        taken[i] = True
        dose_mg[i] = mg
        dose_time[i] = DOSE_TIME_CODE.get(time_of_day, DOSE_TIME_CODE[rules.OTHER_TIME])

    se_kind = {k: np.zeros(n, dtype=np.bool_) for k in rules.SIDE_EFFECT_KINDS}
    se_serious = np.zeros(n, dtype=np.bool_)
    for day, kind, severity, limited in history.side_effects:
        o = day.toordinal()
        if o > end:
            continue
        i = o - start
        se_kind.setdefault(kind, np.zeros(n, dtype=np.bool_))[i] = True
        if severity >= rules.SIDE_EFFECT_SEVERE or limited:
            se_serious[i] = True
    se_any = np.zeros(n, dtype=np.bool_)
    for days in se_kind.values():
        se_any |= days

    return Grid(
        start=start,
        n=n,
        logged=logged,
        pain=pain,
        sleep=sleep,
        headache=headache,
        modsev=modsev,
        migraine=migraine,
        med_days=med_days,
        any_med=any_med,
        opioid_dates=tuple(sorted(opioid_dates)),
        taken=taken,
        dose_mg=dose_mg,
        dose_time=dose_time,
        se_kind=se_kind,
        se_serious=se_serious,
        se_any=se_any,
    )

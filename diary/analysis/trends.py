"""Trends against dose changes (CLINICAL.md §8): segments, chart series, weekly means,
Theil–Sen with Mann–Kendall, segmented regression, side-effect incidence.

Everything returned holds JSON types only (floats rounded by ``num``, dates ISO).
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any

import numpy as np
import statsmodels.api as sm
from scipy import special, stats

from diary.analysis import rules
from diary.analysis.context import Context, num
from diary.analysis.grid import DOSE_TIME_CODE, BoolArray, FloatArray, IntArray
from diary.analysis.windows import Sums


def _json_list(values: FloatArray) -> list[float | None]:
    rounded = np.round(values, rules.FLOAT_DECIMALS) + 0.0
    return [None if v != v else v for v in rounded.tolist()]


@lru_cache(maxsize=512)
def _t_quantile(dof: int) -> float:
    return float(stats.t.ppf(0.5 + rules.CONFIDENCE_LEVEL / 2, dof))


def held_dose(ctx: Context) -> FloatArray:
    """The amount held on each day on LDN: the last dose taken, carried over missed days;
    NaN before the first dose and from a stop on."""
    g = ctx.grid
    pos = np.arange(g.n)
    last = np.maximum.accumulate(np.where(g.taken, pos, -1))
    held = np.where(last >= 0, g.dose_mg[np.maximum(last, 0)], np.nan)
    if ctx.stopped is not None:
        held[ctx.stopped :] = np.nan
    return held


class SpanStats:
    """Per-span statistics from prefix sums (one pass over the grid, O(1) per span)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        g = ctx.grid
        self.kinds = list(g.se_kind)
        kind_matrix = np.vstack([g.se_kind[k] for k in self.kinds])
        self.kind_prefix: FloatArray = np.concatenate(
            (np.zeros((len(self.kinds), 1)), np.cumsum(kind_matrix, axis=1, dtype=np.float64)), axis=1
        )

    def incidence(self, lo: int, hi: int, logged: int) -> dict[str, float | None]:
        counts = self.kind_prefix[:, hi + 1] - self.kind_prefix[:, lo]
        return {k: num(c / logged) for k, c in zip(self.kinds, counts.tolist(), strict=True) if c > 0}

    def span(self, lo: int, hi: int) -> dict[str, Any]:
        """1. Days, logged days, compliance, adherence. 2. Mean pain with a t-based 95% CI.
        3. Headache / migraine / moderate-severe days per 28 (pro-rated over logged days).
        4. Mean sleep, side-effect incidence per kind (days with it / logged days)."""
        s, ctx = self.ctx.sums, self.ctx
        days = hi - lo + 1
        n = Sums.span(s.logged, lo, hi)
        block: dict[str, Any] = {
            "start": ctx.iso(lo),
            "end": ctx.iso(hi),
            "days": days,
            "days_logged": n,
            "compliance_pct": num(100 * n / days),
            "adherence_pct": num(100 * Sums.span(s.taken, lo, hi) / days),
        }
        if n == 0:
            return {**block, "mean_pain": None, "pain_ci95": None}
        total, squares = Sums.span_float(s.pain, lo, hi), Sums.span_float(s.pain_sq, lo, hi)
        mean = total / n
        ci = None
        if n >= 2:
            sd = max((squares - total * total / n) / (n - 1), 0.0) ** 0.5
            half = _t_quantile(n - 1) * sd / n**0.5
            ci = [num(mean - half), num(mean + half)]
        sleep_n = Sums.span(s.sleep_n, lo, hi)
        return {
            **block,
            "mean_pain": num(mean),
            "pain_ci95": ci,
            "headache_days_per_28": num(Sums.span(s.headache, lo, hi) * rules.MONTH_DAYS / n),
            "migraine_days_per_28": num(Sums.span(s.migraine, lo, hi) * rules.MONTH_DAYS / n),
            "moderate_severe_days_per_28": num(Sums.span(s.modsev, lo, hi) * rules.MONTH_DAYS / n),
            "mean_sleep": num(Sums.span_float(s.sleep, lo, hi) / sleep_n) if sleep_n else None,
            "side_effect_incidence": self.incidence(lo, hi, n),
        }


def segments(ctx: Context, held: FloatArray, spans: SpanStats) -> list[dict[str, Any]]:
    """1. Split the days on LDN where the held amount changes. 2. Per segment: the first 7
    days as "settling", the rest as the steady state (None when the segment is shorter)."""
    on = ~np.isnan(held)
    if not on.any():
        return []
    edges = np.flatnonzero(np.diff(np.where(on, held, -1.0)) != 0) + 1
    bounds = np.concatenate(([0], edges, [ctx.grid.n]))
    out = []
    for lo, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if not on[lo]:
            continue
        hi = end - 1
        settle_hi = min(lo + rules.SETTLING_DAYS - 1, hi)
        out.append(
            {
                "mg": float(held[lo]),
                "start": ctx.iso(lo),
                "end": ctx.iso(hi),
                "days": hi - lo + 1,
                "all": spans.span(lo, hi),
                "settling": spans.span(lo, settle_hi),
                "steady": spans.span(settle_hi + 1, hi) if settle_hi < hi else None,
            }
        )
    return out


def _rolling(prefix: FloatArray, width: int, lo: int, hi: int) -> FloatArray:
    """Rolling sums over ``width`` days ending on each day lo..hi (days before the grid count 0)."""
    ends = np.arange(lo, hi + 1) + 1
    return prefix[ends] - prefix[np.maximum(ends - width, 0)]


def series(ctx: Context, held: FloatArray) -> dict[str, Any]:
    """Chart series for the last ≤ 365 days: rolling 7- and 28-day means (7-day needs ≥ 4
    logged days, 28-day a valid window), headache and migraine days per 28, dose mg."""
    s = ctx.sums
    hi = ctx.today
    lo = max(0, hi - rules.SERIES_MAX_DAYS + 1)
    out: dict[str, Any] = {"start": ctx.iso(lo), "end": ctx.iso(hi)}
    for width, need, suffix in (
        (rules.ROLLING_SHORT_DAYS, rules.ROLLING_SHORT_MIN_DAYS, "7"),
        (rules.MONTH_DAYS, rules.WINDOW_VALID_DAYS, "28"),
    ):
        logged = _rolling(s.logged, width, lo, hi)
        sleep_n = _rolling(s.sleep_n, width, lo, hi)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"pain_{suffix}"] = _json_list(
                np.where(logged >= need, _rolling(s.pain, width, lo, hi) / logged, np.nan)
            )
            out[f"sleep_{suffix}"] = _json_list(
                np.where((logged >= need) & (sleep_n > 0), _rolling(s.sleep, width, lo, hi) / sleep_n, np.nan)
            )
            if width == rules.MONTH_DAYS:
                for name, prefix in (("headache_days_per_28", s.headache), ("migraine_days_per_28", s.migraine)):
                    rate = _rolling(prefix, width, lo, hi) * rules.MONTH_DAYS / logged
                    out[name] = _json_list(np.where(logged >= need, rate, np.nan))
    out["dose_mg"] = _json_list(np.where(ctx.grid.taken[lo : hi + 1], ctx.grid.dose_mg[lo : hi + 1], np.nan))
    out["held_mg"] = _json_list(held[lo : hi + 1])
    return out


def _week_sums(
    ctx: Context, starts: IntArray, last: int | None = None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Logged days, pain sum, sleep count, sleep sum and headache days per 7-day bin, counting
    no day after grid index ``last`` (default: the end of the grid)."""
    s = ctx.sums
    end = ctx.grid.n if last is None else last + 1
    lo = np.clip(starts, 0, end)
    hi = np.clip(starts + rules.DAYS_PER_WEEK, 0, end)
    return tuple(p[hi] - p[lo] for p in (s.logged, s.pain, s.sleep_n, s.sleep, s.headache))  # type: ignore[return-value]


def weekly(ctx: Context) -> dict[str, Any]:
    """Weekly means of pain and sleep, and headache days (a count), for the last 12 weeks
    (oldest first), ending on as_of; a week needs ≥ 4 logged days."""
    k = np.arange(rules.WEEKLY_SPARKLINE_WEEKS)[::-1]
    starts = ctx.today - rules.DAYS_PER_WEEK * (k + 1) + 1
    logged, pain, sleep_n, sleep, headache = _week_sums(ctx, starts)
    enough = logged >= rules.WEEK_MIN_DAYS
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "week_starts": [ctx.iso(int(i)) for i in starts],
            "days_logged": [int(v) for v in logged],
            "pain": _json_list(np.where(enough, pain / logged, np.nan)),
            "sleep": _json_list(np.where(enough & (sleep_n > 0), sleep / sleep_n, np.nan)),
            "headache_days": _json_list(np.where(enough, headache, np.nan)),
        }


def _tie_term(values: FloatArray) -> float:
    """Σ t(t − 1)(2t + 5) over groups of tied values (the Mann–Kendall variance correction)."""
    _, counts = np.unique(values, return_counts=True)
    return float((counts * (counts - 1) * (2 * counts + 5)).sum())


def theil_sen_mann_kendall(values: FloatArray, days: IntArray) -> dict[str, Any]:
    """Theil–Sen slope and the Mann–Kendall test on numpy (no per-call scipy wrappers: this
    runs for every patient on every recompute).

    1. Pairwise slopes (x_j − x_i) / (t_j − t_i) over all pairs i < j (days are distinct);
       the slope is their median, reported per week.
    2. Mann–Kendall S = Σ sign(x_j − x_i); its variance with the tie correction
       (n(n−1)(2n+5) − Σ t(t−1)(2t+5)) / 18; Z with continuity correction; two-sided p from
       the normal distribution; Kendall's tau-b = S / √((n₀ − n_ties) n₀).
    3. The slope's 95% interval by Sen's method (the ranks (N ∓ z·σ)/2 of the sorted slopes,
       as scipy.stats.theilslopes computes it).
    Fewer than TREND_MIN_POINTS points: no estimate; constant values: slope 0, no test.
    """
    n = int(values.size)
    if n < rules.TREND_MIN_POINTS:
        return {"points": n, "slope_per_week": None, "slope_ci95": None, "tau": None, "p": None}
    if np.ptp(values) == 0:
        return {"points": n, "slope_per_week": 0.0, "slope_ci95": None, "tau": None, "p": None}
    i, j = np.triu_indices(n, k=1)
    dx = values[j] - values[i]
    slopes = np.sort(dx / (days[j] - days[i]))
    pairs = slopes.size
    s_stat = float(np.sign(dx).sum())
    variance = (n * (n - 1) * (2 * n + 5) - _tie_term(values)) / 18
    sigma = variance**0.5
    z = (s_stat - np.sign(s_stat)) / sigma
    p = 2 * special.ndtr(-abs(z))
    tied_pairs = float(np.count_nonzero(dx == 0))
    tau = s_stat / ((pairs - tied_pairs) * pairs) ** 0.5
    z_ci = float(special.ndtri((1 - rules.CONFIDENCE_LEVEL) / 2))  # negative
    upper = min(round((pairs - z_ci * sigma) / 2), pairs - 1)
    lower = max(round((pairs + z_ci * sigma) / 2) - 1, 0)
    week = rules.DAYS_PER_WEEK
    return {
        "points": n,
        "slope_per_week": num(float(np.median(slopes)) * week),
        "slope_ci95": [num(slopes[lower] * week), num(slopes[upper] * week)],
        "tau": num(tau),
        "p": num(p),
    }


def recent_trends(ctx: Context) -> dict[str, Any]:
    """Theil–Sen and Mann–Kendall over the logged days of the last 8 weeks, pain and sleep."""
    g = ctx.grid
    lo = max(0, ctx.today - rules.TREND_WEEKS * rules.DAYS_PER_WEEK + 1)
    days = np.arange(lo, ctx.today + 1)
    pain, sleep = g.pain[lo:], g.sleep[lo:]
    has_pain, has_sleep = g.logged[lo:], ~np.isnan(sleep)
    return {
        "start": ctx.iso(lo),
        "end": ctx.iso(ctx.today),
        "pain": theil_sen_mann_kendall(pain[has_pain], days[has_pain]),
        "sleep": theil_sen_mann_kendall(sleep[has_sleep], days[has_sleep]),
    }


def _coefficient(value: float, ci: FloatArray, p: float) -> dict[str, Any]:
    return {"estimate": num(value), "ci95": [num(ci[0]), num(ci[1])], "p": num(p)}


def segmented_regression(ctx: Context) -> dict[str, Any] | None:
    """Interrupted time series on weekly means (§8).

    1. Weeks aligned on the first dose (week 0 starts on it), up to the evaluation date (the
       last day on LDN after a stop); a week needs ≥ 4 logged days. Outcome: headache days
       per 28 for headache conditions, mean pain otherwise.
    2. Segments by week start: before the first dose, first dose → clock start, from the
       clock start on. A segment with < 5 weekly points gives no estimate and its weeks
       are left out of the fit.
    3. Intercept and slope for the first kept segment, a level change and a slope change at
       the start of each later kept segment.
    4. OLS with Newey–West (HAC) errors from 12 points, plain OLS below (intervals
       optimistic). No first dose, or no kept segment: None.
    """
    fd = ctx.first_dose
    if fd is None:
        return None
    week = rules.DAYS_PER_WEEK
    k = np.arange(-(fd // week), (ctx.eval_end - fd) // week + 1)
    starts = fd + week * k
    # the last week stops at the evaluation date: after a stop its other days are off LDN
    logged, pain, _, _, headache = _week_sums(ctx, starts, ctx.eval_end)
    use = logged >= rules.WEEK_MIN_DAYS
    outcome = "headache_days_per_28" if ctx.headache_patient else "mean_pain"
    with np.errstate(invalid="ignore", divide="ignore"):
        y_all = headache * rules.MONTH_DAYS / logged if ctx.headache_patient else pain / logged
    clock_k = None if ctx.clock.start is None else -(-(ctx.clock.start - fd) // week)  # first week starting on/after
    bounds: list[tuple[str, int | None]] = [("before_ldn", None), ("first_dose", 0)]
    if clock_k is not None and clock_k > 0:
        bounds.append(("clock_start", clock_k))
    label = np.zeros(k.size, dtype=np.int64)
    for j, (_, first) in enumerate(bounds):
        if first is not None:
            label[k >= first] = j
    segs: list[dict[str, Any]] = []
    kept: list[int] = []
    for j, (name, first) in enumerate(bounds):
        points = int((use & (label == j)).sum())
        ok = points >= rules.REGRESSION_MIN_SEGMENT_POINTS
        segs.append({"name": name, "first_week": first, "points": points, "estimated": ok})
        if ok:
            kept.append(j)
    result: dict[str, Any] = {"outcome": outcome, "week_zero": ctx.iso(fd), "segments": segs}
    if not kept:
        return {**result, "method": None, "points": 0, "coefficients": {}, "note": "no segment with 5 weekly points"}
    rows = use & np.isin(label, kept)
    t = k[rows].astype(np.float64)
    columns, names = [np.ones_like(t), t], ["intercept", "slope_per_week"]
    for j in kept[1:]:
        first = bounds[j][1]
        assert first is not None
        step = (t >= first).astype(np.float64)
        columns += [step, step * (t - first)]
        names += [f"level_change_at_{bounds[j][0]}", f"slope_change_at_{bounds[j][0]}"]
    x, y = np.column_stack(columns), y_all[rows]
    n = int(t.size)
    model = sm.OLS(y, x)
    if n >= rules.REGRESSION_HAC_MIN_POINTS:
        lags = int(np.floor(4 * (n / 100) ** (2 / 9)))
        fit = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags})
        result.update(method="ols_newey_west", maxlags=lags, note=None)
    else:
        fit = model.fit()
        result.update(method="ols", maxlags=None, note=rules.OLS_NOTE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ci = np.asarray(fit.conf_int(alpha=1 - rules.CONFIDENCE_LEVEL))
        params, pvalues = np.asarray(fit.params), np.asarray(fit.pvalues)
    result["points"] = n
    result["coefficients"] = {name: _coefficient(params[i], ci[i], pvalues[i]) for i, name in enumerate(names)}
    return result


def _incidence_groups(ctx: Context, groups: dict[str, BoolArray], spans: SpanStats) -> dict[str, Any]:
    g = ctx.grid
    kind_matrix = np.vstack([g.se_kind[k] for k in spans.kinds])
    out = {}
    for name, mask in groups.items():
        days = mask & g.logged
        n = int(days.sum())
        if n == 0:
            continue
        counts = kind_matrix[:, days].sum(axis=1)
        out[name] = {
            "days_logged": n,
            "incidence": {k: num(c / n) for k, c in zip(spans.kinds, counts.tolist(), strict=True) if c > 0},
        }
    return out


def side_effects_by_step(ctx: Context, held: FloatArray, spans: SpanStats) -> dict[str, Any]:
    """Side-effect incidence per amount held (all days on that amount, settling included)."""
    amounts = sorted({float(v) for v in np.unique(held[~np.isnan(held)])})
    groups = {f"{mg:g}": np.abs(held - mg) <= rules.MG_TOLERANCE for mg in amounts}
    return _incidence_groups(ctx, groups, spans)


def side_effects_by_dose_time(ctx: Context, spans: SpanStats) -> dict[str, Any]:
    """Side-effect incidence on logged days with a dose taken, by that dose's time of day."""
    groups = {name: ctx.grid.dose_time == code for name, code in DOSE_TIME_CODE.items()}
    return _incidence_groups(ctx, groups, spans)

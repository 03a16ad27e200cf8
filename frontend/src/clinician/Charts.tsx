// The patient page's three charts on one date axis: from the first day anything is known
// (a diary day, a rolling mean, a dose) to the analysis date, the whole course.
import { addDays } from "../dates";
import { HEADACHE_CONDITIONS } from "../rules.gen";
import { c } from "../strings-clinician";
import { fmt, type Num } from "./common";
import { type Band, DoseChart } from "./DoseChart";
import type { DailyValues, Summary } from "./types";

const HEADACHE: ReadonlySet<string> = new Set(HEADACHE_CONDITIONS);

function band(baseline: Num, reductionPct: number): Band | null {
  if (baseline === null || baseline === undefined || baseline <= 0) return null;
  const lo = baseline * (1 - reductionPct / 100);
  return { hi: baseline, lo, value: fmt(baseline), threshold: c.bandThreshold(fmt(lo), reductionPct) };
}

/** The first index with a value in any of the series (they all start on the same day). */
function firstKnown(series: Num[][]): number {
  const length = Math.max(0, ...series.map((s) => s.length));
  for (let i = 0; i < length; i++) if (series.some((s) => (s[i] ?? null) !== null)) return i;
  return Math.max(length - 1, 0);
}

/** `daily`: the raw diary values over the series' days (the insights answer's `daily`), the
 *  dots under the 7-day means. */
export function Charts({ summary, daily }: { summary: Summary; daily: DailyValues | null }) {
  const s = summary.series;
  const length: number = s.pain_7.length;
  const pain = daily?.pain ?? [];
  const sleep = daily?.sleep ?? [];
  const dose: Num[] = s.held_mg;
  const all: Num[][] = [pain, sleep, s.pain_7, s.sleep_7, s.headache_days_per_28, s.migraine_days_per_28, dose];
  const from = firstKnown(all);
  const cut = (values: Num[]) => values.slice(from, length);
  const start = addDays(s.start, from);
  const days = length - from;
  const b = summary.baseline;
  const headache = HEADACHE.has(summary.condition);
  const shared = { start, days, dose: cut(dose) };
  return (
    <section class="stack" aria-labelledby="charts-title">
      <h2 id="charts-title">{c.chartsTitle}</h2>
      <div class="chartgrid">
        <DoseChart
          id="pain"
          title={c.chartPainTitle}
          unit={c.unitPain}
          {...shared}
          range={[0, 10]}
          baseline={b.mean_pain}
          band={headache ? null : band(b.mean_pain, 30)}
          lines={[
            { label: c.seriesDailyPain, values: cut(pain), dots: true, color: "--muted" },
            { label: c.seriesPain7, values: cut(s.pain_7), color: "--accent" },
          ]}
        />
        <DoseChart
          id="headache"
          title={c.chartHeadacheTitle}
          unit={c.unitHeadache}
          {...shared}
          range={[0, 28]}
          baseline={b.headache_days_per_28}
          band={headache ? band(b.headache_days_per_28, 50) : null}
          lines={[
            { label: c.seriesHeadache28, values: cut(s.headache_days_per_28), color: "--accent" },
            { label: c.seriesMigraine28, values: cut(s.migraine_days_per_28), color: "--danger-fg", dash: [6, 3] },
          ]}
        />
        <DoseChart
          id="sleep"
          title={c.chartSleepTitle}
          unit={c.unitSleep}
          {...shared}
          range={[0, 10]}
          baseline={b.diary_window?.mean_sleep ?? null}
          band={null}
          lines={[
            { label: c.seriesDailySleep, values: cut(sleep), dots: true, color: "--muted" },
            { label: c.seriesSleep7, values: cut(s.sleep_7), color: "--accent" },
          ]}
        />
      </div>
    </section>
  );
}

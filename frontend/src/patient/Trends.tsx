// My trends: suggestions in plain words, the opioid alert, and charts (uPlot) of my pain,
// headache days per 28 and sleep with my dose drawn as a step line under them; each chart
// has a table of its numbers as its text alternative.
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { call, OfflineError } from "../api";
import { addDays, formatDay } from "../dates";
import { getMeta, setMeta } from "../db";
import { cssVar, useColorScheme } from "../scheme";
import { t } from "../strings";

type Num = number | null;

interface Insights {
  status: "pending" | "current" | "stale";
  as_of: string | null;
  alerts: { kind: string; text: string }[];
  suggestions: { kind: string; text: string }[];
  series: {
    start?: string;
    pain_7?: Num[];
    sleep_7?: Num[];
    headache_days_per_28?: Num[];
    dose_mg?: Num[];
    held_mg?: Num[];
  };
  weekly: { week_starts?: string[]; days_logged?: number[]; pain?: Num[]; sleep?: Num[] };
}

// `failed`: the status of the server's error answer (5xx, ...), 0 when offline or fine.
type Load =
  | { state: "loading" }
  | { state: "none"; failed: number }
  | { state: "ok"; data: Insights; offline: boolean; failed: number };

const DAY = 86400;
const WINDOW_DAYS = 84;

function fmt(v: Num | undefined, digits = 1): string {
  return v === null || v === undefined || Number.isNaN(v) ? t.noValue : v.toFixed(digits);
}

interface ChartSpec {
  id: string;
  title: string;
  values: Num[];
  range: [number, number];
  weekly: (i: number, weekStart: string) => Num;
}

function Chart({ spec, data }: { spec: ChartSpec; data: Insights }) {
  const box = useRef<HTMLDivElement>(null);
  const s = data.series;
  const start = s.start!;
  const dose = s.held_mg ?? s.dose_mg ?? [];
  const hasData = spec.values.some((v) => v !== null);
  const scheme = useColorScheme();

  useEffect(() => {
    const el = box.current;
    if (!el || !hasData) return;
    // The last 12 weeks (as the tables), from the first day with a number.
    let from = Math.max(0, spec.values.length - WINDOW_DAYS);
    while (from < spec.values.length - 1 && spec.values[from] === null && (dose[from] ?? null) === null) from++;
    const values = spec.values.slice(from);
    const t0 = Date.parse(`${start}T00:00:00Z`) / 1000 + from * DAY;
    const xs = values.map((_, i) => t0 + i * DAY);
    const doseMax = Math.max(1, ...dose.map((v) => v ?? 0));
    const fg = cssVar("--fg");
    const line = cssVar("--line");
    const opts: uPlot.Options = {
      width: Math.max(260, el.clientWidth),
      height: 190,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: true },
        y: { range: spec.range },
        mg: { range: [0, doseMax * 3] }, // the dose sits in the lower third, under the line
      },
      axes: [
        { stroke: fg, grid: { stroke: line, width: 0.5 }, ticks: { stroke: line } },
        { stroke: fg, grid: { stroke: line, width: 0.5 }, ticks: { stroke: line }, size: 40 },
      ],
      series: [
        {},
        { label: spec.title, stroke: cssVar("--accent"), width: 2, spanGaps: false },
        {
          label: t.chartDose,
          scale: "mg",
          stroke: cssVar("--muted"),
          width: 2,
          paths: uPlot.paths.stepped!({ align: 1 }),
          fill: "rgba(128,128,128,0.15)",
        },
      ],
    };
    const plot = new uPlot(opts, [xs, values, dose.slice(from, from + xs.length)], el);
    const resize = () => plot.setSize({ width: Math.max(260, el.clientWidth), height: 190 });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [data, spec.id, scheme]);

  const logged = data.weekly.days_logged ?? [];
  const weeks = (data.weekly.week_starts ?? []).map((w, i) => ({ w, i })).filter(({ i }) => (logged[i] ?? 1) > 0);
  const doseAt = (day: string): Num => {
    const i = Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86400000);
    return i >= 0 && i < dose.length ? dose[i] : null;
  };
  return (
    <figure class="chart card" data-testid={`chart-${spec.id}`}>
      <figcaption>
        <h3 id={`chart-${spec.id}`}>{spec.title}</h3>
      </figcaption>
      {hasData ? (
        <>
          <div ref={box} class="plot" role="img" aria-label={`${spec.title}. ${t.chartDoseNote}`} />
          <p class="muted small">{t.chartDoseNote}</p>
        </>
      ) : (
        <p class="muted">{t.noChartData}</p>
      )}
      {weeks.length ? (
        <div class="tablewrap">
          <table>
            <caption>{t.tableCaption(spec.title)}</caption>
            <thead>
              <tr>
                <th scope="col">{t.tableWeek}</th>
                <th scope="col">{t.tableValue}</th>
                <th scope="col">{t.tableDose}</th>
              </tr>
            </thead>
            <tbody>
              {weeks.map(({ w, i }) => (
                <tr>
                  <th scope="row">{formatDay(w)}</th>
                  <td>{fmt(spec.weekly(i, w))}</td>
                  <td>{fmt(doseAt(addDays(w, 6)))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </figure>
  );
}

async function loadInsights(): Promise<Load> {
  let failed = 0;
  try {
    const reply = await call<Insights>("GET", "/api/v1/me/insights");
    if (reply.status === 200) {
      await setMeta("insights", reply.body);
      return { state: "ok", data: reply.body, offline: false, failed: 0 };
    }
    failed = reply.status;
  } catch (err) {
    if (!(err instanceof OfflineError)) throw err;
  }
  const cached = await getMeta<Insights>("insights");
  return cached ? { state: "ok", data: cached, offline: !failed, failed } : { state: "none", failed };
}

function LoadProblem({ status, retry }: { status: number; retry: () => void }) {
  return (
    <div class="banner warn stack" role="alert" data-testid="trends-failed">
      <p>{status >= 500 ? t.serverProblem(status) : t.requestFailed(status)}</p>
      <button type="button" onClick={retry}>
        {t.tryAgain}
      </button>
    </div>
  );
}

export function Trends() {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    void loadInsights().then(setLoad, () => setLoad({ state: "none", failed: 0 }));
  }, [attempt]);
  const retry = () => {
    setLoad({ state: "loading" });
    setAttempt((n) => n + 1);
  };

  if (load.state === "loading") return <p class="center">{t.loading}</p>;
  if (load.state === "none")
    return load.failed ? <LoadProblem status={load.failed} retry={retry} /> : <p class="banner warn">{t.trendsNeverLoaded}</p>;
  const data = load.data;
  const s = data.series ?? {};
  const start = s.start;
  const seriesAt = (values: Num[] | undefined, weekStart: string): Num => {
    if (!values || !start) return null;
    const i = Math.round((Date.parse(`${addDays(weekStart, 6)}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86400000);
    return values[Math.min(Math.max(i, 0), values.length - 1)] ?? null;
  };
  const charts: ChartSpec[] = start
    ? [
        { id: "pain", title: t.chartPain, values: s.pain_7 ?? [], range: [0, 10], weekly: (i) => data.weekly.pain?.[i] ?? null },
        {
          id: "headache",
          title: t.chartHeadache,
          values: s.headache_days_per_28 ?? [],
          range: [0, 28],
          weekly: (_, w) => seriesAt(s.headache_days_per_28, w),
        },
        { id: "sleep", title: t.chartSleep, values: s.sleep_7 ?? [], range: [0, 10], weekly: (i) => data.weekly.sleep?.[i] ?? null },
      ]
    : [];

  return (
    <section class="stack">
      {load.offline ? <p class="banner warn">{t.trendsOffline}</p> : null}
      {load.failed ? <LoadProblem status={load.failed} retry={retry} /> : null}
      {data.alerts.map((a) => (
        <div class="warning" role="alert" data-testid={`alert-${a.kind}`}>
          <h2>{t.opioidWarningTitle}</h2>
          <p>{a.text}</p>
        </div>
      ))}
      {data.status === "pending" ? (
        <p class="banner ok" data-testid="trends-pending">
          {t.trendsPending}
        </p>
      ) : (
        <>
          {data.status === "stale" ? (
            <p class="banner warn" role="status" data-testid="trends-stale">
              {t.trendsStale}
            </p>
          ) : null}
          {data.as_of ? <p class="muted small">{t.trendsUpdated(formatDay(data.as_of))}</p> : null}
          <section class="card" aria-labelledby="suggestions-title">
            <h2 id="suggestions-title">{t.suggestions}</h2>
            {data.suggestions.length ? (
              <ul data-testid="suggestions">
                {data.suggestions.map((x) => (
                  <li>{x.text}</li>
                ))}
              </ul>
            ) : (
              <p class="muted">{t.noSuggestions}</p>
            )}
          </section>
          {charts.map((c) => (
            <Chart spec={c} data={data} />
          ))}
        </>
      )}
    </section>
  );
}

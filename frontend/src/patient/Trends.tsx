// My trends: "is LDN working for me?" in plain words (the numbers the clinician's verdict
// uses: the 28 days before the first dose against the latest 28), safety notices about
// what I do (the opioid alert, medicines taken often, a dose far above the usual range,
// missed doses), suggestions, and charts of my whole course with my dose on its own
// labelled band under each; each chart has a table of its numbers as its text alternative.
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { call, OfflineError } from "../api";
import { addDays, formatDay, formatDayMonth } from "../dates";
import { getMeta, setMeta } from "../db";
import { cssVar, useColorScheme } from "../scheme";
import { t } from "../strings";
import { mgText } from "./PlanLine";
import type { MyInsights, Notice, Questionnaires, SinceStart as Since } from "../types";

type Num = number | null;

type Insights = MyInsights;
type Series = NonNullable<MyInsights["series"]>;

// `failed`: the status of the server's error answer (5xx, ...), 0 when offline or fine.
type Load =
  | { state: "loading" }
  | { state: "none"; failed: number }
  | { state: "ok"; data: Insights; offline: boolean; failed: number };

const DAY = 86400;
const AXIS_SIZE = 48; // the same left axis width on a chart and its dose band, so their days line up

function fmt(v: Num | undefined, digits = 1): string {
  return v === null || v === undefined || Number.isNaN(v) ? t.noValue : v.toFixed(digits);
}

/** 12 → "12", 6.087 → "6.1": a count of days reads best without a point. */
function days(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

interface ChartSpec {
  id: string;
  title: string;
  values: Num[];
  range: [number, number];
  unit: string; // the y axis's label
}

/** The first day (index) with a number or a dose: the course starts there. */
function firstIndex(values: Num[], dose: Num[]): number {
  const n = Math.max(values.length, dose.length);
  for (let i = 0; i < n; i++) if ((values[i] ?? null) !== null || (dose[i] ?? null) !== null) return i;
  return n;
}

function Chart({ spec, series: s }: { spec: ChartSpec; series: Series }) {
  const box = useRef<HTMLDivElement>(null);
  const band = useRef<HTMLDivElement>(null);
  const start = s.start;
  const dose = s.held_mg ?? s.dose_mg ?? [];
  const hasData = spec.values.some((v) => v !== null);
  const scheme = useColorScheme();
  const from = firstIndex(spec.values, dose);

  useEffect(() => {
    const el = box.current;
    const bandEl = band.current;
    if (!el || !bandEl || !hasData) return;
    // The whole course the analysis keeps (up to a year), from the first day with a number.
    const values = spec.values.slice(from);
    const t0 = Date.parse(`${start}T00:00:00Z`) / 1000 + from * DAY;
    const xs = values.map((_, i) => t0 + i * DAY);
    const doses = xs.map((_, i) => dose[from + i] ?? null);
    const doseMax = Math.max(1, ...doses.map((v) => v ?? 0));
    const fg = cssVar("--fg");
    const line = cssVar("--line");
    const axis = (label: string): uPlot.Axis => ({
      stroke: fg,
      grid: { stroke: line, width: 0.5 },
      ticks: { stroke: line },
      size: AXIS_SIZE,
      label,
      labelSize: 16,
      labelFont: "600 12px system-ui, sans-serif",
    });
    const common = {
      tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      legend: { show: false },
      cursor: { show: false },
    };
    const width = () => Math.max(260, el.clientWidth);
    const plot = new uPlot(
      {
        ...common,
        width: width(),
        height: 170,
        scales: { x: { time: true }, y: { range: spec.range } },
        // the days are written once, under the dose band
        axes: [{ ...axis(""), size: 8, values: (_u: uPlot, ticks: number[]) => ticks.map(() => "") }, axis(spec.unit)],
        series: [{}, { label: spec.title, stroke: cssVar("--accent"), width: 2, spanGaps: false }],
      },
      [xs, values],
      el,
    );
    // The dose on its own band and axis (mg), under the chart, the same days across.
    const dosePlot = new uPlot(
      {
        ...common,
        width: width(),
        height: 96,
        scales: { x: { time: true }, mg: { range: [0, doseMax * 1.2] } },
        axes: [
          { ...axis(""), size: 36 },
          { ...axis("mg"), scale: "mg", splits: () => [0, doseMax], values: (_u: uPlot, v: number[]) => v.map((x) => mgText(x)) },
        ],
        series: [
          {},
          {
            label: t.chartDose,
            scale: "mg",
            stroke: cssVar("--muted"),
            width: 2,
            paths: uPlot.paths.stepped!({ align: 1 }),
            fill: "rgba(128,128,128,0.2)",
          },
        ],
      },
      [xs, doses],
      bandEl,
    );
    const resize = () => {
      plot.setSize({ width: width(), height: 170 });
      dosePlot.setSize({ width: width(), height: 96 });
    };
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
      dosePlot.destroy();
    };
  }, [s, spec.id, scheme]);

  // The text alternative: one row a week over the same days, ending on the last day.
  const end = spec.values.length - 1;
  const rows: { day: string; value: Num; mg: Num }[] = [];
  for (let i = end; i >= from; i -= 7) {
    const value = spec.values[i] ?? null;
    const mg = dose[i] ?? null;
    if (value !== null || mg !== null) rows.push({ day: addDays(start, i), value, mg });
  }
  rows.reverse();
  return (
    <figure class="chart card" data-testid={`chart-${spec.id}`}>
      <figcaption>
        <h3 id={`chart-${spec.id}`}>{spec.title}</h3>
      </figcaption>
      {hasData ? (
        <>
          <div ref={box} class="plot" role="img" aria-label={`${spec.title}. ${t.chartDoseNote}`} />
          <p class="bandlabel small" aria-hidden="true">
            {t.doseBand}
          </p>
          <div ref={band} class="plot doseband" role="img" aria-label={t.doseBand} data-testid={`doseband-${spec.id}`} />
        </>
      ) : (
        <p class="muted">{t.noChartData}</p>
      )}
      {rows.length ? (
        <details>
          <summary>{t.tableCaption(spec.title)}</summary>
          <div class="tablewrap">
            <table>
              <caption class="visually-hidden">{t.tableCaption(spec.title)}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.tableWeekEnding}</th>
                  <th scope="col">{t.tableValue}</th>
                  <th scope="col">{t.tableDose}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <th scope="row" data-date={r.day}>
                      {formatDay(r.day)}
                    </th>
                    <td>{fmt(r.value)}</td>
                    <td>{fmt(r.mg)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ) : null}
    </figure>
  );
}

function rangeOf(start: string | null, end: string | null): string {
  return start && end ? t.rangeWords(formatDayMonth(start), formatDayMonth(end)) : "";
}

/** "Is LDN working for me?": the verdict's own baseline and window, without the verdict. */
function SinceStart({ since }: { since: Since }) {
  const headache = since.measure === "headache_days";
  const value = (v: Num) => (v === null ? t.noValue : headache ? t.sinceHeadacheDays(days(v)) : t.sincePain(fmt(v)));
  let change = "";
  const pct = since.change_pct;
  if (pct !== null && since.latest.valid) {
    const size = Math.abs(Math.round(pct));
    if (size === 0) change = t.sinceSame;
    else if (headache) change = pct > 0 ? t.sinceFewer(String(size)) : t.sinceMore(String(size));
    else {
      const points = fmt(Math.abs(since.change_points ?? 0));
      change = pct > 0 ? t.sinceLessPain(String(size), points) : t.sinceMorePain(String(size), points);
    }
  }
  let body;
  if (since.measure === null) body = <p>{t.sinceNoCondition}</p>;
  else if (since.stage === "before_first_dose") body = <p>{t.sinceNotStarted}</p>;
  else if (since.baseline.source === "none" || since.baseline.source === null) body = <p>{t.sinceNoBaseline}</p>;
  else
    body = (
      <>
        <dl class="sincegrid">
          <div>
            <dt>{since.baseline.source === "reported" ? t.sinceBeforeReported : t.sinceBefore}</dt>
            <dd data-testid="since-before">{value(since.baseline.value)}</dd>
          </div>
          <div>
            <dt>{t.sinceLatest(rangeOf(since.latest.start, since.latest.end))}</dt>
            <dd data-testid="since-latest">{value(since.latest.value)}</dd>
          </div>
        </dl>
        {change ? (
          <p class="sincechange" data-testid="since-change">
            {change}
          </p>
        ) : null}
        {since.moderate_severe && since.latest.valid ? (
          <p data-testid="since-modsev">
            {t.sinceModSev(
              days(since.moderate_severe.baseline ?? 0),
              since.moderate_severe.latest === null ? t.noValue : days(since.moderate_severe.latest),
              since.moderate_severe.change_pct,
            )}
          </p>
        ) : null}
        {since.latest.valid === false ? <p>{t.sinceTooFewDays(since.latest.days_logged ?? 0, since.days_needed)}</p> : null}
      </>
    );
  return (
    <section class="card stack" aria-labelledby="since-title" data-testid="since-start">
      <h2 id="since-title">{t.sinceTitle}</h2>
      {since.first_dose ? <p class="small muted">{t.sinceFirstDose(formatDay(since.first_dose))}</p> : null}
      {body}
      {since.stopped_on ? <p>{t.sinceStopped(formatDay(since.stopped_on))}</p> : null}
      {since.measure !== null && since.stage === "titrating" ? <p>{t.sinceTitrating(mgText(since.target_mg ?? 4.5))}</p> : null}
      {since.measure !== null && since.stage === "early" && since.decision_point ? (
        <p>{t.sinceEarly(formatDay(since.decision_point))}</p>
      ) : null}
      {since.measure !== null && since.stage === "decision" ? <p>{t.sinceDecision}</p> : null}
      {since.measure !== null && since.stage !== "before_first_dose" ? <p class="small muted">{t.sinceCaveat}</p> : null}
    </section>
  );
}

function noticeText(n: Notice): string[] {
  if (n.kind === "medicine_overuse") {
    const what = n.counts
      .map((c) => (c.med_class ? t.noticeClassDays(t.medicineWords[c.med_class] ?? c.med_class, c.days ?? 0) : t.noticeAnyDays(c.days ?? 0)))
      .join(", ");
    return [t.noticeOveruse(what, rangeOf(n.start, n.end)), ...(n.probable ? [t.noticeOveruseProbable] : []), t.noticeOveruseAdvice];
  }
  if (n.kind === "frequent_medicines") return [t.noticeFrequent(n.days, rangeOf(n.start, n.end))];
  if (n.kind === "dose_above_usual") {
    return [t.noticeHighDose(n.doses.map((d) => t.noticeHighDoseItem(mgText(d.mg), formatDay(d.date))).join(", "))];
  }
  return [t.noticeMissed(n.taken_days, n.planned_days)];
}

function Notices({ notices, onOpenDay }: { notices: Notice[]; onOpenDay: (date: string) => void }) {
  if (!notices.length) return null;
  return (
    <section class="stack" aria-labelledby="notices-title">
      <h2 id="notices-title">{t.noticesTitle}</h2>
      {notices.map((n) => (
        <div class="notice" data-testid={`notice-${n.kind}`}>
          {noticeText(n).map((line) => (
            <p>{line}</p>
          ))}
          {n.kind === "dose_above_usual"
            ? n.doses.map((d) => (
                <button type="button" class="secondary" onClick={() => onOpenDay(d.date)}>
                  {t.openTheDay(formatDay(d.date))}
                </button>
              ))
            : null}
        </div>
      ))}
    </section>
  );
}

/** The patient's own questionnaire answers over time (§12.1), newest first, in words. */
function Scores({ q }: { q: Questionnaires | null }) {
  if (!q) return null;
  const words = (r: Questionnaires["responses"][number]): string => {
    if (r.instrument === "pgic") return t.qPgicWords(q.forms.pgic.answers[r.total - 1] ?? String(r.total));
    if (r.instrument === "midas") return t.qMidasWords(r.total, t.qMidasGrades[r.band ?? ""] ?? r.band ?? "");
    return t.qHit6Words(r.total, t.qHit6Impacts[r.band ?? ""] ?? r.band ?? "");
  };
  const rows = [...q.responses].sort((a, b) => (a.completed_on < b.completed_on ? 1 : a.completed_on > b.completed_on ? -1 : 0));
  return (
    <section class="card stack" aria-labelledby="scores-title" data-testid="my-questionnaires">
      <h2 id="scores-title">{t.qScoresTitle}</h2>
      {rows.length ? (
        <ul class="scores">
          {rows.map((r) => (
            <li>
              <span class="muted small block">{formatDay(r.completed_on)}</span>
              {words(r)}
              {r.entered_by === "clinician" ? <span class="muted small"> ({t.qByClinician})</span> : null}
              {r.entered_by === "reported" ? <span class="muted small"> ({t.qReported})</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t.qScoresNone}</p>
      )}
    </section>
  );
}

async function loadQuestionnaires(): Promise<Questionnaires | null> {
  try {
    const reply = await call<Questionnaires>("GET", "/api/v1/me/questionnaires");
    if (reply.status === 200) {
      await setMeta("questionnaires", reply.body);
      return reply.body;
    }
  } catch (err) {
    if (!(err instanceof OfflineError)) throw err;
  }
  return (await getMeta<Questionnaires>("questionnaires")) ?? null;
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

export function Trends({ onOpenDay }: { onOpenDay: (date: string) => void }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [attempt, setAttempt] = useState(0);
  const [q, setQ] = useState<Questionnaires | null>(null);
  useEffect(() => {
    void loadInsights().then(setLoad, () => setLoad({ state: "none", failed: 0 }));
    void loadQuestionnaires().then(setQ, () => undefined);
  }, [attempt]);
  const retry = () => {
    setLoad({ state: "loading" });
    setAttempt((n) => n + 1);
  };

  if (load.state === "loading") return <p class="center">{t.loading}</p>;
  if (load.state === "none")
    return load.failed ? <LoadProblem status={load.failed} retry={retry} /> : <p class="banner warn">{t.trendsNeverLoaded}</p>;
  const data = load.data;
  const s = data.series;
  const charts: ChartSpec[] = s
    ? [
        { id: "pain", title: t.chartPain, values: s.pain_7 ?? [], range: [0, 10], unit: "0–10" },
        { id: "headache", title: t.chartHeadache, values: s.headache_days_per_28 ?? [], range: [0, 28], unit: t.daysUnit },
        { id: "sleep", title: t.chartSleep, values: s.sleep_7 ?? [], range: [0, 10], unit: "0–10" },
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
          <Notices notices={data.notices ?? []} onOpenDay={onOpenDay} />
          {data.since_start ? <SinceStart since={data.since_start} /> : null}
          <Scores q={q} />
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
          {charts.length ? (
            <p class="muted small">
              {t.chartWholeCourse} {t.chartDoseNote}
            </p>
          ) : null}
          {s
            ? charts.map((c) => (
                <Chart spec={c} series={s} />
              ))
            : null}
        </>
      )}
    </section>
  );
}

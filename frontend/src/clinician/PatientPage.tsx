// One patient: header and section links; the overview (verdict, flags, charts against the
// dose, the per-step table, side effects, medication overuse, the visit report). The plan
// editor and the raw diary are lazy chunks of their own.
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { addDays, calendarDate } from "../dates";
import { t } from "../strings";
import { c } from "../strings-clinician";
import { ConditionControl } from "./ConditionControl";
import {
  type Flag,
  FlagButtons,
  type FlagAction,
  fmt,
  fmtDate,
  fmtMg,
  fmtPct,
  getJson,
  label,
  LoadFailed,
  type Num,
  type PatientDetail,
  SeverityBadge,
  Status,
  ScrollTable,
  useFlagDialog,
  useLoad,
  usePageTitle,
} from "./common";
import { type Band, DoseChart } from "./DoseChart";
import { patientHref, type Route } from "./routes";

type Summary = Record<string, any>;

interface Insights {
  status: "pending" | "current" | "stale";
  as_of: string | null;
  rules_version: string | null;
  verdict: { kind: string; kind_label: string; evidence: Record<string, unknown>; rules_version: string; as_of: string } | null;
  verdict_history: { kind: string; kind_label: string; as_of: string; rules_version: string }[];
  flags: Flag[];
  suggestions: { kind: string; text: string }[];
  summary: Summary;
}

interface Entry {
  date: string;
  pain_score: number;
  sleep_quality: number | null;
}

export interface SectionProps {
  detail: PatientDetail;
  reloadDetail: () => void;
  month?: string;
}

const HEADACHE = new Set(["migraine", "chronic_migraine"]);

function humanize(key: string): string {
  const s = key.replace(/_pct$/, " %").replace(/_per_28$/, " per 28 days").replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Evidence is a JSON object: shown as a description list, nested objects nested. */
export function Evidence({ data }: { data: unknown }) {
  if (data === null || data === undefined) return <>{c.none}</>;
  if (Array.isArray(data)) {
    if (data.every((v) => typeof v !== "object" || v === null)) return <>{data.map((v) => String(v)).join(", ")}</>;
    return (
      <ol class="evidence-list">
        {data.map((v) => (
          <li>
            <Evidence data={v} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof data === "object") {
    return (
      <dl class="evidence">
        {Object.entries(data as Record<string, unknown>).map(([k, v]) => (
          <div>
            <dt>{humanize(k)}</dt>
            <dd>
              <Evidence data={v} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  if (typeof data === "number") return <>{Number.isInteger(data) ? String(data) : data.toFixed(2)}</>;
  if (typeof data === "boolean") return <>{data ? t.yes : t.no}</>;
  return <>{String(data)}</>;
}

const KEY_NUMBERS: [string, (v: string) => string][] = [
  ["headache_days_reduction_pct", c.keyHeadache],
  ["moderate_severe_days_reduction_pct", c.keyModSevere],
  ["migraine_days_reduction_pct", c.keyMigraine],
  ["mean_pain_reduction_pct", c.keyPain],
];

/** The reductions the verdict rests on, as one short list (the full evidence is below it). */
function KeyNumbers({ evidence }: { evidence: Record<string, unknown> }) {
  const items = KEY_NUMBERS.filter(([key]) => typeof evidence[key] === "number").map(([key, text]) => text(fmt(evidence[key] as number)));
  return items.length ? (
    <ul class="keynumbers" data-testid="key-numbers">
      {items.map((x) => (
        <li>{x}</li>
      ))}
    </ul>
  ) : null;
}

function VerdictSection({ data }: { data: Insights }) {
  const v = data.verdict;
  const caveats: string[] = data.summary.caveats ?? [];
  return (
    <section class="card stack" aria-labelledby="verdict-title" data-testid="verdict">
      <h2 id="verdict-title">{c.verdictTitle}</h2>
      {v ? (
        <>
          <p class="verdict">
            <strong data-testid="verdict-label">{v.kind_label || label(c.verdicts, v.kind)}</strong>{" "}
            <span class="muted small">
              {c.analysedOn(fmtDate(v.as_of))} {c.rulesVersion(v.rules_version)}
            </span>
          </p>
          <KeyNumbers evidence={v.evidence} />
          <details>
            <summary>{c.evidence}</summary>
            <Evidence data={v.evidence} />
          </details>
        </>
      ) : (
        <p>{c.insightsPending}</p>
      )}
      {caveats.length ? (
        <div class="caveats" data-testid="caveats">
          <h3>{c.caveatsTitle}</h3>
          <ul>
            {caveats.map((x) => (
              <li>{x}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {data.verdict_history.length ? (
        <details>
          <summary>{c.verdictHistory}</summary>
          <ScrollTable id="verdict-history" caption={c.verdictHistory} head={[c.verdictAsOf, c.colVerdict, c.colRules]}>
                {data.verdict_history.map((h) => (
                  <tr>
                    <th scope="row">{fmtDate(h.as_of)}</th>
                    <td>{h.kind_label || label(c.verdicts, h.kind)}</td>
                    <td>{h.rules_version}</td>
                  </tr>
                ))}
          </ScrollTable>
        </details>
      ) : null}
    </section>
  );
}

function FlagsSection({ flags, who, act }: { flags: Flag[]; who: string; act: (a: FlagAction) => void }) {
  return (
    <section class="card stack" aria-labelledby="flags-title">
      <h2 id="flags-title">{c.flagsTitle}</h2>
      {flags.length ? (
        <ul class="flags" data-testid="patient-flags">
          {flags.map((f) => (
            <li class={`flag status-${f.status}`} data-kind={f.kind}>
              <p>
                <SeverityBadge severity={f.severity} /> <strong>{f.kind_label || label(c.flagKinds, f.kind)}</strong>{" "}
                <span class="muted">
                  {label(c.flagStatus, f.status)}, {c.opened(fmtDate(f.opened_at))}
                </span>
              </p>
              {f.last_occurred_on ? <p class="small">{c.lastOccurred(fmtDate(f.last_occurred_on))}</p> : null}
              <ul class="history small">
                {f.acknowledged_at ? (
                  <li>
                    {c.acknowledgedBy(f.acknowledged_by ?? c.none, fmtDate(f.acknowledged_at))}
                    {f.acknowledge_note ? `. ${c.noteSaid(f.acknowledge_note)}` : ""}
                  </li>
                ) : null}
                {f.resolved_at ? (
                  <li>
                    {f.resolved_automatically ? c.resolvedAuto(fmtDate(f.resolved_at)) : c.resolvedBy(f.resolved_by ?? c.none, fmtDate(f.resolved_at))}
                    {f.resolve_note ? `. ${c.noteSaid(f.resolve_note)}` : ""}
                  </li>
                ) : null}
              </ul>
              <details>
                <summary>{c.evidence}</summary>
                <Evidence data={f.evidence} />
                <p class="muted small">{c.rulesVersion(f.rules_version)}</p>
              </details>
              <FlagButtons flag={f} who={who} act={act} />
            </li>
          ))}
        </ul>
      ) : (
        <p>{c.noFlags}</p>
      )}
    </section>
  );
}

function band(baseline: Num, reductionPct: number): Band | null {
  if (baseline === null || baseline === undefined || baseline <= 0) return null;
  const lo = baseline * (1 - reductionPct / 100);
  return { hi: baseline, lo, value: fmt(baseline), threshold: `${fmt(lo)}, −${reductionPct}%` };
}

function Charts({ summary, entries }: { summary: Summary; entries: Entry[] }) {
  const s = summary.series ?? {};
  if (!s.start) return null;
  const start: string = s.start;
  const length: number = (s.pain_7 ?? []).length;
  const daily = (pick: (e: Entry) => Num): Num[] => {
    const out: Num[] = Array(length).fill(null);
    for (const e of entries) {
      const i = Math.round((Date.parse(`${e.date}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86400000);
      if (i >= 0 && i < length) out[i] = pick(e);
    }
    return out;
  };
  const b = summary.baseline ?? {};
  const dose: Num[] = s.held_mg ?? s.dose_mg ?? [];
  const headache = HEADACHE.has(summary.condition);
  return (
    <section class="stack" aria-labelledby="charts-title">
      <h2 id="charts-title">{c.chartsTitle}</h2>
      <div class="chartgrid">
        <DoseChart
          id="pain"
          title={c.chartPainTitle}
          start={start}
          range={[0, 10]}
          dose={dose}
          baseline={b.mean_pain ?? null}
          band={band(b.mean_pain ?? null, 30)}
          lines={[
            { label: c.seriesDailyPain, values: daily((e) => e.pain_score), dots: true, color: "--muted" },
            { label: c.seriesPain7, values: s.pain_7 ?? [], color: "--accent" },
          ]}
        />
        <DoseChart
          id="headache"
          title={c.chartHeadacheTitle}
          start={start}
          range={[0, 28]}
          dose={dose}
          baseline={b.headache_days_per_28 ?? null}
          band={headache ? band(b.headache_days_per_28 ?? null, 50) : null}
          lines={[
            { label: c.seriesHeadache28, values: s.headache_days_per_28 ?? [], color: "--accent" },
            { label: c.seriesMigraine28, values: s.migraine_days_per_28 ?? [], color: "--danger-fg", dash: [6, 3] },
          ]}
        />
        <DoseChart
          id="sleep"
          title={c.chartSleepTitle}
          start={start}
          range={[0, 10]}
          dose={dose}
          baseline={b.diary_window?.mean_sleep ?? null}
          band={null}
          lines={[
            { label: c.seriesDailySleep, values: daily((e) => e.sleep_quality), dots: true, color: "--muted" },
            { label: c.seriesSleep7, values: s.sleep_7 ?? [], color: "--accent" },
          ]}
        />
      </div>
    </section>
  );
}

function incidenceText(incidence: Record<string, number> | undefined): string {
  const items = Object.entries(incidence ?? {})
    .filter(([, share]) => share > 0)
    .sort((a, b) => b[1] - a[1]);
  if (!items.length) return c.none;
  return items.map(([kind, share]) => `${label(t.sideEffectNames, kind)} ${fmtPct(share)}`).join(", ");
}

function SegmentTable({ segments }: { segments: any[] }) {
  if (!segments?.length) return null;
  const rows: { seg: any; part: string; span: any }[] = [];
  for (const seg of segments) {
    if (seg.settling) rows.push({ seg, part: c.partSettling, span: seg.settling });
    rows.push({ seg, part: seg.steady ? c.partSteady : c.partAll, span: seg.steady ?? seg.all });
  }
  return (
    <section class="card" aria-labelledby="segments-title">
      <h2 id="segments-title">{c.segmentsTitle}</h2>
      <ScrollTable
        id="segments"
        caption={c.segmentsCaption}
        head={[c.colSegment, c.colPart, c.colDays, c.colComplianceShort, c.colMeanPain, c.colHd28, c.colMd28, c.colMs28, c.colSleep, c.colAdherence, c.colSideEffects]}
      >
            {rows.map(({ seg, part, span }) => (
              <tr>
                <th scope="row">
                  {c.mg(fmtMg(seg.mg))}
                  <span class="muted small block">
                    {fmtDate(span.start)} – {fmtDate(span.end)}
                  </span>
                </th>
                <td>{part}</td>
                <td class="num">{span.days}</td>
                <td class="num">{fmt(span.compliance_pct, 0)}</td>
                <td class="num">
                  {fmt(span.mean_pain)}
                  {span.pain_ci95 ? ` (${fmt(span.pain_ci95[0])}–${fmt(span.pain_ci95[1])})` : ""}
                </td>
                <td class="num">{fmt(span.headache_days_per_28)}</td>
                <td class="num">{fmt(span.migraine_days_per_28)}</td>
                <td class="num">{fmt(span.moderate_severe_days_per_28)}</td>
                <td class="num">{fmt(span.mean_sleep)}</td>
                <td class="num">{fmt(span.adherence_pct, 0)}</td>
                <td>{incidenceText(span.side_effect_incidence)}</td>
              </tr>
            ))}
      </ScrollTable>
    </section>
  );
}

function IncidenceTable({ id, caption, groups, heading }: { id: string; caption: string; groups: Record<string, any>; heading: (k: string) => string }) {
  const keys = Object.keys(groups ?? {});
  if (!keys.length) return null;
  const kinds = Array.from(new Set(keys.flatMap((k) => Object.keys(groups[k].incidence ?? {})))).sort();
  return (
    <ScrollTable id={id} caption={caption} head={[c.colSideEffect, ...keys.map(heading)]}>
          <tr>
            <th scope="row">{c.daysLogged}</th>
            {keys.map((k) => (
              <td class="num">{groups[k].days_logged}</td>
            ))}
          </tr>
          {kinds.map((kind) => (
            <tr>
              <th scope="row">{label(t.sideEffectNames, kind)}</th>
              {keys.map((k) => (
                <td class="num">{fmtPct(groups[k].incidence?.[kind] ?? 0)}</td>
              ))}
            </tr>
          ))}
    </ScrollTable>
  );
}

function OverusePanel({ panel }: { panel: { windows: any[]; thresholds: Record<string, number> } | undefined }) {
  if (!panel?.windows?.length) return null;
  const classes = Object.keys(panel.thresholds).filter((k) => k !== "several_classes");
  const cell = (days: number, threshold: number | null) => {
    const over = threshold !== null && days >= threshold;
    return (
      <td class={over ? "num over" : "num"}>
        {days}
        {over ? <span class="visually-hidden"> ({c.atThreshold})</span> : null}
        {over ? " ▲" : ""}
      </td>
    );
  };
  return (
    <section class="card" aria-labelledby="overuse-title">
      <h2 id="overuse-title">{c.overuseTitle}</h2>
      <ScrollTable
        id="overuse"
        caption={c.overuseCaption}
        head={[c.colClass, c.colThreshold, ...panel.windows.map((w) => `${fmtDate(w.start)} – ${fmtDate(w.end)}`)]}
      >
            {classes.map((k) => (
              <tr>
                <th scope="row">{label(t.medicineClasses, k)}</th>
                <td class="num">{panel.thresholds[k]}</td>
                {panel.windows.map((w) => cell(w.days_per_class?.[k] ?? 0, panel.thresholds[k]))}
              </tr>
            ))}
            <tr>
              <th scope="row">{c.overuseSeveral}</th>
              <td class="num">{panel.thresholds.several_classes ?? c.none}</td>
              {panel.windows.map((w) =>
                (w.ichd3_classes_present?.length ?? 0) >= 2 ? cell(w.several_classes_union_days ?? 0, panel.thresholds.several_classes ?? null) : <td class="num">{c.none}</td>,
              )}
            </tr>
            <tr>
              <th scope="row">{c.overuseHeadache}</th>
              <td class="num">{c.none}</td>
              {panel.windows.map((w) => (
                <td class="num">{w.headache_days}</td>
              ))}
            </tr>
            <tr>
              <th scope="row">{c.overuseRisk}</th>
              <td class="num">{c.none}</td>
              {panel.windows.map((w) => (
                <td>{w.risk ? t.yes : t.no}</td>
              ))}
            </tr>
      </ScrollTable>
    </section>
  );
}

function ReportLinks({ id, asOf }: { id: string; asOf: string }) {
  const [from, setFrom] = useState(addDays(asOf, -83));
  const [to, setTo] = useState(asOf);
  const q = `?start=${from}&end=${to}`;
  return (
    <section class="card stack" aria-labelledby="report-title">
      <h2 id="report-title">{c.reportTitle}</h2>
      <div class="filters">
        <label class="field">
          <span>{c.reportFrom}</span>
          <input type="date" value={from} max={to} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{c.reportTo}</span>
          <input type="date" value={to} min={from} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
      </div>
      <p class="buttons">
        <a class="button" href={`/api/v1/patients/${id}/report${q}`} target="_blank" rel="noopener">
          {c.reportHtml} <span class="visually-hidden">{c.reportNewTab}</span>
        </a>
        <a class="button secondary-link" href={`/api/v1/patients/${id}/report.pdf${q}`} target="_blank" rel="noopener">
          {c.reportPdf} <span class="visually-hidden">{c.reportNewTab}</span>
        </a>
      </p>
    </section>
  );
}

async function loadOverview(id: string): Promise<{ insights: Insights; entries: Entry[] }> {
  const insights = await getJson<Insights>(`/patients/${id}/insights`);
  const s = insights.summary?.series;
  let entries: Entry[] = [];
  if (s?.start && s?.end) {
    const page = await getJson<{ results: Entry[] }>(`/patients/${id}/entries?from=${s.start}&to=${s.end}&page_size=400`);
    entries = page.results;
  }
  return { insights, entries };
}

function Overview({ detail }: SectionProps) {
  const id = detail.patient.id;
  const who = detail.patient.display_name || detail.patient.email;
  const [load, reload] = useLoad(() => loadOverview(id), [id]);
  const flagDialog = useFlagDialog(reload);
  if (load.state === "loading") return <p aria-busy="true">{t.loading}</p>;
  if (load.state === "error") return <LoadFailed status={load.status} retry={reload} />;
  const { insights, entries } = load.data;
  const s = insights.summary ?? {};
  const today = calendarDate(detail.patient.time_zone);
  return (
    <div class="stack">
      {insights.status === "stale" ? (
        <p class="banner warn" role="status" data-testid="insights-stale">
          {c.insightsStale}
        </p>
      ) : null}
      {insights.status === "pending" ? <p class="banner warn">{c.insightsPending}</p> : null}
      <Status text={flagDialog.done} />
      <div class="twocol">
        <VerdictSection data={insights} />
        <div class="stack">
          <FlagsSection flags={insights.flags} who={who} act={flagDialog.act} />
          {insights.suggestions.length ? (
            <section class="card stack" aria-labelledby="sugg-title">
              <h2 id="sugg-title">{c.suggestionsTitle}</h2>
              <ul>
                {insights.suggestions.map((x) => (
                  <li>{x.text}</li>
                ))}
              </ul>
            </section>
          ) : null}
          {s.clock || s.adherence || s.baseline ? (
            <section class="card stack small">
              {s.baseline ? <p>{c.baselineLine(label(c.baselineSources, s.baseline.source))}</p> : null}
              <p>{s.clock?.start ? c.clockLine(fmtDate(s.clock.start), s.clock.days_on_clock ?? 0) : c.clockNone}</p>
              {s.adherence?.adherence_pct !== null && s.adherence?.adherence_pct !== undefined ? (
                <p>{c.adherenceLine(fmt(s.adherence.adherence_pct, 0), s.adherence.taken_days, s.adherence.planned_days)}</p>
              ) : null}
            </section>
          ) : null}
        </div>
      </div>
      <Charts summary={s} entries={entries} />
      <SegmentTable segments={s.segments ?? []} />
      {s.side_effects_by_step || s.side_effects_by_dose_time ? (
        <section class="card stack" aria-labelledby="se-title">
          <h2 id="se-title">{c.sideEffectsTitle}</h2>
          <IncidenceTable id="se-by-step" caption={c.byStepCaption} groups={s.side_effects_by_step} heading={(k) => c.mg(fmtMg(k))} />
          <IncidenceTable id="se-by-time" caption={c.byTimeCaption} groups={s.side_effects_by_dose_time} heading={(k) => label(c.doseTimes, k)} />
        </section>
      ) : null}
      <OverusePanel panel={s.medication_overuse} />
      <ReportLinks id={id} asOf={insights.as_of ?? today} />
      {flagDialog.dialog}
    </div>
  );
}

const sections: Record<string, () => Promise<ComponentType<SectionProps>>> = {
  plan: () => import("./PlanEditor").then((m) => m.PlanEditor),
  diary: () => import("./Diary").then((m) => m.Diary),
};

function Section({ name, props }: { name: string; props: SectionProps }) {
  const [Comp, setComp] = useState<{ name: string; C: ComponentType<SectionProps> } | null>(
    name === "overview" ? { name, C: Overview } : null,
  );
  useEffect(() => {
    if (name === "overview") {
      setComp({ name, C: Overview });
      return;
    }
    let live = true;
    void sections[name]().then((C) => live && setComp({ name, C }));
    return () => {
      live = false;
    };
  }, [name]);
  if (!Comp || Comp.name !== name) return <p aria-busy="true">{t.loading}</p>;
  return <Comp.C {...props} />;
}

export function PatientPage({ route }: { route: Route }) {
  if (route.page !== "patient") return null;
  const [load, reload] = useLoad(() => getJson<PatientDetail>(`/patients/${encodeURIComponent(route.id)}`), [route.id]);
  const name = load.state === "ok" ? load.data.patient.display_name || load.data.patient.email : t.loading;
  const sectionName = { overview: c.tabOverview, plan: c.tabPlan, diary: c.tabDiary }[route.section];
  const heading = usePageTitle(`${name} · ${sectionName}`);
  const tabs: ["overview" | "plan" | "diary", string][] = [
    ["overview", c.tabOverview],
    ["plan", c.tabPlan],
    ["diary", c.tabDiary],
  ];
  return (
    <section class="stack">
      <p>
        <a href="#/">{c.backToTriage}</a>
      </p>
      {load.state === "error" ? (
        <LoadFailed status={load.status} retry={reload} />
      ) : (
        <>
          <header class="stack">
            <h1 ref={heading} tabIndex={-1}>
              {name}
            </h1>
            {load.state === "ok" ? (
              <p class="muted">
                {c.patientFacts(label(c.conditions, load.data.patient.primary_condition), load.data.patient.time_zone)} ·{" "}
                {load.data.patient.email} · {c.linkedSince(fmtDate(load.data.patient.linked_since))}
                {load.data.plan.today ? ` · ${c.planNow(fmtMg(load.data.plan.today.mg), label(c.timeNames, load.data.plan.today.time_of_day))}` : ""}
              </p>
            ) : null}
            {load.state === "ok" ? (
              <ConditionControl
                patientId={route.id}
                current={load.data.patient.primary_condition}
                history={load.data.condition_history ?? []}
                onSaved={reload}
              />
            ) : null}
          </header>
          <nav aria-label={c.patientNav}>
            <ul class="subnav">
              {tabs.map(([key, text]) => (
                <li>
                  <a href={patientHref(route.id, key)} aria-current={route.section === key ? "page" : undefined}>
                    {text}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {load.state === "ok" ? (
            <Section name={route.section} props={{ detail: load.data, reloadDetail: reload, month: route.month }} />
          ) : (
            <p aria-busy="true">{t.loading}</p>
          )}
        </>
      )}
    </section>
  );
}

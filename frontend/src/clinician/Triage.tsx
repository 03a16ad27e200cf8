// The triage list (the clinician's home): every linked patient, open flags first; search,
// filters, and acknowledge / resolve a flag from the row.
import { useState } from "preact/hooks";
import { t } from "../strings";
import { c } from "../strings-clinician";
import {
  FlagButtons,
  type FlagAction,
  type FlagLite,
  fmt,
  fmtDate,
  fmtMg,
  getJson,
  label,
  LoadFailed,
  type Num,
  type PatientSummary,
  ScrollTable,
  SeverityBadge,
  Status,
  flagTitle,
  useFlagDialog,
  useLoad,
  usePageTitle,
} from "./common";
import { patientHref } from "./routes";

interface TriageRow {
  patient: PatientSummary;
  open_flags: FlagLite[];
  top_severity: string | null;
  verdict: { kind: string; label: string } | null;
  insight_status: string;
  dose: {
    current_mg: string | number | null;
    step_number: number | null;
    step_count: number | null;
    target_mg: string | number | null;
    days_on_target: number | null;
    plan_status: string | null;
  } | null;
  compliance_28_pct: Num;
  last_entry_date: string | null;
  sparkline: { metric: "headache_days" | "pain"; week_starts: string[]; values: Num[] } | null;
}

interface Page {
  count: number;
  next: string | null;
  previous: string | null;
  results: TriageRow[];
}

interface Filters {
  q: string;
  flag_kind: string;
  verdict: string;
  condition: string;
  page: number;
}

const EMPTY: Filters = { q: "", flag_kind: "", verdict: "", condition: "", page: 1 };

function query(f: Filters): string {
  const params = new URLSearchParams();
  if (f.q.trim()) params.set("q", f.q.trim());
  if (f.flag_kind) params.set("flag_kind", f.flag_kind);
  if (f.verdict) params.set("verdict", f.verdict);
  if (f.condition) params.set("condition", f.condition);
  if (f.page > 1) params.set("page", String(f.page));
  const s = params.toString();
  return s ? `?${s}` : "";
}

export function Sparkline({ data }: { data: TriageRow["sparkline"] }) {
  if (!data) return <span class="muted">{c.sparkNoData}</span>;
  const what = data.metric === "pain" ? c.sparkPain : c.sparkHeadache;
  const values = data.values;
  const known = values.filter((v): v is number => v !== null);
  const text = c.sparkAlt(what, values.map((v) => fmt(v)).join(", "));
  if (!known.length) return <span class="muted">{c.sparkNoData}</span>;
  const w = 96;
  const h = 28;
  const max = Math.max(data.metric === "pain" ? 10 : 1, ...known);
  const x = (i: number) => (values.length > 1 ? (i * (w - 4)) / (values.length - 1) + 2 : w / 2);
  const y = (v: number) => h - 2 - (v / max) * (h - 4);
  let d = "";
  values.forEach((v, i) => {
    if (v === null) return;
    d += `${d && values[i - 1] !== null ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  });
  return (
    <svg class="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={text}>
      <title>{text}</title>
      <path d={d} fill="none" stroke="currentColor" stroke-width="1.5" />
      {values.map((v, i) => (v === null ? null : <circle cx={x(i)} cy={y(v)} r="1.6" fill="currentColor" />))}
    </svg>
  );
}

function DoseCell({ dose }: { dose: TriageRow["dose"] }) {
  if (!dose || dose.current_mg === null || dose.current_mg === undefined) {
    return <span class="muted">{label(c.planStatus, dose?.plan_status ?? "none")}</span>;
  }
  return (
    <>
      {c.mg(fmtMg(dose.current_mg))}
      {dose.step_number && dose.step_count ? <span class="muted small block">{c.step(dose.step_number, dose.step_count)}</span> : null}
      {dose.plan_status && dose.plan_status !== "active" ? (
        <span class="muted small block">{label(c.planStatus, dose.plan_status)}</span>
      ) : null}
    </>
  );
}

function Row({ row, act }: { row: TriageRow; act: (a: FlagAction) => void }) {
  const p = row.patient;
  const who = p.display_name || p.email;
  return (
    <tr data-testid="triage-row" data-patient={p.id}>
      <th scope="row">
        <a href={patientHref(p.id)}>{who}</a>
        <span class="muted small block">{label(c.conditions, p.primary_condition)}</span>
      </th>
      <td>
        {row.open_flags.length ? (
          <ul class="flaglist">
            {row.open_flags.map((f) => (
              <li data-testid="triage-flag" data-kind={f.kind}>
                <SeverityBadge severity={f.severity} /> <span>{flagTitle(f)}</span>
                {f.status !== "open" ? <span class="muted small"> ({label(c.flagStatus, f.status)})</span> : null}
                <FlagButtons flag={f} who={who} act={act} />
              </li>
            ))}
          </ul>
        ) : (
          <span class="muted">{c.noOpenFlags}</span>
        )}
      </td>
      <td>
        <DoseCell dose={row.dose} />
      </td>
      <td class="num">{row.dose?.days_on_target ?? c.none}</td>
      <td data-testid="triage-verdict">
        {row.verdict ? row.verdict.label || label(c.verdicts, row.verdict.kind) : <span class="muted">{c.insightPendingShort}</span>}
      </td>
      <td class="num">{row.compliance_28_pct === null ? c.none : c.pct(fmt(row.compliance_28_pct, 0))}</td>
      <td>{fmtDate(row.last_entry_date)}</td>
      <td>
        <Sparkline data={row.sparkline} />
      </td>
    </tr>
  );
}

export function Triage() {
  const heading = usePageTitle(c.triageTitle);
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [load, reload] = useLoad(() => getJson<Page>(`/triage${query(filters)}`), [query(filters)]);
  const flags = useFlagDialog(reload);

  const apply = (e: Event) => {
    e.preventDefault();
    setFilters({ ...draft, page: 1 });
  };
  const choose = (key: keyof Filters) => (e: Event) => {
    const next = { ...draft, [key]: (e.currentTarget as HTMLSelectElement).value, page: 1 };
    setDraft(next);
    setFilters(next);
  };
  const select = (key: "flag_kind" | "verdict" | "condition", text: string, options: Record<string, string>) => (
    <label class="field">
      <span>{text}</span>
      <select value={draft[key]} onChange={choose(key)}>
        <option value="">{c.any}</option>
        {Object.entries(options).map(([value, name]) => (
          <option value={value}>{name}</option>
        ))}
      </select>
    </label>
  );

  return (
    <section class="stack">
      <h1 ref={heading} tabIndex={-1}>
        {c.triageTitle}
      </h1>
      <p class="muted">{c.triageIntro}</p>
      <form class="filters" role="search" onSubmit={apply}>
        <label class="field grow">
          <span>{c.search}</span>
          <input type="search" value={draft.q} onInput={(e) => setDraft({ ...draft, q: e.currentTarget.value })} />
        </label>
        {select("flag_kind", c.filterFlag, c.flagKinds)}
        {select("verdict", c.filterVerdict, c.verdicts)}
        {select("condition", c.filterCondition, c.conditions)}
        <button type="submit" class="primary">
          {c.apply}
        </button>
      </form>
      <Status text={flags.done} />
      {load.state === "loading" ? <p aria-busy="true">{t.loading}</p> : null}
      {load.state === "error" ? <LoadFailed status={load.status} retry={reload} /> : null}
      {load.state === "ok" ? (
        <>
          <p class="muted" data-testid="triage-count">
            {c.patientsCount(load.data.count)}
          </p>
          {load.data.results.length ? (
            <ScrollTable id="triage" caption={c.triageCaption} cls="triage" head={[c.colPatient, c.colFlags, c.colDose, c.colDaysOnTarget, c.colVerdict, c.colCompliance, c.colLastEntry, c.colTrend]}>
                  {load.data.results.map((row) => (
                    <Row row={row} act={flags.act} />
                  ))}
                </ScrollTable>
          ) : (
            <p>{c.noPatients}</p>
          )}
          {load.data.next || load.data.previous ? (
            <div class="buttons">
              <button type="button" disabled={!load.data.previous} onClick={() => setFilters({ ...filters, page: filters.page - 1 })}>
                {c.previousPage}
              </button>
              <span>{c.pageN(filters.page)}</span>
              <button type="button" disabled={!load.data.next} onClick={() => setFilters({ ...filters, page: filters.page + 1 })}>
                {c.nextPage}
              </button>
            </div>
          ) : null}
        </>
      ) : null}
      {flags.dialog}
    </section>
  );
}

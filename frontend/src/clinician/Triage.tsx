// The triage list (the clinician's home): a worklist of every linked patient, one compact
// row each, open flags first. A row shows the most severe flag in words; its "flags" menu
// acknowledges or resolves any of them (as does the patient's page). Below 64rem the rows
// reflow to cards, every column still there with its name.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../strings";
import { c } from "../strings-clinician";
import {
  FlagButtons,
  type FlagAction,
  flagHeadline,
  fmt,
  fmtDate,
  fmtMg,
  fmtShortDate,
  getJson,
  label,
  LoadFailed,
  SeverityBadge,
  Status,
  useFlagDialog,
  useLoad,
  usePageTitle,
} from "./common";
import { patientHref } from "./routes";
import type { Counted, Due, FlagLite, TriagePage as Page, TriageRow } from "./types";

/** "MIDAS 24 → 16", "PGIC: much improved", "HIT-6 62 (baseline)". */
function scoreText(s: Counted): string {
  const n = label(c.instruments, s.instrument);
  if (s.instrument === "pgic" && s.followup) return c.scorePgic(s.followup.words, s.followup.total);
  if (s.baseline && s.followup) return c.scoreChange(n, s.baseline.total, s.followup.total);
  if (s.followup) return c.scoreFollowup(n, s.followup.total, s.followup.words);
  return c.scoreBaselineOnly(n, s.baseline?.total ?? 0);
}

/** Due questionnaires first (one line per kind and date: "HIT-6 and PGIC due since 22 Oct"),
 *  then the scores that can change the verdict (the patient page has the rest). */
function QuestionnaireLines({ q }: { q: TriageRow["questionnaires"] }) {
  const scores = (q?.counted ?? []).filter((s) => s.decides);
  if (!q || (!q.due.length && !scores.length)) return null;
  const groups = new Map<string, Due[]>();
  for (const d of q.due) groups.set(`${d.kind} ${d.since}`, [...(groups.get(`${d.kind} ${d.since}`) ?? []), d]);
  return (
    <>
      {[...groups.values()].map((ds) => (
        <span class="small block due" data-testid="triage-due">
          {c.dueSince(
            c.and(ds.map((d) => label(c.instruments, d.instrument))),
            ds[0].kind === "baseline",
            fmtShortDate(ds[0].since),
          )}
        </span>
      ))}
      {scores.length ? (
        <span class="small muted block scores" data-testid="triage-scores">
          {scores.map((s, i) => (
            <>
              {i ? " · " : ""}
              <span class="nowrap">{scoreText(s)}</span>
            </>
          ))}
        </span>
      ) : null}
    </>
  );
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
      {dose.plan_status && dose.plan_status !== "active" ? <span class="muted small block">{label(c.planStatus, dose.plan_status)}</span> : null}
    </>
  );
}

/** The row's flags menu: a button that opens the list of the patient's open flags, each
 *  with its acknowledge and resolve buttons. Escape or the button closes it. */
function FlagMenu({ flags, patientId, who, act }: { flags: FlagLite[]; patientId: string; who: string; act: (a: FlagAction) => void }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const id = `flagmenu-${patientId}`;
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);
  if (!flags.length) return <span class="muted">{c.none}</span>;
  return (
    <div class="rowmenu">
      <button
        ref={button}
        type="button"
        class="small-btn"
        aria-expanded={open}
        aria-controls={id}
        aria-label={c.flagMenuLabel(flags.length, who)}
        onClick={() => setOpen(!open)}
      >
        {c.flagMenu(flags.length)} <span aria-hidden="true">{open ? "▴" : "▾"}</span>
      </button>
      {open ? (
        <ul id={id} class="menu" data-testid="flag-menu">
          {flags.map((f) => (
            <li data-kind={f.kind}>
              <p>
                <SeverityBadge severity={f.severity} /> {flagHeadline(f)}
                {f.status !== "open" ? <span class="muted small"> ({label(c.flagStatus, f.status)})</span> : null}
              </p>
              <FlagButtons
                flag={f}
                patientId={patientId}
                who={who}
                act={(a) => {
                  setOpen(false);
                  act(a);
                }}
              />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

const COLUMNS = [
  ["patient", "colPatient"],
  ["flags", "colFlags"],
  ["verdict", "colVerdict"],
  ["dose", "colDoseNow"],
  ["target", "colDaysOnTarget"],
  ["diary", "colCompliance"],
  ["last", "colLastEntry"],
  ["trend", "colTrend"],
  ["actions", "colActions"],
] as const;

function Cell({ name, cls, children }: { name: string; cls?: string; children: ComponentChildren }) {
  return (
    <td role="cell" class={cls}>
      <span class="cell-label" aria-hidden="true">
        {name}
      </span>
      {children}
    </td>
  );
}

function Row({ row, act }: { row: TriageRow; act: (a: FlagAction) => void }) {
  const p = row.patient;
  const who = p.display_name || p.email;
  const [top, ...rest] = row.open_flags;
  return (
    <tr role="row" data-testid="triage-row" data-patient={p.id}>
      <th role="rowheader" scope="row">
        <a href={patientHref(p.id)}>{who}</a>
        <span class="muted small block nowrap">{label(c.conditions, p.primary_condition)}</span>
      </th>
      <Cell name={c.colFlags} cls="flagcell">
        {top ? (
          <p data-testid="triage-flag" data-kind={top.kind}>
            <SeverityBadge severity={top.severity} /> <span>{flagHeadline(top)}</span>
            {top.status !== "open" ? <span class="muted small"> ({label(c.flagStatus, top.status)})</span> : null}
            {rest.length ? <span class="visually-hidden"> {c.moreFlagsFull(rest.length, rest.map((f) => `${label(c.severityLabel, f.severity)}: ${flagHeadline(f)}`).join("; "))}</span> : null}
          </p>
        ) : (
          <span class="muted">{c.noOpenFlags}</span>
        )}
      </Cell>
      <Cell name={c.colVerdict}>
        <span data-testid="triage-verdict" class="nowrap">
          {row.verdict ? row.verdict.label || label(c.verdicts, row.verdict.kind) : <span class="muted">{c.insightPendingShort}</span>}
        </span>
        <QuestionnaireLines q={row.questionnaires} />
      </Cell>
      <Cell name={c.colDoseNow} cls="nowrap">
        <DoseCell dose={row.dose} />
      </Cell>
      <Cell name={c.colDaysOnTarget} cls="num">
        {row.dose?.days_on_target ?? c.none}
      </Cell>
      <Cell name={c.colCompliance} cls="num">
        {row.compliance_28_pct === null ? c.none : c.pct(fmt(Math.trunc(row.compliance_28_pct), 0))}
      </Cell>
      <Cell name={c.colLastEntry} cls="nowrap">
        {fmtDate(row.last_entry_date)}
      </Cell>
      <Cell name={c.colTrend}>
        <Sparkline data={row.sparkline} />
      </Cell>
      <Cell name={c.colActions}>
        <FlagMenu flags={row.open_flags} patientId={p.id} who={who} act={act} />
      </Cell>
    </tr>
  );
}

export function Triage() {
  const heading = usePageTitle(c.triageTitle);
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [load, reload] = useLoad((signal) => getJson<Page>(`/triage${query(filters)}`, signal), [query(filters)]);
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
    <section class="stack triagepage">
      <h1 ref={heading} tabIndex={-1}>
        {c.triageTitle}
      </h1>
      <form class="filters compact" role="search" onSubmit={apply}>
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
          {load.data.results.length ? (
            <table role="table" data-testid="triage" class="triage">
              <caption>
                {c.triageCaption}{" "}
                <span class="muted" id="triage-count" data-testid="triage-count">
                  {c.patientsCount(load.data.count)}
                </span>
              </caption>
              <thead role="rowgroup">
                <tr role="row">
                  {COLUMNS.map(([key, text]) => (
                    <th role="columnheader" scope="col" class={`col-${key}`}>
                      {c[text]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody role="rowgroup">
                {load.data.results.map((row) => (
                  <Row row={row} act={flags.act} />
                ))}
              </tbody>
            </table>
          ) : (
            <>
              <p class="muted" data-testid="triage-count">
                {c.patientsCount(load.data.count)}
              </p>
              <p>{c.noPatients}</p>
            </>
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

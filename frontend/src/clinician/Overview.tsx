// A patient's overview: verdict and flags, charts against the dose, the per-step tables,
// side effects, medication overuse, and the visit report.
import { useState } from "preact/hooks";
import { addDays, calendarDate } from "../dates";
import { t } from "../strings";
import { c } from "../strings-clinician";
import { Charts } from "./Charts";
import { fmt, fmtDate, fmtMg, getJson, label, LoadFailed, Status, useFlagDialog, useLoad } from "./common";
import { FlagsSection, VerdictSection } from "./Evidence";
import { IncidenceTable, OverusePanel, SegmentTable } from "./StepTables";
import type { Entry, Insights, SectionProps } from "./types";

/** The report's period: the verdict's evaluation window (the numbers the page shows), so the
 *  report and the page agree; the clinician may name another. */
function ReportLinks({ id, window, asOf }: { id: string; window: { start: string; end: string } | null; asOf: string }) {
  const [from, setFrom] = useState(window?.start ?? addDays(asOf, -27));
  const [to, setTo] = useState(window?.end ?? asOf);
  const q = `?start=${from}&end=${to}`;
  const same = window !== null && from === window.start && to === window.end;
  return (
    <section class="card stack" aria-labelledby="report-title">
      <h2 id="report-title">{c.reportTitle}</h2>
      <p class="small muted" data-testid="report-window">
        {same ? c.reportSameWindow(fmtDate(from), fmtDate(to)) : c.reportOtherWindow(fmtDate(from), fmtDate(to))}
      </p>
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
        <a class="button secondary-link" href={`/api/v1/patients/${id}/export.fhir`} download>
          {c.exportFhir}
        </a>
      </p>
    </section>
  );
}

async function loadOverview(id: string, signal: AbortSignal): Promise<{ insights: Insights; entries: Entry[] }> {
  const insights = await getJson<Insights>(`/patients/${encodeURIComponent(id)}/insights`, signal);
  const s = insights.summary?.series;
  let entries: Entry[] = [];
  if (s?.start && s?.end) {
    const page = await getJson<{ results: Entry[] }>(`/patients/${encodeURIComponent(id)}/entries?from=${s.start}&to=${s.end}&page_size=400`, signal);
    entries = page.results;
  }
  return { insights, entries };
}

export function Overview({ detail }: SectionProps) {
  const id = detail.patient.id;
  const who = detail.patient.display_name || detail.patient.email;
  const [load, reload] = useLoad((signal) => loadOverview(id, signal), [id]);
  const flagDialog = useFlagDialog(reload);
  if (load.state === "loading") return <p aria-busy="true">{t.loading}</p>;
  if (load.state === "error") return <LoadFailed status={load.status} retry={reload} />;
  const { insights, entries } = load.data;
  const s = insights.summary ?? {};
  const today = calendarDate(detail.patient.time_zone);
  const window = s.window?.start && s.window?.end ? { start: s.window.start as string, end: s.window.end as string } : null;
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
          <FlagsSection flags={insights.flags} patientId={id} who={who} act={flagDialog.act} />
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
            <section class="card stack small" aria-label={c.courseFacts}>
              {s.baseline ? <p>{c.baselineLine(label(c.baselineSources, s.baseline.source))}</p> : null}
              <p>{s.clock?.start ? c.clockLine(fmtDate(s.clock.start), s.clock.days_on_clock ?? 0) : c.clockNone}</p>
              {s.adherence?.adherence_pct !== null && s.adherence?.adherence_pct !== undefined ? (
                <p>{c.adherenceLine(fmt(Math.trunc(s.adherence.adherence_pct), 0), s.adherence.taken_days, s.adherence.planned_days)}</p>
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
          <IncidenceTable id="se-by-step" caption={c.byStepCaption} groups={s.side_effects_by_step} heading={(k) => c.mg(fmtMg(k))} byDose />
          <IncidenceTable id="se-by-time" caption={c.byTimeCaption} groups={s.side_effects_by_dose_time} heading={(k) => label(c.doseTimes, k)} byDose={false} />
        </section>
      ) : null}
      <OverusePanel panel={s.medication_overuse} />
      <ReportLinks id={id} window={window} asOf={insights.as_of ?? today} />
      {flagDialog.dialog}
    </div>
  );
}

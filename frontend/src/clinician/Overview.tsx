// A patient's overview: verdict and flags, charts against the dose, the per-step tables,
// side effects, medication overuse, and the visit report.
import { useState } from "preact/hooks";
import { addDays, calendarDate } from "../dates";
import { t } from "../strings";
import { c } from "../strings-clinician";
import { Charts } from "./Charts";
import { fmt, fmtDate, fmtMg, getJson, label, LoadFailed, Status, useFlagDialog, useLoad } from "./common";
import { FlagsSection, VerdictSection } from "./Evidence";
import { DueList, loadQuestionnaires } from "./QuestionnaireDue";
import { patientHref } from "./routes";
import { IncidenceTable, OverusePanel, SegmentTable } from "./StepTables";
import type { Insights, SectionProps } from "./types";

/** What is due now (as of the patient's diary day, not the last analysis), and the way to
 *  enter a response; the verdict's card shows the scores that count. */
function QuestionnairesCard({ id }: { id: string }) {
  const [load] = useLoad((signal) => loadQuestionnaires(id, signal), [id]);
  return (
    <section class="card stack" aria-labelledby="q-card-title" data-testid="questionnaires-card">
      <h2 id="q-card-title">{c.questionnairesCard}</h2>
      {load.state === "ok" ? <DueList due={load.data.due} /> : load.state === "error" ? <LoadFailed status={load.status} /> : <p aria-busy="true">{t.loading}</p>}
      <p>
        <a href={patientHref(id, "questionnaires")}>{c.questionnairesLink}</a>
      </p>
    </section>
  );
}

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

export function Overview({ detail }: SectionProps) {
  const id = detail.patient.id;
  const who = detail.patient.display_name || detail.patient.email;
  const [load, reload] = useLoad((signal) => getJson<Insights>(`/patients/${encodeURIComponent(id)}/insights`, signal), [id]);
  const flagDialog = useFlagDialog(reload);
  if (load.state === "loading") return <p aria-busy="true">{t.loading}</p>;
  if (load.state === "error") return <LoadFailed status={load.status} retry={reload} />;
  const insights = load.data;
  const s = insights.summary;
  const today = calendarDate(detail.patient.time_zone);
  const window = s ? { start: s.window.start, end: s.window.end } : null;
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
          <QuestionnairesCard id={id} />
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
          {s ? (
            <section class="card stack small" aria-label={c.courseFacts}>
              <p>{c.baselineLine(label(c.baselineSources, s.baseline.source))}</p>
              <p>{s.clock.start ? c.clockLine(fmtDate(s.clock.start), s.clock.days_on_clock ?? 0) : c.clockNone}</p>
              {s.adherence.adherence_pct !== null ? (
                <p>{c.adherenceLine(fmt(Math.trunc(s.adherence.adherence_pct), 0), s.adherence.taken_days, s.adherence.planned_days)}</p>
              ) : null}
            </section>
          ) : null}
        </div>
      </div>
      {s ? (
        <>
          <Charts summary={s} daily={insights.daily} />
          <SegmentTable segments={s.segments} />
          <section class="card stack" aria-labelledby="se-title">
            <h2 id="se-title">{c.sideEffectsTitle}</h2>
            <IncidenceTable id="se-by-step" caption={c.byStepCaption} groups={s.side_effects_by_step} heading={(k) => c.mg(fmtMg(k))} byDose />
            <IncidenceTable id="se-by-time" caption={c.byTimeCaption} groups={s.side_effects_by_dose_time} heading={(k) => label(c.doseTimes, k)} byDose={false} />
          </section>
          <OverusePanel panel={s.medication_overuse} />
        </>
      ) : null}
      <ReportLinks id={id} window={window} asOf={insights.as_of ?? today} />
      {flagDialog.dialog}
    </div>
  );
}

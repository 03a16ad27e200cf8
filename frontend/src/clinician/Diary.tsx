// The raw diary, read only: one month per page.
import { addDays } from "../dates";
import { t } from "../strings";
import { c } from "../strings-clinician";
import { fmt, fmtMg, getJson, label, LoadFailed, ScrollTable, useLoad } from "./common";
import { patientHref } from "./routes";
import type { DoseLog, DosePage, EntryPage, SectionProps } from "./types";

function monthOf(iso: string): string {
  return iso.slice(0, 7);
}

function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 7);
}

function dayName(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${iso}T12:00:00Z`));
}

/** The dose logged on a day: its amount and time, "not taken", or none logged. */
function doseText(doses: DoseLog[] | undefined): string {
  if (!doses?.length) return c.doseNone;
  return doses
    .map((d) => (d.taken ? `${c.mg(fmtMg(d.mg))}${d.time_of_day ? ` (${label(c.timeNames, d.time_of_day).toLowerCase()})` : ""}` : c.doseNotTaken))
    .join("; ");
}

async function loadMonth(id: string, from: string, to: string, signal: AbortSignal) {
  const base = `/patients/${encodeURIComponent(id)}`;
  const [entries, doses] = await Promise.all([
    getJson<EntryPage>(`${base}/entries?from=${from}&to=${to}&page_size=100`, signal),
    getJson<DosePage>(`${base}/doses?from=${from}&to=${to}&page_size=100`, signal),
  ]);
  const byDate: Record<string, DoseLog[]> = {};
  for (const d of doses.results) (byDate[d.date] ??= []).push(d);
  return { results: entries.results, doses: byDate };
}

function monthName(month: string): string {
  return new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${month}-15T12:00:00Z`));
}

export function Diary({ detail, month }: SectionProps) {
  const id = detail.patient.id;
  const current = month && /^\d{4}-\d{2}$/.test(month) ? month : monthOf(detail.patient.last_entry_date ?? new Date().toISOString());
  const from = `${current}-01`;
  const to = addDays(`${shiftMonth(current, 1)}-01`, -1);
  const [load, reload] = useLoad((signal) => loadMonth(id, from, to, signal), [id, from]);
  const caption = c.diaryCaption(monthName(current));
  return (
    <section class="card stack" aria-labelledby="diary-title">
      <h2 id="diary-title">{c.diaryTitle}</h2>
      <div class="monthbar">
        <a class="button plain" href={patientHref(id, "diary", shiftMonth(current, -1))}>
          ‹ {c.previousMonth}
        </a>
        <strong>{monthName(current)}</strong>
        <a class="button plain" href={patientHref(id, "diary", shiftMonth(current, 1))}>
          {c.nextMonth} ›
        </a>
      </div>
      {load.state === "loading" ? <p aria-busy="true">{t.loading}</p> : null}
      {load.state === "error" ? <LoadFailed status={load.status} retry={reload} /> : null}
      {load.state === "ok" && !load.data.results.length ? <p>{c.noEntries}</p> : null}
      {load.state === "ok" && load.data.results.length ? (
        <ScrollTable id="diary" caption={caption} head={[c.colDate, c.colDose, c.colPain, c.colHeadache, c.colMigraine, c.colSleep, c.colDiarySideEffects, c.colMeds, c.colNote]}>
              {load.data.results.map((e) => (
                <tr>
                  <th scope="row">
                    <time dateTime={e.date}>{dayName(e.date)}</time>
                    {e.late ? <span class="muted small block">{c.lateEntry}</span> : null}
                  </th>
                  <td data-testid="diary-dose">{doseText(load.data.doses[e.date])}</td>
                  <td class="num">{e.pain_score}</td>
                  <td>
                    {c.headacheLevels[e.headache] ?? e.headache}
                    {e.headache_hours ? ` (${fmt(Number(e.headache_hours))} h)` : ""}
                  </td>
                  <td>{e.migraine === null ? c.none : e.migraine ? t.yes : t.no}</td>
                  <td class="num">{e.sleep_quality ?? c.none}</td>
                  <td>
                    {e.side_effects
                      .map((s) => `${s.kind === "other" && s.other_text ? s.other_text : label(t.sideEffectNames, s.kind)} (${t.severities[s.severity] ?? s.severity}${s.limited_activities ? `, ${t.limitedActivities.toLowerCase()}` : ""})`)
                      .join("; ") || c.none}
                  </td>
                  <td>
                    {e.acute_medications
                      .map((m) => `${m.name || label(t.medicineClasses, m.med_class)}${m.contains_opioid ? ` (${c.opioidMark})` : ""}`)
                      .join("; ") || c.none}
                  </td>
                  <td>{e.note || c.none}</td>
                </tr>
              ))}
            </ScrollTable>
      ) : null}
    </section>
  );
}

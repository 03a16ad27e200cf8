// What the overview and the questionnaires section share: the read, and the list of what is due.
import { c } from "../strings-clinician";
import { fmtDate, getJson, label } from "./common";
import type { Due, Questionnaires } from "./types";

export function loadQuestionnaires(id: string, signal: AbortSignal): Promise<Questionnaires> {
  return getJson<Questionnaires>(`/patients/${encodeURIComponent(id)}/questionnaires`, signal);
}

export const instrumentName = (instrument: string) => label(c.instruments, instrument);

/** What is due on the patient's diary day, one line each. */
export function DueList({ due }: { due: Due[] }) {
  if (!due.length) return <p data-testid="questionnaires-due">{c.nothingDue}</p>;
  return (
    <ul class="duelist" data-testid="questionnaires-due">
      {due.map((d) => (
        <li data-instrument={d.instrument}>{c.dueItem(instrumentName(d.instrument), d.kind === "baseline", fmtDate(d.since))}</li>
      ))}
    </ul>
  );
}

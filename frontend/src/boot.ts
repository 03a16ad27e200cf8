// A head start for Today when the app opens: one IndexedDB transaction, started by
// public/open-db.js before the shell's script has even arrived (else here, as the shell
// starts), while the patient chunk loads, reads everything the first Today needs (who is
// signed in, profile, plan, the entries and doses of the days around now, the outbox and
// conflicts). Today's first render uses it and the form shows
// the stored day at once, so there is never an empty form that stored values replace
// under the patient's fingers. Taken once: later screens read IndexedDB afresh.
import { db } from "./db";
import type { Conflict, LocalDose, LocalEntry, OutboxItem, Plan, Profile, WhoAmI } from "./types";

export interface Snapshot {
  who?: WhoAmI;
  profile?: Profile;
  plan?: Plan;
  from: string; // the entries and doses of these dates (ISO, inclusive) were read
  to: string;
  entries: LocalEntry[];
  doses: LocalDose[];
  outbox: OutboxItem[];
  conflicts: Conflict[];
  drafts?: unknown[]; // unsaved changes of these dates (patient/drafts.ts), meta "draft:<date>"
}

let reading: Promise<Snapshot | null> | null = null;
let current: Snapshot | null = null; // read, not yet used by a first Today
let formDay: Snapshot | null = null; // taken by the first Today, not yet by its TodayForm
let taken = false; // a later read must not stand in for IndexedDB written meanwhile

function utcDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

export function readSnapshot(): Promise<Snapshot | null> {
  if (!reading) {
    reading = (async () => {
      const early = (await window.__ldnEarly)?.snapshot as Snapshot | null | undefined;
      if (early && !taken) return (current = early);
      const d = await db();
      // Whatever the patient's zone (UTC-12 to UTC+14) and day boundary, today's diary
      // day is between two days before and one day after today's UTC date.
      const now = Date.now();
      const from = utcDate(now - 2 * 86400000);
      const to = utcDate(now + 86400000);
      const range = IDBKeyRange.bound(from, to);
      const tx = d.transaction(["meta", "entries", "doses", "outbox", "conflicts"]);
      const meta = tx.objectStore("meta");
      const [who, profile, plan, entries, doses, outbox, conflicts, drafts] = await Promise.all([
        meta.get("whoami"),
        meta.get("profile"),
        meta.get("plan"),
        tx.objectStore("entries").getAll(range),
        tx.objectStore("doses").getAll(range),
        tx.objectStore("outbox").getAll(),
        tx.objectStore("conflicts").getAll(),
        meta.getAll(IDBKeyRange.bound(`draft:${from}`, `draft:${to}`)),
      ]);
      const snapshot = { who, profile, plan, from, to, entries, doses, outbox, conflicts, drafts };
      if (!taken) current = snapshot;
      return snapshot;
    })().catch(() => null);
  }
  return reading;
}

/** The snapshot for the first Today of this page, if it is ready and of this person. */
export function takeSnapshot(email: string): Snapshot | null {
  const s = current && current.who?.email === email ? current : null;
  dropSnapshot();
  formDay = s;
  return s;
}

/** Forget the snapshot (IndexedDB was cleared, e.g. sign-out). */
export function dropSnapshot(): void {
  taken = true;
  current = formDay = null;
  reading = null; // a later read reads afresh
}

/** The stored entry, dose and unsaved draft of `date` for the first TodayForm, if the
 * snapshot has them. */
export function takeDay(
  date: string,
): { entry: LocalEntry | null; dose: LocalDose | null; draft: unknown; outbox: OutboxItem[] } | null {
  const s = formDay;
  formDay = null;
  if (!s || date < s.from || date > s.to) return null;
  return {
    entry: s.entries.find((e) => e.date === date) ?? null,
    dose: s.doses.find((x) => x.date === date) ?? null,
    draft: (s.drafts ?? []).find((d: any) => d?.date === date) ?? null,
    outbox: s.outbox.filter((i) => i.date === date && i.kind !== "questionnaire"),
  };
}

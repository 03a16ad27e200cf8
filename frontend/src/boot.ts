// A head start for Today when the app opens: one IndexedDB transaction reads everything
// the first Today needs (who is signed in, profile, plan, the entries and doses of the days
// around now, the outbox, conflicts and drafts). The service worker does that read as the
// app is opened and puts it into the app shell it answers with (sw.ts), so the page has it
// as soon as its script runs, without waiting for IndexedDB on its own busy main thread;
// without the worker (the first visit), the page reads it as the shell starts. Today's
// first render uses it and the form shows the stored day at once, so there is never an
// empty form that stored values replace under the patient's fingers. Taken once: later
// screens read IndexedDB afresh.
import type { IDBPDatabase } from "idb";
import { db, type DiarySchema } from "./db";
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
  zone?: string | null; // dates.ts zoneHint, meta ZONE_KEY
}

/** Where the patient app keeps dates.ts's zone hint. */
export const ZONE_KEY = "zone";

/** The id of the shell's JSON data block that holds the service worker's snapshot. */
export const SNAPSHOT_ID = "ldn-snapshot";

function utcDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The one read (in the page or the service worker). */
export async function snapshotRead(d: IDBPDatabase<DiarySchema>): Promise<Snapshot> {
  // Whatever the patient's zone (UTC-12 to UTC+14) and day boundary, today's diary
  // day is between two days before and one day after today's UTC date.
  const now = Date.now();
  const from = utcDate(now - 2 * 86400000);
  const to = utcDate(now + 86400000);
  const range = IDBKeyRange.bound(from, to);
  const tx = d.transaction(["meta", "entries", "doses", "outbox", "conflicts"]);
  const meta = tx.objectStore("meta");
  const [who, profile, plan, zone, entries, doses, outbox, conflicts, drafts] = await Promise.all([
    meta.get("whoami"),
    meta.get("profile"),
    meta.get("plan"),
    meta.get(ZONE_KEY),
    tx.objectStore("entries").getAll(range),
    tx.objectStore("doses").getAll(range),
    tx.objectStore("outbox").getAll(),
    tx.objectStore("conflicts").getAll(),
    meta.getAll(IDBKeyRange.bound(`draft:${from}`, `draft:${to}`)),
  ]);
  return { who, profile, plan, zone, from, to, entries, doses, outbox, conflicts, drafts };
}

let shell: Snapshot | null | undefined; // undefined: not looked for yet

/** The snapshot the service worker put into this page's shell, if any (looked for once,
 * and taken out of the document). */
export function shellSnapshot(): Snapshot | null {
  if (shell === undefined) {
    const block = typeof document === "undefined" ? null : document.getElementById(SNAPSHOT_ID);
    block?.remove();
    try {
      shell = block ? (JSON.parse(block.textContent ?? "") as Snapshot) : null;
    } catch {
      shell = null;
    }
  }
  return shell;
}

let reading: Promise<Snapshot | null> | null = null;
let current: Snapshot | null = null; // read, not yet used by a first Today
let formDay: Snapshot | null = null; // taken by the first Today, not yet by its TodayForm
let taken = false; // a later read must not stand in for IndexedDB written meanwhile

export function readSnapshot(): Promise<Snapshot | null> {
  if (!reading) {
    const early = taken ? null : shellSnapshot();
    reading = (async () => {
      if (early) return (current = early);
      const snapshot = await snapshotRead(await db());
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
  shell = current = formDay = null;
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

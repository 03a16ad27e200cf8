// What the patient typed for a day and has not saved yet: kept per day, at once in memory
// (a tab switch remounts the form) and in IndexedDB (a reload, or the phone killing the
// tab), until Save or "Discard changes". Kept in the meta store under "draft:<date>"
// (keys sort by date, so the app's first read takes the days around today in one range;
// sign-out clears them with the rest of the phone's copy).
import { db, setMeta } from "../db";

export interface Draft {
  date: string;
  form: Record<string, unknown>;
  tookDose: boolean;
  doseMg: string;
  doseTime: string;
  at: number; // when last changed (ms)
}

const PREFIX = "draft:";
const memory = new Map<string, Draft | null>();

export function draftKey(date: string): string {
  return PREFIX + date;
}

/** What is known without waiting: a draft, null (none), or undefined (not read yet). */
export function draftKnown(date: string): Draft | null | undefined {
  return memory.get(date);
}

/** Put what the app's first read found (boot.ts) into memory. */
export function draftsSeen(dates: string[], drafts: Draft[]): void {
  for (const date of dates) if (!memory.has(date)) memory.set(date, null);
  for (const draft of drafts) memory.set(draft.date, draft);
}

export async function draftRead(date: string): Promise<Draft | null> {
  const known = memory.get(date);
  if (known !== undefined) return known;
  const found: Draft | null = ((await (await db()).get("meta", draftKey(date))) as Draft | undefined) ?? null;
  if (!memory.has(date)) memory.set(date, found);
  return memory.get(date) ?? null;
}

export function draftWrite(draft: Draft): void {
  memory.set(draft.date, draft);
  void setMeta(draftKey(draft.date), draft);
}

export async function draftDrop(date: string): Promise<void> {
  memory.set(date, null);
  await (await db()).delete("meta", draftKey(date));
}

/** The days with unsaved changes (for the sign-out warning). */
export async function draftDates(): Promise<string[]> {
  const keys = await (await db()).getAllKeys("meta", IDBKeyRange.bound(PREFIX, PREFIX + "\uffff"));
  return keys.map((k) => String(k).slice(PREFIX.length));
}

/** Sign-out: the phone's copy is cleared, and so is memory. */
export function draftsForget(): void {
  memory.clear();
}

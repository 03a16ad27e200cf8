// The phone's own copy: diary days, doses, the outbox of unsent writes, conflicts, and
// small facts (who is signed in, profile, plan, the changes cursor).
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { Conflict, LocalDose, LocalEntry, OutboxItem } from "./types";

export interface DiarySchema extends DBSchema {
  meta: { key: string; value: any };
  entries: { key: string; value: LocalEntry };
  doses: { key: string; value: LocalDose };
  outbox: { key: string; value: OutboxItem };
  conflicts: { key: string; value: Conflict };
}

let dbPromise: Promise<IDBPDatabase<DiarySchema>> | null = null;

export function db(): Promise<IDBPDatabase<DiarySchema>> {
  dbPromise ??= openDB<DiarySchema>("ldn-diary", 1, {
    upgrade(database) {
      database.createObjectStore("meta");
      database.createObjectStore("entries", { keyPath: "date" });
      database.createObjectStore("doses", { keyPath: "date" });
      database.createObjectStore("outbox", { keyPath: "key" });
      database.createObjectStore("conflicts", { keyPath: "date" });
    },
  });
  return dbPromise;
}

export async function getMeta<T = any>(key: string): Promise<T | undefined> {
  return (await db()).get("meta", key);
}

export async function setMeta(key: string, value: unknown): Promise<void> {
  await (await db()).put("meta", value, key);
}

/** Forget everything (sign-out, or another person signs in on this phone). */
export async function clearAll(): Promise<void> {
  const d = await db();
  const tx = d.transaction(["meta", "entries", "doses", "outbox", "conflicts"], "readwrite");
  await Promise.all([
    tx.objectStore("meta").clear(),
    tx.objectStore("entries").clear(),
    tx.objectStore("doses").clear(),
    tx.objectStore("outbox").clear(),
    tx.objectStore("conflicts").clear(),
    tx.done,
  ]);
}

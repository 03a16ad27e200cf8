// Offline-first writes: every save lands in IndexedDB and the outbox first; replay()
// sends the outbox to the API (PUT by date with If-Match, doses with their client_id,
// both safe to repeat), and pullChanges() learns what other devices changed.
// Used by the page and by the service worker (Background Sync).
import { call, OfflineError, problemOf, type Reply } from "./api";
import type { IDBPObjectStore, StoreNames } from "idb";
import { db, getMeta, setMeta, type DiarySchema } from "./db";
import type { Conflict, DoseData, EntryData, LocalDose, LocalEntry, OutboxItem, QuestionnaireData, Refusal, ServerDose, ServerEntry } from "./types";

export type SyncState = "idle" | "syncing" | "offline" | "auth";

type Listener = () => void;
const listeners = new Set<Listener>();
let state: SyncState = "idle";

export function syncState(): SyncState {
  return state;
}

export function onSyncChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setState(next: SyncState): void {
  state = next;
  notify();
}

export function notify(): void {
  listeners.forEach((l) => l());
}

export function newId(): string {
  return crypto.randomUUID();
}

function serverToData(e: ServerEntry): EntryData {
  return {
    pain_score: e.pain_score,
    headache: e.headache,
    migraine: e.migraine,
    sleep_quality: e.sleep_quality,
    headache_hours: e.headache_hours === null ? null : Number(e.headache_hours),
    one_sided: e.one_sided,
    pulsating: e.pulsating,
    worse_with_activity: e.worse_with_activity,
    nausea_vomiting: e.nausea_vomiting,
    light_sensitivity: e.light_sensitivity,
    sound_sensitivity: e.sound_sensitivity,
    aura_minutes: e.aura_minutes,
    note: e.note ?? "",
    side_effects: (e.side_effects ?? []).map((s) => ({ ...s })),
    acute_medications: (e.acute_medications ?? []).map((m) => ({
      med_class: m.med_class,
      name: m.name,
      for_headache: m.for_headache ?? null,
      contains_opioid: m.contains_opioid,
    })),
    client_id: e.client_id ?? newId(),
  };
}


/** Save a day on the phone (entry, and the dose if one is new), then try to send it. */
export async function saveDay(date: string, data: EntryData, dose: DoseData | null): Promise<void> {
  const d = await db();
  const tx = d.transaction(["entries", "doses", "outbox", "conflicts"], "readwrite");
  const existing = await tx.objectStore("entries").get(date);
  const pending = (await tx.objectStore("outbox").get(`entry:${date}`)) as OutboxItem | undefined;
  // The edit is based on the server version this phone last saw (kept while unsent), and
  // the day as the server had it is kept for "Discard".
  const baseVersion = pending?.kind === "entry" ? pending.baseVersion : (existing?.serverVersion ?? null);
  const before = pending?.kind === "entry" ? (pending.before ?? null) : existing?.synced ? existing.data : null;
  await tx.objectStore("entries").put({ date, data, serverVersion: existing?.serverVersion ?? null, synced: false });
  await tx.objectStore("outbox").put({ key: `entry:${date}`, kind: "entry", date, data, baseVersion, before, seq: Date.now() });
  await tx.objectStore("conflicts").delete(date);
  if (dose) {
    await tx.objectStore("doses").put({ ...dose, synced: false });
    await tx.objectStore("outbox").put({ key: `dose:${date}`, kind: "dose", date, data: dose, seq: Date.now() + 1 });
  }
  await tx.done;
  notify();
  await requestBackgroundSync();
}

/** Correct or delete the dose logged on `date` (`patch` null: delete). A dose the server
 * has not got yet is changed (or dropped) in the outbox; one it has is corrected with
 * PATCH or removed with DELETE, both queued like any change. */
export async function changeDose(date: string, patch: Pick<DoseData, "mg" | "time_of_day" | "taken"> | null): Promise<void> {
  const d = await db();
  const tx = d.transaction(["doses", "outbox"], "readwrite");
  const dose = (await tx.objectStore("doses").get(date)) as LocalDose | undefined;
  const pending = (await tx.objectStore("outbox").get(`dose:${date}`)) as OutboxItem | undefined;
  if (!dose) {
    await tx.done;
    return;
  }
  const before: LocalDose | null = pending?.kind === "dose" ? (pending.before ?? null) : dose.synced ? dose : null;
  const id = dose.id ?? (pending?.kind === "dose" ? pending.id : undefined);
  const key = `dose:${date}`;
  if (!id) {
    // never reached the server: change or drop the new dose itself
    if (patch) {
      const data: DoseData = { client_id: dose.client_id, date, taken: patch.taken, mg: patch.mg, time_of_day: patch.time_of_day };
      await tx.objectStore("doses").put({ ...data, synced: false });
      await tx.objectStore("outbox").put({ key, kind: "dose", date, data, seq: Date.now() });
    } else {
      await tx.objectStore("doses").delete(date);
      await tx.objectStore("outbox").delete(key);
    }
  } else if (patch) {
    const data: DoseData = { client_id: dose.client_id, date, taken: patch.taken, mg: patch.mg, time_of_day: patch.time_of_day };
    await tx.objectStore("doses").put({ ...data, id, synced: false });
    await tx.objectStore("outbox").put({ key, kind: "dose", change: "patch", id, date, data, before, seq: Date.now() });
  } else {
    await tx.objectStore("doses").delete(date);
    await tx.objectStore("outbox").put({ key, kind: "dose", change: "delete", id, date, data: dose, before, seq: Date.now() });
  }
  await tx.done;
  notify();
  await requestBackgroundSync();
}

/** The patient gives up a change the server refused: it leaves the outbox, and the phone's
 * copy of the day goes back to what the server has (nothing else is touched). */
export async function discardChange(key: string): Promise<void> {
  const d = await db();
  const tx = d.transaction(["entries", "doses", "outbox", "conflicts"], "readwrite");
  const item = (await tx.objectStore("outbox").get(key)) as OutboxItem | undefined;
  if (item?.kind === "entry") {
    const entry = await tx.objectStore("entries").get(item.date);
    if (item.before) {
      await tx.objectStore("entries").put({ date: item.date, data: item.before, serverVersion: item.baseVersion, synced: true });
    } else if (entry && !entry.synced) await tx.objectStore("entries").delete(item.date);
    await tx.objectStore("conflicts").delete(item.date);
  } else if (item?.kind === "dose") {
    if (item.before) await tx.objectStore("doses").put({ ...item.before, synced: true });
    else await tx.objectStore("doses").delete(item.date);
  }
  if (item) await tx.objectStore("outbox").delete(key);
  await tx.done;
  notify();
}

async function requestBackgroundSync(): Promise<void> {
  try {
    const reg: any = await navigator.serviceWorker?.getRegistration?.();
    if (reg?.sync) await reg.sync.register("ldn-outbox");
  } catch {
    // Background Sync is optional: replay() also runs on start and on "online".
  }
}

let running: Promise<void> | null = null;
let again = false;

/** The server failed on a request (5xx, 429, 408): the request was fine, so it is sent again
 * later, not held for the patient. */
class ServerFailed extends Error {
  constructor(readonly retryAfter: number | null) {
    super("server error");
  }
}

function serverFailed(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

// After a server error the outbox waits, longer after each one in a row: 1 s, 2 s, 4 s …
// up to 5 minutes, each with jitter (many phones must not come back at the same moment),
// and never less than the server's Retry-After.
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 5 * 60 * 1000;
let failures = 0;
let notBefore = 0;
let retryTimer: ReturnType<typeof setTimeout> | null = null;

function retryLater(retryAfter: number | null): void {
  const backoff = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** failures);
  failures += 1;
  const wait = Math.max(backoff / 2 + (Math.random() * backoff) / 2, Math.min(retryAfter ?? 0, 3600) * 1000);
  notBefore = Date.now() + wait;
  scheduleRetry();
}

function scheduleRetry(): void {
  if (retryTimer !== null) clearTimeout(retryTimer);
  retryTimer = setTimeout(() => {
    retryTimer = null;
    void replay();
  }, Math.max(0, notBefore - Date.now()));
}

/** True while the outbox waits to try again after a server error. */
export function retryPending(): boolean {
  return retryTimer !== null;
}

/** Send the outbox in order; stop at the first network failure or server error (then try
 * again later by itself). A call while a replay is under way (e.g. a conflict resolved
 * meanwhile) makes it go round once more, since the running one read the outbox before. */
export function replay(): Promise<void> {
  if (Date.now() < notBefore) {
    scheduleRetry(); // the server asked for time: the waiting replay sends this too
    return Promise.resolve();
  }
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await inTurn(replayOnce);
    } while (again);
  })().finally(() => {
    running = null;
  });
  return running;
}

/** Run `send` while no other context of this app (the page, the service worker, another
 * tab) sends the outbox: each reads the outbox when its turn comes, so a change the other
 * one sent meanwhile is gone from it and goes out once (without this, one Save sent the
 * same PUT from the page and from the worker's sync event). Without Web Locks, at once. */
async function inTurn(send: () => Promise<void>): Promise<void> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks) await locks.request("ldn-outbox", send);
  else await send();
}

async function replayOnce(): Promise<void> {
  const d = await db();
  const items = (await d.getAll("outbox")).filter((i) => !i.blocked).sort((a, b) => a.seq - b.seq);
  if (items.length === 0) {
    notify(); // another context (the service worker, a tab) may have sent what this one showed
    return;
  }
  setState("syncing");
  try {
    for (const item of items) {
      if (item.kind === "entry") await sendEntry(item);
      else if (item.kind === "questionnaire") await sendQuestionnaire(item);
      else await sendDose(item);
    }
    setState("idle");
    failures = 0;
  } catch (err) {
    if (err instanceof ServerFailed) {
      again = false; // the retry goes round; not now
      retryLater(err.retryAfter);
    }
    setState(err instanceof OfflineError ? "offline" : err instanceof AuthError ? "auth" : "idle");
  }
}

class AuthError extends Error {}

/** Change the outbox (and what goes with it) only if `item` is still there as it was sent.
 * Another context (the service worker, another tab) may send the same item, and the
 * patient may have edited it or resolved its conflict meanwhile, which gives it a new
 * `seq`: a late answer to the old item must not touch the new one. */
async function ifCurrent(item: OutboxItem, change: (tx: any, current: OutboxItem) => Promise<void>): Promise<boolean> {
  const d = await db();
  const tx = d.transaction(["meta", "entries", "doses", "outbox", "conflicts"], "readwrite");
  const current = await tx.objectStore("outbox").get(item.key);
  const still = !!current && current.seq === item.seq;
  if (still) await change(tx, current);
  await tx.done;
  notify();
  return still;
}

/** Remove the outbox item (sent), then record what the server answered. */
function settle(item: OutboxItem, after: (tx: any) => Promise<void>): Promise<boolean> {
  return ifCurrent(item, async (tx) => {
    await tx.objectStore("outbox").delete(item.key);
    await after(tx);
  });
}

/** Put `next` in the outbox in place of `item` (same key). */
function replaceIfCurrent(item: OutboxItem, next: OutboxItem): Promise<boolean> {
  return ifCurrent(item, (tx) => tx.objectStore("outbox").put(next));
}

/** Hold the outbox item back, and record its conflict. */
function block(item: OutboxItem, reason: string, conflict?: Conflict): Promise<boolean> {
  return ifCurrent(item, async (tx, current) => {
    await tx.objectStore("outbox").put({ ...current, blocked: reason });
    if (conflict) await tx.objectStore("conflicts").put(conflict);
  });
}

/** What a 4xx said, kept with the held item so the patient reads it on its day, in words. */
function refusalOf(reply: { status: number; body: unknown }): Refusal {
  const problem = problemOf(reply);
  const errors = problem?.errors;
  return {
    status: reply.status,
    detail: String(problem?.detail ?? ""),
    errors: errors && typeof errors === "object" && !Array.isArray(errors) ? errors : {},
  };
}

/** Hold an item the server refused (a 4xx other than a conflict) until the patient fixes
 * or discards it; the rest of the outbox goes on. */
function refuse(item: OutboxItem, reply: { status: number; body: unknown }): Promise<boolean> {
  return ifCurrent(item, async (tx, current) => {
    await tx.objectStore("outbox").put({ ...current, blocked: "refused", refusal: refusalOf(reply) });
  });
}

/** Any other answer: signed out (stop), the server's failure (try later), or a refusal
 * (held for the patient). */
async function notSent(item: OutboxItem, reply: { status: number; body: unknown; retryAfter?: number | null }): Promise<void> {
  if (reply.status === 401 || reply.status === 403) throw new AuthError();
  if (serverFailed(reply.status)) throw new ServerFailed(reply.retryAfter ?? null);
  await refuse(item, reply);
}

// A change that gets no answer in this time is sent again later (as after a server error):
// while one context sends, the others wait their turn (inTurn), so a request left hanging
// must not keep the outbox from every one of them.
const SEND_TIMEOUT_MS = 30_000;

/** One request of the outbox: `call`, given up after SEND_TIMEOUT_MS. */
async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<any>> {
  const signal = typeof AbortSignal.timeout === "function" ? AbortSignal.timeout(SEND_TIMEOUT_MS) : undefined;
  try {
    return await call(method, path, body, headers, signal);
  } catch (err) {
    if (err instanceof OfflineError && signal?.aborted) throw new ServerFailed(null);
    throw err;
  }
}

async function sendEntry(item: Extract<OutboxItem, { kind: "entry" }>): Promise<void> {
  const headers: Record<string, string> = item.baseVersion !== null ? { "If-Match": `"${item.baseVersion}"` } : {};
  const reply = await send("PUT", `/api/v1/me/entries/${item.date}`, item.data, headers);
  if ((reply.status === 200 || reply.status === 201) && item.restore) {
    // Mine is now a version on the server; theirs goes back on top of it.
    const next = { ...item, data: item.restore, baseVersion: reply.body.version, restore: undefined, seq: item.seq + 1 };
    if (await replaceIfCurrent(item, next)) await sendEntry(next);
  } else if (reply.status === 200 || reply.status === 201) {
    const saved = reply.body;
    await settle(item, async (tx) => {
      const entry: LocalEntry = { date: item.date, data: serverToData(saved), serverVersion: saved.version, synced: true };
      await tx.objectStore("entries").put(entry);
    });
  } else if (reply.status === 412 && reply.body?.current) {
    await block(item, "conflict", { date: item.date, mine: item.data, theirs: reply.body.current });
  } else if (reply.status === 412) {
    // The day is gone from the server: send it again as a new day (unless a newer edit
    // replaced the item meanwhile: that one is sent in its turn).
    const again = { ...item, baseVersion: null };
    if (await replaceIfCurrent(item, again)) await sendEntry(again);
  } else {
    await notSent(item, reply);
  }
}

/** The server's dose as the phone keeps it (mg as a number, its id). */
function storedDose(body: ServerDose | null | undefined, fallback: DoseData): LocalDose {
  return { ...fallback, ...(body ?? {}), mg: body?.mg === null || body?.mg === undefined ? fallback.mg : Number(body.mg), synced: true };
}

async function sendDose(item: Extract<OutboxItem, { kind: "dose" }>): Promise<void> {
  const reply =
    item.change === "delete"
      ? await send("DELETE", `/api/v1/me/doses/${item.id}`)
      : item.change === "patch"
        ? await send("PATCH", `/api/v1/me/doses/${item.id}`, { taken: item.data.taken, mg: item.data.mg, time_of_day: item.data.time_of_day ?? undefined })
        : await send("POST", "/api/v1/me/doses", item.data);
  if (item.change === "delete" && (reply.status === 204 || reply.status === 404)) {
    await settle(item, async () => undefined); // 404: already gone (a repeat, or another device)
  } else if (reply.status === 200 || reply.status === 201 || reply.status === 409) {
    // 409: this day already has a dose from another device; that one stands.
    const stored = reply.status === 409 ? reply.body?.current : reply.body;
    await settle(item, async (tx) => {
      await tx.objectStore("doses").put(storedDose(stored, item.data));
    });
  } else {
    await notSent(item, reply);
  }
}

/** Queue a questionnaire response (checked by the caller against the same rules) and try
 * to send it. Its key carries its client_id, so a response queued again (Fix) replaces the
 * refused one, and a replay the server has already stored is answered with that one. */
export async function saveQuestionnaire(data: QuestionnaireData): Promise<void> {
  const d = await db();
  await d.put("outbox", { key: `questionnaire:${data.client_id}`, kind: "questionnaire", date: data.completed_on, data, seq: Date.now() });
  notify();
  await requestBackgroundSync();
}

async function sendQuestionnaire(item: Extract<OutboxItem, { kind: "questionnaire" }>): Promise<void> {
  const reply = await send("POST", "/api/v1/me/questionnaires", item.data);
  if (reply.status === 200 || reply.status === 201) {
    await settle(item, async (tx) => {
      // what is due changed: the next read of me/questionnaires tells; until then the
      // phone's copy holds this response so Today and My trends show it at once
      const kept = await tx.objectStore("meta").get("questionnaires");
      if (kept) {
        const responses = kept.responses.filter((r: { client_id: string | null }) => r.client_id !== item.data.client_id);
        await tx.objectStore("meta").put({ ...kept, responses: [...responses, reply.body] }, "questionnaires");
      }
    });
  } else {
    await notSent(item, reply);
  }
}

/** Resolve a 412: keep my version (sent again against theirs) or theirs. Either way the
 * other version ends up in the day's revisions on the server: for "theirs", mine is sent
 * first and theirs again on top of it (nothing the patient typed is lost). */
export async function resolveConflict(date: string, keep: "mine" | "theirs"): Promise<void> {
  const d = await db();
  const conflict = await d.get("conflicts", date);
  const item = await d.get("outbox", `entry:${date}`);
  if (!conflict) return;
  const theirs = conflict.theirs;
  const tx = d.transaction(["entries", "outbox", "conflicts"], "readwrite");
  // Mine is sent against theirs either way; for "theirs", theirs then goes back on top.
  const restore = keep === "theirs" ? serverToData(theirs) : undefined;
  await tx.objectStore("outbox").put({
    key: `entry:${date}`,
    kind: "entry",
    date,
    data: conflict.mine,
    baseVersion: theirs.version,
    ...(restore ? { restore } : {}),
    // A new seq: the resolved item is not the one still in flight elsewhere (see block).
    // (+2: a "theirs" item's own next step takes seq + 1.)
    seq: Math.max(Date.now(), (item?.seq ?? 0) + 2),
  });
  await tx.objectStore("entries").put({ date, data: restore ?? conflict.mine, serverVersion: theirs.version, synced: false });
  await tx.objectStore("conflicts").delete(date);
  await tx.done;
  notify();
  await replay();
}

/** Learn what changed on the server (other devices) since the last pull. */
/** Keep a day the server answered with as the phone's copy, unless the patient's own
 * change of that day waits in the outbox (it wins until it is sent), or the phone already
 * holds a newer version: a read answered before a PUT of that day landed (by this page or
 * by the service worker's sync) must not put the older day back. False: a change waits. */
export async function keepServerEntry(
  entries: IDBPObjectStore<DiarySchema, ArrayLike<StoreNames<DiarySchema>>, "entries", "readwrite">,
  outbox: IDBPObjectStore<DiarySchema, ArrayLike<StoreNames<DiarySchema>>, "outbox", "readwrite">,
  e: ServerEntry,
): Promise<boolean> {
  if (await outbox.get(`entry:${e.date}`)) return false;
  const mine = await entries.get(e.date);
  if (!mine || (mine.serverVersion ?? 0) < e.version) {
    await entries.put({ date: e.date, data: serverToData(e), serverVersion: e.version, synced: true });
  }
  return true;
}

export async function pullChanges(): Promise<void> {
  let cursor: string = (await getMeta("cursor")) ?? "0";
  for (let page = 0; page < 50; page++) {
    const reply = await call("GET", `/api/v1/me/changes?since=${encodeURIComponent(cursor)}`);
    if (reply.status !== 200) return;
    const body = reply.body;
    const d = await db();
    const tx = d.transaction(["entries", "doses", "outbox"], "readwrite");
    for (const e of body.entries) await keepServerEntry(tx.objectStore("entries"), tx.objectStore("outbox"), e);
    for (const dose of body.dose_logs) {
      const pending = await tx.objectStore("outbox").get(`dose:${dose.date}`);
      if (!pending) await tx.objectStore("doses").put(storedDose(dose, dose));
    }
    for (const gone of body.deleted_dose_logs ?? []) {
      // deleted on another device: drop this phone's copy, unless it holds a change of its own
      const pending = await tx.objectStore("outbox").get(`dose:${gone.date}`);
      const mine = await tx.objectStore("doses").get(gone.date);
      if (!pending && mine?.id === gone.id) await tx.objectStore("doses").delete(gone.date);
    }
    await tx.done;
    await setMeta("plan", body.plan);
    await setMeta("profile", body.profile);
    cursor = body.cursor;
    await setMeta("cursor", cursor);
    if (!body.has_more) break;
  }
  notify();
}

export async function outboxCount(): Promise<number> {
  return (await db()).count("outbox");
}

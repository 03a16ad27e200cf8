// What every clinician page shares: loading, number formats, the flag dialog (the API's
// types are in ./types).
import type { ComponentChildren, JSX, RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { call, errorText, OfflineError, type Reply } from "../api";
import { t } from "../strings";
import { c } from "../strings-clinician";
import type { Flag, FlagLite, Problem } from "./types";

export type Num = number | null;
export const API = "/api/v1";

export class LoadError extends Error {
  constructor(public status: number) {
    super(`HTTP ${status}`);
  }
}

/** GET a JSON resource; anything but 200 is a LoadError with the status. `signal` cancels it. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const reply = await call<T>("GET", API + path, undefined, {}, signal);
  if (reply.status !== 200) throw new LoadError(reply.status);
  return reply.body;
}

/** A change's answer: the endpoint's success body (2xx), or a problem (status 0: no connection). */
export type Sent<T> = { ok: true; status: number; body: T } | { ok: false; status: number; body: Problem };

export async function send<T>(method: string, path: string, body?: unknown): Promise<Sent<T>> {
  try {
    const reply = await call<unknown>(method, API + path, body);
    return reply.status >= 200 && reply.status < 300
      ? { ok: true, status: reply.status, body: reply.body as T }
      : { ok: false, status: reply.status, body: reply.body as Problem };
  } catch (err) {
    if (err instanceof OfflineError) return { ok: false, status: 0, body: { type: "about:blank", title: c.loadFailed, status: 0, detail: c.loadFailed } };
    throw err;
  }
}

export function problemText(reply: Pick<Reply<unknown>, "status" | "body">): string {
  return errorText(reply, c.loadFailed);
}

export type Loaded<T> = { state: "loading" } | { state: "error"; status: number } | { state: "ok"; data: T };

/** Load `fn` whenever `deps` change; `reload()` runs it again.
 *
 *  What was loaded is kept with the deps it was loaded for, and shown only while they are
 *  the current ones: after a change (another patient in the URL) the state is "loading"
 *  at once, never the previous answer. The previous request is aborted, and an answer that
 *  arrives anyway is dropped. A reload of the same deps keeps showing the data until the
 *  new answer is in. */
export function useLoad<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const key = JSON.stringify(deps);
  const [held, setHeld] = useState<{ key: string; loaded: Loaded<T> }>({ key, loaded: { state: "loading" } });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    fn(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setHeld({ key, loaded: { state: "ok", data } });
      },
      (err) => {
        if (!controller.signal.aborted) setHeld({ key, loaded: { state: "error", status: err instanceof LoadError ? err.status : 0 } });
      },
    );
    return () => controller.abort();
  }, [key, tick]);
  return [held.key === key ? held.loaded : { state: "loading" }, () => setTick((n) => n + 1)];
}

/** Not found, the server's own problem, another answer, or no answer at all (the connection). */
export function loadFailedText(status: number): string {
  if (status === 404) return c.notFound;
  if (status >= 500) return t.serverProblem(status);
  if (status > 0) return t.requestFailed(status);
  return c.loadFailed;
}

export function LoadFailed({ status, retry }: { status: number; retry?: () => void }) {
  return (
    <div class="error stack" role="alert">
      <p>{loadFailedText(status)}</p>
      {retry && status !== 404 ? (
        <button type="button" onClick={retry}>
          {c.retry}
        </button>
      ) : null}
    </div>
  );
}

/** Sets the document title and moves focus to the page heading (a route change for screen readers). */
export function usePageTitle(title: string): RefObject<HTMLHeadingElement> {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = c.pageTitle(title);
    ref.current?.focus();
  }, [title]);
  return ref;
}

export function fmt(v: Num | string | undefined, digits = 1): string {
  if (v === null || v === undefined || v === "") return c.none;
  const n = typeof v === "string" ? Number(v) : v;
  return Number.isFinite(n) ? n.toFixed(digits) : c.none;
}

/** A share (0–1) as a whole percentage. */
export function fmtPct(share: Num | undefined): string {
  return share === null || share === undefined ? c.none : c.pct((share * 100).toFixed(0));
}

/** A dose as prescribed: one decimal, two when it has them (0.75). */
export function fmtMg(v: Num | string | undefined): string {
  if (v === null || v === undefined || v === "") return c.none;
  const two = Number(v).toFixed(2);
  return two.endsWith("0") ? two.slice(0, -1) : two;
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return c.none;
  const d = new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
  return new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: iso.length === 10 ? "UTC" : undefined }).format(d);
}

/** "22 Oct": a date of the last months, short (a worklist row). */
export function fmtShortDate(iso: string | null | undefined): string {
  if (!iso) return c.none;
  return new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${iso.slice(0, 10)}T12:00:00Z`));
}

export function label(map: Record<string, string>, key: string | null | undefined): string {
  if (!key) return c.none;
  return map[key] ?? key.replace(/_/g, " ");
}

/** The flag's name: short and stable (buttons and filters say it). */
export function flagTitle(f: FlagLite): string {
  return ("title" in f ? f.title : f.kind_label) || label(c.flagKinds, f.kind);
}

/** What the flag is about (its name when the server gave no headline). */
export function flagHeadline(f: FlagLite): string {
  return f.headline || flagTitle(f);
}

export function SeverityBadge({ severity }: { severity: string }) {
  return <span class={`sev sev-${severity}`}>{label(c.severityLabel, severity)}</span>;
}

export interface FlagAction {
  flag: FlagLite;
  patientId: string; // the patient the page shows: the server checks that the flag is theirs
  who: string;
  action: "acknowledge" | "resolve";
}

/** The acknowledge / resolve dialog (a modal <dialog>: focus stays inside, Escape closes). */
export function FlagDialog({ pending, onClose }: { pending: FlagAction | null; onClose: (changed: string | null) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (pending && !dialog.open) {
      setNote("");
      setError("");
      dialog.showModal();
    } else if (!pending && dialog.open) dialog.close();
  }, [pending]);
  if (!pending) return <dialog ref={ref} class="dialog" />;
  const title = flagTitle(pending.flag);
  const heading = pending.action === "acknowledge" ? c.acknowledgeFlag(title, pending.who) : c.resolveFlag(title, pending.who);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const path = `/patients/${encodeURIComponent(pending.patientId)}/flags/${encodeURIComponent(pending.flag.id)}/${pending.action}`;
    const reply = await send<Flag>("POST", path, { note });
    setBusy(false);
    if (reply.ok) onClose(c.flagDone(title, label(c.flagStatus, reply.body.status)));
    else setError(problemText(reply));
  };
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="flag-dialog-title" onClose={() => onClose(null)}>
      <form class="stack" onSubmit={submit}>
        <h2 id="flag-dialog-title">{heading}</h2>
        <label class="field">
          <span>{c.flagNote}</span>
          <textarea rows={3} maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
        <ErrorLine text={error} />
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy}>
            {pending.action === "acknowledge" ? c.acknowledge : c.resolve}
          </button>
          <button type="button" onClick={() => onClose(null)}>
            {c.cancel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Buttons to acknowledge (when open) and resolve a flag of the patient `patientId`. */
export function FlagButtons({ flag, patientId, who, act }: { flag: FlagLite; patientId: string; who: string; act: (a: FlagAction) => void }) {
  if (flag.status === "resolved") return null;
  const title = flagTitle(flag);
  return (
    <span class="flagbuttons">
      {flag.status === "open" ? (
        <button type="button" class="small-btn" aria-label={c.acknowledgeFlag(title, who)} onClick={() => act({ flag, patientId, who, action: "acknowledge" })}>
          {c.acknowledge}
        </button>
      ) : null}
      <button type="button" class="small-btn" aria-label={c.resolveFlag(title, who)} onClick={() => act({ flag, patientId, who, action: "resolve" })}>
        {c.resolve}
      </button>
    </span>
  );
}

/** The dialog and its state for a page with flag buttons: `act` opens it; after a change
 *  `done` says what happened and `onChange` reloads the page's data. */
export function useFlagDialog(onChange: () => void): { act: (a: FlagAction) => void; done: string; dialog: JSX.Element } {
  const [pending, setPending] = useState<FlagAction | null>(null);
  const [done, setDone] = useState("");
  const dialog = (
    <FlagDialog
      pending={pending}
      onClose={(message) => {
        setPending(null);
        if (message) {
          setDone(message);
          onChange();
        }
      }}
    />
  );
  return { act: setPending, done, dialog };
}

/** A data table in a scrollable, focusable region named by its caption; `head` are the column titles. */
export function ScrollTable(props: { id: string; caption: string; head: (string | null)[]; cls?: string; children: ComponentChildren }) {
  const captionId = `${props.id}-caption`;
  return (
    <div class="tablewrap" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table data-testid={props.id} class={props.cls}>
        <caption id={captionId}>{props.caption}</caption>
        <thead>
          <tr>
            {props.head.map((h) => (h === null ? null : <th scope="col">{h}</th>))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

export function ErrorLine({ text, testId }: { text: string; testId?: string }) {
  return text ? (
    <p class="error" role="alert" data-testid={testId}>
      {text}
    </p>
  ) : null;
}

/** A polite live region for "done" messages. */
export function Status({ text }: { text: string }) {
  return (
    <p class="status" role="status" aria-live="polite">
      {text}
    </p>
  );
}

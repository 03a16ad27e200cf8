// Same-origin calls to the Django API and allauth's headless "browser" client:
// session cookie + the CSRF token from the csrftoken cookie on every write.

import type { components } from "./schema.gen";
import { t } from "./strings";

type Problem = components["schemas"]["Problem"];

export const AUTH = "/_allauth/browser/v1";
// The API's answer to a clinician signed out after its idle limit (api/sessions.py): the
// shell then shows the sign-in with the answer's detail (app.tsx listens for the event).
export const SIGNED_OUT_IDLE = "/api/v1/problems/signed-out-idle";
export const SIGNED_OUT_EVENT = "ldn-signed-out-idle";

/** The request never got an answer: no network, or the server unreachable. */
export class OfflineError extends Error {}

/** The server answered, with a status the caller could not use. */
export class HttpError extends Error {
  constructor(public status: number) {
    super(`HTTP ${status}`);
  }
}

export interface Reply<T = any> {
  status: number;
  body: T;
  retryAfter?: number | null; // seconds, from a Retry-After header (RFC 9110: seconds or a date)
}

function retryAfterSeconds(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, (at - Date.now()) / 1000);
}

let csrfFallback = ""; // the service worker has no cookies: it gets the token from IndexedDB

export function setCsrfFallback(token: string): void {
  csrfFallback = token;
}

export function csrfToken(): string {
  if (typeof document !== "undefined") {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
  }
  return csrfFallback;
}

export async function call<T = any>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Reply<T>> {
  const init: RequestInit = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", ...headers },
    cache: "no-store",
    signal,
  };
  if (method !== "GET" && method !== "HEAD") {
    (init.headers as Record<string, string>)["X-CSRFToken"] = csrfToken();
  }
  if (body !== undefined) {
    (init.headers as Record<string, string>)["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new OfflineError("offline");
  }
  const text = await response.text();
  let parsed: any = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  const reply = {
    status: response.status,
    body: parsed as T,
    retryAfter: retryAfterSeconds(response.headers.get("Retry-After")),
  };
  const notice = idleNotice(reply);
  if (notice && typeof window !== "undefined") window.dispatchEvent(new CustomEvent(SIGNED_OUT_EVENT, { detail: notice }));
  return reply;
}

/** The reason to show on the sign-in screen when the reply says the session ended for inactivity. */
export function idleNotice(reply: Reply): string | null {
  return reply.status === 401 && reply.body?.type === SIGNED_OUT_IDLE ? String(reply.body.detail) : null;
}

/** allauth flows still pending after a 401 (e.g. "verify_email", "mfa_authenticate"). */
export function pendingFlows(reply: Reply): string[] {
  const flows = reply.body?.data?.flows ?? [];
  return flows.filter((f: any) => f.is_pending).map((f: any) => f.id);
}

/** The problem details (RFC 9457, api/errors.py) an error answer carries, or null when its
 *  body is not one (allauth's answers, a proxy's page). */
export function problemOf(reply: Pick<Reply<unknown>, "body">): Problem | null {
  const b = reply.body;
  return b !== null && typeof b === "object" && "status" in b && "detail" in b ? (b as Problem) : null;
}

/** allauth's 400 errors or our problem details, as one readable line; a server error says so. */
export function errorText(reply: Reply, fallback: string): string {
  if (reply.status >= 500) return t.serverProblem(reply.status);
  const b = reply.body;
  if (b?.errors && Array.isArray(b.errors)) return b.errors.map((e: any) => e.message).join(" ");
  if (b?.detail) return String(b.detail);
  return fallback;
}

/** What to tell a person when a request failed: no connection, the server's problem, or another status. */
export function failureText(err: unknown, offlineText: string): string {
  if (err instanceof OfflineError) return offlineText;
  if (err instanceof HttpError) return err.status >= 500 ? t.serverProblem(err.status) : t.requestFailed(err.status);
  return t.genericError;
}

// Web Push for reminders: ask for permission (only when the patient turns a push reminder
// on), subscribe this browser with the server's VAPID key, and register it with the API.
import { call, OfflineError } from "../api";

export type PushSetup = "ok" | "unsupported" | "denied" | "dismissed" | "failed" | "offline" | "timeout";

// A browser's push service may never answer (no network path to it, a broken service
// worker): the patient must not wait on "Saving…" for ever. The prompt for permission is
// not timed: that is the patient deciding.
export const PUSH_TIMEOUT_MS = 15000;

class TimedOut extends Error {}

function within<T>(work: Promise<T>, ms = PUSH_TIMEOUT_MS): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimedOut("no answer")), ms);
    work.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (err) => (clearTimeout(timer), reject(err)),
    );
  });
}

export function pushSupported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function keyBytes(base64url: string): ArrayBuffer {
  const b64 = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out.buffer;
}

/** Permission, subscription and registration with the API, in that order. */
export async function pushEnable(): Promise<PushSetup> {
  if (!pushSupported()) return "unsupported";
  let permission = Notification.permission;
  if (permission === "default") permission = await Notification.requestPermission();
  if (permission === "default") return "dismissed"; // the prompt was closed unanswered
  if (permission !== "granted") return "denied";
  try {
    const registration = await within(navigator.serviceWorker.ready);
    let subscription = await within(registration.pushManager.getSubscription());
    if (!subscription) {
      const key = await call<{ public_key: string }>("GET", "/api/v1/me/vapid-public-key");
      if (key.status !== 200) return "failed";
      subscription = await within(
        registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(key.body.public_key),
        }),
      );
    }
    // Sent every time: idempotent on the endpoint, and it moves a phone shared by two accounts.
    const saved = await call("POST", "/api/v1/me/push-subscriptions", subscription.toJSON());
    return saved.status === 200 || saved.status === 201 ? "ok" : "failed";
  } catch (err) {
    return err instanceof OfflineError ? "offline" : err instanceof TimedOut ? "timeout" : "failed";
  }
}

/** This browser stops receiving reminders (sign-out, or no reminder uses push any more):
 * its subscription is removed from the server when it can be reached, and always from the
 * browser, so the push service refuses anything sent to it later (and the server drops a
 * subscription the push service says is gone). */
export async function pushForget(): Promise<void> {
  if (!pushSupported()) return;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    const subscription = await registration?.pushManager.getSubscription();
    if (!subscription) return;
    try {
      const list = await call<{ id: string; endpoint: string }[]>("GET", "/api/v1/me/push-subscriptions");
      const mine = list.status === 200 ? list.body.find((s) => s.endpoint === subscription.endpoint) : undefined;
      if (mine) await call("DELETE", `/api/v1/me/push-subscriptions/${mine.id}`);
    } catch {
      // offline: the browser's unsubscribe below is what counts
    }
    await subscription.unsubscribe();
  } catch {
    // nothing more this browser can do
  }
}

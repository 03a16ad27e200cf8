/// <reference lib="webworker" />
// The service worker: precaches the app shell (so the app opens offline), answers every
// app navigation with index.html and the phone's copy of the days around today inside it,
// replays the outbox on Background Sync, shows reminder pushes, and opens Today (or
// snoozes) when one is tapped.
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { call, setCsrfFallback } from "./api";
import { SNAPSHOT_ID, type Snapshot, snapshotRead } from "./boot";
import { db, getMeta } from "./db";
import { t } from "./strings";
import { onSyncChange, replay, retryPending, syncState } from "./sync";

declare let self: ServiceWorkerGlobalScope;

// Past this, the shell goes without the snapshot and the page reads IndexedDB itself
// (an open blocked by another tab's upgrade must not hold the app up).
const SNAPSHOT_WAIT_MS = 1000;

function snapshotSoon(): Promise<Snapshot | null> {
  const read = db()
    .then(snapshotRead)
    .then((s) => (s.who ? s : null), () => null);
  const late = new Promise<null>((resolve) => setTimeout(() => resolve(null), SNAPSHOT_WAIT_MS));
  return Promise.race([read, late]);
}

/** The app shell for a navigation, with the snapshot of boot.ts in it.
 * 1. The read starts at once, on this worker's thread: the page's main thread is busy
 *    committing the navigation and running the app, and an IndexedDB open of its own
 *    would wait for it several times before Today could be drawn.
 * 2. The shell is answered at once as a stream: its head (the page commits and fetches
 *    its scripts and styles meanwhile), then, before </body>, the snapshot as a JSON data
 *    block (not a script: the CSP allows only our own files, and a data block is never
 *    run), then the rest. The app's module script runs only once the document is parsed,
 *    so it always finds the block (boot.ts shellSnapshot). */
async function shellWithSnapshot(): Promise<Response> {
  const snapshot = snapshotSoon();
  const cached = await matchPrecache("/index.html");
  if (!cached) return fetch("/index.html");
  const html = await cached.text();
  const headers = new Headers(cached.headers);
  headers.delete("content-length"); // the body grows
  headers.delete("content-encoding"); // the cache holds it decoded
  const cut = html.lastIndexOf("</body>");
  if (cut < 0) return new Response(html, { status: 200, headers });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(html.slice(0, cut)));
      void snapshot.then((found) => {
        if (found) {
          // "<" escaped: nothing in the data can end the block or open a comment.
          const json = JSON.stringify(found).replace(/</g, "\\u003c");
          controller.enqueue(encoder.encode(`<script type="application/json" id="${SNAPSHOT_ID}">${json}</script>`));
        }
        controller.enqueue(encoder.encode(html.slice(cut)));
        controller.close();
      });
    },
  });
  return new Response(body, { status: 200, headers });
}

// Registered before the precache's own route, which would answer "/" with the plain
// index.html (Workbox's directoryIndex); a file opened as a page (a path with an
// extension, e.g. /index.html) still comes from the precache as it is.
registerRoute(
  new NavigationRoute(shellWithSnapshot, {
    denylist: [/^\/api\//, /^\/_allauth\//, /^\/admin(\/|$)/, /^\/static\//, /^\/healthz$/, /^\/[^?]*\.\w+(\?|$)/],
  }),
);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

self.addEventListener("install", () => {
  void self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

async function tellWindows(): Promise<void> {
  const clients = await self.clients.matchAll({ type: "window" });
  clients.forEach((c) => c.postMessage({ type: "synced" }));
}

// The outbox may drain here on this worker's own retry timer, after its sync event has
// ended: the open windows re-read it whenever it changes, or they would show the change
// as waiting for good.
onSyncChange(() => void tellWindows());

self.addEventListener("sync", (event: any) => {
  if (event.tag === "ldn-outbox") {
    event.waitUntil(
      (async () => {
        setCsrfFallback((await getMeta<string>("csrf")) ?? "");
        await replay();
        await tellWindows();
        // Still offline, or the server failed: fail the event, so the browser tries again later.
        if (syncState() === "offline") throw new Error("offline: the outbox waits");
        if (retryPending()) throw new Error("server error: the outbox waits");
      })(),
    );
  }
});

/** What the server pushes (diary/services/reminders.py `_decide`). */
interface ReminderPush {
  title?: string;
  tag?: string;
  kind?: string;
  date?: string;
  snooze?: string; // POST here to be reminded again in 30 minutes (absent: not offered)
}

const TODAY_URL = "/?tab=today";

self.addEventListener("push", (event: PushEvent) => {
  let payload: ReminderPush = {};
  try {
    payload = event.data?.json() ?? {};
  } catch {
    payload = { title: event.data?.text() };
  }
  const options: NotificationOptions & { actions?: { action: string; title: string }[] } = {
    body: t.notificationOpen,
    tag: payload.tag,
    icon: "/icons/icon-192.png",
    data: { kind: payload.kind, date: payload.date, snooze: payload.snooze, url: TODAY_URL },
  };
  if (payload.snooze) options.actions = [{ action: "snooze", title: t.notificationSnooze }];
  event.waitUntil(self.registration.showNotification(payload.title || t.appName, options));
});

async function openToday(url: string): Promise<void> {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
  if (open) {
    // An open app keeps what is typed in it: it switches to Today instead of reloading.
    open.postMessage({ type: "open-tab", tab: "today" });
    await open.focus();
  } else {
    await self.clients.openWindow(url);
  }
}

async function snooze(path: string): Promise<void> {
  setCsrfFallback((await getMeta<string>("csrf")) ?? "");
  try {
    await call("POST", path);
  } catch {
    // Offline: nothing to do; the reminder is simply not repeated.
  }
}

self.addEventListener("notificationclick", (event: NotificationEvent) => {
  const data = event.notification.data ?? {};
  event.notification.close();
  if (event.action === "snooze" && typeof data.snooze === "string" && data.snooze.startsWith("/api/")) {
    event.waitUntil(snooze(data.snooze));
  } else {
    event.waitUntil(openToday(typeof data.url === "string" ? data.url : TODAY_URL));
  }
});

/// <reference lib="webworker" />
// The service worker: precaches the app shell (so the app opens offline), answers every
// app navigation with index.html, replays the outbox on Background Sync, shows reminder
// pushes, and opens Today (or snoozes) when one is tapped.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { call, setCsrfFallback } from "./api";
import { getMeta } from "./db";
import { t } from "./strings";
import { onSyncChange, replay, retryPending, syncState } from "./sync";

declare let self: ServiceWorkerGlobalScope;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

registerRoute(
  new NavigationRoute(createHandlerBoundToURL("/index.html"), {
    denylist: [/^\/api\//, /^\/_allauth\//, /^\/admin(\/|$)/, /^\/static\//, /^\/healthz$/],
  }),
);

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

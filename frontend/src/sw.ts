/// <reference lib="webworker" />
// The service worker: precaches the app shell (so the app opens offline), answers every
// app navigation with index.html, and replays the outbox on Background Sync.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { setCsrfFallback } from "./api";
import { getMeta } from "./db";
import { replay } from "./sync";

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

self.addEventListener("sync", (event: any) => {
  if (event.tag === "ldn-outbox") {
    event.waitUntil(
      (async () => {
        setCsrfFallback((await getMeta<string>("csrf")) ?? "");
        await replay();
        const clients = await self.clients.matchAll({ type: "window" });
        clients.forEach((c) => c.postMessage({ type: "synced" }));
      })(),
    );
  }
});

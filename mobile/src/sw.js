// The service worker: keeps the app shell for offline starts and sends the
// outbox on Background Sync. A module worker, so it runs core/sync.js itself.
// It never touches IndexedDB's data beyond what the outbox engine does, and an
// update only replaces the shell cache.

import { openDb } from "./core/db.js";
import { createApi } from "./core/api.js";
import { createSync } from "./core/sync.js";

// Filled in by mobile/views.py: the version (a hash of every file) and the URLs to precache.
const BUILD = {"version": "dev", "files": []};
const CACHE = `shell-${BUILD.version}`;
const SHELL = "/app/";

self.addEventListener("install", (event) => {
  // `no-cache` so a stale HTTP cache entry cannot end up in a new version's shell.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(BUILD.files.map((url) => new Request(url, { cache: "no-cache" })))));
  // No skipWaiting here: the page says when (no visit open); see main.js.
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("shell-") && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "apply-update") event.waitUntil(applyUpdate());
  if (event.data?.type === "version?") event.source?.postMessage({ type: "version", version: BUILD.version });
});

async function applyUpdate() {
  // Another tab may have a visit open: the update waits for it too.
  const windows = await self.clients.matchAll({ type: "window" });
  if (windows.some((client) => new URL(client.url).hash.startsWith("#/visit/"))) return;
  await self.skipWaiting();
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  // Only the app's own files: API calls go straight to the network, never to a cache.
  if (event.request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith("/app/")) return;
  event.respondWith(fromShell(event.request, url));
});

async function fromShell(request, url) {
  const cache = await caches.open(CACHE);
  // Every page of the app is the one shell; the router reads the #fragment.
  const hit = await cache.match(request.mode === "navigate" ? SHELL : url.pathname);
  return hit || fetch(request);
}

self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(sendOutbox());
});

async function tell(message) {
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage(message);
}

async function sendOutbox() {
  const db = await openDb();
  try {
    const session = await db.getSession();
    if (!session?.token) return;
    const api = createApi({ getToken: async () => (await db.getSession())?.token ?? null });
    const sync = createSync({ db, api, onChange: () => tell({ type: "outbox" }) });
    for (let round = 0; round < 3; round++) {
      // A page sending right now holds the outbox: wait for its pass to end, then
      // make ours (the page's may have failed where this one gets through).
      // A kick: the browser says the network is back, so waiting visits go now.
      const result = await sync.kick("background-sync");
      if (!result?.busy || !self.navigator.locks) break;
      await self.navigator.locks.request("outbox", () => {});
    }
    await tell({ type: "outbox" });
    // Still waiting for the network: fail the event so the browser tries again later.
    const left = await db.unsentVisits();
    if (!sync.status().authRequired && left.some((v) => v.state === "waiting" || v.state === "queued")) {
      throw new Error("outbox not empty; retry later");
    }
  } finally {
    await db.close();
  }
}

/**
 * The dashboard's service worker (Workbox): precaches the app shell — HTML,
 * JS chunks (MQTT.js included), CSS, manifest, icons — so the dashboard
 * opens offline and shows its cached figures from IndexedDB. Caches are
 * versioned (`hailong-dashboard-precache-<version>`) and old ones removed
 * on activation. Live data never goes through here: it comes over the
 * MQTT WebSocket, which service workers do not intercept.
 */
/// <reference lib="webworker" />
import { clientsClaim, setCacheNameDetails } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import type { PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };

/**
 * Version of the caches (`hailong-dashboard-precache-v1`). Precached files
 * are revisioned anyway; bump this only to drop every cache an old version
 * left behind (e.g. after changing how files are cached).
 */
const CACHE_VERSION = 'v1';

setCacheNameDetails({ prefix: 'hailong-dashboard', suffix: CACHE_VERSION, precache: 'precache', runtime: 'runtime' });
// `self.__WB_MANIFEST` is replaced at build time with [{ url, revision }] of every
// file of the build (web-build/service-worker-plugin.ts).
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Every navigation inside the app's scope gets the precached shell (hash routes live in it).
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));

// The first install takes control at once, so a reload right after the first
// visit already works offline; later versions wait for the page's "reload" (workbox-window).
self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
clientsClaim();

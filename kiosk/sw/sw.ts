/**
 * The kiosk's service worker: precaches the whole app (HTML, JS, CSS) so a
 * tablet that reloads while the network is down still shows the kiosk, and
 * the votes in its IndexedDB outbox are sent once the broker is back.
 * Caches are versioned (`hailong-kiosk-precache-v1-…`) and every entry has
 * a revision, so an update replaces exactly what changed; outdated caches
 * are deleted on activation.
 */
import { clientsClaim, setCacheNameDetails } from 'workbox-core';
import { cleanupOutdatedCaches, precacheAndRoute } from 'workbox-precaching';
import type { PrecacheEntry } from 'workbox-precaching';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };

/** Bump to drop every cache of older kiosk versions at once. */
const CACHE_VERSION = 'v1';

setCacheNameDetails({ prefix: 'hailong-kiosk', precache: 'precache', runtime: 'runtime', suffix: CACHE_VERSION });

// A kiosk has no "close all tabs to update" moment: take over at once. The
// page reloads itself when idle (kiosk/src/app/register-sw.ts).
self.addEventListener('install', () => void self.skipWaiting());
clientsClaim();
cleanupOutdatedCaches();

// `self.__WB_MANIFEST` is replaced at build time with [{ url, revision }] of every
// file of the build (web-build/service-worker-plugin.ts).
precacheAndRoute(self.__WB_MANIFEST, {
  // The kiosk URL carries its identity in parameters (?district=…&terminal=…):
  // they select nothing on the server, so any parameter matches the cached page.
  ignoreURLParametersMatching: [/.*/],
  directoryIndex: 'index.html',
});

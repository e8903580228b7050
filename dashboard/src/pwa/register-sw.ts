/**
 * Registers the service worker with workbox-window (production builds
 * only: the dev server has no precache manifest). A new version waits
 * until the user reloads, so an open wall TV never swaps code mid-page.
 */
import { Workbox } from 'workbox-window';

/** Set by web-build/service-worker-plugin.ts: true in builds (a worker exists), false on the dev server. */
declare const __SERVICE_WORKER__: boolean;

/** Registers `sw.js`; `onUpdate(apply)` is called when a new version waits (apply = activate and reload). */
export function registerServiceWorker(onUpdate: (apply: () => void) => void): void {
  if (!('serviceWorker' in navigator) || !__SERVICE_WORKER__) return;
  const wb = new Workbox('./sw.js', { scope: './' });
  wb.addEventListener('waiting', () => {
    onUpdate(() => {
      wb.addEventListener('controlling', () => location.reload());
      wb.messageSkipWaiting();
    });
  });
  wb.register().catch(() => undefined);
}

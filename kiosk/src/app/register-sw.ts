/**
 * Registers the precaching service worker (kiosk/sw/sw.ts) with
 * workbox-window. When an update takes control, the page reloads itself,
 * but only while the kiosk is idle on its rating screen: never in the middle
 * of a citizen's rating.
 */
import { Workbox } from 'workbox-window';
import type { HailongKioskElement } from '../element/hailong-kiosk-element.tsx';

/** How long the kiosk must sit idle before an update reloads it. */
const IDLE_BEFORE_RELOAD_MS = 60_000;

/** Registers `./sw.js` (a classic worker) next to the page. No-op without service-worker support (http on a LAN). */
export function registerServiceWorker(element: HTMLElement): void {
  if (!('serviceWorker' in navigator)) return;
  const wb = new Workbox('./sw.js', { scope: './' });
  wb.addEventListener('controlling', (event) => {
    if (!event.isUpdate) return;
    const timer = setInterval(() => {
      const runtime = (element as HailongKioskElement).runtime;
      const s = runtime?.snapshot;
      const idle =
        s === undefined || (s.terminal.screen.kind === 'rate' && Date.now() - (s.terminal.lastUnflaggedAt ?? 0) > IDLE_BEFORE_RELOAD_MS);
      if (idle) {
        clearInterval(timer);
        location.reload();
      }
    }, 5000);
  });
  wb.register().catch((error: unknown) => console.warn('hailong-kiosk: service worker not registered', error));
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { build } from 'vite';
import { StaticServer } from '../bridge/static-server.ts';
import { publicationFor } from '../core/index.ts';
import { launchChromium } from '../test/helpers/chromium.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { percentile, printFigures, printTarget } from './report.ts';

/**
 * Tap → thank-you on the kiosk (issue #5: ≤ 100 ms), in headless Chromium
 * on the production build: from the click on a level button, through the
 * real tap handler and the IndexedDB commit of the vote (seq, row and
 * tally in one transaction), to the thank-you in the DOM and to the next
 * frame. The floor is a bare IndexedDB put of the same vote record in the
 * same page: what any durable tap must pay.
 */
const RUNS = 60;
const place = { district: 'bench', ward: 'p1', counter: 'quay-1', terminal: 'kiosk-bench' };

const root = await mkdtemp(join(tmpdir(), 'hailong-bench-kiosk-'));
console.log('building the kiosk…');
await build({
  configFile: join(import.meta.dirname, '..', 'vite.config.ts'),
  mode: 'kiosk',
  logLevel: 'silent',
  build: { outDir: join(root, 'kiosk') },
});
const server = new StaticServer({ root, port: 0, host: '127.0.0.1' });
const port = await server.start();
const broker = await startMosquitto();
// Cooldown 0, so that every tap is a counted vote that shows the thank-you.
const cfg = publicationFor('config', place, { v: 1, scale: 'scale-3', cooldownMs: 0, mode: 'open', windowMs: 30_000, reasons: [] });
const admin = await mqtt.connectAsync(broker.url);
await admin.publishAsync(cfg.topic, cfg.payload, { qos: 1, retain: true });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // tsx compiles this file with esbuild's keepNames, which wraps functions in `__name(…)`;
  // functions sent to page.evaluate need that helper in the page too.
  await page.addInitScript('globalThis.__name = (f) => f');
  const q = new URLSearchParams({ ...place, broker: broker.wsUrl, 'thanks-ms': '500' });
  await page.goto(`http://127.0.0.1:${port}/kiosk/?${q.toString()}`);
  await page.locator('[data-testid=status-dot][data-link=online]').waitFor({ timeout: 15_000 });
  console.log(`measuring ${RUNS} taps…`);
  const samples = await page.evaluate(async (runs) => {
    const root = document.querySelector('hailong-kiosk')!.shadowRoot!;
    // The frame that shows it: the task right after its rAF runs once that frame is handed to the compositor.
    const frame = () => new Promise<number>((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0)));
    const out: { dom: number; frame: number; mark: number }[] = [];
    for (let i = 0; i < runs + 5; i++) {
      while (root.querySelector('main[data-screen=rate]') === null) await new Promise((r) => setTimeout(r, 20));
      const button = root.querySelector<HTMLButtonElement>('button[data-level=rat-hai-long]')!;
      performance.clearMeasures('hailong:tap-to-thanks');
      const shown = new Promise<number>((resolve) => {
        const obs = new MutationObserver(() => {
          if (root.querySelector('.thanks') !== null) {
            obs.disconnect();
            resolve(performance.now());
          }
        });
        obs.observe(root, { subtree: true, childList: true });
      });
      const t0 = performance.now();
      button.click();
      const dom = (await shown) - t0;
      const painted = (await frame()) - t0;
      const mark = performance.getEntriesByName('hailong:tap-to-thanks')[0]?.duration ?? Number.NaN;
      if (i >= 5) out.push({ dom, frame: painted, mark }); // 5 warm-up taps
    }
    return out;
  }, RUNS);
  const floor = await page.evaluate(async (runs) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('hailong-bench-floor', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('votes', { keyPath: 'seq' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const times: number[] = [];
    for (let i = 1; i <= runs + 5; i++) {
      const vote = {
        v: 1,
        id: `kiosk-bench:${i}`,
        district: 'bench',
        ward: 'p1',
        counter: 'quay-1',
        terminal: 'kiosk-bench',
        seq: i,
        level: 'rat-hai-long',
        pressedAt: Date.now(),
        receivedAt: Date.now(),
        source: 'touch',
      };
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction('votes', 'readwrite');
        tx.objectStore('votes').put({ seq: i, state: 'ready', vote });
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      if (i > 5) times.push(performance.now() - t0);
    }
    return times;
  }, RUNS);
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const dom = sorted(samples.map((s) => s.dom));
  const painted = sorted(samples.map((s) => s.frame));
  const marks = sorted(samples.map((s) => s.mark).filter((x) => Number.isFinite(x)));
  const put = sorted(floor);
  printFigures(`kiosk tap → thank-you (${RUNS} taps, headless Chromium, IndexedDB commit included)`, [
    ['tap → thank-you in DOM, p50', percentile(dom, 50), 'ms'],
    ['tap → thank-you in DOM, p99', percentile(dom, 99), 'ms'],
    ['tap → thank-you painted (next frame), p50', percentile(painted, 50), 'ms'],
    ['tap → thank-you painted (next frame), p99', percentile(painted, 99), 'ms'],
    ['performance.measure hailong:tap-to-thanks, p50', percentile(marks, 50), 'ms'],
    ['floor: bare IndexedDB put of the vote, p50', percentile(put, 50), 'ms'],
    ['floor: bare IndexedDB put of the vote, p99', percentile(put, 99), 'ms'],
    ['overhead over the floor (p50)', percentile(dom, 50) - percentile(put, 50), 'ms'],
  ]);
  printTarget('tap → thank-you painted, p99', percentile(painted, 99), 100, 'lower', 'ms');
} finally {
  await browser.close();
  await admin.endAsync(true);
  await broker.dispose();
  await server.stop();
  await rm(root, { recursive: true, force: true });
}

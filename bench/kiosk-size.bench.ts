import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_BUDGETS, FIRST_PAINT_BUDGETS, firstPaintGzip, measureApp, totalGzip } from './bundle-size.ts';
import { printFigures, printTarget } from './report.ts';

/**
 * Kiosk JavaScript, gzipped, per file and per way of loading it (issue
 * #16: ≤ 45 KB before the first paint, ≤ 150 KB in all): what a host page
 * pays to embed `<hailong-kiosk>` before it paints, what the full-screen
 * app adds, MQTT.js (loaded after the first paint, the bulk of the total)
 * and the service worker.
 */
const out = await mkdtemp(join(tmpdir(), 'hailong-bench-kiosk-size-'));
console.log('building the kiosk…');
const chunks = await measureApp('kiosk', out);
await rm(out, { recursive: true, force: true });
const kb = (bytes: number) => bytes / 1024;
const of = (pred: (file: string) => boolean) => chunks.filter((c) => pred(c.file)).reduce((n, c) => n + c.gzipBytes, 0);
printFigures(
  'kiosk JavaScript files (gzip -9)',
  chunks.map((c) => [c.file, kb(c.gzipBytes), `KB gzip (${kb(c.bytes).toFixed(1)} KB raw)`] as const),
);
const sw = of((f) => f === 'sw.js');
const appEntry = of((f) => /^assets\/index-/.test(f));
const mqttJs = of((f) => /^assets\/mqtt[.-]/.test(f));
const embed = firstPaintGzip(chunks) - appEntry;
printFigures('kiosk JavaScript by use', [
  ['embed: hailong-kiosk.js and its static imports (before the first paint)', kb(embed), 'KB gzip'],
  ['app page adds (URL parameters, SW registration)', kb(appEntry), 'KB gzip'],
  ['MQTT.js, loaded after the first paint', kb(mqttJs), 'KB gzip'],
  ['service worker (precache)', kb(sw), 'KB gzip'],
]);
printTarget('kiosk JS before the first paint', kb(firstPaintGzip(chunks)), kb(FIRST_PAINT_BUDGETS.kiosk ?? 0), 'lower', 'KB gzip');
printTarget('kiosk total JS', kb(totalGzip(chunks)), kb(BUNDLE_BUDGETS.kiosk), 'lower', 'KB gzip');

import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUNDLE_BUDGETS, measureApp, totalGzip } from './bundle-size.ts';
import { printFigures, printTarget } from './report.ts';

/**
 * Kiosk JavaScript, gzipped, per file and per way of loading it (issue #5:
 * ≤ 120 KB in total): what a host page pays to embed `<hailong-kiosk>`,
 * what the full-screen app adds, and the service worker. The peer figure
 * is MQTT.js's own browser bundle, which alone would take most of the
 * budget (why the kiosk has its own small MQTT 3.1.1 client).
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
const embed = totalGzip(chunks) - sw - appEntry;
const mqttJs = gzipSync(await readFile(join(import.meta.dirname, '..', 'node_modules', 'mqtt', 'dist', 'mqtt.esm.js')), { level: 9 }).length;
printFigures('kiosk JavaScript by use', [
  ['embed: hailong-kiosk.js and its imports', kb(embed), 'KB gzip'],
  ['app page adds (URL parameters, SW registration)', kb(appEntry), 'KB gzip'],
  ['service worker (precache)', kb(sw), 'KB gzip'],
  ['peer: MQTT.js browser bundle alone (not used)', kb(mqttJs), 'KB gzip'],
]);
printTarget('kiosk total JS', kb(totalGzip(chunks)), kb(BUNDLE_BUDGETS.kiosk), 'lower', 'KB gzip');

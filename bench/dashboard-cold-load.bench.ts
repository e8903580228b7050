import { addDays, localParts, publicationFor } from '../core/index.ts';
import type { Publication } from '../core/index.ts';
import { generateHistory } from '../bridge/demo/history.ts';
import { DEMO_OFFICER_NAMES, demoWards, historyOffice } from '../bridge/demo/demo-wards.ts';
import { startRig } from '../test/dashboard/rig.ts';
import { percentile, printFigures, printTarget } from './report.ts';

/**
 * Cold load on loopback to the first live number (issue #4: ≤ 1.5 s): a
 * fresh browser profile (no service worker, no IndexedDB) opens the BUILT
 * dashboard served by the bridge's StaticServer; MQTT.js loads lazily,
 * connects over WebSocket to a real Mosquitto, receives the retained office,
 * statuses and a year of tallies, and renders a counter's live percentage.
 * Measured inside the page: navigation start → the app's
 * `hailong:first-live-figure` mark (set once that figure is in the DOM).
 * The peer, side by side: the same page's first contentful paint (the
 * shell) and a bare WebSocket that only subscribes and waits for the first
 * retained message — the floor for any live number.
 */
const RUNS = 7;
const rig = await startRig();
try {
  const now = Date.now();
  const today = localParts(now).date;
  const wards = demoWards({ wards: 1, counters: 6, terminals: 1, officers: 2 });
  const ward = wards[0]!;
  const tallies = generateHistory({ district: 'ba-dinh', wards, from: addDays(today, -364), to: today, seed: 3, until: now });
  const pubs: Publication[] = [
    publicationFor('office', { district: 'ba-dinh', ward: ward.id }, historyOffice(ward, { district: 'ba-dinh', updatedAt: now })),
  ];
  ward.counters.forEach((c, i) => {
    pubs.push(
      publicationFor(
        'status',
        { district: 'ba-dinh', ward: ward.id, counter: c.id, terminal: c.terminals[0]! },
        { v: 1, state: 'online', at: now },
      ),
    );
    pubs.push(
      publicationFor(
        'session',
        { district: 'ba-dinh', ward: ward.id, counter: c.id },
        { v: 1, officer: c.officers![0]!, name: DEMO_OFFICER_NAMES[i]!, at: now },
      ),
    );
  });
  for (const t of tallies) pubs.push(publicationFor('tally', t, t));
  await rig.publish(pubs);
  console.log(`ward ${ward.id}: ${tallies.length} retained tallies (6 counters × 13 months), ${pubs.length} retained messages`);
  const live: number[] = [];
  const fcp: number[] = [];
  const floor: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await rig.browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await page.goto(rig.url(`&district=ba-dinh&ward=${ward.id}`));
    const marks = await page.waitForFunction(
      () => {
        const m = performance.getEntriesByName('hailong:first-live-figure')[0];
        const p = performance.getEntriesByName('first-contentful-paint')[0];
        return m && p && document.querySelector('[data-testid=live-percent]') ? [m.startTime, p.startTime] : null;
      },
      undefined,
      { timeout: 15_000 },
    );
    const [mark, paint] = (await marks.jsonValue()) as [number, number];
    live.push(mark);
    fcp.push(paint);
    // Peer: a bare WebSocket MQTT subscribe from an already loaded page, to the first retained message.
    floor.push(
      await page.evaluate(async (ws) => {
        const id = [...'floor'].map((c) => c.charCodeAt(0));
        const topic = [...'hailong/v1/#'].map((c) => c.charCodeAt(0));
        const t0 = performance.now();
        return new Promise<number>((resolve) => {
          const s = new WebSocket(ws, 'mqtt');
          s.binaryType = 'arraybuffer';
          s.onopen = () => {
            s.send(new Uint8Array([0x10, 12 + id.length, 0, 4, 77, 81, 84, 84, 4, 2, 0, 60, 0, id.length, ...id]));
            s.send(new Uint8Array([0x82, 5 + topic.length, 0, 1, 0, topic.length, ...topic, 0]));
          };
          // Frames carry a byte stream: walk its packets (type nibble, varint length) to the first PUBLISH.
          let buffer = new Uint8Array(0);
          s.onmessage = (e) => {
            const chunk = new Uint8Array(e.data as ArrayBuffer);
            const joined = new Uint8Array(buffer.length + chunk.length);
            joined.set(buffer);
            joined.set(chunk, buffer.length);
            buffer = joined;
            let at = 0;
            while (at < buffer.length) {
              let length = 0;
              let shift = 0;
              let i = at + 1;
              for (; i < buffer.length; i++) {
                length += (buffer[i]! & 127) << shift;
                shift += 7;
                if (buffer[i]! < 128) break;
              }
              if (i >= buffer.length || i + 1 + length > buffer.length) break;
              if (buffer[at]! >> 4 === 3) {
                resolve(performance.now() - t0);
                s.close();
                return;
              }
              at = i + 1 + length;
            }
            buffer = buffer.slice(at);
          };
        });
      }, rig.wsUrl),
    );
    await context.close();
    process.stdout.write(`run ${run + 1}/${RUNS}: ${live.at(-1)!.toFixed(0)} ms\n`);
  }
  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
  printFigures(`dashboard cold load (fresh profile, loopback, ${RUNS} runs)`, [
    ['navigation → shell painted (FCP), median', percentile(sorted(fcp), 50), 'ms'],
    ['navigation → first live number, median', percentile(sorted(live), 50), 'ms'],
    ['  worst', percentile(sorted(live), 100), 'ms'],
    ['peer: bare WebSocket subscribe → first retained message', percentile(sorted(floor), 50), 'ms'],
  ]);
  printTarget('cold load to first live number (issue #4)', percentile(sorted(live), 50), 1500, 'lower', 'ms');
} finally {
  await rig.close();
}

/**
 * Replay of a backlog: 1,000,000 stored votes that the broker never
 * acknowledged (a long outage) are published at QoS 1 by a freshly started
 * bridge (compiled, in its own process, embedded Aedes) and marked done only
 * on PUBACK. Target ≥ 20,000 votes/s, RSS ≤ 120 MB. The peer run side by
 * side: the same bridge's journal append rate while filling the backlog.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Journal } from '../bridge/journal/journal.ts';
import type { VoteInput } from '../bridge/journal/vote-input.ts';
import { tempDir } from '../test/bridge/bridge-rig.ts';
import { buildBridge, runLoadChild } from './bridge-build.ts';
import { printFigures, printTarget } from './report.ts';

const BACKLOG = Number(process.env.HAILONG_BENCH_BACKLOG ?? 1_000_000);
const TERMINALS = 64;
const CHUNK = 5000;

buildBridge();
const tmp = tempDir('hailong-bench-replay-');
const journal = new Journal({ path: join(tmp.dir, 'journal.db') });
journal.open();
const T0 = Date.UTC(2026, 10, 2, 1, 0);
console.log(`filling a backlog of ${BACKLOG.toLocaleString('en-US')} votes…`);
const fillStart = performance.now();
let lastReport = fillStart;
for (let done = 0; done < BACKLOG; done += CHUNK) {
  const chunk: Promise<unknown>[] = [];
  for (let k = done; k < Math.min(BACKLOG, done + CHUNK); k++) {
    const t = k % TERMINALS;
    const seq = Math.floor(k / TERMINALS) + 1;
    const input: VoteInput = {
      uid: `SIM-${String(t + 1).padStart(2, '0')}`,
      deviceSeq: seq,
      path: { district: 'ba-dinh', ward: 'phuc-xa', counter: `quay-${t + 1}`, terminal: `hop-${t + 1}` },
      level: seq % 20 === 0 ? 'khong-hai-long' : seq % 3 === 0 ? 'hai-long' : 'rat-hai-long',
      pressedAt: T0 + k * 1000,
      receivedAt: T0 + k * 1000 + 40,
      source: 'button',
    };
    chunk.push(journal.append(input));
  }
  await Promise.all(chunk);
  if (performance.now() - lastReport > 5000) {
    lastReport = performance.now();
    console.log(`  ${(done + CHUNK).toLocaleString('en-US')} stored (${Math.round(((done + CHUNK) / BACKLOG) * 100)}%)`);
  }
}
const fillMs = performance.now() - fillStart;
journal.close();
console.log(`replaying through a fresh bridge…`);
const r = runLoadChild(['replay', tmp.dir, String(TERMINALS)]);
tmp.remove();
printFigures(`bridge replay: ${BACKLOG.toLocaleString('en-US')}-vote backlog, QoS 1, marked on PUBACK, embedded Aedes`, [
  ['backlog found at start', r.backlog as number, 'votes'],
  ['replay (publish + PUBACK + mark done)', r.votesPerSecond as number, 'votes/s'],
  ['replay duration', (r.ms as number) / 1000, 's'],
  ['peer: journal append while filling (group commit)', (BACKLOG / fillMs) * 1000, 'votes/s'],
  ['peak RSS of the replaying bridge', r.peakRssMb as number, 'MB'],
]);
printTarget('replay rate', r.votesPerSecond as number, 20_000, 'higher', 'votes/s');
printTarget('peak RSS', r.peakRssMb as number, 120, 'lower', 'MB');

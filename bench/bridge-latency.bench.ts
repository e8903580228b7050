/**
 * End-to-end latency of the bridge: from the last byte of a VOTE written to
 * a real pty (socat) until an MQTT subscriber has the vote, with the journal
 * durable (SQLite WAL, synchronous=FULL) and the embedded Aedes broker.
 * Measured in the same run, the floors it cannot go below: the frame's
 * wire time at 115200 baud (a pty has none, a real line does), one pass
 * through a socat pty pair, one durable SQLite commit (fsync) on the same
 * file system, and a plain QoS 1 publish→subscribe round trip on the same
 * broker. Target (issue 14): the bridge adds ≤ 1 ms at p99 over the sum of
 * the pty, fsync and broker floors. The machine's load is printed with it.
 *
 * The bridge (and its broker) run here; the box, the subscriber and every
 * floor run in a child process (latency-probe-child.ts), each sample after
 * the same idle gap, and a sample starts just before the write, not in a
 * threadpool drain callback: see that file for what each of these skewed.
 *
 * The statistic (issue 14): 1,500 rounds, each one vote and one sample of
 * each floor in a rotating order, so votes and floors meet the same load,
 * WAL checkpoints and broker state (the floors used to be sampled after
 * the votes, 400 each: the p99 was the 4th-worst sample and the verdict
 * swung −0.6 … 2.4 ms between runs at load 0.1). The verdict is the whole
 * run's vote p99 minus the sum of the floors' p99s, as the issue words it;
 * printed beside it: the same figure for 5 blocks of 300 rounds (its
 * spread), and the vote p99 minus the p99 of each round's floor path (its
 * pty, fsync and broker samples added: the stricter reading, since the p99
 * of a sum is at most the sum of the p99s).
 *
 * Figures (6 Dec 2026, the machine shared with other engineers' tests, so
 * not a quiet machine's): five runs at load 4.0–7.5: the bridge adds
 * 0.51–0.63 ms at p50 (1.44 at load 7.5) over the summed floors, p99
 * verdicts 13.9, −4.2, −2.6, 9.4, −5.5 ms with vote p99s of 8.5–77.5 ms;
 * the last five at load 3.3–7.9: p50 0.29–0.89 ms, p99 verdicts −55.0,
 * −5.0, −5.3, −4.3, 2.9 ms (PASS 4 of 5) with vote p99s of 8.5–72.7 ms.
 * At that load the p99 measures the machine, not the bridge. The vote now
 * goes straight into the embedded Aedes in the bridge's process
 * (localOutboxLink), without the loopback MQTT hop the broker floor has.
 * On a quiet machine (nothing else running, load 2.6 → 0.3), five runs in a
 * row: the bridge adds 0.21–0.23 ms at p50; p99 verdicts 0.63, −0.05, 0.53,
 * −0.43, −0.95 ms (PASS 5 of 5); over each round's own floor path, p99
 * 0.85, −0.13, 0.80, −0.24, −0.50 ms.
 */
import { loadavg } from 'node:os';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { createPtyPair } from '../test/helpers/pty.ts';
import { box, rigConfig, startApp, tempDir } from '../test/bridge/bridge-rig.ts';
import type { LatencyProbeInput, LatencyProbeResult } from './latency-probe-child.ts';
import { formatNumber, percentile, printFigures, printTarget } from './report.ts';

/** Rounds: each takes one vote and one sample of each floor (latency-probe-child.ts). 1,500 put a p99 on the 15th-worst sample, not the 4th. */
const SAMPLES = 1500;
/** The run is cut into this many blocks to print the spread of its figures. */
const BLOCKS = 5;
/** Idle time before every sample, the votes' and the floors' alike (a lone vote on an idle terminal). */
const GAP_MS = 5;
const BAUD = 115_200;

const loadBefore = loadavg()[0] as number;
const tmp = tempDir('hailong-bench-latency-');
const pair = await createPtyPair('latency');
// The floor publisher gets a bridge account of its own (the ACL lets it write the ward's subtree).
const FLOOR_TOPIC = 'hailong/v1/ba-dinh/phuc-xa/_bench/floor';
const floorUser = { username: 'bench-floor', password: 'bench-floor', role: 'bridge', district: 'ba-dinh', ward: 'phuc-xa' } as const;
const { app, url } = await startApp(rigConfig({ boxes: 1, ports: [pair.host], dataDir: tmp.dir, cooldownMs: 0 }), {
  extraBrokerUsers: [floorUser],
});
// The box, the subscriber and the floors run in a child process: an event
// loop of their own, as a real box and dashboard are other machines (latency-probe-child.ts).
const input: LatencyProbeInput = {
  url,
  device: pair.device,
  uid: box(0).uid,
  floorTopic: FLOOR_TOPIC,
  floorUser,
  dir: tmp.dir,
  samples: SAMPLES,
  baud: BAUD,
  gapMs: GAP_MS,
};
const child = fork(join(import.meta.dirname, 'latency-probe-child.ts'), [JSON.stringify(input)], {
  execArgv: ['--import', 'tsx'],
  stdio: 'inherit',
});
const result = await new Promise<LatencyProbeResult>((ok, fail) => {
  child.once('message', (m) => ok(m as LatencyProbeResult));
  child.once('error', fail);
  child.once('exit', (code) => fail(new Error(`latency probe child exited (${code}) before its figures`)));
});
const { e2e, acks, broker: floor, pty: ptyPass, fsync: commits, frameBytes } = result;
const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const wireMs = (frameBytes * 10 * 1000) / BAUD;

/** The figures of rounds [from, to): each kind's p50 and p99, and what the bridge adds over the summed floors. */
function figures(from: number, to: number) {
  const [e, a, f, pp, c] = [e2e, acks, floor, ptyPass, commits].map((xs) => sorted(xs.slice(from, to))) as number[][] as [
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  const p = (xs: number[], q: number) => percentile(xs, q);
  const floors99 = p(f, 99) + p(pp, 99) + p(c, 99);
  const floors50 = p(f, 50) + p(pp, 50) + p(c, 50);
  // The floor path of each round: its pty pass + fsync + broker round trip, the stages a vote goes through.
  const path = sorted(
    Array.from(
      { length: to - from },
      (_, i) => (floor[from + i] as number) + (ptyPass[from + i] as number) + (commits[from + i] as number),
    ),
  );
  return {
    e,
    a,
    f,
    pp,
    c,
    floors99,
    floors50,
    path99: p(path, 99),
    adds99: p(e, 99) - floors99,
    adds50: p(e, 50) - floors50,
    addsPath99: p(e, 99) - p(path, 99),
  };
}
const all = figures(0, e2e.length);
// The run cut into BLOCKS consecutive blocks of rounds, each with its own
// verdict figure: their spread says how steady the whole run's figure is.
const size = Math.floor(e2e.length / BLOCKS);
const blocks = Array.from({ length: BLOCKS }, (_, b) => figures(b * size, (b + 1) * size));
const spread = (pick: (x: ReturnType<typeof figures>) => number) => {
  const xs = blocks.map(pick);
  return `${formatNumber(Math.min(...xs))} … ${formatNumber(Math.max(...xs))}`;
};
const { e, a, f, pp, c } = all;
printFigures(`bridge latency: ${e2e.length} votes, one pty, journal durable, embedded Aedes; floors interleaved, same run`, [
  ['VOTE written → subscriber has it, p50', percentile(e, 50), 'ms'],
  ['VOTE written → subscriber has it, p99', percentile(e, 99), 'ms'],
  ['VOTE written → durable ACK back, p50', percentile(a, 50), 'ms'],
  ['VOTE written → durable ACK back, p99', percentile(a, 99), 'ms'],
  ['floor: publish → subscribe (QoS 1), p50', percentile(f, 50), 'ms'],
  ['floor: publish → subscribe (QoS 1), p99', percentile(f, 99), 'ms'],
  [`floor: wire time of a ${frameBytes}-byte frame at ${BAUD} baud`, wireMs, 'ms'],
  ['floor: one pass through a socat pty pair, p50', percentile(pp, 50), 'ms'],
  ['floor: one pass through a socat pty pair, p99', percentile(pp, 99), 'ms'],
  ['floor: one durable SQLite commit (fsync), p50', percentile(c, 50), 'ms'],
  ['floor: one durable SQLite commit (fsync), p99', percentile(c, 99), 'ms'],
  ['bridge adds over broker + pty + fsync floors, p50', all.adds50, 'ms'],
  ['bridge adds over broker + pty + fsync floors, p99', all.adds99, 'ms'],
]);
printFigures(`spread over ${BLOCKS} blocks of ${size} rounds (min … max of the blocks' figures)`, [
  ['VOTE written → subscriber has it, p99', spread((x) => percentile(x.e, 99)), 'ms'],
  ['sum of the broker, pty and fsync floors, p99', spread((x) => x.floors99), 'ms'],
  ['bridge adds over the summed floors, p50', spread((x) => x.adds50), 'ms'],
  ['bridge adds over the summed floors, p99', spread((x) => x.adds99), 'ms'],
  ["bridge adds over the rounds' floor path, p99", spread((x) => x.addsPath99), 'ms'],
]);
// Durability has a physical price, one fsync, and a pty pass and the broker
// cost what they cost whoever uses them: the verdict charges the bridge only
// for what it adds beyond the three, measured in this same run, interleaved
// with the votes.
printFigures('floors summed, and the machine', [
  ['sum of the broker, pty and fsync floors, p99', all.floors99, 'ms'],
  ["p99 of each round's floor path (its pty + fsync + broker samples added)", all.path99, 'ms'],
  ['bridge adds over that floor path, p99', all.addsPath99, 'ms'],
  ['load average (1 min) before / after', `${loadBefore.toFixed(2)} / ${(loadavg()[0] as number).toFixed(2)}`, ''],
]);
printTarget('bridge adds at p99 over broker + pty + fsync floors', all.adds99, 1, 'lower', 'ms');

await app.stop();
await pair.dispose();
tmp.remove();

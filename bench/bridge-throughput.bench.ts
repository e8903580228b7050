/**
 * Sustained durable throughput of one bridge: 64 virtual boxes on
 * in-process serial lines, every vote committed (WAL, synchronous=FULL)
 * before its ACK, published at QoS 1 to the embedded Aedes broker. Runs the
 * compiled bridge in a child process, so the peak RSS printed is the
 * bridge's (with its broker and the 64 virtual boxes), not the bench's.
 * Compared with the physical floor of 64 real 115200-baud lines
 * (stop-and-wait: one VOTE and its ACK per vote on each line), with the
 * durability floor (stop-and-wait lets each box have one vote in flight, so
 * at most 64 votes share one fsync: 64 / commit time), and the targets:
 * ≥ 5,000 votes/s, RSS ≤ 120 MB.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { encode } from '../firmware-protocol/src/encode.ts';
import { tempDir } from '../test/bridge/bridge-rig.ts';
import { buildBridge, runLoadChild } from './bridge-build.ts';
import { printFigures, printTarget } from './report.ts';

const TERMINALS = 64;
const VOTES = 40_000;
const BAUD = 115_200;

buildBridge();
const tmp = tempDir('hailong-bench-throughput-');
console.log(`${TERMINALS} boxes press ${VOTES.toLocaleString('en-US')} votes as fast as stop-and-wait allows…`);
const r = runLoadChild(['throughput', tmp.dir, String(TERMINALS), String(VOTES)]);
// The durability floor, measured on the same file system right after.
const db = new Database(join(tmp.dir, 'fsync-floor.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE t (payload TEXT)');
const insert = db.prepare('INSERT INTO t VALUES (?)');
const commitMs: number[] = [];
for (let i = 0; i < 300; i++) {
  const t0 = performance.now();
  db.transaction(() => {
    for (let k = 0; k < TERMINALS; k++) insert.run('x'.repeat(400));
  })();
  commitMs.push(performance.now() - t0);
}
db.close();
commitMs.sort((a, b) => a - b);
const commitP50 = commitMs[150] as number;
tmp.remove();
const voteBytes = encode({ type: 'VOTE', seq: 12_345, button: 1, reason: 0, ageMs: 45, flags: '' }).length;
const ackBytes = encode({ type: 'ACK', seq: 12_345, status: 'OK' }).length;
const perLine = BAUD / 10 / (voteBytes + ackBytes);
const votesPerSecond = r.votesPerSecond as number;
const rss = r.peakRssMb as number;
printFigures(`bridge throughput: ${TERMINALS} boxes, ${VOTES.toLocaleString('en-US')} votes, durable journal, embedded Aedes`, [
  ['complete', r.complete === true ? 'yes' : 'NO', ''],
  ['durable ACKs per second (sustained)', votesPerSecond, 'votes/s'],
  ['burst duration', (r.durationMs as number) / 1000, 's'],
  ['publish backlog at the last ACK drained in', r.drainMs as number, 'ms'],
  ['votes per journal commit (group commit)', VOTES / (r.commits as number), ''],
  [`floor: ${TERMINALS} real lines at ${BAUD} baud, stop-and-wait`, perLine * TERMINALS, 'votes/s'],
  [`floor: one durable commit of ${TERMINALS} rows (fsync), p50`, commitP50, 'ms'],
  [`floor: ${TERMINALS} votes per fsync, nothing else`, (TERMINALS / commitP50) * 1000, 'votes/s'],
  ['peak RSS (bridge + broker + 64 virtual boxes)', rss, 'MB'],
]);
printTarget('sustained durable throughput', votesPerSecond, 5000, 'higher', 'votes/s');
printTarget('peak RSS', rss, 120, 'lower', 'MB');

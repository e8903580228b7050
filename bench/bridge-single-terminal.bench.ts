/**
 * Durable throughput of the bridge with ONE box on a real socat pty (issue
 * 14): the compiled bridge alone in a child process, a real Mosquitto, every
 * vote committed before its ACK, published at QoS 1 and received. With a
 * send window of 16 (PROTOCOL.md §7.7) a box's votes share commits; a 1.0
 * box (stop-and-wait) pays one commit and one round trip per vote, printed
 * beside it. Target: W = 16 ≥ 5,000 votes/s, RSS ≤ 100 MB. Last run
 * (6 Dec 2026, load 4.1, the machine shared): 6,894 votes/s, peak RSS
 * 82.9 MB (PASS both).
 */
import { fsyncFloorMs } from './fsync-floor.ts';
import { runPtyLoads, type PtyLoadResult } from './bridge-pty-load.ts';
import { printFigures, printTarget } from './report.ts';

const runs = await runPtyLoads(1, [
  [16, 12_000],
  [1, 2000],
]);
const fsync = fsyncFloorMs();
for (const r of runs) {
  printFigures(
    `bridge throughput: 1 box on a socat pty, send window ${r.window}, ${r.votes.toLocaleString('en-US')} votes, durable, Mosquitto`,
    [
      ['complete (every vote ACKed and received by the subscriber)', r.delivered === r.votes ? 'yes' : `NO (${r.delivered})`, ''],
      ['durable ACKs per second', r.votesPerSecond, 'votes/s'],
      ['bridge CPU per vote (user + system)', r.cpuMsPerVote, 'ms'],
      ['votes per fsync (journal commits)', r.votesPerCommit, ''],
      ['ACK frames per vote', r.ackFramesPerVote, ''],
      ['peak RSS of the bridge process', r.peakRssMb, 'MB'],
      ['load average (1 min) before / after', `${r.loadBefore.toFixed(2)} / ${r.loadAfter.toFixed(2)}`, ''],
    ],
  );
}
printFigures('floors, same file system', [
  ['one durable SQLite commit (fsync), p50', fsync.p50, 'ms'],
  ['16 votes per fsync, nothing else', (16 / fsync.p50) * 1000, 'votes/s'],
  ['1 vote per fsync (stop-and-wait), nothing else', (1 / fsync.p50) * 1000, 'votes/s'],
]);
const [w16] = runs as [PtyLoadResult, PtyLoadResult];
printTarget('1 terminal, W = 16: durable throughput', w16.votesPerSecond, 5000, 'higher', 'votes/s');
printTarget('1 terminal: peak RSS', Math.max(...runs.map((r) => r.peakRssMb)), 100, 'lower', 'MB');

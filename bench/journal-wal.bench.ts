/**
 * WAL written per vote by the journal's group commit (`Journal.commitBatch`,
 * WAL, synchronous=FULL), by batch size: a 1.0 box alone commits one vote at
 * a time; 8 boxes with a send window of 16 commit ~45 per fsync (bench
 * bridge-throughput). Each commit writes a leaf page per index per terminal
 * it touches, so the bytes per vote fall with the batch (issue 14 measured
 * ≈ 22 KB for a one-vote commit). Votes of 8 terminals, round robin; the WAL
 * is measured before any checkpoint (its file only grows until one).
 */
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Journal } from '../bridge/journal/journal.ts';
import type { BatchEntry } from '../bridge/journal/vote-input.ts';
import { tempDir } from '../test/bridge/bridge-rig.ts';
import { printFigures } from './report.ts';

const TERMINALS = 8;
const rows: [string, number, string][] = [];
for (const batch of [1, 8, 45, 128]) {
  const tmp = tempDir('hailong-bench-wal-');
  const journal = new Journal({ path: join(tmp.dir, 'journal.db') });
  journal.open();
  const wal = join(tmp.dir, 'journal.db-wal');
  const wal0 = statSync(wal).size;
  // Few enough votes that the WAL stays below the 4,000-page autocheckpoint.
  const votes = Math.min(2048, batch * 200);
  const seqs = new Array<number>(TERMINALS).fill(0);
  let made = 0;
  const t0 = performance.now();
  while (made < votes) {
    const entries: BatchEntry[] = [];
    for (let k = 0; k < batch && made < votes; k++, made++) {
      const t = made % TERMINALS;
      seqs[t] = (seqs[t] as number) + 1;
      const now = Date.now();
      const path = { district: 'ba-dinh', ward: 'phuc-xa', counter: `quay-${t + 1}`, terminal: `hop-${t + 1}` };
      entries.push({
        kind: 'vote',
        input: {
          uid: `SIM-${t + 1}`,
          deviceSeq: seqs[t] as number,
          path,
          level: 'hai-long',
          pressedAt: now,
          receivedAt: now,
          source: 'button',
        },
      });
    }
    journal.commitBatch(entries);
  }
  const ms = performance.now() - t0;
  const bytes = statSync(wal).size - wal0;
  rows.push([`batch of ${batch}: WAL per vote`, bytes / votes / 1024, 'KB']);
  rows.push([`batch of ${batch}: WAL per commit`, bytes / Math.ceil(votes / batch) / 1024, 'KB']);
  rows.push([`batch of ${batch}: wall time per vote (fsync included)`, (ms * 1000) / votes, 'µs']);
  journal.close();
  tmp.remove();
}
rows.push(['load average (1 min)', loadavg()[0] as number, '']);
printFigures(`journal WAL per vote by batch size (${TERMINALS} terminals, WAL, synchronous=FULL)`, rows);

/** The durability floor the bridge benches print: one fsync'd SQLite commit of a vote-sized row on the same file system. */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { tempDir } from '../test/bridge/bridge-rig.ts';
import { percentile } from './report.ts';

/** Commits `samples` one-row transactions (WAL, synchronous=FULL) in a temp folder; their p50 and p99 in ms. */
export function fsyncFloorMs(samples = 300): { p50: number; p99: number } {
  const tmp = tempDir('hailong-bench-fsync-');
  const db = new Database(join(tmp.dir, 'fsync-floor.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (payload TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const ms: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      insert.run('x'.repeat(400));
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
  } finally {
    db.close();
    tmp.remove();
  }
}

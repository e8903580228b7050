/** A journal in a temporary folder and votes stored in it: the rig of the upstream features' unit tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../../bridge/journal/journal.ts';
import type { VoteInput } from '../../../bridge/journal/vote-input.ts';

/** The instant the stored votes were pressed from (one per millisecond after it). */
export const T0 = Date.UTC(2026, 10, 23, 2, 0);

/** An open journal in a new temporary folder; the close and removal go onto `cleanups`. */
export function tempJournal(cleanups: (() => void)[], prefix = 'hailong-upstream-'): Journal {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const j = new Journal({ path: join(dir, 'journal.db') });
  j.open();
  cleanups.push(() => {
    j.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return j;
}

/** Stores `n` more votes of `terminal` (quay-1, phuc-xa of ba-dinh), device seqs following the journal's high-water mark. */
export async function storeVotes(j: Journal, n: number, terminal = 'hop-1', source: VoteInput['source'] = 'button'): Promise<void> {
  const from = j.highWaterMark(`UID-${terminal}`);
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      j.append({
        uid: `UID-${terminal}`,
        deviceSeq: from + i + 1,
        path: { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal },
        level: 'hai-long',
        pressedAt: T0 + i,
        receivedAt: T0 + i,
        source,
      }),
    ),
  );
}

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyVotes, emptyTally } from '../../../core/tally.ts';
import { localMidnight, localParts } from '../../../core/time.ts';
import type { Vote } from '../../../core/vote.ts';
import { SCHEMA_SQL } from '../../../bridge/journal/journal-schema.ts';
import { TallyBook } from '../../../bridge/journal/tally-book.ts';
import { RevocationLog } from '../../../bridge/journal/revocation-log.ts';

const PATH = { district: 'd', ward: 'w', counter: 'c', terminal: 't' };
const vote = (seq: number, pressedAt: number): Vote => ({
  v: 1,
  id: `t:${seq}`,
  ...PATH,
  seq,
  level: 'hai-long',
  pressedAt,
  receivedAt: pressedAt,
  source: 'button',
});

describe('TallyBook', () => {
  it('keeps old months correct after dropping them from memory, and keeps folding into them', () => {
    const db = new Database(':memory:');
    db.exec(SCHEMA_SQL);
    const book = new TallyBook(db, ['rat-hai-long', 'hai-long', 'khong-hai-long'], new RevocationLog(db));
    const old = localMidnight('2025-01-15') + 9 * 3_600_000;
    const now = Date.now();
    const month = localParts(now).monthKey;
    book.fold(vote(1, old), 1);
    book.fold(vote(2, now), 2);
    book.persist(); // the January builder is saved, then dropped from memory
    expect(book.tallyOf(PATH, '2025-01')).toEqual(applyVotes(emptyTally(PATH, '2025-01'), [vote(1, old)]));
    // A late vote for January (a box back from a long outage) lands on the saved tally.
    book.fold(vote(3, old + 60_000), 3);
    book.persist();
    expect(book.tallyOf(PATH, '2025-01')).toEqual(applyVotes(emptyTally(PATH, '2025-01'), [vote(1, old), vote(3, old + 60_000)]));
    expect(
      book
        .all()
        .map((t) => t.month)
        .sort(),
    ).toEqual(['2025-01', month]);
  });
});

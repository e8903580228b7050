/**
 * Folding revocations into the tallies: the terminal-months touched by
 * revocations stored since a given id (by this process or by another,
 * `hailong revoke`) are folded again, announced, persisted, and the id is
 * kept in `meta` so the next open does not fold them again. Separate from
 * journal.ts because it is the one path where a stored revocation, not a
 * stored vote, changes tallies.
 */
import type Database from 'better-sqlite3';
import type { TerminalPath } from '../../core/path.ts';
import { writeMeta } from './journal-database.ts';
import type { RevocationLog, TerminalMonth } from './revocation-log.ts';
import type { TallyBook } from './tally-book.ts';

/** What `foldRevocations` did: the changed terminal-months and the highest revocation id seen. */
export interface FoldedRevocations {
  readonly touched: TerminalMonth[];
  readonly last: number;
}

/** Folds again the tallies of revocations with id > `after`; cheap when there is none. */
export function foldRevocations(
  db: Database.Database,
  log: RevocationLog,
  book: TallyBook,
  after: number,
  announce: (path: TerminalPath, month: string) => void,
): FoldedRevocations {
  const last = log.lastId();
  if (last <= after) return { touched: [], last };
  const touched = log.touched(after, last);
  for (const tm of touched) book.rebuild(tm, tm.month);
  // Like a stored vote, a revocation changes tallies: retained state republishes them.
  for (const tm of touched) announce({ district: tm.district, ward: tm.ward, counter: tm.counter, terminal: tm.terminal }, tm.month);
  book.persist();
  writeMeta(db, 'revocations_folded', String(last));
  return { touched, last };
}

/**
 * The journal's side of tally persistence: writing the tally book on its
 * timer without letting a failing disk go unseen, and naming the
 * terminal-months a commit changed. Separate from journal.ts because
 * neither is on the durable path of a vote (tallies are folded again from
 * the votes at the next open; tally-book.ts).
 */
import type { TerminalPath } from '../../core/path.ts';
import { localHourKeys } from '../../core/time.ts';
import type { Logger } from '../logger.ts';
import type { TallyBook } from './tally-book.ts';
import type { JournalStats } from './vote-input.ts';
import type { Committed } from './vote-rows.ts';

/** Log the first tally-persist failure in full, then every this many (a failing disk must not flood the log). */
const LOG_EVERY_FAILURES = 100;

/** Writes the changed tallies; a failure counts in `counters.tallyPersistFailed` and is logged, never thrown. */
export function persistTallies(book: TallyBook | undefined, counters: JournalStats, log: Logger, journal: string): void {
  try {
    book?.persist();
  } catch (error) {
    // Tallies are folded again from the votes at the next open, so nothing
    // is lost; but a journal that cannot write is about to refuse votes
    // too, so it must be seen: an error line and a counter in the bridge status.
    const n = ++counters.tallyPersistFailed;
    if (n === 1 || n % LOG_EVERY_FAILURES === 0) {
      log.error(
        { err: error, count: n, journal },
        'monthly tallies not written to the journal (they are folded again from the stored votes at the next start)',
      );
    }
  }
}

/** The terminal-months a commit touched, each once, in first-seen order. */
export function touchedMonths(committed: readonly Committed[]): { path: TerminalPath; month: string }[] {
  const touched = new Map<string, { path: TerminalPath; month: string }>();
  for (const { vote } of committed) {
    const month = localHourKeys(vote.pressedAt).monthKey;
    touched.set(`${vote.terminal}/${month}`, { path: vote, month });
  }
  return [...touched.values()];
}

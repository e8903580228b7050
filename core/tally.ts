/**
 * Per-terminal, per-month vote counters, retained on
 * `…/{terminal}/tally/{YYYY-MM}`. A tally is a pure function of the votes
 * folded into it, in seq order, and carries the highest seq it has seen:
 * replaying a vote is a no-op, and of two copies the later one (updatedAt,
 * then seq) is simply newer. That makes tallies convergent — any subscriber can
 * merge copies from bridges, caches and backups in any order and get the
 * same answer — without vector clocks or a database.
 *
 * This module is the entry point: it makes empty tallies and re-exports the
 * shape (tally-shape.ts), folding (tally-fold.ts), merging (tally-merge.ts)
 * and parsing (tally-parse.ts), so callers import one path.
 */
import { requireTerminalPath } from './path.ts';
import type { TerminalPath } from './path.ts';
import { DEFAULT_SCALE, isLevelKey, scaleKeys } from './scale.ts';
import type { LevelKey } from './scale.ts';
import type { Tally } from './tally-shape.ts';
import { isMonthKey } from './time.ts';

export { MAX_OFFICERS_PER_DAY, MAX_REASONS_PER_DAY, TALLY_MAX_CHARS, ownEntry, type Tally, type TallyDay } from './tally-shape.ts';
export { addReasons, applyVote, applyVotes } from './tally-fold.ts';
export { canonicalJson, compareTallies, latestTallies, mergeTally, tallyKey } from './tally-merge.ts';
export { parseTally } from './tally-parse.ts';

/** An empty tally; `levels` defaults to the default scale's keys. Throws on bad arguments. */
export function emptyTally(path: TerminalPath, month: string, levels: readonly LevelKey[] = scaleKeys(DEFAULT_SCALE)): Tally {
  const p = requireTerminalPath(path, 'path');
  if (!isMonthKey(month)) throw new RangeError(`month must be YYYY-MM, got ${String(month)}`);
  if (levels.length === 0 || !levels.every(isLevelKey) || new Set(levels).size !== levels.length) {
    throw new RangeError(`levels must be distinct level keys, got ${JSON.stringify(levels)}`);
  }
  return { v: 1, ...p, month, seq: 0, updatedAt: 0, levels: [...levels], days: {} };
}

/**
 * The options of `Journal` and their resolution. Separate from journal.ts
 * so the class file holds only the commit path; the defaults and the one
 * check (`seqBase`) live in one place, resolved once at construction.
 */
import { createLogger, type Logger } from '../logger.ts';
import type { LevelKey } from '../../core/scale.ts';

/** Options of `Journal`. */
export interface JournalOptions {
  /** SQLite file; created with its folder when missing. */
  readonly path: string;
  /**
   * Level keys of new tallies (the configured scale), best first.
   * @default ['rat-hai-long', 'hai-long', 'khong-hai-long']
   */
  readonly levels?: readonly LevelKey[];
  /**
   * How often changed tallies are written (ms); after a crash the votes of
   * at most this interval are folded again at open.
   * @default 1000
   */
  readonly tallyFlushMs?: number;
  /**
   * Longest wait before PUBACKed rows are marked published when no vote
   * batch commits them first (ms); see `Journal.deferPublished`.
   * @default 50
   */
  readonly publishedFlushMs?: number;
  /**
   * Refuse to grow the database past this many bytes (SQLITE_FULL, like a
   * full disk): a hard cap so the journal cannot fill the office PC's disk.
   * @default undefined (no cap)
   */
  readonly maxBytes?: number;
  /**
   * Published seqs of a NEW journal start above this (kept in its `meta` at
   * creation; a journal made before this existed keeps 0). The bridge
   * passes the clock in seconds, so a lost or replaced journal never
   * publishes an id it published before (see docs/ARCHITECTURE.md).
   * @default 0
   */
  readonly seqBase?: number;
  /**
   * Where failures that do not lose votes (a tally batch not written) are
   * logged: they must still be seen (issue 13, item 9).
   * @default createLogger('hailong-journal')
   */
  readonly log?: Logger;
}

/** `JournalOptions` resolved once. */
export type ResolvedJournalOptions = Readonly<Required<Omit<JournalOptions, 'maxBytes'>> & { maxBytes: number | undefined }>;

/** Highest seq base: leaves room for 10^9 votes per terminal below core's MAX_SEQ (uint32). */
export const MAX_SEQ_BASE = 3_000_000_000;

/** Applies the defaults and checks `seqBase`; throws a TypeError naming the option (a programmer error). */
export function resolveJournalOptions(options: JournalOptions): ResolvedJournalOptions {
  const resolved: ResolvedJournalOptions = Object.freeze({
    path: options.path,
    levels: options.levels ?? (['rat-hai-long', 'hai-long', 'khong-hai-long'] as const),
    tallyFlushMs: options.tallyFlushMs ?? 1000,
    publishedFlushMs: options.publishedFlushMs ?? 50,
    maxBytes: options.maxBytes,
    seqBase: options.seqBase ?? 0,
    log: options.log ?? createLogger('hailong-journal'),
  });
  const base = resolved.seqBase;
  if (!Number.isInteger(base) || base < 0 || base > MAX_SEQ_BASE) throw new TypeError(`"seqBase" must be an integer 0..${MAX_SEQ_BASE}`);
  return resolved;
}

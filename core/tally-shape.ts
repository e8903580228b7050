/**
 * The tally payload's shape: the `Tally` and `TallyDay` types, the limits a
 * valid tally keeps, and the sorted-key record helpers every tally module
 * uses. Pure (core/: no I/O, no Buffer).
 *
 * Separate from tally.ts so that folding (tally-fold.ts), merging
 * (tally-merge.ts) and parsing (tally-parse.ts) share one definition
 * without importing each other.
 */
import type { TerminalPath } from './path.ts';
import type { LevelKey } from './scale.ts';

/** Counts of one local day. Arrays are indexed like `Tally.levels`. */
export interface TallyDay {
  /** Counted votes per level. */
  readonly c: readonly number[];
  /** Filtered presses: [cooldown, gated]. */
  readonly f: readonly [number, number];
  /** Counted votes per level by local hour `00`..`23` (hours without votes are absent). */
  readonly h: Readonly<Record<string, readonly number[]>>;
  /** Counted votes per level by officer id (absent when no vote named an officer). */
  readonly o?: Readonly<Record<string, readonly number[]>>;
  /**
   * Reasons given ("Chưa hài lòng về điều gì?"): counted votes naming each
   * reason id (a vote naming two counts once for each). Absent when no vote
   * of the day gave one, so tallies made before reasons were counted still
   * parse and mean the same.
   */
  readonly r?: Readonly<Record<string, number>>;
  /** Reasons by officer id, for officers itemised in `o` (absent when none). */
  readonly ro?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The tally payload (v1) of one terminal for one local month. */
export interface Tally extends TerminalPath {
  readonly v: 1;
  /** Local month `YYYY-MM`. */
  readonly month: string;
  /** Highest vote seq folded in; 0 = empty. */
  readonly seq: number;
  /** Highest `receivedAt` folded in (epoch ms); 0 when empty. */
  readonly updatedAt: number;
  /** Level keys: the order of every count array. Grows when a vote has a new level. */
  readonly levels: readonly LevelKey[];
  /** Days `01`..`31` with at least one press. */
  readonly days: Readonly<Record<string, TallyDay>>;
}

/** Longest tally accepted as JSON text. */
export const TALLY_MAX_CHARS = 1_000_000;

/** Most officers one tally day may list. */
export const MAX_OFFICERS_PER_DAY = 64;

/** Most distinct reason ids one tally day (or one officer's day) may count. */
export const MAX_REASONS_PER_DAY = 32;

/** An own property of a record, or undefined (never an inherited one such as `constructor`). */
export function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * A copy of `record` with `key` set; keys stay sorted so that equal tallies
 * serialise identically (stable retained payloads, cheap diffs).
 */
export function withKey<T>(record: Readonly<Record<string, T>>, key: string, value: T): Record<string, T> {
  const out: Record<string, T> = {};
  const keys = Object.keys(record);
  if (!Object.hasOwn(record, key)) {
    keys.push(key);
    keys.sort();
  }
  for (const k of keys) out[k] = k === key ? value : (record[k] as T);
  return out;
}

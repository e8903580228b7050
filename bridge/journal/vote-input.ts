/**
 * What a protocol session hands the journal for one VOTE, and what it gets
 * back. The journal gives the vote its published id; the session decides
 * from the outcome whether to ACK (stored, duplicate) or NAK STORAGE.
 */
import type { TerminalPath } from '../../core/path.ts';
import type { LevelKey } from '../../core/scale.ts';
import type { FilterReason, Vote, VoteSource } from '../../core/vote.ts';

/** A validated vote from a terminal, before it has its published id. */
export interface VoteInput {
  /** The device that sent it (HELLO uid) and its own seq: the dedupe key. */
  readonly uid: string;
  readonly deviceSeq: number;
  /** Where the terminal sits, from the config. */
  readonly path: TerminalPath;
  readonly level: LevelKey;
  readonly pressedAt: number;
  readonly receivedAt: number;
  readonly source: VoteSource;
  readonly reasons?: readonly string[];
  readonly officer?: string;
  readonly ticket?: string;
  readonly filtered?: FilterReason;
  readonly timeUncertain?: boolean;
}

/** The result of `Journal.append`. */
export type AppendOutcome =
  | { readonly status: 'stored'; readonly vote: Vote; readonly payload: string; readonly rowid: number; readonly topic: string }
  | { readonly status: 'duplicate'; readonly hwm: number }
  | { readonly status: 'failed'; readonly code: string; readonly message: string };

/** Journal counters. */
export interface JournalStats {
  stored: number;
  duplicates: number;
  failed: number;
  commits: number;
}

/**
 * What a protocol session hands the journal for one VOTE, and what it gets
 * back. The journal gives the vote its published id; the session decides
 * from the outcome whether to ACK (stored, duplicate) or NAK STORAGE.
 */
import type { TerminalPath } from '../../core/path.ts';
import type { Vote } from '../../core/vote.ts';
import type { RejectedInput, RejectOutcome } from './rejected-votes.ts';

/**
 * A validated vote from a terminal, before it has its published id: the
 * fields of core's `Vote` that the press gives, plus the device's dedupe key
 * and the place from the config.
 */
export interface VoteInput
  extends Pick<
    Vote,
    'level' | 'pressedAt' | 'receivedAt' | 'source' | 'reasons' | 'officer' | 'ticket' | 'dossier' | 'stage' | 'filtered'
  > {
  /** The device that sent it (HELLO uid) and its own seq: the dedupe key. */
  readonly uid: string;
  readonly deviceSeq: number;
  /** Where the terminal sits, from the config. */
  readonly path: TerminalPath;
  /** The box rebooted between press and send: `pressedAt` is the receive time. */
  readonly timeUncertain?: boolean;
  /**
   * Kiosks: the seq the terminal gave the vote itself. The journal keeps it
   * (the vote id stays the kiosk's own) and dedupes by id, not by the
   * device high-water mark, since a kiosk's votes may arrive out of order.
   * @default undefined (the journal numbers the vote: button boxes)
   */
  readonly ownSeq?: number;
}

/** The result of `Journal.append`. */
export type AppendOutcome =
  | { readonly status: 'stored'; readonly vote: Vote; readonly payload: string; readonly rowid: number; readonly topic: string }
  | { readonly status: 'duplicate'; readonly hwm: number }
  /** Stored as rejected (rejected-votes.ts): ACK it, never count it. `duplicate`: stored so before. */
  | { readonly status: 'rejected'; readonly code: string; readonly message: string; readonly duplicate: boolean }
  | { readonly status: 'failed'; readonly code: string; readonly message: string };

/**
 * One entry of a batch commit (`Journal.commitBatch`), already judged by
 * its intake (bridge/serial/box-vote-intake.ts): a new vote above the
 * device's mark, or a vote to keep as rejected. The journal does not check
 * the mark again: the intake is the one owner of the duplicate decision,
 * and the UNIQUE (uid, device_seq) index the integrity backstop.
 */
export type BatchEntry =
  | { readonly kind: 'vote'; readonly input: VoteInput }
  | { readonly kind: 'rejected'; readonly input: RejectedInput };

/** The outcome of one `BatchEntry`, in the same place of the returned array. */
export type BatchOutcome = AppendOutcome | RejectOutcome;

/** Journal counters. */
export interface JournalStats {
  stored: number;
  duplicates: number;
  failed: number;
  commits: number;
  /** Votes stored as rejected by batch commits. */
  rejected: number;
  /** Outbox rows marked published (after their PUBACK). */
  markedPublished: number;
  /** Tally batches that could not be written (logged at error). */
  tallyPersistFailed: number;
}

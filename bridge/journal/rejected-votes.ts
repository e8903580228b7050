/**
 * Votes stored as rejected: ACKed to the terminal (so a box is never wedged
 * resending a vote the office cannot count) but kept out of the tallies,
 * the outbox and the device's high-water mark, and counted where
 * supervisors see them (`votes-rejected-<reason>` in `_bridge/status`, the
 * terminal's status errors). PROTOCOL.md §7.3.
 */
import type Database from 'better-sqlite3';

/**
 * Why a vote was rejected. `button-beyond-scale`: the button is above the
 * office's scale (a new box before its first CONFIG, or a scale shrunk
 * with votes pending). `seq-jump`: the seq is more than `MAX_SEQ_JUMP`
 * above the device's high-water mark (a foreign box claiming the uid, or a
 * corrupted counter), which would otherwise make every later genuine vote
 * a DUP.
 */
export type RejectionReason = 'button-beyond-scale' | 'seq-jump';

/** How far above its high-water mark a device seq may jump and still be counted (PROTOCOL.md §7.1). */
export const MAX_SEQ_JUMP = 100_000;

/** A vote to store as rejected. */
export interface RejectedInput {
  readonly uid: string;
  readonly deviceSeq: number;
  readonly terminal: string;
  readonly reason: RejectionReason;
  readonly receivedAt: number;
  /** What the frame said and why it was refused (JSON-able), for an installer. */
  readonly detail: Readonly<Record<string, unknown>>;
}

/** The result of `RejectedVotes.store`. */
export type RejectOutcome =
  | { readonly status: 'rejected'; readonly reason: RejectionReason }
  | { readonly status: 'duplicate'; readonly reason: RejectionReason }
  | { readonly status: 'failed'; readonly code: string; readonly message: string };

/** The `rejected` table of an open journal database. */
export class RejectedVotes {
  private readonly insert: Database.Statement;
  private readonly find: Database.Statement;
  private readonly byReason: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO rejected (uid, device_seq, terminal, reason, received_at, detail) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.find = db.prepare('SELECT reason FROM rejected WHERE uid = ? AND device_seq = ?');
    this.byReason = db.prepare('SELECT reason, count(*) AS n FROM rejected GROUP BY reason');
  }

  /**
   * Inserts the vote inside the caller's transaction (the journal's batch
   * commit), or finds it stored before. Throws on a SQLite error, so the
   * whole batch fails and nothing of it is ACKed.
   */
  insertIn(input: RejectedInput): Exclude<RejectOutcome, { status: 'failed' }> {
    const changes = this.insert.run(
      input.uid,
      input.deviceSeq,
      input.terminal,
      input.reason,
      input.receivedAt,
      JSON.stringify(input.detail),
    ).changes;
    if (changes === 1) return { status: 'rejected', reason: input.reason };
    const row = this.find.get(input.uid, input.deviceSeq) as { reason: RejectionReason } | undefined;
    return { status: 'duplicate', reason: row?.reason ?? input.reason };
  }

  /** Stores the vote (committed when this returns) or finds it stored before. Never throws. */
  store(input: RejectedInput): RejectOutcome {
    try {
      return this.insertIn(input);
    } catch (error) {
      return {
        status: 'failed',
        code: (error as { code?: string }).code ?? 'io-error',
        message: `could not store a rejected vote: ${(error as Error).message}`,
      };
    }
  }

  /** Whether the device's `deviceSeq` was stored as rejected. */
  has(uid: string, deviceSeq: number): boolean {
    return this.find.get(uid, deviceSeq) !== undefined;
  }

  /** Why the device's `deviceSeq` was stored as rejected; undefined when it was not. */
  reasonOf(uid: string, deviceSeq: number): RejectionReason | undefined {
    return (this.find.get(uid, deviceSeq) as { reason: RejectionReason } | undefined)?.reason;
  }

  /** Rejected votes in the journal, by reason. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.byReason.all() as { reason: string; n: number }[]) out[row.reason] = row.n;
    return out;
  }
}

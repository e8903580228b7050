/**
 * The journal as the upstream forwarder's outbox: every stored vote row
 * (button boxes, kiosks, whatever wrote it) carries a `forwarded` mark,
 * separate from `published` (the ward's own broker). The forwarder reads
 * the oldest unforwarded rows and sets the mark only after the hub's
 * PUBACK, so after any outage or restart it resumes from the oldest row the
 * hub has not acknowledged. Rows are sent as stored (topic + payload), so
 * the hub gets the same vote ids as the ward's own broker.
 *
 * A PUBACK from Mosquitto or a NATS cluster says the broker has the vote,
 * not the hub's archive: `archived` is set from the hub's receipts, and a
 * row acknowledged but never archived goes back to `forwarded = 0`
 * (`reforward`, bridge/upstream/archive-watch.ts decides which).
 */
import type Database from 'better-sqlite3';
import type { SeqRange } from '../../core/kiosk-receipt.ts';
import type { OutboxRow } from './journal.ts';

/** A row the broker acknowledged and no receipt has named yet. */
export interface UnarchivedRow {
  readonly rowid: number;
  readonly terminal: string;
  readonly seq: number;
  /** Epoch ms of the PUBACK (ward clock); 0 for a row acknowledged before the journal kept the time. */
  readonly forwardedAt: number;
}

/** The forwarded marks of one open journal. */
export class ForwardQueue {
  private readonly sql;

  constructor(private readonly db: Database.Database) {
    this.sql = {
      next: db.prepare('SELECT id AS rowid, topic, payload FROM votes WHERE forwarded = 0 AND id > ? ORDER BY id LIMIT ?'),
      count: db.prepare('SELECT count(*) AS n FROM votes WHERE forwarded = 0'),
      mark: db.prepare('UPDATE votes SET forwarded = 1, forwarded_at = ? WHERE id = ? AND forwarded <> 2'),
      skip: db.prepare('UPDATE votes SET forwarded = 2 WHERE id = ? AND forwarded = 0'),
      archive: db.prepare('UPDATE votes SET archived = 1 WHERE terminal = ? AND seq BETWEEN ? AND ? AND forwarded = 1 AND archived = 0'),
      unarchived: db.prepare(
        `SELECT id AS rowid, terminal, seq, COALESCE(forwarded_at, 0) AS forwardedAt FROM votes
         WHERE forwarded = 1 AND archived = 0 AND COALESCE(forwarded_at, 0) <= ? ORDER BY forwarded_at LIMIT ?`,
      ),
      unarchivedCount: db.prepare('SELECT count(*) AS n FROM votes WHERE forwarded = 1 AND archived = 0'),
      unconfirmable: db.prepare('UPDATE votes SET archived = 2 WHERE id = ? AND forwarded = 1 AND archived = 0'),
      archiveRow: db.prepare('UPDATE votes SET archived = 1 WHERE id = ? AND forwarded = 1 AND archived = 0'),
      reforward: db.prepare('UPDATE votes SET forwarded = 0 WHERE id = ? AND forwarded = 1 AND archived = 0'),
    };
  }

  /** Up to `limit` unforwarded rows with rowid > `after`, oldest first. */
  next(after: number, limit: number): OutboxRow[] {
    return this.sql.next.all(after, limit) as OutboxRow[];
  }

  /** Number of rows the hub has not acknowledged (reads the partial index: cheap, not free). */
  backlog(): number {
    return (this.sql.count.get() as { n: number }).n;
  }

  /**
   * Marks rows the hub can never take (`forwarded = 2`): votes stored under
   * another place's topic, e.g. before the ward's id changed in a merger.
   * They leave the backlog; the hub would refuse them and close the line.
   */
  markSkipped(rowids: readonly number[]): void {
    this.#each(this.sql.skip, rowids);
  }

  /** Marks rows forwarded (after the hub's PUBACK, at `at`), in one transaction; idempotent. */
  markForwarded(rowids: readonly number[], at: number = Date.now()): void {
    this.#each(this.sql.mark, rowids, at);
  }

  /** Marks `terminal`'s forwarded rows whose seq is in `ranges` archived (a hub receipt); returns how many changed. Idempotent. */
  markArchived(terminal: string, ranges: readonly SeqRange[]): number {
    if (ranges.length === 0) return 0;
    const archive = this.sql.archive;
    let changed = 0;
    this.db.transaction(() => {
      for (const [from, to] of ranges) changed += archive.run(terminal, from, to).changes;
    })();
    return changed;
  }

  /** Up to `limit` rows acknowledged at or before `before` and not archived, longest waiting first. */
  unarchived(before: number, limit: number): UnarchivedRow[] {
    return this.sql.unarchived.all(before, limit) as UnarchivedRow[];
  }

  /** Rows acknowledged by the broker and not (yet) named by a receipt. */
  unarchivedCount(): number {
    return (this.sql.unarchivedCount.get() as { n: number }).n;
  }

  /**
   * Marks rows no receipt can confirm (`archived = 2`): seqs below the
   * ranges of an incomplete receipt (core/archive-receipt.ts). They leave
   * the rows awaiting a receipt and are never forwarded again on a guess.
   */
  markUnconfirmable(rowids: readonly number[]): void {
    this.#each(this.sql.unconfirmable, rowids);
  }

  /** Marks rows archived by rowid (a receipt named them before their PUBACK was written down). */
  markArchivedRows(rowids: readonly number[]): void {
    this.#each(this.sql.archiveRow, rowids);
  }

  /**
   * Sets rows back to `forwarded = 0` so the forwarder sends them again
   * (the hub archives by vote id: a copy it already has is a duplicate, not
   * a second vote). Only rows still forwarded and unarchived change; returns how many did.
   */
  reforward(rowids: readonly number[]): number {
    return this.#each(this.sql.reforward, rowids);
  }

  /** Runs `statement` for each rowid (after `lead`, e.g. a time), in one transaction; returns the rows changed. */
  #each(statement: Database.Statement, rowids: readonly number[], ...lead: unknown[]): number {
    if (rowids.length === 0) return 0;
    let changed = 0;
    this.db.transaction(() => {
      for (const id of rowids) changed += statement.run(...lead, id).changes;
    })();
    return changed;
  }
}

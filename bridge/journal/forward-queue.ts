/**
 * The journal as the upstream forwarder's outbox: every stored vote row
 * (button boxes, kiosks, whatever wrote it) carries a `forwarded` mark,
 * separate from `published` (the ward's own broker). The forwarder reads
 * the oldest unforwarded rows and sets the mark only after the hub's
 * PUBACK, so after any outage or restart it resumes from the oldest row the
 * hub has not acknowledged. Rows are sent as stored (topic + payload), so
 * the hub gets the same vote ids as the ward's own broker.
 */
import type Database from 'better-sqlite3';
import type { OutboxRow } from './journal.ts';

/** The forwarded marks of one open journal. */
export class ForwardQueue {
  private readonly sql;

  constructor(private readonly db: Database.Database) {
    this.sql = {
      next: db.prepare('SELECT id AS rowid, topic, payload FROM votes WHERE forwarded = 0 AND id > ? ORDER BY id LIMIT ?'),
      count: db.prepare('SELECT count(*) AS n FROM votes WHERE forwarded = 0'),
      mark: db.prepare('UPDATE votes SET forwarded = 1 WHERE id = ?'),
      skip: db.prepare('UPDATE votes SET forwarded = 2 WHERE id = ? AND forwarded = 0'),
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
    if (rowids.length === 0) return;
    const skip = this.sql.skip;
    this.db.transaction(() => {
      for (const id of rowids) skip.run(id);
    })();
  }

  /** Marks rows forwarded (after the hub's PUBACK), in one transaction; idempotent. */
  markForwarded(rowids: readonly number[]): void {
    if (rowids.length === 0) return;
    const mark = this.sql.mark;
    this.db.transaction(() => {
      for (const id of rowids) mark.run(id);
    })();
  }
}

/**
 * Revocations in the journal: a supervisor takes back votes of one terminal
 * (a kiosk whose login was stolen, issue 13) by time range and/or by vote
 * id, naming who and why. The votes stay stored (exports mark them); the
 * tallies leave them out. Each revocation row is the audit trail: when, by
 * whom, why, what was asked, and which votes it revoked.
 */
import type Database from 'better-sqlite3';
import { localParts } from '../../core/time.ts';
import { parseVote } from '../../core/vote.ts';

/** What a supervisor asks to revoke. */
export interface RevocationRequest {
  /** The terminal whose votes are revoked. */
  readonly terminal: string;
  /** Votes pressed at or after this epoch ms. */
  readonly from?: number;
  /** Votes pressed before this epoch ms. */
  readonly to?: number;
  /** Only these vote ids (`terminal:seq`); with from/to, both must match. */
  readonly ids?: readonly string[];
  /** Why (free text, shown in the audit trail). */
  readonly reason: string;
  /** Who (the supervisor's name or account). */
  readonly by: string;
  /** When, epoch ms. */
  readonly at: number;
}

/** A stored revocation: the request, its id and the vote ids it revoked. */
export interface Revocation extends RevocationRequest {
  readonly id: number;
  readonly votes: readonly string[];
}

/**
 * Which broker acknowledged a revocation: `published` the ward's own,
 * `forwarded` the hub (issue 10), like the two marks of a vote row.
 */
export type RevocationMark = 'published' | 'forwarded';

// Column names are never interpolated from outside: only these two.
function markColumn(mark: RevocationMark): string {
  if (mark !== 'published' && mark !== 'forwarded') throw new RangeError(`mark must be "published" or "forwarded", got ${String(mark)}`);
  return mark;
}

/** A terminal-month whose tally must be folded again. */
export interface TerminalMonth {
  readonly counter: string;
  readonly terminal: string;
  readonly district: string;
  readonly ward: string;
  readonly month: string;
}

interface RevocationRow {
  id: number;
  at: number;
  by: string;
  reason: string;
  terminal: string;
  from_ms: number | null;
  to_ms: number | null;
  ids: string | null;
}

/** The revocation tables of an open journal database. */
export class RevocationLog {
  constructor(private readonly db: Database.Database) {}

  /**
   * Stores a revocation and marks its votes revoked, in one transaction.
   * A vote revoked before stays with its first revocation. Returns the
   * stored revocation (with the vote ids newly revoked).
   */
  record(request: RevocationRequest): Revocation {
    const run = this.db.transaction((): Revocation => {
      const rows = this.matching(request);
      const info = this.db
        .prepare('INSERT INTO revocations (at, by, reason, terminal, from_ms, to_ms, ids, votes) VALUES (?, ?, ?, ?, ?, ?, ?, 0)')
        .run(
          request.at,
          request.by,
          request.reason,
          request.terminal,
          request.from ?? null,
          request.to ?? null,
          request.ids === undefined ? null : JSON.stringify(request.ids),
        );
      const id = Number(info.lastInsertRowid);
      const mark = this.db.prepare('INSERT OR IGNORE INTO revoked_votes (vote, revocation) VALUES (?, ?)');
      const votes: string[] = [];
      for (const row of rows) if (mark.run(row.rowid, id).changes === 1) votes.push(row.id);
      this.db.prepare('UPDATE revocations SET votes = ? WHERE id = ?').run(votes.length, id);
      return { ...request, id, votes };
    });
    return run();
  }

  private matching(r: RevocationRequest): { rowid: number; id: string }[] {
    const rows = this.db
      .prepare('SELECT id AS rowid, seq FROM votes WHERE terminal = ? AND pressed_at >= ? AND pressed_at < ? ORDER BY seq')
      .all(r.terminal, r.from ?? 0, r.to ?? Number.MAX_SAFE_INTEGER) as { rowid: number; seq: number }[];
    const wanted = r.ids === undefined ? undefined : new Set(r.ids);
    return rows
      .map((row) => ({ rowid: row.rowid, id: `${r.terminal}:${row.seq}` }))
      .filter((row) => wanted === undefined || wanted.has(row.id));
  }

  /** The highest revocation id (0 when none). */
  lastId(): number {
    return (this.db.prepare('SELECT MAX(id) AS id FROM revocations').get() as { id: number | null }).id ?? 0;
  }

  /** The terminal-months holding votes revoked by revocations with id in (after, through]. */
  touched(after: number, through: number): TerminalMonth[] {
    const rows = this.db
      .prepare('SELECT v.payload FROM revoked_votes r JOIN votes v ON v.id = r.vote WHERE r.revocation > ? AND r.revocation <= ?')
      .iterate(after, through) as IterableIterator<{ payload: string }>;
    const out = new Map<string, TerminalMonth>();
    for (const row of rows) {
      const vote = parseVote(row.payload);
      if (!vote.ok) continue;
      const month = localParts(vote.value.pressedAt).monthKey;
      const { district, ward, counter, terminal } = vote.value;
      out.set(`${counter}/${terminal}/${month}`, { district, ward, counter, terminal, month });
    }
    return [...out.values()];
  }

  /** Journal row ids of the terminal's revoked votes pressed in [fromMs, toMs), with when they were revoked. */
  revokedAt(terminal: string, fromMs: number, toMs: number): Map<number, number> {
    const rows = this.db
      .prepare(
        `SELECT r.vote AS rowid, x.at AS at FROM revoked_votes r JOIN votes v ON v.id = r.vote JOIN revocations x ON x.id = r.revocation
         WHERE v.terminal = ? AND v.pressed_at >= ? AND v.pressed_at < ?`,
      )
      .all(terminal, fromMs, toMs) as { rowid: number; at: number }[];
    return new Map(rows.map((r) => [r.rowid, r.at]));
  }

  /** Journal row ids above `afterRowId` that are revoked (a crash's tail to fold again without them). */
  revokedAfter(afterRowId: number): Set<number> {
    const rows = this.db.prepare('SELECT vote FROM revoked_votes WHERE vote > ?').all(afterRowId) as { vote: number }[];
    return new Set(rows.map((r) => r.vote));
  }

  /** Every revocation, oldest first, with the ids it revoked: the audit trail. */
  all(): Revocation[] {
    return this.#read('SELECT id, at, by, reason, terminal, from_ms, to_ms, ids FROM revocations ORDER BY id');
  }

  /** Up to `limit` revocations without `mark` (not acknowledged by that broker yet), oldest first. */
  unsent(mark: RevocationMark, limit: number): Revocation[] {
    return this.#read(
      `SELECT id, at, by, reason, terminal, from_ms, to_ms, ids FROM revocations WHERE ${markColumn(mark)} = 0 ORDER BY id LIMIT ?`,
      limit,
    );
  }

  /** Number of revocations without `mark`. */
  backlog(mark: RevocationMark): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM revocations WHERE ${markColumn(mark)} = 0`).get() as { n: number }).n;
  }

  /** Sets `mark` on a revocation: that broker acknowledged every part of it. Idempotent. */
  setMark(mark: RevocationMark, id: number): void {
    this.db.prepare(`UPDATE revocations SET ${markColumn(mark)} = 1 WHERE id = ?`).run(id);
  }

  #read(sql: string, ...params: unknown[]): Revocation[] {
    const rows = this.db.prepare(sql).all(...params) as RevocationRow[];
    const votesOf = this.db.prepare(
      'SELECT v.seq FROM revoked_votes r JOIN votes v ON v.id = r.vote WHERE r.revocation = ? ORDER BY v.seq',
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      by: r.by,
      reason: r.reason,
      terminal: r.terminal,
      ...(r.from_ms === null ? {} : { from: r.from_ms }),
      ...(r.to_ms === null ? {} : { to: r.to_ms }),
      ...(r.ids === null ? {} : { ids: JSON.parse(r.ids) as string[] }),
      votes: (votesOf.all(r.id) as { seq: number }[]).map((v) => `${r.terminal}:${v.seq}`),
    }));
  }
}

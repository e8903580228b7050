/**
 * The units' revocations in the hub's archive (issue 10, issue 13): each
 * part a ward's bridge forwards (core/revocation.ts) is stored once by
 * (unit, revocation number, time, part), with its audit fields, and every
 * vote id it lists is marked revoked once by (unit, vote id) — whether the
 * vote itself is archived yet or not, so a revocation that overtakes its
 * votes on the WAN still applies when they arrive (the export and reports
 * join votes to these marks when they read). A unit can only name its own
 * votes: the key is the unit of the topic, which its broker account is
 * bound to. Like the ward's journal, a vote keeps its first revocation.
 */
import type Database from 'better-sqlite3';
import type { RevocationRecord, VoteRevocation } from '../../core/revocation.ts';

/** The tables, created with the archive's (added tables only: an older archive gains them at open). */
export const REVOCATIONS_SQL = `
-- One row per part of a unit's revocation (a big one travels in parts of 1,000 ids).
CREATE TABLE IF NOT EXISTS revocations (
  unit        TEXT    NOT NULL,
  id          INTEGER NOT NULL,
  at          INTEGER NOT NULL,
  part        INTEGER NOT NULL,
  parts       INTEGER NOT NULL,
  by          TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  terminal    TEXT    NOT NULL,
  from_ms     INTEGER,
  to_ms       INTEGER,
  ids         TEXT,
  votes       TEXT    NOT NULL,
  archived_at INTEGER NOT NULL,
  PRIMARY KEY (unit, id, at, part)
) STRICT, WITHOUT ROWID;
-- A revoked vote of a unit, with the number of the unit's revocation that took it back.
CREATE TABLE IF NOT EXISTS revoked_votes (
  unit        TEXT    NOT NULL,
  vote        TEXT    NOT NULL,
  revocation  INTEGER NOT NULL,
  revoked_at  INTEGER NOT NULL,
  PRIMARY KEY (unit, vote)
) STRICT, WITHOUT ROWID;
`;

/** A unit's revocation as the hub holds it: the parts received so far, joined. */
export interface ArchivedRevocation extends RevocationRecord {
  readonly unit: string;
  /** Parts received, and how many there are (a revocation still crossing the WAN has fewer). */
  readonly partsReceived: number;
  readonly parts: number;
}

interface PartRow {
  unit: string;
  id: number;
  at: number;
  part: number;
  parts: number;
  by: string;
  reason: string;
  terminal: string;
  from_ms: number | null;
  to_ms: number | null;
  ids: string | null;
  votes: string;
}

/** The revocation tables of the open archive database; writes run inside the archive's group commit. */
export class HubRevocations {
  private readonly sql;

  constructor(db: Database.Database) {
    this.sql = {
      insertPart: db.prepare(
        `INSERT OR IGNORE INTO revocations (unit, id, at, part, parts, by, reason, terminal, from_ms, to_ms, ids, votes, archived_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      mark: db.prepare('INSERT OR IGNORE INTO revoked_votes (unit, vote, revocation, revoked_at) VALUES (?, ?, ?, ?)'),
      parts: db.prepare(
        'SELECT unit, id, at, part, parts, by, reason, terminal, from_ms, to_ms, ids, votes FROM revocations ORDER BY unit, at, id, part',
      ),
      revoked: db.prepare('SELECT unit, vote FROM revoked_votes'),
    };
  }

  /**
   * Stores one part (call inside a transaction). `stored` is false for a
   * part already archived (a QoS 1 redelivery, or the ward resending after
   * a lost PUBACK); `votesRevoked` counts vote ids newly marked.
   */
  store(unit: string, r: VoteRevocation, archivedAt: number): { stored: boolean; votesRevoked: number } {
    const info = this.sql.insertPart.run(
      unit,
      r.id,
      r.at,
      r.part,
      r.parts,
      r.by,
      r.reason,
      r.terminal,
      r.from ?? null,
      r.to ?? null,
      r.ids === undefined ? null : JSON.stringify(r.ids),
      JSON.stringify(r.votes),
      archivedAt,
    );
    let votesRevoked = 0;
    for (const vote of r.votes) votesRevoked += this.sql.mark.run(unit, vote, r.id, r.at).changes;
    return { stored: info.changes === 1, votesRevoked };
  }

  /** Every revocation, its parts joined in order, by unit then time. */
  all(): ArchivedRevocation[] {
    const out: ArchivedRevocation[] = [];
    let current: { -readonly [K in keyof ArchivedRevocation]: ArchivedRevocation[K] } | undefined;
    for (const row of this.sql.parts.all() as PartRow[]) {
      if (current === undefined || current.unit !== row.unit || current.id !== row.id || current.at !== row.at) {
        current = {
          unit: row.unit,
          id: row.id,
          at: row.at,
          by: row.by,
          reason: row.reason,
          terminal: row.terminal,
          ...(row.from_ms === null ? {} : { from: row.from_ms }),
          ...(row.to_ms === null ? {} : { to: row.to_ms }),
          votes: [],
          partsReceived: 0,
          parts: row.parts,
        };
        out.push(current);
      }
      if (row.ids !== null) current.ids = [...(current.ids ?? []), ...(JSON.parse(row.ids) as string[])];
      current.votes = [...current.votes, ...(JSON.parse(row.votes) as string[])];
      current.partsReceived += 1;
    }
    return out;
  }

  /** Every revoked vote as `unit/vote id`. */
  revokedKeys(): string[] {
    return (this.sql.revoked.all() as { unit: string; vote: string }[]).map((r) => `${r.unit}/${r.vote}`);
  }
}

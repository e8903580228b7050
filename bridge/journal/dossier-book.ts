/**
 * The dossiers of an open journal database: which dossier and stage already
 * has its counted vote (one per dossier per stage, whatever the terminal:
 * a second one is stored flagged `dossier` and left out, like a cooldown
 * press), and the services the desks reported finished with a dossier code
 * (`_served`), so a reconciliation can list the dossiers served but not
 * rated (docs/REPORTS.md).
 *
 * The dossier lives in the vote's stored JSON payload; an expression index
 * over it answers "already rated?" without a scan, and a journal written by
 * an older hailong gains the index and the table at open.
 */
import type Database from 'better-sqlite3';
import type { DossierStage } from '../../core/dossier.ts';
import type { ServedEvent } from '../../core/reconciliation.ts';

/** Index and table added at open (idempotent; older hailongs ignore both). */
export const DOSSIER_SQL = `
CREATE INDEX IF NOT EXISTS votes_dossier
  ON votes (json_extract(payload, '$.dossier'), json_extract(payload, '$.stage'))
  WHERE json_extract(payload, '$.dossier') IS NOT NULL;

-- One row per "service finished" that named a dossier. QoS 1 may deliver a
-- _served twice: the UNIQUE key keeps one.
CREATE TABLE IF NOT EXISTS served (
  id       INTEGER PRIMARY KEY,
  counter  TEXT    NOT NULL,
  dossier  TEXT    NOT NULL,
  stage    TEXT    NOT NULL,
  at       INTEGER NOT NULL,
  officer  TEXT,
  ticket   TEXT,
  UNIQUE (counter, dossier, stage, at)
) STRICT;
CREATE INDEX IF NOT EXISTS served_at ON served (at);
`;

/** A `_served` event that named a dossier, as stored (a journal holds one ward: no `ward`). */
export type ServedDossier = Omit<ServedEvent, 'ward'>;

/** The dossier side of the journal. */
export class DossierBook {
  private readonly rated: Database.Statement;
  private readonly insertServed: Database.Statement;
  private readonly servedBetween: Database.Statement;

  constructor(db: Database.Database) {
    this.rated = db.prepare(
      "SELECT terminal || ':' || seq AS id FROM votes WHERE json_extract(payload, '$.dossier') = ? AND json_extract(payload, '$.stage') = ? AND json_extract(payload, '$.filtered') IS NULL AND id NOT IN (SELECT vote FROM revoked_votes) LIMIT 1",
    );
    this.insertServed = db.prepare('INSERT OR IGNORE INTO served (counter, dossier, stage, at, officer, ticket) VALUES (?, ?, ?, ?, ?, ?)');
    this.servedBetween = db.prepare(
      'SELECT counter, dossier, stage, at, officer, ticket FROM served WHERE at >= ? AND at < ? ORDER BY at, id',
    );
  }

  /**
   * The id of the counted vote that already rated `dossier` at `stage`, if
   * any. Called inside the append transaction, so it sees the votes of the
   * same batch: two votes for one dossier never both count. A revoked vote
   * (a kiosk misused) no longer rates its dossier: the citizen may rate again.
   */
  ratedBy(dossier: string, stage: DossierStage): string | undefined {
    return (this.rated.get(dossier, stage) as { id: string } | undefined)?.id;
  }

  /** Records a served dossier; false when this event was stored before (a QoS 1 resend). */
  recordServed(s: ServedDossier): boolean {
    return this.insertServed.run(s.counter, s.dossier, s.stage, s.at, s.officer ?? null, s.ticket ?? null).changes > 0;
  }

  /** Served dossiers with `at` in [fromMs, toMs), oldest first. */
  served(fromMs: number, toMs: number): ServedDossier[] {
    const rows = this.servedBetween.all(fromMs, toMs) as {
      counter: string;
      dossier: string;
      stage: DossierStage;
      at: number;
      officer: string | null;
      ticket: string | null;
    }[];
    return rows.map((r) => ({
      counter: r.counter,
      dossier: r.dossier,
      stage: r.stage,
      at: r.at,
      ...(r.officer === null ? {} : { officer: r.officer }),
      ...(r.ticket === null ? {} : { ticket: r.ticket }),
    }));
  }
}

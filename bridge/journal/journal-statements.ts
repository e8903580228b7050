/**
 * The journal's prepared statements on the `votes` table, compiled once
 * per open database, and the read/export queries run on demand. Separate
 * from journal.ts so every SQL text of the vote rows is in one place.
 */
import type Database from 'better-sqlite3';

/** Names of the hot-path statements. */
type StatementName =
  | 'device'
  | 'lastSeq'
  | 'insertVote'
  | 'outbox'
  | 'outboxSize'
  | 'anyUnpublished'
  | 'byDevice'
  | 'byId'
  | 'insertOwn'
  | 'markPublishedRange';

/** The prepared statements of one open journal. */
export type Statements = Readonly<Record<StatementName, Database.Statement>>;

/** Prepares the hot-path statements (append, outbox, dedupe lookups) of an open database. */
export function prepareStatements(db: Database.Database): Statements {
  return {
    device: db.prepare('SELECT MAX(device_seq) AS hwm FROM votes WHERE uid = ?'),
    lastSeq: db.prepare('SELECT MAX(seq) AS seq FROM votes WHERE terminal = ?'),
    insertVote: db.prepare(
      'INSERT INTO votes (terminal, seq, uid, device_seq, pressed_at, received_at, topic, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    outbox: db.prepare('SELECT id AS rowid, topic, payload FROM votes WHERE published = 0 AND id > ? ORDER BY id LIMIT ?'),
    outboxSize: db.prepare('SELECT count(*) AS n FROM votes WHERE published = 0'),
    anyUnpublished: db.prepare('SELECT 1 AS one FROM votes WHERE published = 0 LIMIT 1'),
    byDevice: db.prepare('SELECT payload FROM votes WHERE uid = ? AND device_seq = ?'),
    byId: db.prepare('SELECT 1 AS one FROM votes WHERE terminal = ? AND seq = ?'),
    // A kiosk's vote is already on the ward broker (the kiosk published it
    // there): it is stored as published, so the outbox does not send it again.
    insertOwn: db.prepare(
      'INSERT INTO votes (terminal, seq, uid, device_seq, pressed_at, received_at, topic, payload, published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)',
    ),
    // A range: the outbox's PUBACKs come mostly in order, so a batch of marks is a few UPDATEs.
    markPublishedRange: db.prepare('UPDATE votes SET published = 1 WHERE id BETWEEN ? AND ? AND published = 0'),
  };
}

/** One unpublished vote from the outbox: its MQTT topic and payload, as stored. */
export interface OutboxRow {
  readonly rowid: number;
  readonly topic: string;
  readonly payload: string;
}

/** A stored vote row for export: its payload and, when revoked, the revocation id. */
export interface PressedRow {
  payload: string;
  revocation: number | null;
}

/** Marks every stored vote published; returns how many changed. */
export function markAllPublished(db: Database.Database): number {
  return db.prepare('UPDATE votes SET published = 1 WHERE published = 0').run().changes;
}

/** Number of stored votes. */
export function voteCount(db: Database.Database): number {
  return (db.prepare('SELECT count(*) AS n FROM votes').get() as { n: number }).n;
}

/** Votes pressed in [fromMs, toMs), oldest first, with their revocation id when revoked. */
export function rowsPressedBetween(db: Database.Database, fromMs: number, toMs: number): IterableIterator<PressedRow> {
  return db
    .prepare(
      'SELECT v.payload AS payload, r.revocation AS revocation FROM votes v LEFT JOIN revoked_votes r ON r.vote = v.id WHERE v.pressed_at >= ? AND v.pressed_at < ? ORDER BY v.pressed_at, v.id',
    )
    .iterate(fromMs, toMs) as IterableIterator<PressedRow>;
}

/** Number of votes pressed in [fromMs, toMs). */
export function countPressedBetween(db: Database.Database, fromMs: number, toMs: number): number {
  return (db.prepare('SELECT count(*) AS n FROM votes WHERE pressed_at >= ? AND pressed_at < ?').get(fromMs, toMs) as { n: number }).n;
}

/**
 * The newest `limit` runs of consecutive device seqs of `uid`, stored or
 * rejected, as `[from, to]` ascending (gaps and islands: a seq minus its
 * rank is constant along a run). For a kiosk's receipt (bridge/kiosk/kiosk-receipts.ts).
 */
export function deviceSeqRuns(db: Database.Database, uid: string, limit: number): [number, number][] {
  const rows = db
    .prepare(
      `WITH s(q) AS (SELECT device_seq FROM votes WHERE uid = ? UNION SELECT device_seq FROM rejected WHERE uid = ?),
            g AS (SELECT q, q - ROW_NUMBER() OVER (ORDER BY q) AS k FROM s)
       SELECT MIN(q) AS lo, MAX(q) AS hi FROM g GROUP BY k ORDER BY hi DESC LIMIT ?`,
    )
    .all(uid, uid, limit) as { lo: number; hi: number }[];
  return rows.reverse().map((r) => [r.lo, r.hi]);
}

/**
 * Marks `rowids` published with one UPDATE per run of consecutive ids (the
 * outbox's PUBACKs come mostly in order), not one per row.
 */
export function markRanges(range: Database.Statement, rowids: readonly number[]): void {
  if (rowids.length === 0) return;
  const ids = [...rowids].sort((a, b) => a - b);
  let from = ids[0] as number;
  let to = from;
  for (const id of ids) {
    if (id === to || id === to + 1) {
      to = id;
      continue;
    }
    range.run(from, to);
    from = to = id;
  }
  range.run(from, to);
}

/**
 * The journal's SQLite schema. One row per vote, in the order votes were
 * stored (rowid = publish order), with the device's (uid, seq) kept UNIQUE
 * so that a resend can never be stored twice even if two copies race. The
 * per-device high-water mark is MAX(device_seq) of the device's rows and the
 * per-terminal published seq is MAX(seq) of the terminal's rows, both read
 * through those UNIQUE indexes: a vote's commit writes exactly one row, and
 * the marks can never disagree with the votes.
 */

/**
 * Bumped when the schema changes; a newer database is refused, not guessed at.
 * 2: `votes.forwarded`, the upstream (hub) mark, see `migrateSchema` (which
 * also gives `revocations` their own `published` and `forwarded` marks, added columns).
 */
export const SCHEMA_VERSION = 2;

/** Statements creating the version 1 tables (idempotent); `migrateSchema` brings them to the current version. */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- Published vote ids are terminal:seq with the seq the BRIDGE gives (the
-- terminal's highest + 1), so replacing a box behind a terminal id (its
-- device seq starts again at 1) never reuses a published id.
CREATE TABLE IF NOT EXISTS votes (
  id          INTEGER PRIMARY KEY,
  terminal    TEXT    NOT NULL,
  seq         INTEGER NOT NULL,
  uid         TEXT    NOT NULL,
  device_seq  INTEGER NOT NULL,
  pressed_at  INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  topic       TEXT    NOT NULL,
  payload     TEXT    NOT NULL,
  published   INTEGER NOT NULL DEFAULT 0,
  UNIQUE (terminal, seq),
  UNIQUE (uid, device_seq)
) STRICT;

-- The outbox is the unpublished votes, oldest first.
CREATE INDEX IF NOT EXISTS votes_outbox ON votes (id) WHERE published = 0;
CREATE INDEX IF NOT EXISTS votes_pressed ON votes (pressed_at);

-- Latest tally per terminal-month (retained on MQTT after each vote).
CREATE TABLE IF NOT EXISTS tallies (
  counter  TEXT NOT NULL,
  terminal TEXT NOT NULL,
  month    TEXT NOT NULL,
  seq      INTEGER NOT NULL,
  payload  TEXT NOT NULL,
  PRIMARY KEY (counter, terminal, month)
) STRICT;

-- A supervisor's revocation of kiosk votes (who, when, why, which): the
-- audit trail. Revoked votes stay in "votes" (exports mark them) and are
-- left out of the tallies. Added tables only: a version-1 journal gains them
-- at open, and an older hailong ignores them.
CREATE TABLE IF NOT EXISTS revocations (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  by       TEXT    NOT NULL,
  reason   TEXT    NOT NULL,
  terminal TEXT    NOT NULL,
  from_ms  INTEGER,
  to_ms    INTEGER,
  ids      TEXT,
  votes    INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS revoked_votes (
  vote       INTEGER PRIMARY KEY,
  revocation INTEGER NOT NULL
) STRICT;
`;

/**
 * Votes the bridge ACKed but does not count (issue 17): a button beyond the
 * office's scale, or a device seq far above the device's high-water mark.
 * Kept apart from `votes` so they never reach a tally, the outbox or the
 * high-water mark; UNIQUE (uid, device_seq) makes a resend a duplicate.
 * Created by `CREATE TABLE IF NOT EXISTS`, so older journals gain it at open.
 */
export const REJECTED_SQL = `
CREATE TABLE IF NOT EXISTS rejected (
  id          INTEGER PRIMARY KEY,
  uid         TEXT    NOT NULL,
  device_seq  INTEGER NOT NULL,
  terminal    TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  detail      TEXT    NOT NULL,
  UNIQUE (uid, device_seq)
) STRICT;
`;

/** The subset of a better-sqlite3 database the migration uses. */
interface MigrationDb {
  prepare(sql: string): { all(): unknown[] };
  exec(sql: string): unknown;
}

/**
 * Brings a version-1 journal to version 2 (idempotent, run at every open
 * after SCHEMA_SQL): the `forwarded` column is the per-row mark of the
 * upstream forwarder, separate from `published` (the ward's own broker):
 * 1 only on the hub's PUBACK; 2 for a row the hub can never take (stored
 * under another place's topic, see ForwardQueue.markSkipped). Existing rows start unforwarded, so a ward
 * that gets an upstream later sends the hub every vote it holds; the hub
 * archives by vote id, so nothing is counted twice.
 */
export function migrateSchema(db: MigrationDb): void {
  const columns = db.prepare('PRAGMA table_info(votes)').all() as { name: string }[];
  if (!columns.some((c) => c.name === 'forwarded')) db.exec('ALTER TABLE votes ADD COLUMN forwarded INTEGER NOT NULL DEFAULT 0');
  // The forwarder reads the oldest unforwarded rows and counts the backlog through this index.
  db.exec('CREATE INDEX IF NOT EXISTS votes_forward ON votes (id) WHERE forwarded = 0');
  // Revocations go to the hub too (issue 10), with a mark of their own: 1 once the hub
  // acknowledged every part (`forwarded`). A column added in place (an older hailong names the columns
  // it inserts, so it leaves the default); existing revocations start unforwarded.
  // `published` is the same for the ward's own broker: a revocation is an event there too.
  // The hub's archive receipts (core/archive-receipt.ts): `archived` = 1 once a receipt named the
  // row's seq, `forwarded_at` = when the hub's broker PUBACKed it (ward clock), so a row the
  // broker acknowledged but the archive never got is forwarded again after a grace
  // (bridge/upstream/archive-watch.ts). Columns added in place, no version bump: an older
  // hailong names the columns it writes and never reads these. Existing rows start unarchived.
  if (!columns.some((c) => c.name === 'archived')) db.exec('ALTER TABLE votes ADD COLUMN archived INTEGER NOT NULL DEFAULT 0');
  if (!columns.some((c) => c.name === 'forwarded_at')) db.exec('ALTER TABLE votes ADD COLUMN forwarded_at INTEGER');
  // The rows awaiting a receipt: few in steady state (those of the last second or so).
  db.exec('CREATE INDEX IF NOT EXISTS votes_unarchived ON votes (forwarded_at) WHERE forwarded = 1 AND archived = 0');
  const revocationColumns = db.prepare('PRAGMA table_info(revocations)').all() as { name: string }[];
  for (const mark of ['published', 'forwarded']) {
    if (!revocationColumns.some((c) => c.name === mark)) db.exec(`ALTER TABLE revocations ADD COLUMN ${mark} INTEGER NOT NULL DEFAULT 0`);
  }
}

/**
 * The hub's archive: every vote of every unit, stored once by (unit, vote
 * id) in the hub's own SQLite (WAL, synchronous=FULL: a commit survives
 * power loss), plus the latest retained state per topic (tallies, statuses,
 * offices) so the hub can serve history independent of any broker, and the
 * refused messages with why, and the units' revocations (who, when, why,
 * which votes: bridge/hub/hub-revocations.ts) so that exports and reports
 * leave out the votes a ward took back. The hub acknowledges a unit's publish only after
 * `store()` resolves, so a vote PUBACKed to a ward is on the hub's disk.
 *
 * Stores arriving in the same event-loop turn share one transaction (group
 * commit, as the ward journal does): one fsync for a whole socket read of
 * votes, which is what makes thousands of durable votes per second possible.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { VoteRevocation } from '../../core/revocation.ts';
import { HubRevocations, REVOCATIONS_SQL, type ArchivedRevocation } from './hub-revocations.ts';

/** Bumped when the schema changes; a newer database is refused, not guessed at. */
export const ARCHIVE_SCHEMA_VERSION = 1;

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
-- One row per vote of any unit, keyed by the vote's own id (terminal:seq) within its unit:
-- a redelivered vote (QoS 1 is at least once) can never be stored twice.
CREATE TABLE IF NOT EXISTS votes (
  unit        TEXT    NOT NULL,
  id          TEXT    NOT NULL,
  pressed_at  INTEGER NOT NULL,
  archived_at INTEGER NOT NULL,
  payload     TEXT    NOT NULL,
  PRIMARY KEY (unit, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS votes_pressed ON votes (pressed_at);
-- The newest retained payload per topic (tally, status, office, …); order = tally seq or status time.
CREATE TABLE IF NOT EXISTS retained (
  topic    TEXT    PRIMARY KEY,
  unit     TEXT    NOT NULL,
  kind     TEXT    NOT NULL,
  month    TEXT,
  ord      INTEGER NOT NULL,
  payload  TEXT    NOT NULL
) STRICT;
-- A unit's tallies of a month, read to derive its summary (bridge/hub/hub-summaries.ts).
CREATE INDEX IF NOT EXISTS retained_unit_month ON retained (unit, kind, month);
-- What a unit sent that the hub refused, with why (bad input is kept, never silently lost).
CREATE TABLE IF NOT EXISTS refused (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  unit     TEXT    NOT NULL,
  topic    TEXT    NOT NULL,
  code     TEXT    NOT NULL,
  message  TEXT    NOT NULL,
  payload  TEXT    NOT NULL
) STRICT;
${REVOCATIONS_SQL}`;

/** Most refused messages kept; older ones are deleted (a unit in a loop must not fill the disk). */
export const MAX_REFUSED_ROWS = 10_000;

/** One thing to store, already validated by the ingest. */
export type ArchiveRecord =
  | { readonly type: 'vote'; readonly unit: string; readonly id: string; readonly pressedAt: number; readonly payload: string }
  | {
      readonly type: 'retained';
      readonly topic: string;
      readonly unit: string;
      readonly kind: string;
      readonly month?: string;
      /** Newer wins: a tally's seq, a status's `at`; 0 = always replace. */
      readonly ord: number;
      readonly payload: string;
    }
  | { readonly type: 'revocation'; readonly unit: string; readonly revocation: VoteRevocation }
  | {
      readonly type: 'refused';
      readonly unit: string;
      readonly topic: string;
      readonly code: string;
      readonly message: string;
      readonly payload: string;
    };

/** What `store` did: a vote or revocation part `stored` or `duplicate` (already archived), else `kept` (retained, refused). */
export type StoreOutcome = 'stored' | 'duplicate' | 'kept';

/** Counters since `open()`. */
export interface ArchiveStats {
  readonly votesStored: number;
  readonly duplicates: number;
  readonly retainedKept: number;
  readonly refused: number;
  /** Revocation parts stored (a part received again is a duplicate, not counted here). */
  readonly revocationsStored: number;
  /** Vote ids newly marked revoked. */
  readonly votesRevoked: number;
  readonly commits: number;
}

/** Options of `HubArchive`. */
export interface HubArchiveOptions {
  /** SQLite file; created with its folder when missing. */
  readonly path: string;
  /**
   * Clock for `archived_at`.
   * @default Date.now
   */
  readonly now?: () => number;
}

interface Pending {
  readonly record: ArchiveRecord;
  readonly resolve: (outcome: StoreOutcome) => void;
  readonly reject: (error: Error) => void;
}

function prepare(db: Database.Database) {
  return {
    insertVote: db.prepare('INSERT OR IGNORE INTO votes (unit, id, pressed_at, archived_at, payload) VALUES (?, ?, ?, ?, ?)'),
    upsertRetained: db.prepare(
      `INSERT INTO retained (topic, unit, kind, month, ord, payload) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (topic) DO UPDATE SET ord = excluded.ord, payload = excluded.payload
       WHERE excluded.ord = 0 OR excluded.ord >= retained.ord`,
    ),
    insertRefused: db.prepare('INSERT INTO refused (at, unit, topic, code, message, payload) VALUES (?, ?, ?, ?, ?, ?)'),
    trimRefused: db.prepare('DELETE FROM refused WHERE id <= (SELECT MAX(id) FROM refused) - ?'),
    count: db.prepare('SELECT count(*) AS n FROM votes'),
    countBetween: db.prepare('SELECT count(*) AS n FROM votes WHERE pressed_at >= ? AND pressed_at < ?'),
    between: db.prepare(
      `SELECT v.payload AS payload, r.revocation AS revocation FROM votes v LEFT JOIN revoked_votes r ON r.unit = v.unit AND r.vote = v.id
       WHERE v.pressed_at >= ? AND v.pressed_at < ? ORDER BY v.pressed_at, v.unit, v.id`,
    ),
    // Key order (the table is WITHOUT ROWID: no sort): HubReceipts reads one terminal's ids together.
    ids: db.prepare('SELECT unit, id FROM votes ORDER BY unit, id'),
    retained: db.prepare('SELECT topic, kind, month, payload FROM retained'),
    unitTallies: db.prepare("SELECT payload FROM retained WHERE unit = ? AND kind = 'tally' AND month = ?"),
    refusedCount: db.prepare('SELECT count(*) AS n FROM refused'),
  };
}

/**
 * The hub's SQLite archive. `open()` creates or opens it; `store()` queues a
 * record and resolves after the commit that holds it; reads are synchronous.
 */
export class HubArchive {
  readonly path: string;
  readonly #now: () => number;
  #db: Database.Database | undefined;
  #st: ReturnType<typeof prepare> | undefined;
  #queue: Pending[] = [];
  #scheduled = false;
  #revocations: HubRevocations | undefined;
  #stats = { votesStored: 0, duplicates: 0, retainedKept: 0, refused: 0, revocationsStored: 0, votesRevoked: 0, commits: 0 };

  constructor(options: HubArchiveOptions) {
    if (typeof options?.path !== 'string' || options.path === '') throw new TypeError('"path" must be a file path');
    this.path = options.path;
    this.#now = options.now ?? Date.now;
  }

  /** Opens (creating when missing) the database. */
  open(): void {
    if (this.#db) throw new Error('HubArchive is already open');
    mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    try {
      db.pragma('journal_mode = WAL');
      // FULL: a commit is on disk before store() resolves, i.e. before the unit gets its PUBACK.
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA_SQL);
      const row = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
      if (row === undefined) db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(ARCHIVE_SCHEMA_VERSION));
      else if (Number(row.value) > ARCHIVE_SCHEMA_VERSION) {
        throw new Error(
          `${this.path} has archive schema ${row.value}, newer than this hailong (${ARCHIVE_SCHEMA_VERSION}): upgrade hailong`,
        );
      }
    } catch (error) {
      db.close();
      throw error;
    }
    this.#db = db;
    this.#st = prepare(db);
    this.#revocations = new HubRevocations(db);
    this.#stats = { votesStored: 0, duplicates: 0, retainedKept: 0, refused: 0, revocationsStored: 0, votesRevoked: 0, commits: 0 };
  }

  /** Queues `record`; resolves once it is committed (or found already archived). Rejects when the commit fails. */
  store(record: ArchiveRecord): Promise<StoreOutcome> {
    if (!this.#db) return Promise.reject(new Error('the archive is not open'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ record, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate, not a microtask: every publish of the socket chunk being parsed joins this commit.
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    const db = this.#db;
    const st = this.#st;
    const revocations = this.#revocations;
    if (!db || !st || !revocations || batch.length === 0) {
      for (const p of batch) p.reject(new Error('the archive was closed'));
      return;
    }
    const outcomes: StoreOutcome[] = [];
    const counts = { votesStored: 0, duplicates: 0, retainedKept: 0, refused: 0, revocationsStored: 0, votesRevoked: 0 };
    try {
      db.transaction(() => {
        const at = this.#now();
        for (const { record: r } of batch) {
          if (r.type === 'vote') {
            const changed = st.insertVote.run(r.unit, r.id, r.pressedAt, at, r.payload).changes === 1;
            outcomes.push(changed ? 'stored' : 'duplicate');
            if (changed) counts.votesStored++;
            else counts.duplicates++;
          } else if (r.type === 'revocation') {
            const done = revocations.store(r.unit, r.revocation, at);
            outcomes.push(done.stored ? 'stored' : 'duplicate');
            if (done.stored) counts.revocationsStored++;
            counts.votesRevoked += done.votesRevoked;
          } else if (r.type === 'retained') {
            st.upsertRetained.run(r.topic, r.unit, r.kind, r.month ?? null, r.ord, r.payload);
            counts.retainedKept++;
            outcomes.push('kept');
          } else {
            st.insertRefused.run(at, r.unit, r.topic.slice(0, 512), r.code, r.message.slice(0, 512), r.payload.slice(0, 4096));
            counts.refused++;
            outcomes.push('kept');
          }
        }
        if (counts.refused > 0) st.trimRefused.run(MAX_REFUSED_ROWS);
      })();
    } catch (error) {
      for (const p of batch) p.reject(error as Error);
      return;
    }
    const s = this.#stats;
    s.votesStored += counts.votesStored;
    s.duplicates += counts.duplicates;
    s.retainedKept += counts.retainedKept;
    s.refused += counts.refused;
    s.revocationsStored += counts.revocationsStored;
    s.votesRevoked += counts.votesRevoked;
    s.commits++;
    batch.forEach((p, i) => p.resolve(outcomes[i] as StoreOutcome));
  }

  /** Counters since `open()`. */
  stats(): ArchiveStats {
    return Object.freeze({ ...this.#stats });
  }

  /** Votes archived, in total. */
  voteCount(): number {
    return (this.#require().count.get() as { n: number }).n;
  }

  /** Votes pressed in [fromMs, toMs). */
  countPressedBetween(fromMs: number, toMs: number): number {
    return (this.#require().countBetween.get(fromMs, toMs) as { n: number }).n;
  }

  /** Vote payloads (JSON text) pressed in [fromMs, toMs), in press order, revoked ones too; streamed, not loaded at once. */
  *votesPressedBetween(fromMs: number, toMs: number): Generator<string> {
    for (const row of this.rowsPressedBetween(fromMs, toMs)) yield row.payload;
  }

  /**
   * Votes pressed in [fromMs, toMs), in press order, each with the number of
   * the unit's revocation that took it back (null when counted): the same
   * rows as an office journal's `rowsPressedBetween`. Streamed.
   */
  *rowsPressedBetween(fromMs: number, toMs: number): Generator<{ readonly payload: string; readonly revocation: number | null }> {
    yield* this.#require().between.iterate(fromMs, toMs) as Iterable<{ payload: string; revocation: number | null }>;
  }

  /** Every unit's revocations, parts joined, by unit then time: the hub's audit trail. */
  revocations(): ArchivedRevocation[] {
    this.#require();
    return (this.#revocations as HubRevocations).all();
  }

  /** Every revoked vote's `unit/id` (whether or not the vote itself has arrived), for audits and tests. */
  revokedKeys(): string[] {
    this.#require();
    return (this.#revocations as HubRevocations).revokedKeys();
  }

  /** Every archived vote's unit and id in key order, streamed (not loaded at once): the hub's receipts read them at start. */
  *voteIds(): Generator<{ readonly unit: string; readonly id: string }> {
    yield* this.#require().ids.iterate() as Iterable<{ unit: string; id: string }>;
  }

  /** Every archived vote's `unit/id`, for audits and tests. */
  voteKeys(): string[] {
    return (this.#require().ids.all() as { unit: string; id: string }[]).map((r) => `${r.unit}/${r.id}`);
  }

  /** The newest retained payload of every topic the archive keeps. */
  retained(): { topic: string; kind: string; month: string | null; payload: string }[] {
    return this.#require().retained.all() as { topic: string; kind: string; month: string | null; payload: string }[];
  }

  /** The newest archived tally payloads of one unit for one month (`YYYY-MM`), one per terminal. */
  unitTallies(unit: string, month: string): string[] {
    return (this.#require().unitTallies.all(unit, month) as { payload: string }[]).map((r) => r.payload);
  }

  /** Refused messages kept (at most MAX_REFUSED_ROWS). */
  refusedCount(): number {
    return (this.#require().refusedCount.get() as { n: number }).n;
  }

  /** Commits what is queued and closes the database. Safe to call twice. */
  close(): void {
    if (!this.#db) return;
    if (this.#queue.length > 0) this.#flush();
    this.#db.close();
    this.#db = undefined;
    this.#st = undefined;
    this.#revocations = undefined;
  }

  #require(): ReturnType<typeof prepare> {
    if (!this.#st) throw new Error('the archive is not open');
    return this.#st;
  }
}

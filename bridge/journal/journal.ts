/**
 * The durable journal: every vote is committed to SQLite (WAL,
 * synchronous=FULL, so a commit survives power loss) BEFORE the bridge
 * ACKs it to the terminal. Appends arriving in the same event-loop turn
 * share one transaction (group commit): one fsync for many terminals. The
 * same transaction advances the device's high-water mark and gives the vote
 * its published seq, so a `kill -9` at any instant leaves votes and marks
 * consistent. Monthly tallies are folded from the committed votes and
 * written in batches (tally-book.ts), recovered from the votes after a crash.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Tally } from '../../core/tally.ts';
import { topicFor } from '../../core/topic.ts';
import { voteId, type Vote } from '../../core/vote.ts';
import type { LevelKey } from '../../core/scale.ts';
import { REJECTED_SQL, SCHEMA_SQL, SCHEMA_VERSION } from './journal-schema.ts';
import { RejectedVotes, type RejectedInput, type RejectOutcome } from './rejected-votes.ts';
import { TallyBook } from './tally-book.ts';
import type { AppendOutcome, JournalStats, VoteInput } from './vote-input.ts';

/** Options of `Journal`. */
export interface JournalOptions {
  /** SQLite file; created with its folder when missing. */
  readonly path: string;
  /**
   * Level keys of new tallies (the configured scale), best first.
   * @default ['rat-hai-long', 'hai-long', 'khong-hai-long']
   */
  readonly levels?: readonly LevelKey[];
  /**
   * How often changed tallies are written (ms); after a crash the votes of
   * at most this interval are folded again at open.
   * @default 1000
   */
  readonly tallyFlushMs?: number;
  /**
   * Refuse to grow the database past this many bytes (SQLITE_FULL, like a
   * full disk): a hard cap so the journal cannot fill the office PC's disk.
   * @default undefined (no cap)
   */
  readonly maxBytes?: number;
  /**
   * Published seqs of a NEW journal start above this (kept in its `meta` at
   * creation; a journal made before this existed keeps 0). The bridge
   * passes the clock in seconds, so a lost or replaced journal never
   * publishes an id it published before (see docs/ARCHITECTURE.md).
   * @default 0
   */
  readonly seqBase?: number;
}

/** `JournalOptions` resolved once. */
type ResolvedJournalOptions = Readonly<Required<Omit<JournalOptions, 'maxBytes'>> & { maxBytes: number | undefined }>;

/** Highest seq base: leaves room for 10^9 votes per terminal below core's MAX_SEQ (uint32). */
const MAX_SEQ_BASE = 3_000_000_000;

/** Where the last commit put each stored vote. */
interface Committed {
  readonly vote: Vote;
  readonly rowid: number;
}

/** Prepared statements, compiled once per open database. */
function prepare(db: Database.Database) {
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
    markPublished: db.prepare('UPDATE votes SET published = 1 WHERE id = ?'),
  };
}

type Statements = ReturnType<typeof prepare>;

interface Pending {
  readonly input: VoteInput;
  readonly resolve: (outcome: AppendOutcome) => void;
}

/** One unpublished vote from the outbox: its MQTT topic and payload, as stored. */
export interface OutboxRow {
  readonly rowid: number;
  readonly topic: string;
  readonly payload: string;
}

/** The journal; `open()` before use, `close()` after. */
export class Journal {
  readonly options: ResolvedJournalOptions;
  private db: Database.Database | undefined;
  private sql: Statements | undefined;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private book: TallyBook | undefined;
  private rejectedVotes: RejectedVotes | undefined;
  private tallyTimer: NodeJS.Timeout | undefined;
  /** Device high-water marks read or written so far (the database is the truth). */
  private readonly marks = new Map<string, number>();
  /** Last published seq per terminal id, read or written so far. */
  private readonly seqs = new Map<string, number>();
  /** Published seqs of this journal start above this (its `meta` seq_base). */
  private seqBase = 0;
  private readonly counters: JournalStats = { stored: 0, duplicates: 0, failed: 0, commits: 0 };

  constructor(options: JournalOptions) {
    this.options = Object.freeze({
      path: options.path,
      levels: options.levels ?? (['rat-hai-long', 'hai-long', 'khong-hai-long'] as const),
      tallyFlushMs: options.tallyFlushMs ?? 1000,
      maxBytes: options.maxBytes,
      seqBase: options.seqBase ?? 0,
    });
    const base = this.options.seqBase;
    if (!Number.isInteger(base) || base < 0 || base > MAX_SEQ_BASE) throw new TypeError(`"seqBase" must be an integer 0..${MAX_SEQ_BASE}`);
  }

  /** Opens (creating if needed) the database and checks its schema version. */
  open(): void {
    if (this.db !== undefined) return;
    mkdirSync(dirname(this.options.path), { recursive: true });
    const db = new Database(this.options.path);
    try {
      db.pragma('journal_mode = WAL');
      // FULL: the WAL is fsynced at every commit, so an ACKed vote survives
      // a power cut, not only a crash of this process.
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      // Checkpoint the WAL every ~16 MB instead of 4 MB: fewer checkpoints
      // (each one copies pages and fsyncs the database) inside vote commits.
      db.pragma('wal_autocheckpoint = 4000');
      db.exec(SCHEMA_SQL);
      db.exec(REJECTED_SQL);
      const row = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
      if (row === undefined) {
        db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
        db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('seq_base', ?)").run(String(this.options.seqBase));
      }
      else if (Number(row.value) > SCHEMA_VERSION) {
        throw new Error(`journal ${this.options.path} has schema ${row.value}, newer than this hailong (${SCHEMA_VERSION})`);
      }
      if (this.options.maxBytes !== undefined) {
        const pageSize = db.pragma('page_size', { simple: true }) as number;
        db.pragma(`max_page_count = ${Math.max(1, Math.floor(this.options.maxBytes / pageSize))}`);
      }
    } catch (error) {
      db.close();
      throw error;
    }
    this.db = db;
    const base = db.prepare("SELECT value FROM meta WHERE key = 'seq_base'").get() as { value: string } | undefined;
    this.seqBase = base === undefined ? 0 : Number(base.value);
    this.sql = prepare(db);
    this.rejectedVotes = new RejectedVotes(db);
    this.book = new TallyBook(db, this.options.levels);
    this.book.recover();
    this.tallyTimer = setInterval(() => this.persistTallies(), this.options.tallyFlushMs);
    this.tallyTimer.unref();
  }

  private persistTallies(): void {
    try {
      this.book?.persist();
    } catch {
      // Tallies are folded again from the votes at the next open: nothing is lost.
    }
  }

  /** Flushes pending appends and tallies, and closes the database. */
  close(): void {
    this.flush();
    clearInterval(this.tallyTimer);
    this.persistTallies();
    this.db?.close();
    this.db = undefined;
    this.sql = undefined;
    this.rejectedVotes = undefined;
    this.book = undefined;
    this.marks.clear();
    this.seqs.clear();
  }

  /** True between `open()` and `close()`. */
  get isOpen(): boolean {
    return this.db !== undefined;
  }

  private get handle(): Database.Database {
    if (this.db === undefined) throw new Error('journal is not open: call open() first');
    return this.db;
  }

  private get statements(): Statements {
    if (this.sql === undefined) throw new Error('journal is not open: call open() first');
    return this.sql;
  }

  /**
   * Stores a vote durably. Resolves `stored` (with the published vote)
   * after the commit, `duplicate` when the device already delivered this
   * seq, or `failed` when it could not be stored (disk full, I/O error):
   * the caller must then NOT ack. Never rejects.
   */
  append(input: VoteInput): Promise<AppendOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ input, resolve });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // Everything that arrives in this event-loop turn joins one commit.
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Stores a vote as rejected (committed on return: ACK it, never count it;
   * rejected-votes.ts). Pending appends are committed first, so the order
   * of a device's votes is kept. Never throws.
   */
  reject(input: RejectedInput): RejectOutcome {
    const rejected = this.rejectedVotes;
    if (rejected === undefined) return { status: 'failed', code: 'closed', message: 'journal is not open' };
    this.flush();
    return rejected.store(input);
  }

  /** Rejected votes in the journal, by reason (see `reject`). */
  rejectedCounts(): Record<string, number> {
    return this.rejectedVotes?.counts() ?? {};
  }

  /** The highest device seq stored for `uid` (0 when none). */
  highWaterMark(uid: string): number {
    const known = this.marks.get(uid);
    if (known !== undefined) return known;
    const row = this.statements.device.get(uid) as { hwm: number | null } | undefined;
    const hwm = row?.hwm ?? 0;
    this.marks.set(uid, hwm);
    return hwm;
  }

  /** Commits every queued append in one transaction, then settles their promises. */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const db = this.db;
    const sql = this.sql;
    if (db === undefined || sql === undefined) {
      for (const p of batch) p.resolve({ status: 'failed', code: 'closed', message: 'journal is closed' });
      return;
    }
    const outcomes: AppendOutcome[] = [];
    const committed: Committed[] = [];
    const marks = new Map<string, number>();
    const seqs = new Map<string, number>();
    const run = db.transaction(() => {
      for (const p of batch) outcomes.push(this.store(sql, p.input, marks, seqs, committed));
    });
    try {
      run();
      this.counters.commits += 1;
      for (const [uid, hwm] of marks) this.marks.set(uid, hwm);
      for (const [terminal, seq] of seqs) this.seqs.set(terminal, seq);
      for (const c of committed) this.book?.fold(c.vote, c.rowid);
    } catch (error) {
      // Nothing of this batch is on disk: every vote stays on its terminal,
      // which resends it. The memory marks were not touched.
      const code = (error as { code?: string }).code ?? 'io-error';
      const message = `journal commit failed: ${(error as Error).message}`;
      for (const p of batch) p.resolve({ status: 'failed', code, message });
      this.counters.failed += batch.length;
      return;
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i] as AppendOutcome;
      if (outcome.status === 'stored') this.counters.stored += 1;
      else if (outcome.status === 'duplicate') this.counters.duplicates += 1;
      p.resolve(outcome);
    });
  }

  private store(sql: Statements, input: VoteInput, marks: Map<string, number>, seqs: Map<string, number>, committed: Committed[]): AppendOutcome {
    // Marks as of this transaction: earlier votes of the batch first, then memory, then disk.
    const hwm = marks.get(input.uid) ?? this.marks.get(input.uid) ?? ((sql.device.get(input.uid) as { hwm: number | null } | undefined)?.hwm ?? 0);
    if (input.deviceSeq <= hwm) return { status: 'duplicate', hwm };
    const { district, ward, counter, terminal } = input.path;
    const last =
      seqs.get(terminal) ?? this.seqs.get(terminal) ?? Math.max(this.seqBase, (sql.lastSeq.get(terminal) as { seq: number | null } | undefined)?.seq ?? 0);
    const seq = last + 1;
    const vote: { -readonly [K in keyof Vote]: Vote[K] } = {
      v: 1,
      id: voteId(terminal, seq),
      district,
      ward,
      counter,
      terminal,
      seq,
      level: input.level,
      pressedAt: input.pressedAt,
      receivedAt: input.receivedAt,
      source: input.source,
    };
    if (input.reasons !== undefined && input.reasons.length > 0) vote.reasons = input.reasons;
    if (input.officer !== undefined) vote.officer = input.officer;
    if (input.ticket !== undefined) vote.ticket = input.ticket;
    if (input.filtered !== undefined) vote.filtered = input.filtered;
    if (input.timeUncertain === true) vote.timeUncertain = true;
    const payload = JSON.stringify(vote);
    // The topic is stored with the vote, so a replay publishes rows as they are.
    const topic = topicFor('vote', vote);
    const rowid = Number(sql.insertVote.run(terminal, seq, input.uid, input.deviceSeq, input.pressedAt, input.receivedAt, topic, payload).lastInsertRowid);
    marks.set(input.uid, input.deviceSeq);
    seqs.set(terminal, seq);
    committed.push({ vote, rowid });
    return { status: 'stored', vote, payload, rowid, topic };
  }

  /** Up to `limit` unpublished votes with rowid > `after`, oldest first. */
  outbox(after: number, limit: number): OutboxRow[] {
    return this.statements.outbox.all(after, limit) as OutboxRow[];
  }

  /** The stored vote a device sent with `deviceSeq`, if any (to tell a resend from a reused seq). */
  storedVote(uid: string, deviceSeq: number): Vote | undefined {
    const row = this.statements.byDevice.get(uid, deviceSeq) as { payload: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.payload) as Vote);
  }

  /** True while any vote awaits its PUBACK (cheap, unlike counting a big backlog). */
  hasUnpublished(): boolean {
    return this.statements.anyUnpublished.get() !== undefined;
  }

  /** Number of unpublished votes (counts the backlog: avoid in loops). */
  outboxSize(): number {
    return (this.statements.outboxSize.get() as { n: number }).n;
  }

  /** Marks votes published (after their PUBACK); idempotent. */
  markPublished(rowids: readonly number[]): void {
    if (rowids.length === 0) return;
    const mark = this.statements.markPublished;
    this.handle.transaction(() => {
      for (const id of rowids) mark.run(id);
    })();
  }

  /** The current tally of one terminal-month, if it has votes. */
  tallyOf(path: VoteInput['path'], month: string): Tally | undefined {
    if (this.book === undefined) throw new Error('journal is not open: call open() first');
    return this.book.tallyOf(path, month);
  }

  /** Marks every stored vote published (seeded history that must not be replayed as live votes). */
  markAllPublished(): number {
    return this.handle.prepare('UPDATE votes SET published = 1 WHERE published = 0').run().changes;
  }

  /** Number of stored votes. */
  voteCount(): number {
    return (this.handle.prepare('SELECT count(*) AS n FROM votes').get() as { n: number }).n;
  }

  /** Every stored tally (all terminals and months), for republishing retained state. */
  tallies(): Tally[] {
    if (this.book === undefined) throw new Error('journal is not open: call open() first');
    return this.book.all();
  }

  /** Votes pressed in [fromMs, toMs), oldest first, as stored JSON payloads. */
  *votesPressedBetween(fromMs: number, toMs: number): IterableIterator<string> {
    const rows = this.handle
      .prepare('SELECT payload FROM votes WHERE pressed_at >= ? AND pressed_at < ? ORDER BY pressed_at, id')
      .iterate(fromMs, toMs) as IterableIterator<{ payload: string }>;
    for (const row of rows) yield row.payload;
  }

  /** Number of votes pressed in [fromMs, toMs). */
  countPressedBetween(fromMs: number, toMs: number): number {
    return (this.handle.prepare('SELECT count(*) AS n FROM votes WHERE pressed_at >= ? AND pressed_at < ?').get(fromMs, toMs) as { n: number }).n;
  }

  /** Counters since open (visible in logs and the bridge status). */
  stats(): Readonly<JournalStats> {
    return { ...this.counters };
  }
}

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
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { createLogger, type Logger } from '../logger.ts';
import type { TerminalPath } from '../../core/path.ts';
import type { Tally } from '../../core/tally.ts';
import { localParts } from '../../core/time.ts';
import { topicFor } from '../../core/topic.ts';
import { voteId, type Vote } from '../../core/vote.ts';
import type { LevelKey } from '../../core/scale.ts';
import { REJECTED_SQL, SCHEMA_SQL, SCHEMA_VERSION } from './journal-schema.ts';
import { RejectedVotes, type RejectedInput, type RejectOutcome } from './rejected-votes.ts';
import { RevocationLog, type Revocation, type RevocationRequest, type TerminalMonth } from './revocation-log.ts';
import { OWN_SEQ_UID_PREFIX, TallyBook } from './tally-book.ts';
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
   * Where failures that do not lose votes (a tally batch not written) are
   * logged: they must still be seen (issue 13, item 9).
   * @default createLogger('hailong-journal')
   */
  readonly log?: Logger;
}

/** `JournalOptions` resolved once. */
type ResolvedJournalOptions = Readonly<Required<Omit<JournalOptions, 'maxBytes'>> & { maxBytes: number | undefined }>;

/** Log the first tally-persist failure in full, then every this many (a failing disk must not flood the log). */
const LOG_EVERY_FAILURES = 100;

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
    byId: db.prepare('SELECT 1 AS one FROM votes WHERE terminal = ? AND seq = ?'),
    // A kiosk's vote is already on the ward broker (the kiosk published it
    // there): it is stored as published, so the outbox does not send it again.
    insertOwn: db.prepare(
      'INSERT INTO votes (terminal, seq, uid, device_seq, pressed_at, received_at, topic, payload, published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)',
    ),
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

/** Events of `Journal`. */
export interface JournalEvents {
  /**
   * Committed votes changed this terminal-month's tally. Emitted for EVERY
   * writer of the journal (serial boxes, kiosks, the demo's history), so the
   * retained tallies follow the journal, not one caller's bookkeeping.
   */
  'tally-changed': [path: TerminalPath, month: string];
}

/** The journal; `open()` before use, `close()` after. */
export class Journal extends EventEmitter<JournalEvents> {
  readonly options: ResolvedJournalOptions;
  private db: Database.Database | undefined;
  private sql: Statements | undefined;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private book: TallyBook | undefined;
  private rejectedVotes: RejectedVotes | undefined;
  private revocationLog: RevocationLog | undefined;
  /** The highest revocation whose tallies this process has folded again. */
  private revocationsSeen = 0;
  private tallyTimer: NodeJS.Timeout | undefined;
  /** Device high-water marks read or written so far (the database is the truth). */
  private readonly marks = new Map<string, number>();
  /** Last published seq per terminal id, read or written so far. */
  private readonly seqs = new Map<string, number>();
  private readonly counters: JournalStats = { stored: 0, duplicates: 0, failed: 0, commits: 0, tallyPersistFailed: 0 };

  constructor(options: JournalOptions) {
    super();
    this.options = Object.freeze({
      path: options.path,
      levels: options.levels ?? (['rat-hai-long', 'hai-long', 'khong-hai-long'] as const),
      tallyFlushMs: options.tallyFlushMs ?? 1000,
      maxBytes: options.maxBytes,
      log: options.log ?? createLogger('hailong-journal'),
    });
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
      if (row === undefined) db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
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
    this.sql = prepare(db);
    this.rejectedVotes = new RejectedVotes(db);
    this.revocationLog = new RevocationLog(db);
    this.book = new TallyBook(db, this.options.levels, this.revocationLog);
    this.book.recover();
    this.syncRevocations(Number((db.prepare("SELECT value FROM meta WHERE key = 'revocations_folded'").get() as { value: string } | undefined)?.value ?? 0));
    this.tallyTimer = setInterval(() => this.persistTallies(), this.options.tallyFlushMs);
    this.tallyTimer.unref();
  }

  private persistTallies(): void {
    try {
      this.book?.persist();
    } catch (error) {
      // Tallies are folded again from the votes at the next open, so nothing
      // is lost; but a journal that cannot write is about to refuse votes
      // too, so it must be seen: an error line and a counter in the bridge status.
      const n = ++this.counters.tallyPersistFailed;
      if (n === 1 || n % LOG_EVERY_FAILURES === 0) {
        this.options.log.error(
          { err: error, count: n, journal: this.options.path },
          'monthly tallies not written to the journal (they are folded again from the stored votes at the next start)',
        );
      }
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
    this.revocationLog = undefined;
    this.revocationsSeen = 0;
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
      for (const c of committed) this.book?.fold(c.vote, c.rowid, true);
    } catch (error) {
      // Nothing of this batch is on disk: every vote stays on its terminal,
      // which resends it. The memory marks were not touched.
      const code = (error as { code?: string }).code ?? 'io-error';
      const message = `journal commit failed: ${(error as Error).message}`;
      for (const p of batch) p.resolve({ status: 'failed', code, message });
      this.counters.failed += batch.length;
      return;
    }
    this.announceTallies(committed);
    batch.forEach((p, i) => {
      const outcome = outcomes[i] as AppendOutcome;
      if (outcome.status === 'stored') this.counters.stored += 1;
      else if (outcome.status === 'duplicate') this.counters.duplicates += 1;
      p.resolve(outcome);
    });
  }

  /** One 'tally-changed' per terminal-month the batch touched. */
  private announceTallies(committed: readonly Committed[]): void {
    if (committed.length === 0 || this.listenerCount('tally-changed') === 0) return;
    const touched = new Map<string, { path: TerminalPath; month: string }>();
    for (const { vote } of committed) {
      const month = localParts(vote.pressedAt).monthKey;
      touched.set(`${vote.terminal}/${month}`, { path: vote, month });
    }
    for (const { path, month } of touched.values()) this.emit('tally-changed', path, month);
  }

  private store(sql: Statements, input: VoteInput, marks: Map<string, number>, seqs: Map<string, number>, committed: Committed[]): AppendOutcome {
    if (input.ownSeq !== undefined) return this.storeOwn(sql, input, committed);
    // Marks as of this transaction: earlier votes of the batch first, then memory, then disk.
    const hwm = marks.get(input.uid) ?? this.marks.get(input.uid) ?? ((sql.device.get(input.uid) as { hwm: number | null } | undefined)?.hwm ?? 0);
    if (input.deviceSeq <= hwm) return { status: 'duplicate', hwm };
    const { district, ward, counter, terminal } = input.path;
    const last = seqs.get(terminal) ?? this.seqs.get(terminal) ?? ((sql.lastSeq.get(terminal) as { seq: number | null } | undefined)?.seq ?? 0);
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

  /**
   * A vote that keeps its terminal's own id (a kiosk's `terminal:seq`):
   * stored once per id, whatever order or how often it arrives; a second
   * copy is a `duplicate`. Same row shape as a box vote (uid `touch:<id>`,
   * device_seq = seq), so whatever reads the journal treats both alike.
   */
  private storeOwn(sql: Statements, input: VoteInput, committed: Committed[]): AppendOutcome {
    const seq = input.ownSeq as number;
    const { district, ward, counter, terminal } = input.path;
    if (sql.byId.get(terminal, seq) !== undefined) return { status: 'duplicate', hwm: seq };
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
    const payload = JSON.stringify(vote);
    const topic = topicFor('vote', vote);
    const rowid = Number(sql.insertOwn.run(terminal, seq, `${OWN_SEQ_UID_PREFIX}${terminal}`, seq, input.pressedAt, input.receivedAt, topic, payload).lastInsertRowid);
    committed.push({ vote, rowid });
    return { status: 'stored', vote, payload, rowid, topic };
  }

  /**
   * Revokes votes of one terminal (see RevocationLog) and folds the
   * tallies they were in again. Returns the revocation and the
   * terminal-months whose tallies changed (to republish).
   */
  revoke(request: RevocationRequest): { revocation: Revocation; tallies: TerminalMonth[] } {
    if (this.revocationLog === undefined) throw new Error('journal is not open: call open() first');
    this.flush();
    const revocation = this.revocationLog.record(request);
    return { revocation, tallies: this.syncRevocations(this.revocationsSeen) };
  }

  /**
   * Folds again the tallies touched by revocations stored since this
   * process last looked (another process — `hailong revoke` — may have
   * written them). Cheap when there is none. Returns the changed
   * terminal-months.
   */
  syncRevocations(after: number = this.revocationsSeen): TerminalMonth[] {
    const log = this.revocationLog;
    const book = this.book;
    if (log === undefined || book === undefined) return [];
    const last = log.lastId();
    if (last <= after) {
      this.revocationsSeen = Math.max(this.revocationsSeen, last);
      return [];
    }
    const touched = log.touched(after, last);
    for (const tm of touched) book.rebuild(tm, tm.month);
    book.persist();
    this.handle.prepare("INSERT INTO meta (key, value) VALUES ('revocations_folded', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(last));
    this.revocationsSeen = last;
    return touched;
  }

  /** Every revocation, oldest first: the audit trail. */
  revocations(): Revocation[] {
    if (this.revocationLog === undefined) throw new Error('journal is not open: call open() first');
    return this.revocationLog.all();
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

  /** True when the vote `terminal:seq` is stored (committed). */
  hasVote(terminal: string, seq: number): boolean {
    return this.statements.byId.get(terminal, seq) !== undefined;
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
    for (const row of this.rowsPressedBetween(fromMs, toMs)) yield row.payload;
  }

  /** Votes pressed in [fromMs, toMs), oldest first: stored payload and, when revoked, the revocation id. */
  *rowsPressedBetween(fromMs: number, toMs: number): IterableIterator<{ payload: string; revocation: number | null }> {
    const rows = this.handle
      .prepare(
        'SELECT v.payload AS payload, r.revocation AS revocation FROM votes v LEFT JOIN revoked_votes r ON r.vote = v.id WHERE v.pressed_at >= ? AND v.pressed_at < ? ORDER BY v.pressed_at, v.id',
      )
      .iterate(fromMs, toMs) as IterableIterator<{ payload: string; revocation: number | null }>;
    yield* rows;
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

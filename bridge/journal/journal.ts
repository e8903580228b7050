/**
 * The durable journal: every vote is committed to SQLite (WAL,
 * synchronous=FULL, so a commit survives power loss) BEFORE the bridge
 * ACKs it to the terminal. `commitBatch` is the group commit: the serial
 * boxes' batch from every port (bridge/serial/vote-pipeline.ts), the appends
 * other writers queued in the same event-loop turn and the outbox's
 * published marks share one transaction, one fsync. The
 * same transaction advances the device's high-water mark and gives the vote
 * its published seq, so a `kill -9` at any instant leaves votes and marks
 * consistent. Monthly tallies are folded from the committed votes and
 * written in batches (tally-book.ts), recovered from the votes after a crash.
 * The parts live beside it: options (journal-options.ts), opening the
 * file (journal-database.ts), SQL (journal-statements.ts), the row of a
 * vote (vote-rows.ts), revocation folding (revocation-sync.ts), tally
 * persistence (tally-persistence.ts), and what waits for the next commit:
 * other writers' appends (append-queue.ts) and published marks
 * (published-marks.ts).
 */
import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import type { TerminalPath } from '../../core/path.ts';
import type { Tally } from '../../core/tally.ts';
import type { Vote } from '../../core/vote.ts';
import { AppendQueue } from './append-queue.ts';
import { DossierBook } from './dossier-book.ts';
import { ForwardQueue } from './forward-queue.ts';
import { openJournalDatabase } from './journal-database.ts';
import { resolveJournalOptions, type JournalOptions, type ResolvedJournalOptions } from './journal-options.ts';
import * as queries from './journal-statements.ts';
import { markRanges, prepareStatements, type OutboxRow, type PressedRow, type Statements } from './journal-statements.ts';
import { PublishedMarks } from './published-marks.ts';
import { RejectedVotes, type RejectionReason } from './rejected-votes.ts';
import { RevocationLog, type Revocation, type RevocationRequest, type TerminalMonth } from './revocation-log.ts';
import { foldRevocations } from './revocation-sync.ts';
import { TallyBook } from './tally-book.ts';
import { persistTallies, touchedMonths } from './tally-persistence.ts';
import { storeVote, type Committed } from './vote-rows.ts';
import type { AppendOutcome, BatchEntry, BatchOutcome, JournalStats, VoteInput } from './vote-input.ts';

export type { JournalOptions } from './journal-options.ts';
export type { OutboxRow } from './journal-statements.ts';

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
  /** Other writers' appends waiting for the next commit. */
  private readonly appends: AppendQueue;
  private book: TallyBook | undefined;
  private rejectedVotes: RejectedVotes | undefined;
  private revocationLog: RevocationLog | undefined;
  /** The highest revocation whose tallies this process has folded again. */
  private revocationsSeen = 0;
  private forwards: ForwardQueue | undefined;
  private dossierBook: DossierBook | undefined;
  private tallyTimer: NodeJS.Timeout | undefined;
  /** PUBACKed rows waiting to be marked published (`deferPublished`). */
  private readonly publishedMarks: PublishedMarks;
  /** Device high-water marks read or written so far (the database is the truth). */
  private readonly marks = new Map<string, number>();
  /** Last published seq per terminal id, read or written so far. */
  private readonly seqs = new Map<string, number>();
  /** Published seqs of this journal start above this (its `meta` seq_base). */
  private seqBase = 0;
  private readonly counters: JournalStats = {
    stored: 0,
    duplicates: 0,
    failed: 0,
    commits: 0,
    rejected: 0,
    markedPublished: 0,
    tallyPersistFailed: 0,
  };

  constructor(options: JournalOptions) {
    super();
    this.options = resolveJournalOptions(options);
    this.appends = new AppendQueue(() => this.flush());
    this.publishedMarks = new PublishedMarks(
      this.options.publishedFlushMs,
      () => this.db !== undefined,
      () => this.flush(),
    );
  }

  /** Opens (creating if needed) the database and checks its schema version. */
  open(): void {
    if (this.db !== undefined) return;
    const { db, seqBase, revocationsFolded } = openJournalDatabase(this.options);
    this.db = db;
    this.seqBase = seqBase;
    this.sql = prepareStatements(db);
    this.rejectedVotes = new RejectedVotes(db);
    this.dossierBook = new DossierBook(db);
    this.revocationLog = new RevocationLog(db);
    this.book = new TallyBook(db, this.options.levels, this.revocationLog);
    this.forwards = new ForwardQueue(db);
    this.book.recover();
    this.syncRevocations(revocationsFolded);
    this.tallyTimer = setInterval(() => this.persistTallies(), this.options.tallyFlushMs);
    this.tallyTimer.unref();
  }

  private persistTallies(): void {
    persistTallies(this.book, this.counters, this.options.log, this.options.path);
  }

  /** Flushes pending appends and tallies, and closes the database. */
  close(): void {
    this.flush();
    clearInterval(this.tallyTimer);
    this.publishedMarks.disarm();
    this.persistTallies();
    this.db?.close();
    this.db = undefined;
    this.sql = undefined;
    this.rejectedVotes = undefined;
    this.book = undefined;
    this.revocationLog = undefined;
    this.revocationsSeen = 0;
    this.forwards = undefined;
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
    return this.appends.append(input);
  }

  /** Rejected votes in the journal, by reason (see `reject`). */
  rejectedCounts(): Record<string, number> {
    return this.rejectedVotes?.counts() ?? {};
  }

  /** Why the device's `deviceSeq` was stored as rejected (committed); undefined when it was not. */
  rejection(uid: string, deviceSeq: number): RejectionReason | undefined {
    return this.rejectedVotes?.reasonOf(uid, deviceSeq);
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

  /** Commits every queued append (and pending published marks) in one transaction, then settles their promises. */
  flush(): void {
    this.commitBatch([]);
  }

  /**
   * The group commit: ONE transaction, so one fsync, for `entries` (judged
   * by an intake: box votes from every port, rejected votes), the appends
   * other writers queued meanwhile (kiosks, QR) and the outbox's published
   * marks. Returns each entry's outcome in its place, after the commit is
   * durable; never throws: when the commit fails every entry is `failed`
   * (nothing of it is on disk, so none may be ACKed) and the marks wait for
   * the next commit.
   */
  commitBatch(entries: readonly BatchEntry[]): BatchOutcome[] {
    const queued = this.appends.take();
    const marks = this.publishedMarks.take();
    if (entries.length === 0 && queued.length === 0 && marks.length === 0) return [];
    const db = this.db;
    const sql = this.sql;
    if (db === undefined || sql === undefined || this.rejectedVotes === undefined) {
      const closed = { status: 'failed', code: 'closed', message: 'journal is closed' } as const;
      for (const p of queued) p.resolve(closed);
      return entries.map(() => closed);
    }
    const rejectedVotes = this.rejectedVotes;
    const outcomes: BatchOutcome[] = [];
    const appended: AppendOutcome[] = [];
    const committed: Committed[] = [];
    const batchMarks = new Map<string, number>();
    const batchSeqs = new Map<string, number>();
    const ctx = {
      sql,
      dossiers: this.dossierBook,
      batchMarks,
      batchSeqs,
      knownMarks: this.marks,
      knownSeqs: this.seqs,
      seqBase: this.seqBase,
      committed,
    };
    try {
      db.transaction(() => {
        for (const p of queued) appended.push(storeVote(ctx, p.input));
        for (const e of entries) outcomes.push(e.kind === 'vote' ? storeVote(ctx, e.input, true) : rejectedVotes.insertIn(e.input));
        markRanges(sql.markPublishedRange, marks);
      })();
    } catch (error) {
      // Nothing of this batch is on disk: every vote stays on its terminal,
      // which resends it; the memory marks were not touched.
      this.publishedMarks.putBack(marks);
      const failed = {
        status: 'failed',
        code: (error as { code?: string }).code ?? 'io-error',
        message: `journal commit failed: ${(error as Error).message}`,
      } as const;
      for (const p of queued) p.resolve(failed);
      this.counters.failed += queued.length + entries.length;
      return entries.map(() => failed);
    }
    this.counters.commits += 1;
    this.counters.markedPublished += marks.length;
    for (const [uid, hwm] of batchMarks) this.marks.set(uid, hwm);
    for (const [terminal, seq] of batchSeqs) this.seqs.set(terminal, seq);
    for (const c of committed) this.book?.fold(c.vote, c.rowid, true);
    this.announceTallies(committed);
    for (const o of [...appended, ...outcomes]) {
      if (o.status === 'stored') this.counters.stored += 1;
      else if (o.status === 'duplicate') this.counters.duplicates += 1;
      else if (o.status === 'rejected') this.counters.rejected += 1;
    }
    queued.forEach((p, i) => p.resolve(appended[i] as AppendOutcome));
    return outcomes;
  }

  /**
   * Rows the broker PUBACKed: marked published in the next commit (a vote
   * batch's, so no fsync of their own under load) or within
   * `publishedFlushMs`. A mark lost in a crash only sends that vote again,
   * which consumers absorb by its id; a vote is never skipped.
   */
  deferPublished(rowids: readonly number[]): void {
    this.publishedMarks.defer(rowids);
  }

  /** One 'tally-changed' per terminal-month the batch touched. */
  private announceTallies(committed: readonly Committed[]): void {
    if (committed.length === 0 || this.listenerCount('tally-changed') === 0) return;
    for (const { path, month } of touchedMonths(committed)) this.emit('tally-changed', path, month);
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
    const { touched, last } = foldRevocations(this.handle, log, book, after, (path, month) => this.emit('tally-changed', path, month));
    this.revocationsSeen = Math.max(this.revocationsSeen, last);
    return touched;
  }

  /** Every revocation, oldest first: the audit trail. */
  revocations(): Revocation[] {
    return this.revocationTable.all();
  }

  /**
   * The revocations as the upstream forwarder's outbox (their own
   * `forwarded` mark, set once the hub acknowledged every part):
   * bridge/upstream/revocation-forwarder.ts.
   */
  get revocationTable(): RevocationLog {
    if (this.revocationLog === undefined) throw new Error('journal is not open: call open() first');
    return this.revocationLog;
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

  /** The newest `limit` runs of consecutive device seqs of `uid` (stored or rejected), ascending. */
  deviceSeqRuns(uid: string, limit: number): [number, number][] {
    return queries.deviceSeqRuns(this.handle, uid, limit);
  }

  /** True while any vote awaits its PUBACK (cheap, unlike counting a big backlog). */
  hasUnpublished(): boolean {
    return this.statements.anyUnpublished.get() !== undefined;
  }

  /** Number of unpublished votes (counts the backlog: avoid in loops). */
  outboxSize(): number {
    return (this.statements.outboxSize.get() as { n: number }).n;
  }

  /** Marks votes published now, in a transaction of their own (after their PUBACK); idempotent. */
  markPublished(rowids: readonly number[]): void {
    if (rowids.length === 0) return;
    const range = this.statements.markPublishedRange;
    this.handle.transaction(() => markRanges(range, rowids))();
    this.counters.markedPublished += rowids.length;
  }

  /** The dossier side of the journal: served dossiers and the one-vote-per-dossier check. */
  get dossiers(): DossierBook {
    if (this.dossierBook === undefined) throw new Error('journal is not open: call open() first');
    return this.dossierBook;
  }

  /** The upstream (hub) marks of the stored votes: the forwarder's outbox. */
  get forwardQueue(): ForwardQueue {
    if (this.forwards === undefined) throw new Error('journal is not open: call open() first');
    return this.forwards;
  }

  /** The current tally of one terminal-month, if it has votes. */
  tallyOf(path: VoteInput['path'], month: string): Tally | undefined {
    if (this.book === undefined) throw new Error('journal is not open: call open() first');
    return this.book.tallyOf(path, month);
  }

  /** Marks every stored vote published (seeded history that must not be replayed as live votes). */
  markAllPublished(): number {
    return queries.markAllPublished(this.handle);
  }

  /** Number of stored votes. */
  voteCount(): number {
    return queries.voteCount(this.handle);
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
  *rowsPressedBetween(fromMs: number, toMs: number): IterableIterator<PressedRow> {
    yield* queries.rowsPressedBetween(this.handle, fromMs, toMs);
  }

  /** Number of votes pressed in [fromMs, toMs). */
  countPressedBetween(fromMs: number, toMs: number): number {
    return queries.countPressedBetween(this.handle, fromMs, toMs);
  }

  /** Counters since open (visible in logs and the bridge status). */
  stats(): Readonly<JournalStats> {
    return { ...this.counters };
  }
}

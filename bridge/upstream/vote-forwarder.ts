/**
 * Forwards the journal's votes to the hub at QoS 1, with the same topics
 * and vote ids as on the ward's own broker. The journal is the outbox: a
 * row is marked forwarded only after the hub's PUBACK (journal column
 * `forwarded`, separate from `published`), so after any outage or restart
 * forwarding resumes from the oldest row the hub has not acknowledged.
 *
 * Rows go out pipelined, up to `window` awaiting PUBACK, read from the
 * journal in batches; a row is never in flight twice: rows are handed out
 * in rowid order within a connection, and a reconnect forgets the old
 * connection's in-flight rows (UpstreamLink starts mqtt.js with fresh
 * stores, so nothing of it is replayed) before reading from the oldest
 * unforwarded row again. A row whose PUBACK was lost with the line goes out
 * twice, which the hub absorbs by archiving by vote id: the only duplicates
 * are QoS 1 redeliveries.
 *
 * Any journal row is forwarded the same way, whoever wrote it (button
 * boxes, kiosks): the forwarder reads rows, not votes. While caught up it
 * polls the journal (`pollMs`), so no vote path has to call it.
 */
import type { Logger } from 'pino';
import type { Journal, OutboxRow } from '../journal/journal.ts';
import type { UpstreamChannel } from './upstream-channel.ts';

/** Options of `VoteForwarder`. */
export interface VoteForwarderOptions {
  /**
   * Most votes awaiting the hub's PUBACK at once. Over a WAN line the rate
   * is at most window / round-trip time (500 / 50 ms = 10,000 votes/s).
   * @default 500
   */
  readonly window?: number;
  /** Most rows read from the journal per query. @default 250 */
  readonly batch?: number;
  /** How often the journal is polled for new votes while caught up (ms). @default 200 */
  readonly pollMs?: number;
  /** Longest wait before acknowledged rows are marked in one transaction (ms). @default 50 */
  readonly markDelayMs?: number;
  /** Interval of the progress line while a backlog drains, and of the rate (ms). @default 5000 */
  readonly progressMs?: number;
  /** A backlog at least this big is "draining": progress lines until it is gone. @default 100 */
  readonly drainThreshold?: number;
  /**
   * Topic prefix the hub lets this ward write under (`hailong/v1/{district}/{ward}/`):
   * rows stored under another (an id before a merger) are marked skipped, not
   * sent, because the hub would refuse them and close the line each time.
   * @default '' (every row)
   */
  readonly topicPrefix?: string;
}

/** What the forwarder reports (in the log and `_bridge/status`). */
export interface ForwarderStats {
  /** Connected to the hub now. */
  readonly connected: boolean;
  /** Journal rows the hub has not acknowledged (as of the last progress tick). */
  readonly backlog: number;
  /** Rows awaiting PUBACK now. */
  readonly inFlight: number;
  /** Rows acknowledged by the hub since start. */
  readonly forwarded: number;
  /** Acknowledged rows per second over the last progress interval. */
  readonly votesPerSecond: number;
  /** Epoch ms of the last PUBACK, 0 before the first. */
  readonly lastAckAt: number;
  /** Rows skipped since start (another place's topic). */
  readonly skipped: number;
}

type Resolved = Readonly<Required<VoteForwarderOptions>>;

/** The vote-forwarding part of the upstream feature. */
export class VoteForwarder {
  readonly options: Resolved;
  private running = false;
  private generation = 0;
  /** Highest rowid handed out in this generation (or rewound after a failure). */
  private cursor = 0;
  /** Rowids awaiting PUBACK, with the generation (connection) that sent them. */
  private readonly inFlight = new Map<number, number>();
  /** Acknowledged, not yet marked on disk: never sent again meanwhile. */
  private readonly toMark = new Set<number>();
  private pumping = false;
  private caughtUp = false;
  private forwarded = 0;
  private skipped = 0;
  private lastAckAt = 0;
  private backlog = 0;
  private rate = 0;
  private rateFrom = { at: 0, forwarded: 0 };
  private drain: { readonly startedAt: number; readonly startForwarded: number; readonly backlog: number } | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private markTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private readonly onConnect = () => this.restart();

  constructor(
    private readonly journal: Journal,
    private readonly channel: UpstreamChannel,
    private readonly log: Logger,
    options: VoteForwarderOptions = {},
  ) {
    this.options = Object.freeze({
      window: options.window ?? 500,
      batch: options.batch ?? 250,
      pollMs: options.pollMs ?? 200,
      markDelayMs: options.markDelayMs ?? 50,
      progressMs: options.progressMs ?? 5000,
      drainThreshold: options.drainThreshold ?? 100,
      topicPrefix: options.topicPrefix ?? '',
    });
  }

  /** Starts forwarding (now if connected, else at the next connect). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.channel.on('connect', this.onConnect);
    this.backlog = this.readBacklog();
    this.rateFrom = { at: Date.now(), forwarded: 0 };
    this.log.info(
      { backlog: this.backlog },
      this.backlog > 0 ? `${this.backlog} votes not yet acknowledged by the hub` : 'every stored vote is on the hub',
    );
    this.pollTimer = setInterval(() => this.pump(), this.options.pollMs);
    this.pollTimer.unref();
    this.progressTimer = setInterval(() => this.progress(), this.options.progressMs);
    this.progressTimer.unref();
    if (this.channel.connected) this.restart();
  }

  /** Stops forwarding and marks what the hub acknowledged. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.channel.off('connect', this.onConnect);
    clearInterval(this.pollTimer);
    clearInterval(this.progressTimer);
    this.flushMarks();
  }

  /** Counters for the log and `_bridge/status`. */
  stats(): ForwarderStats {
    return {
      connected: this.channel.connected,
      backlog: this.backlog,
      inFlight: this.inFlight.size,
      forwarded: this.forwarded,
      votesPerSecond: this.rate,
      lastAckAt: this.lastAckAt,
      skipped: this.skipped,
    };
  }

  /**
   * Reads the journal from its oldest unforwarded row again: rows before the
   * cursor were set back to unforwarded (bridge/upstream/archive-watch.ts).
   * Rows in flight or acknowledged are not sent twice.
   */
  rewind(): void {
    this.cursor = 0;
    this.caughtUp = false;
    this.backlog = this.readBacklog();
    this.pump();
  }

  /** True while a backlog drains (progress lines are being logged). */
  get draining(): boolean {
    return this.drain !== undefined;
  }

  private readBacklog(): number {
    return this.journal.isOpen ? this.journal.forwardQueue.backlog() : 0;
  }

  private restart(): void {
    // A new connection: what the old one had in flight is gone with it
    // (mqtt.js starts with fresh stores), so it is read again from the journal.
    this.generation += 1;
    this.inFlight.clear();
    this.cursor = 0;
    this.caughtUp = false;
    this.backlog = this.readBacklog();
    if (this.backlog >= this.options.drainThreshold) this.startDrain();
    this.pump();
  }

  private startDrain(): void {
    if (this.drain !== undefined) return;
    this.drain = { startedAt: Date.now(), startForwarded: this.forwarded, backlog: this.backlog };
    this.log.info({ backlog: this.backlog }, `forwarding a backlog of ${this.backlog} votes to the hub`);
  }

  private pump(): void {
    if (this.pumping || !this.running || !this.channel.connected || !this.journal.isOpen) return;
    this.pumping = true;
    try {
      const queue = this.journal.forwardQueue;
      const generation = this.generation;
      while (this.inFlight.size < this.options.window && this.channel.connected) {
        const want = Math.min(this.options.batch, this.options.window - this.inFlight.size);
        const rows = queue.next(this.cursor, want);
        this.caughtUp = rows.length < want;
        const foreign: OutboxRow[] = [];
        for (const row of rows) {
          this.cursor = row.rowid;
          if (this.inFlight.has(row.rowid) || this.toMark.has(row.rowid)) continue;
          if (!row.topic.startsWith(this.options.topicPrefix)) {
            foreign.push(row);
            continue;
          }
          this.inFlight.set(row.rowid, generation);
          // Stored topic and payload: the hub gets exactly what the ward's broker got.
          this.channel.publish(row.topic, row.payload, false).then(
            () => this.acked(row.rowid, generation),
            () => this.failed(row.rowid, generation),
          );
        }
        if (foreign.length > 0) this.skip(foreign);
        if (this.caughtUp) break;
      }
    } catch (error) {
      this.log.error({ error: (error as Error).message }, 'could not read the journal for forwarding; retrying');
    } finally {
      this.pumping = false;
    }
  }

  private skip(rows: readonly OutboxRow[]): void {
    this.journal.forwardQueue.markSkipped(rows.map((r) => r.rowid));
    if (this.skipped === 0) {
      this.log.warn(
        { example: rows[0]?.topic, allowed: this.options.topicPrefix },
        `stored votes under another place's topic (e.g. an id before a merger) are not forwarded: this ward's hub account may write only under ${this.options.topicPrefix}`,
      );
    }
    this.skipped += rows.length;
  }

  private acked(rowid: number, generation: number): void {
    // A PUBACK is the hub's receipt whatever connection carried it.
    this.forwarded += 1;
    this.lastAckAt = Date.now();
    this.toMark.add(rowid);
    if (this.toMark.size >= 512) this.flushMarks();
    else this.markTimer ??= setTimeout(() => this.flushMarks(), this.options.markDelayMs);
    if (this.inFlight.get(rowid) === generation) this.inFlight.delete(rowid);
    // Refill in batches once half the window is free, not one query per PUBACK.
    if (!this.caughtUp && this.inFlight.size <= this.options.window / 2) this.pump();
  }

  private failed(rowid: number, generation: number): void {
    if (this.inFlight.get(rowid) !== generation) return;
    this.inFlight.delete(rowid);
    // Read it again on the next pump (still connected) or at the next connect.
    this.cursor = Math.min(this.cursor, rowid - 1);
    this.caughtUp = false;
  }

  private flushMarks(): void {
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    if (this.toMark.size === 0 || !this.journal.isOpen) return;
    const rows = [...this.toMark];
    try {
      this.journal.forwardQueue.markForwarded(rows);
      this.toMark.clear();
    } catch (error) {
      // Kept in memory and retried; if the process dies first, the rows go out again: a duplicate, never a loss.
      this.log.error({ error: (error as Error).message, rows: rows.length }, 'could not mark votes forwarded');
      this.markTimer = setTimeout(() => this.flushMarks(), 1000);
    }
  }

  private progress(): void {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - this.rateFrom.at) / 1000);
    this.rate = Math.round((this.forwarded - this.rateFrom.forwarded) / seconds);
    this.rateFrom = { at: now, forwarded: this.forwarded };
    try {
      this.backlog = this.readBacklog();
    } catch {
      // The journal is closing: keep the last figure.
    }
    if (!this.channel.connected) return;
    if (this.drain === undefined && this.backlog >= this.options.drainThreshold) this.startDrain();
    const drain = this.drain;
    if (drain === undefined) return;
    if (this.backlog > 0) {
      this.log.info(
        { backlog: this.backlog, votesPerSecond: this.rate, forwarded: this.forwarded - drain.startForwarded },
        'forwarding backlog to the hub',
      );
      return;
    }
    const votes = this.forwarded - drain.startForwarded;
    const took = (now - drain.startedAt) / 1000;
    this.log.info(
      { votes, seconds: Math.round(took * 10) / 10, votesPerSecond: Math.round(votes / Math.max(0.001, took)) },
      'backlog forwarded: the hub has every stored vote',
    );
    this.drain = undefined;
  }
}

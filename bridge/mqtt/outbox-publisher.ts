/**
 * Publishes the journal's unpublished votes at QoS 1 and marks each one
 * published only after its PUBACK. This is the bridge's own outbox, keyed by
 * the journal row: MQTT.js's stores are not a durability layer (queued
 * publishes dropped during a replay, mqttjs/MQTT.js#2015; message ids that
 * collide after a restart, mcollina/mqtt-level-store#19).
 * After every (re)connect it starts again from the oldest unpublished vote:
 * a vote whose PUBACK was lost with the connection goes out twice, which
 * consumers absorb by deduping on the vote id; no vote is ever skipped.
 */
import type { Logger } from 'pino';
import type { Journal } from '../journal/journal.ts';
import type { MqttLink } from './mqtt-link.ts';

/** Options of `OutboxPublisher`. */
export interface OutboxPublisherOptions {
  /** Most votes awaiting PUBACK at once. @default 1024 */
  readonly window?: number;
  /**
   * Longest wait before PUBACKed rows are handed to the journal together
   * (ms); the journal writes their marks with its next commit (a vote
   * batch's, or its own within 50 ms: `Journal.deferPublished`).
   * @default 0 (the PUBACKs of one event-loop turn together)
   */
  readonly markDelayMs?: number;
  /** Interval of backlog progress lines while replaying (ms). @default 5000 */
  readonly progressMs?: number;
  /** Wait before reading the journal again after it failed (ms). @default 1000 */
  readonly retryMs?: number;
}

/** What the outbox reads and marks in the journal (its seam: unit tests pass a fake). */
export type OutboxJournal = Pick<Journal, 'isOpen' | 'outbox' | 'outboxSize' | 'deferPublished'>;

/** What the outbox needs of the MQTT link (`MqttLink`; its seam: unit tests pass a fake). */
export interface OutboxLink {
  readonly connected: boolean;
  on(event: 'connect', listener: () => void): unknown;
  off(event: 'connect', listener: () => void): unknown;
  publishText: MqttLink['publishText'];
  /** The same with a callback, when the link has it (`MqttLink`): no promise per vote. */
  publishTextThen?: MqttLink['publishTextThen'];
}

/**
 * The outbox's link when the broker runs in this process: connection state
 * and `connect` (the outbox's restart) from the MQTT link, the publishes
 * through `publish` (an in-process broker's own publish), so a vote skips
 * the MQTT encode, the loopback socket and the broker's parse (issue 14).
 */
export function localOutboxLink(link: OutboxLink, publish: (topic: string, payload: string) => Promise<void>): OutboxLink {
  return {
    get connected() {
      return link.connected;
    },
    on: (event, listener) => link.on(event, listener),
    off: (event, listener) => link.off(event, listener),
    publishText: (topic, payload) => publish(topic, payload),
  };
}

/** Outbox counters. */
export interface OutboxStats {
  readonly published: number;
  readonly inFlight: number;
  readonly backlog: number;
  /** Journal reads that failed (SQLite errors); the votes stay stored and are sent after a retry. */
  readonly journalErrors: number;
}

/** The outbox feature. */
export class OutboxPublisher {
  private readonly window: number;
  private readonly markDelayMs: number;
  private readonly progressMs: number;
  private readonly retryMs: number;
  private journalErrors = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private generation = 0;
  private cursor = 0;
  private inFlight = 0;
  private pumping = false;
  /** The last outbox query found nothing beyond `cursor`: new votes can go straight out. */
  private caughtUp = false;
  private running = false;
  private published = 0;
  private toMark: number[] = [];
  private markTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private replayStartedWith = 0;
  private readonly onConnect = () => this.restart();

  constructor(
    private readonly journal: OutboxJournal,
    private readonly link: OutboxLink,
    private readonly log: Logger,
    options: OutboxPublisherOptions = {},
  ) {
    this.window = options.window ?? 1024;
    this.markDelayMs = options.markDelayMs ?? 0;
    this.progressMs = options.progressMs ?? 5000;
    this.retryMs = options.retryMs ?? 1000;
  }

  /** Starts publishing (now if connected, else on connect). */
  start(): void {
    this.running = true;
    this.link.on('connect', this.onConnect);
    this.progressTimer = setInterval(() => this.progress(), this.progressMs);
    this.progressTimer.unref();
    if (this.link.connected) this.restart();
  }

  /** Stops publishing and hands over the marks of what was acknowledged (the journal writes them, at the latest when it closes). */
  stop(): void {
    this.running = false;
    this.link.off('connect', this.onConnect);
    clearInterval(this.progressTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.flushMarks();
  }

  /** A vote was stored: publish it soon. */
  wake(): void {
    if (this.running && !this.pumping) setImmediate(() => this.pump());
  }

  /**
   * A vote was just committed as journal row `rowid`: when the outbox is
   * caught up, publish it from memory instead of reading it back (the
   * steady state); otherwise the pump finds it in the journal, in order.
   */
  offer(rowid: number, topic: string, payload: string): void {
    if (!this.running || !this.link.connected || !this.caughtUp || rowid <= this.cursor || this.inFlight >= this.window) {
      this.caughtUp = false;
      this.wake();
      return;
    }
    this.cursor = rowid;
    this.send(this.generation, rowid, topic, payload);
  }

  private send(generation: number, rowid: number, topic: string, payload: string): void {
    this.inFlight += 1;
    const link = this.link;
    if (link.publishTextThen !== undefined) {
      link.publishTextThen(topic, payload, 1, false, (error) => (error ? this.failed(generation) : this.acked(generation, rowid)));
      return;
    }
    link.publishText(topic, payload, 1, false).then(
      () => this.acked(generation, rowid),
      () => this.failed(generation),
    );
  }

  /** Counters for the bridge status. */
  stats(): OutboxStats {
    let backlog = 0;
    try {
      backlog = this.journal.isOpen ? this.journal.outboxSize() : 0;
    } catch {
      // Counted by the pump; a status must still be built.
    }
    return { published: this.published, inFlight: this.inFlight, backlog, journalErrors: this.journalErrors };
  }

  /**
   * A journal read threw (SQLite I/O error, a locked or corrupt file): the
   * votes are still stored, so log loudly, count, and try again later. The
   * callers run from timers and MQTT events, where a throw would kill the
   * bridge (issue 13).
   */
  private journalFailed(error: unknown, during: string): void {
    const n = ++this.journalErrors;
    if (n <= 10 || n % 100 === 0) {
      this.log.error(
        { err: error, during, count: n },
        `outbox could not read the journal (${during}); the votes stay stored and are sent after a retry`,
      );
    }
    this.restartLater();
  }

  /** Starts again from the oldest unmarked row after `retryMs`, once (a timer already set stands). */
  private restartLater(): void {
    if (!this.running || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.restart();
    }, this.retryMs);
  }

  private restart(): void {
    // Everything not yet marked goes out again, from the oldest: PUBACKs of
    // the old connection may never come.
    this.generation += 1;
    this.cursor = 0;
    this.inFlight = 0;
    this.caughtUp = false;
    let backlog: number;
    try {
      backlog = this.journal.isOpen ? this.journal.outboxSize() : 0;
    } catch (error) {
      this.journalFailed(error, 'counting the backlog');
      return;
    }
    this.replayStartedWith = backlog;
    if (backlog > 0) this.log.info({ backlog }, 'publishing stored votes not yet acknowledged by the broker');
    this.pump();
  }

  private progress(): void {
    if (this.replayStartedWith === 0 || !this.journal.isOpen) return;
    let backlog: number;
    try {
      backlog = this.journal.outboxSize();
    } catch (error) {
      this.journalFailed(error, 'counting the backlog');
      return;
    }
    if (backlog === 0) {
      this.log.info({ published: this.replayStartedWith }, 'backlog delivered');
      this.replayStartedWith = 0;
      return;
    }
    const done = Math.max(0, this.replayStartedWith - backlog);
    this.log.info({ backlog, done, percent: Math.floor((done / this.replayStartedWith) * 100) }, 'replaying backlog');
  }

  private pump(): void {
    if (this.pumping || !this.running || !this.link.connected || !this.journal.isOpen) return;
    this.pumping = true;
    try {
      while (this.inFlight < this.window && this.link.connected) {
        const want = this.window - this.inFlight;
        let rows: ReturnType<Journal['outbox']>;
        try {
          rows = this.journal.outbox(this.cursor, want);
        } catch (error) {
          this.caughtUp = false;
          this.journalFailed(error, 'reading unpublished votes');
          break;
        }
        this.caughtUp = rows.length < want;
        if (rows.length === 0) break;
        const generation = this.generation;
        for (const row of rows) {
          this.cursor = row.rowid;
          // The journal stored the topic it computed from the validated vote.
          this.send(generation, row.rowid, row.topic, row.payload);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private acked(generation: number, rowid: number): void {
    this.published += 1;
    this.toMark.push(rowid);
    this.markTimer ??= setTimeout(() => this.flushMarks(), this.markDelayMs);
    if (generation === this.generation) {
      this.inFlight -= 1;
      // Caught up: new votes arrive through offer(), no need to ask the
      // journal. Replaying: refill in batches once half the window is free,
      // not one query per PUBACK.
      if (!this.caughtUp && this.inFlight <= this.window / 2) this.pump();
    }
  }

  private failed(generation: number): void {
    if (generation !== this.generation) return;
    this.inFlight -= 1;
    // Disconnected: the next connect restarts from the oldest unmarked row.
    // Refused while still connected (an in-process broker whose persistence
    // failed, localOutboxLink): no connect will come, so start again after a wait.
    if (this.link.connected) this.restartLater();
  }

  /** Hands the PUBACKed rows to the journal: marked in its next commit, no fsync of their own under load. */
  private flushMarks(): void {
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    const rows = this.toMark;
    this.toMark = [];
    // A closed journal: the rows stay unmarked and go out again after the next start (a duplicate, never a loss).
    if (rows.length > 0 && this.journal.isOpen) this.journal.deferPublished(rows);
  }
}

/**
 * The terminal's reliable-delivery core (PROTOCOL.md §7.2, §7.3): the FIFO of
 * stored, unacknowledged votes; one vote in flight, the oldest; resend with
 * a doubling timeout (1, 2, 4 … 30 s, forever); completion only by an ACK for
 * the in-flight seq; the NAK rules. It knows nothing of sessions: the
 * terminal says when sending is allowed (`canSend`) and when to pause.
 */
import { AGE_UNKNOWN, type VoteMessage } from '../../firmware-protocol/src/index.ts';
import type { Clock, ClockTimer } from './clock.ts';
import type { NakAction, SendCause } from './terminal-events.ts';
import type { StoredVote } from './terminal-store.ts';

/** Largest known age: AGE_UNKNOWN itself means "unknown" (§5.3). */
const MAX_KNOWN_AGE = AGE_UNKNOWN - 1;

/** One VOTE transmission, as reported to the terminal. */
export interface VoteSent {
  readonly vote: VoteMessage;
  /** Transmissions of this vote so far, this one included. */
  readonly attempt: number;
  readonly cause: SendCause;
}

/** Options of a VoteOutbox. */
export interface VoteOutboxOptions {
  readonly clock: Clock;
  /** First ACK timeout (§7.2: 1 s). */
  readonly ackTimeoutMs: number;
  /** Cap of the doubled timeout (§7.2: 30 s). */
  readonly maxAckTimeoutMs: number;
  /** Writes one VOTE frame. */
  readonly send: (sent: VoteSent) => void;
  /** False while votes must not be sent (HELLO phase, powered off). */
  readonly canSend: () => boolean;
}

interface InFlight {
  readonly seq: number;
  attempts: number;
  /** §7.3: a CRC/FORMAT/RANGE NAK earns one immediate resend per vote. */
  immediateUsed: boolean;
}

/** Stored votes awaiting their ACK, and the stop-and-wait machinery. */
export class VoteOutbox {
  private queue: StoredVote[] = [];
  /** Press time of votes pressed since power-on (RAM only: after a reboot their age is unknown). */
  private readonly pressedAt = new Map<number, number>();
  private inflight: InFlight | null = null;
  private timeout: number;
  private timer: ClockTimer | null = null;

  constructor(private readonly o: VoteOutboxOptions) {
    this.timeout = o.ackTimeoutMs;
  }

  /** The stored votes, oldest first (a live view: do not modify). */
  get votes(): readonly StoredVote[] {
    return this.queue;
  }

  /** Number of unacknowledged votes. */
  get length(): number {
    return this.queue.length;
  }

  /** Seq awaiting its ACK, or null. */
  get inFlightSeq(): number | null {
    return this.inflight?.seq ?? null;
  }

  /** The current timeout step. */
  get timeoutMs(): number {
    return this.timeout;
  }

  /** Replaces everything with votes read from the store (power-on): no press times, nothing in flight. */
  load(votes: readonly StoredVote[]): void {
    this.pause();
    this.queue = [...votes];
    this.pressedAt.clear();
    this.inflight = null;
    this.timeout = this.o.ackTimeoutMs;
  }

  /**
   * Replaces the queue with the same votes under new seqs, already persisted (§7.6),
   * keeping each vote's press time; nothing stays in flight.
   */
  renumber(votes: readonly StoredVote[]): void {
    const times = this.queue.map((v) => this.pressedAt.get(v.seq));
    this.pause();
    this.pressedAt.clear();
    votes.forEach((v, i) => {
      const at = times[i];
      if (at !== undefined) this.pressedAt.set(v.seq, at);
    });
    this.queue = [...votes];
    this.inflight = null;
  }

  /** Appends a vote already persisted, pressed at `pressedAt` (call sendNext to send it if it is the oldest). */
  add(vote: StoredVote, pressedAt: number): void {
    this.queue.push(vote);
    this.pressedAt.set(vote.seq, pressedAt);
  }

  /** A new session (§7.2): timeout back to 1 s, the oldest vote at once. */
  startSession(): void {
    this.timeout = this.o.ackTimeoutMs;
    this.sendHead('session');
  }

  /** HELLO phase: the resend timer pauses; the in-flight seq is kept so a late ACK still completes it. */
  pause(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /**
   * An ACK: completes the in-flight vote when the seq matches, whatever the
   * status (§7.2), and returns its attempts; otherwise null (ignored). The
   * next vote is not sent here: the terminal decides after telling listeners.
   */
  ack(seq: number): number | null {
    const f = this.inflight;
    if (f === null || seq !== f.seq) return null;
    this.pause();
    this.inflight = null;
    this.queue.shift();
    this.pressedAt.delete(seq);
    this.timeout = this.o.ackTimeoutMs;
    return f.attempts;
  }

  /** Sends the next vote if sending is allowed and none is in flight. */
  sendNext(): void {
    if (this.inflight === null) this.sendHead('first');
  }

  /**
   * Classifies a NAK per §7.3 (seq = in-flight or 0) and acts on the
   * resend ones. `hello` and `stop-voting` are left to the terminal.
   */
  nak(seq: number, reason: string): NakAction {
    const f = this.inflight;
    if (reason === 'VERSION' && (seq === 0 || seq === f?.seq)) return 'stop-voting';
    if (f === null || (seq !== f.seq && seq !== 0) || !this.o.canSend()) return 'ignored';
    if (reason === 'HELLO') return 'hello';
    if ((reason === 'CRC' || reason === 'FORMAT' || reason === 'RANGE') && !f.immediateUsed) {
      f.immediateUsed = true;
      this.transmit('nak');
      this.arm();
      return 'resend-now';
    }
    // BUSY, STORAGE, TYPE, unknown, or a repeated CRC/FORMAT/RANGE: like a timeout.
    this.arm();
    return 'backoff';
  }

  /** Power-off: everything in RAM goes. */
  clear(): void {
    this.load([]);
  }

  private sendHead(cause: SendCause): void {
    if (!this.o.canSend()) return;
    const head = this.queue[0];
    if (head === undefined) return;
    if (this.inflight?.seq !== head.seq) this.inflight = { seq: head.seq, attempts: 0, immediateUsed: false };
    this.transmit(cause);
    this.arm();
  }

  /** Writes the in-flight vote with ageMs recomputed for this transmission (§5.3). */
  private transmit(cause: SendCause): void {
    const f = this.inflight;
    const v = this.queue[0];
    if (f === null || v === undefined || v.seq !== f.seq) return;
    const at = this.pressedAt.get(v.seq);
    const ageMs = at === undefined ? null : Math.min(Math.max(0, this.o.clock.now() - at), MAX_KNOWN_AGE);
    f.attempts++;
    this.o.send({ vote: { type: 'VOTE', seq: v.seq, button: v.button, reason: v.reason, ageMs, flags: v.flags }, attempt: f.attempts, cause });
  }

  /** Waits the current timeout; on expiry resends and doubles it, capped (1, 2, 4, 8, 16, 30, 30 … s). */
  private arm(): void {
    this.timer?.cancel();
    this.timer = this.o.clock.setTimer(() => {
      this.timer = null;
      if (!this.o.canSend() || this.inflight === null) return;
      this.timeout = Math.min(this.timeout * 2, this.o.maxAckTimeoutMs);
      this.transmit('timeout');
      this.arm();
    }, this.timeout);
  }
}

/**
 * The terminal's reliable-delivery core (PROTOCOL.md §7.2, §7.3, §7.7): the
 * FIFO of stored, unacknowledged votes and the pure send window of the codec
 * (firmware-protocol/src/send-window.ts) bound to a clock: up to W votes in
 * flight, the oldest; cumulative ACKs; go-back-N with a doubling timeout
 * (1, 2, 4 … 30 s, forever); the NAK rules. With W = 1 (the default, and any
 * bridge that grants no window) it is stop-and-wait. It knows nothing of
 * sessions beyond start/pause: the terminal says when sending is allowed.
 */
import { AGE_UNKNOWN, SendWindow, type VoteMessage, type WindowStep } from '../../firmware-protocol/src/index.ts';
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

/** A vote an ACK completed, with how often it was sent. */
export interface VoteCompleted {
  readonly seq: number;
  readonly attempts: number;
}

/** Options of a VoteOutbox. */
export interface VoteOutboxOptions {
  readonly clock: Clock;
  /** First ACK timeout (§7.2: 1 s). */
  readonly ackTimeoutMs: number;
  /** Cap of the doubled timeout (§7.2: 30 s). */
  readonly maxAckTimeoutMs: number;
  /** The window the terminal asks for in HELLO (its Wmax, §7.6, §7.7). */
  readonly maxInFlight: number;
  /** Writes one VOTE frame. */
  readonly send: (sent: VoteSent) => void;
  /** False while votes must not be sent (HELLO phase, powered off). */
  readonly canSend: () => boolean;
}

/** Stored votes awaiting their ACK, and the window machinery. */
export class VoteOutbox {
  private window: SendWindow<StoredVote>;
  /** Press time of votes pressed since power-on (RAM only: after a reboot their age is unknown). */
  private readonly pressedAt = new Map<number, number>();
  /** Transmissions per seq since power-on. */
  private readonly attempts = new Map<number, number>();
  private timer: ClockTimer | null = null;

  constructor(private readonly o: VoteOutboxOptions) {
    this.window = this.newWindow();
  }

  private newWindow(): SendWindow<StoredVote> {
    return new SendWindow<StoredVote>({
      maxInFlight: this.o.maxInFlight,
      ackTimeoutMs: this.o.ackTimeoutMs,
      maxAckTimeoutMs: this.o.maxAckTimeoutMs,
    });
  }

  /** The stored votes, oldest first (a live view: do not modify). */
  get votes(): readonly StoredVote[] {
    return this.window.votes;
  }

  /** Number of unacknowledged votes. */
  get length(): number {
    return this.window.votes.length;
  }

  /** Oldest seq awaiting its ACK, or null. */
  get inFlightSeq(): number | null {
    return this.window.inFlight[0]?.seq ?? null;
  }

  /** Seqs awaiting their ACK, oldest first. */
  get inFlightSeqs(): number[] {
    return this.window.inFlight.map((v) => v.seq);
  }

  /** W of the current (or last) session. */
  get windowSize(): number {
    return this.window.window;
  }

  /** The current timeout step. */
  get timeoutMs(): number {
    return this.window.timeoutMs;
  }

  /** Replaces everything with votes read from the store (power-on): no press times, nothing in flight. */
  load(votes: readonly StoredVote[]): void {
    this.pause();
    this.window = this.newWindow();
    this.window.load(votes);
    this.pressedAt.clear();
    this.attempts.clear();
  }

  /**
   * Replaces the queue with the same votes under new seqs, already persisted (§7.6),
   * keeping each vote's press time; nothing stays in flight.
   */
  renumber(votes: readonly StoredVote[]): void {
    const times = this.window.votes.map((v) => this.pressedAt.get(v.seq));
    this.pause();
    this.pressedAt.clear();
    this.attempts.clear();
    votes.forEach((v, i) => {
      const at = times[i];
      if (at !== undefined) this.pressedAt.set(v.seq, at);
    });
    this.window.load(votes);
  }

  /** Appends a vote already persisted, pressed at `pressedAt` (call sendNext to send it if the window has room). */
  add(vote: StoredVote, pressedAt: number): void {
    this.pressedAt.set(vote.seq, pressedAt);
    this.window.add(vote);
  }

  /** A new session (§7.7 step 5): W = min(granted, asked), timeout back to 1 s, the oldest vote alone. */
  startSession(granted: number | undefined): void {
    this.apply(this.window.startSession(granted), 'session');
  }

  /** HELLO phase: the resend timer stops; the votes in flight still accept a late ACK. */
  pause(): void {
    this.window.endSession();
    this.timer?.cancel();
    this.timer = null;
  }

  /**
   * An ACK: completes the vote `seq` and every vote in flight below it, whatever the status
   * (§5.4, §7.7), and returns them; empty when ignored. Nothing more is sent here: the terminal
   * makes the done marks durable, then calls `sendNext`.
   */
  ack(seq: number): VoteCompleted[] {
    const step = this.window.ack(seq);
    if (step.done.length === 0) return [];
    this.timerCommand(step);
    return step.done.map((v) => {
      const attempts = this.attempts.get(v.seq) ?? 0;
      this.pressedAt.delete(v.seq);
      this.attempts.delete(v.seq);
      return { seq: v.seq, attempts };
    });
  }

  /** Sends the next votes the window has room for. */
  sendNext(): void {
    this.apply(this.window.fill(), 'first');
  }

  /** Classifies a NAK per §7.3 / §7.7 and acts on the resend ones. `hello` and `stop-voting` are left to the terminal. */
  nak(seq: number, reason: string): NakAction {
    if (!this.o.canSend() && reason !== 'VERSION') return 'ignored';
    const step = this.window.nak(seq, reason);
    if (step.action === 'resend-now') this.apply(step, 'nak');
    return step.action;
  }

  /** Power-off: everything in RAM goes. */
  clear(): void {
    this.load([]);
  }

  /** Transmits a step's votes (if sending is allowed) and applies its timer command. */
  private apply(step: WindowStep<StoredVote>, cause: SendCause): void {
    if (!this.o.canSend()) return;
    for (const v of step.send) this.transmit(v, cause);
    this.timerCommand(step);
  }

  private timerCommand(step: WindowStep<StoredVote>): void {
    if (step.timer === 'keep') return;
    this.timer?.cancel();
    this.timer = null;
    if (step.timer === 'restart') this.timer = this.o.clock.setTimer(() => this.expire(), this.window.timeoutMs);
  }

  /** The timer ran out: go back N and double (1, 2, 4, 8, 16, 30, 30 … s). */
  private expire(): void {
    this.timer = null;
    if (!this.o.canSend()) return;
    this.apply(this.window.expire(), 'timeout');
  }

  /** Writes one vote with ageMs recomputed for this transmission (§5.3). */
  private transmit(v: StoredVote, cause: SendCause): void {
    const at = this.pressedAt.get(v.seq);
    const ageMs = at === undefined ? null : Math.min(Math.max(0, this.o.clock.now() - at), MAX_KNOWN_AGE);
    const attempt = (this.attempts.get(v.seq) ?? 0) + 1;
    this.attempts.set(v.seq, attempt);
    this.o.send({ vote: { type: 'VOTE', seq: v.seq, button: v.button, reason: v.reason, ageMs, flags: v.flags }, attempt, cause });
  }
}

/**
 * The terminal's send window (PROTOCOL.md §7.7, revision 1.1) as a pure state
 * machine: which stored votes go out, which an ACK completes, what a NAK or a
 * timeout resends (go-back-N), and the §7.6 test for lost history with Wmax.
 * No clock, no I/O: every operation returns what to send and what to do with
 * the one resend timer, and the adapter (the simulator's outbox, a firmware
 * port) does it. With a window of 1 it is exactly the stop-and-wait of §7.2.
 */

import { DEFAULT_IN_FLIGHT, MAX_IN_FLIGHT } from './constants.ts';

/** First ACK timeout (§7.2). */
export const ACK_TIMEOUT_MS = 1000;

/** Cap of the doubled ACK timeout (§7.2). */
export const MAX_ACK_TIMEOUT_MS = 30_000;

/** What the adapter does with the window's single resend timer after an operation. */
export type TimerCommand = 'restart' | 'stop' | 'keep';

/** Result of one SendWindow operation. */
export interface WindowStep<V> {
  /** Votes to transmit now, in this order (each with its ageMs recomputed). */
  readonly send: readonly V[];
  /** Votes this operation completed (an ACK), oldest first; mark them done durably before `fill()`. */
  readonly done: readonly V[];
  /** `restart`: (re)arm the timer with `timeoutMs`; `stop`: cancel it; `keep`: leave it running. */
  readonly timer: TimerCommand;
}

/** How a NAK was handled (§7.3, §7.7 step 4). */
export type WindowNakAction = 'ignored' | 'resend-now' | 'backoff' | 'hello' | 'stop-voting';

/** Options of a SendWindow. */
export interface SendWindowOptions {
  /**
   * The window the terminal asks for in HELLO `inFlight`: its Wmax (§7.6), 1..64.
   * @default 1
   */
  readonly maxInFlight?: number;
  /**
   * First ACK timeout in ms.
   * @default 1000
   */
  readonly ackTimeoutMs?: number;
  /**
   * Cap of the doubled timeout in ms.
   * @default 30000
   */
  readonly maxAckTimeoutMs?: number;
}

const NOTHING: WindowStep<never> = { send: [], done: [], timer: 'keep' };

/** NAK reasons that earn one immediate go-back (§7.3: probably line noise). */
const RESEND_REASONS: ReadonlySet<string> = new Set(['CRC', 'FORMAT', 'RANGE']);

/**
 * §7.6 with a window: true when the terminal's history must have been lost, so its pending
 * votes are renumbered above `mark`: its oldest pending seq is at or below `mark − Wmax`, or its
 * next seq is at or below `mark`. With Wmax = 1 that is "oldest pending below the mark".
 */
export function lostHistory(oldestPending: number | undefined, nextSeq: number, mark: number, maxInFlight: number): boolean {
  return (oldestPending !== undefined && oldestPending <= mark - maxInFlight) || nextSeq <= mark;
}

/** Stored, unacknowledged votes (oldest first) and the go-back-N machinery of §7.7. */
export class SendWindow<V extends { readonly seq: number }> {
  /** Wmax: what HELLO asks for. */
  readonly maxInFlight: number;
  private readonly firstTimeout: number;
  private readonly maxTimeout: number;
  private queue: V[] = [];
  /** queue[0 .. sent) are in flight. */
  private sent = 0;
  private granted = DEFAULT_IN_FLIGHT;
  private active = false;
  /** An ACK has completed a vote in this session: the window may hold more than one (§7.7). */
  private opened = false;
  private timeout: number;
  /** The one immediate go-back a CRC/FORMAT/RANGE NAK earns until the next completion. */
  private nakResendUsed = false;

  /** Throws RangeError for a `maxInFlight` outside 1..64 (a programmer error). */
  constructor(options: SendWindowOptions = {}) {
    const max = options.maxInFlight ?? DEFAULT_IN_FLIGHT;
    if (!Number.isInteger(max) || max < 1 || max > MAX_IN_FLIGHT) {
      throw new RangeError(`"maxInFlight" must be an integer 1..${MAX_IN_FLIGHT}, got ${String(max)}`);
    }
    this.maxInFlight = max;
    this.firstTimeout = options.ackTimeoutMs ?? ACK_TIMEOUT_MS;
    this.maxTimeout = options.maxAckTimeoutMs ?? MAX_ACK_TIMEOUT_MS;
    this.timeout = this.firstTimeout;
  }

  /** The stored votes, oldest first (a live view: do not modify). */
  get votes(): readonly V[] {
    return this.queue;
  }

  /** The votes in flight (sent, not yet completed), oldest first. */
  get inFlight(): readonly V[] {
    return this.queue.slice(0, this.sent);
  }

  /** Number of votes in flight. */
  get inFlightCount(): number {
    return this.sent;
  }

  /** W of the current (or last) session: min(granted, Wmax). */
  get window(): number {
    return this.granted;
  }

  /** True between `startSession` and `endSession`. */
  get inSession(): boolean {
    return this.active;
  }

  /** The timeout the timer runs with now. */
  get timeoutMs(): number {
    return this.timeout;
  }

  /** Replaces every vote (power-on, or a renumbering of the same votes, §7.6): nothing in flight. */
  load(votes: readonly V[]): void {
    this.queue = [...votes];
    this.sent = 0;
  }

  /** Appends a vote already persisted; `fill()` then sends it if the window has room. */
  add(vote: V): void {
    this.queue.push(vote);
  }

  /**
   * WELCOME (§7.7 step 5): W = min(`granted` (absent = 1), Wmax), nothing in flight,
   * timeout back to 1 s, and the oldest vote goes alone.
   */
  startSession(granted: number | undefined): WindowStep<V> {
    this.granted = Math.max(1, Math.min(granted ?? DEFAULT_IN_FLIGHT, this.maxInFlight));
    this.active = true;
    this.opened = false;
    this.sent = 0;
    this.timeout = this.firstTimeout;
    this.nakResendUsed = false;
    return this.fill();
  }

  /** HELLO phase: nothing is sent and the timer stops; the votes in flight still accept a late ACK. */
  endSession(): WindowStep<V> {
    this.active = false;
    return { send: [], done: [], timer: 'stop' };
  }

  /**
   * `ACK,<seq>`: when `seq` is in flight, completes it and every vote in flight below it,
   * whatever the status (§5.4); otherwise ignored (`done` empty). Sends nothing: the adapter
   * makes the done marks durable, then calls `fill()` (§7.6, §7.7 step 2).
   */
  ack(seq: number): WindowStep<V> {
    let i = 0;
    while (i < this.sent && this.queue[i]!.seq !== seq) i++;
    if (i === this.sent) return NOTHING;
    const done = this.queue.splice(0, i + 1);
    this.sent -= i + 1;
    this.timeout = this.firstTimeout;
    this.nakResendUsed = false;
    if (this.active) this.opened = true;
    return { send: [], done, timer: this.active && this.sent > 0 ? 'restart' : 'stop' };
  }

  /** Sends the oldest unsent votes while the window has room (only one until the session's first completion). */
  fill(): WindowStep<V> {
    if (!this.active) return NOTHING;
    const limit = this.opened ? this.granted : 1;
    const wasEmpty = this.sent === 0;
    const send: V[] = [];
    while (this.sent < limit && this.sent < this.queue.length) send.push(this.queue[this.sent++]!);
    return { send, done: [], timer: wasEmpty && send.length > 0 ? 'restart' : 'keep' };
  }

  /** The timer expired: go back N (every vote in flight, oldest first), then double the timeout (capped). */
  expire(): WindowStep<V> {
    if (!this.active || this.sent === 0) return { send: [], done: [], timer: 'stop' };
    this.timeout = Math.min(this.timeout * 2, this.maxTimeout);
    return { send: this.queue.slice(0, this.sent), done: [], timer: 'restart' };
  }

  /** `NAK,<seq>,<reason>` per §7.7 step 4 (with W = 1, §7.3). */
  nak(seq: number, reason: string): WindowStep<V> & { readonly action: WindowNakAction } {
    const inFlight = seq !== 0 && this.queue.slice(0, this.sent).some((v) => v.seq === seq);
    if (reason === 'VERSION' && (seq === 0 || inFlight)) return { ...NOTHING, action: 'stop-voting' };
    if (!this.active || this.sent === 0 || (seq !== 0 && !inFlight)) return { ...NOTHING, action: 'ignored' };
    if (reason === 'HELLO') return { ...this.endSession(), action: 'hello' };
    if (RESEND_REASONS.has(reason) && !this.nakResendUsed) {
      this.nakResendUsed = true;
      return { send: this.queue.slice(0, this.sent), done: [], timer: 'restart', action: 'resend-now' };
    }
    // BUSY, STORAGE, TYPE, unknown, or a second CRC/FORMAT/RANGE: the running timer decides.
    return { ...NOTHING, action: 'backoff' };
  }
}

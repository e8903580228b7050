/**
 * The bridge side of PROTOCOL.md for one serial port: HELLO → WELCOME +
 * CONFIG, then each VOTE handed to the vote pipeline (vote-pipeline.ts),
 * which stores it durably and only then gives this session its answer to
 * write (ACK, `DUP`, `REJECT`, NAK), one write per batch. A box that asks
 * for a send window (PROTOCOL.md §7.7) gets one: its VOTEs are taken only in
 * its order (a VOTE overtaken by a lost one is dropped unanswered) and each
 * batch is answered with one cumulative ACK. Bad frames NAKed with their reason (§9.2), PING every 5 s and
 * offline after 15 s of silence (§6.3). Clock-free: the port manager calls
 * `tick()` once a second. Bad input on this port never throws and never
 * reaches another port's session: each port has its own decoder and state.
 * Its options are in terminal-session-options.ts.
 */
import { EventEmitter } from 'node:events';
import { ACK_REJECT, NAK_REASON_BY_ERROR, PROTOCOL_VERSION } from '../../firmware-protocol/src/constants.ts';
import { encodeBytes } from '../../firmware-protocol/src/encode.ts';
import type { DecodeError, DecodeResult } from '../../firmware-protocol/src/error.ts';
import { FrameDecoder } from '../../firmware-protocol/src/frame-decoder.ts';
import type { HelloMessage, Message, VoteMessage } from '../../firmware-protocol/src/message.ts';
import { ReceiveWindow } from '../../firmware-protocol/src/receive-window.ts';
import type { PlacedTerminal } from '../config/hailong-config.ts';
import type { AppendOutcome } from '../journal/vote-input.ts';
import type { SessionContext } from './session-context.ts';
import { resolveSessionOptions, type ResolvedSessionOptions, type TerminalSessionOptions } from './terminal-session-options.ts';
import type { SessionEvents } from './session-events.ts';
import type { VoteAnswer, VoteSink } from './vote-pipeline.ts';

/** How long a refusal of the same device is not logged again (ms). */
const REFUSAL_REPEAT_MS = 60_000;

/** One port's protocol session; the vote pipeline's sink for this port's answers. */
export class TerminalSession extends EventEmitter<SessionEvents> implements VoteSink {
  private readonly decoder = new FrameDecoder({ raw: false });
  private readonly options: ResolvedSessionOptions;
  private hello: HelloMessage | undefined;
  private terminal: PlacedTerminal | undefined;
  private online = false;
  /** Time of the last valid frame from the terminal. */
  private lastHeard = 0;
  private lastPing = 0;
  private nonce = 0;
  /** A valid hailong frame has been seen on this port: NAKs are then welcome. */
  private spoken = false;
  private noiseNakWindow = 0;
  private noiseNaks = 0;
  private readonly refusedAt = new Map<string, number>();
  private readonly counts: Record<string, number> = {};
  private closed = false;
  /** The order rule of the current session's send window (W = 1: every VOTE is in order). */
  private window = new ReceiveWindow();

  constructor(
    private readonly context: SessionContext,
    options: TerminalSessionOptions = {},
  ) {
    super();
    this.options = resolveSessionOptions(options);
  }

  /** The identified terminal, if any. */
  get identified(): PlacedTerminal | undefined {
    return this.terminal;
  }

  /** The last accepted HELLO. */
  get lastHello(): HelloMessage | undefined {
    return this.hello;
  }

  /** True while the identified terminal is considered online. */
  get isOnline(): boolean {
    return this.online;
  }

  /** Problem counters of this port by code (`bad-crc`, `unknown-uid`, `storage`, …). */
  errorCounts(): Readonly<Record<string, number>> {
    return { ...this.counts, ...this.decoderCounts() };
  }

  private decoderCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [code, n] of Object.entries(this.decoder.stats.errors)) if (n > 0) out[code] = n;
    return out;
  }

  /** Feeds bytes read from the port. Never throws on any input. */
  receive(chunk: Uint8Array): void {
    if (this.closed) return;
    for (const result of this.decoder.push(chunk)) this.handle(result);
  }

  /** Called about once a second: PING and offline detection. */
  tick(): void {
    if (this.closed || this.terminal === undefined) return;
    const now = this.context.now();
    if (this.online && now - this.lastHeard >= this.options.offlineAfterMs) {
      this.online = false;
      this.emit('offline', this.terminal, 'heartbeat');
    }
    if (now - this.lastPing >= this.options.pingIntervalMs) {
      this.lastPing = now;
      this.nonce = (this.nonce + 1) >>> 0;
      this.send({ type: 'PING', nonce: this.nonce });
    }
  }

  /** The port closed (unplugged): the terminal is offline until it says HELLO again somewhere. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.terminal !== undefined && this.online) this.emit('offline', this.terminal, 'port-closed');
    this.online = false;
  }

  /**
   * The terminal answered HELLO on another port and was accepted there
   * (it moved): this port forgets it, so a VOTE here gets `NAK,HELLO` and
   * must identify again, under the one-port-per-uid rule (PROTOCOL.md §6.1).
   */
  forget(): void {
    this.terminal = undefined;
    this.hello = undefined;
    this.online = false;
  }

  /** Sends CONFIG again (the office changed its settings, or the counter's mode). */
  resendConfig(): void {
    if (this.terminal !== undefined && this.hello !== undefined) {
      this.send(this.context.configFor(this.terminal, this.hello));
    }
  }

  /** Sends `OPEN,windowMs` (gated rating window; 0 closes it). */
  openWindow(windowMs: number): void {
    if (this.terminal !== undefined) this.send({ type: 'OPEN', windowMs });
  }

  private count(code: string): void {
    this.counts[code] = (this.counts[code] ?? 0) + 1;
  }

  private send(message: Message): void {
    this.context.write(encodeBytes(message));
  }

  private heard(): void {
    this.spoken = true;
    this.lastHeard = this.context.now();
    if (!this.online && this.terminal !== undefined && this.hello !== undefined) {
      this.online = true;
      this.emit('online', this.terminal, this.hello);
    }
  }

  private handle(result: DecodeResult): void {
    if (!result.ok) {
      this.onError(result);
      return;
    }
    const m = result.value;
    switch (m.type) {
      case 'HELLO':
        this.onHello(m);
        return;
      case 'VOTE':
        this.onVote(m);
        return;
      case 'PING':
        this.spoken = true;
        if (this.terminal !== undefined) this.heard();
        this.send({ type: 'PONG', nonce: m.nonce });
        return;
      case 'PONG':
        if (this.terminal !== undefined) this.heard();
        return;
      case 'EVENT':
        this.spoken = true;
        if (this.terminal !== undefined) this.heard();
        this.emit('device-event', this.terminal, m.code, m.value);
        return;
      default:
        // WELCOME, ACK, NAK, CONFIG, OPEN go bridge → terminal: a terminal
        // sending them is confused (or it is a loop-back); ignore and count.
        this.count('wrong-direction');
    }
  }

  private onError(e: DecodeError): void {
    this.emit('problem', e.code, e.message);
    const reason = NAK_REASON_BY_ERROR[e.code];
    // §9.2: NAK only VOTE frames and unreadable ones; never unknown types.
    if (reason === null || (e.type !== undefined && e.type !== 'VOTE')) return;
    if (e.type === undefined) {
      // Unreadable noise: only answer on a port that has spoken the protocol,
      // and at a bounded rate, so a foreign device or a wrong baud rate gets
      // no flood of replies.
      if (!this.spoken) return;
      const now = this.context.now();
      if (now - this.noiseNakWindow >= 1000) {
        this.noiseNakWindow = now;
        this.noiseNaks = 0;
      }
      if (this.noiseNaks >= this.options.maxNoiseNaksPerSecond) return;
      this.noiseNaks += 1;
    }
    this.send({ type: 'NAK', seq: e.seq ?? 0, reason });
  }

  private onHello(hello: HelloMessage): void {
    this.spoken = true;
    const id = this.context.identify(hello, this.context.portPath);
    if (!id.ok) {
      this.count(id.code);
      const key = `${hello.uid}/${id.code}`;
      const now = this.context.now();
      const last = this.refusedAt.get(key);
      if (last === undefined || now - last >= REFUSAL_REPEAT_MS) {
        this.refusedAt.set(key, now);
        this.emit('refused', hello.uid, id.code, id.message);
      }
      // §6.1: the uid is live on another port: tell the newcomer why it
      // gets no WELCOME (it stays in the HELLO phase and retries).
      if (id.code === 'uid-conflict') this.send({ type: 'NAK', seq: 0, reason: 'UID' });
      // No WELCOME: the box keeps its votes and keeps saying HELLO, so
      // nothing is lost while an installer fixes the config.
      return;
    }
    const previous = this.terminal;
    if (previous !== undefined && previous.id !== id.terminal.id && this.online) {
      this.online = false;
      this.emit('offline', previous, 'replaced');
    }
    this.terminal = id.terminal;
    this.hello = hello;
    // The mark lets a box that lost its EEPROM continue above the votes
    // already stored for its uid instead of having its new ones taken as
    // DUPs (PROTOCOL.md §7.6); a box that predates the field ignores it (§10).
    // The send window (§7.7): granted only to a box that asks, so a 1.0 exchange stays byte-identical.
    const inFlight = hello.inFlight === undefined ? undefined : Math.min(hello.inFlight, this.options.maxInFlight);
    const mark = this.context.highWaterMark(hello.uid);
    const proto = Math.min(hello.proto, PROTOCOL_VERSION);
    this.send(inFlight === undefined ? { type: 'WELCOME', proto, mark } : { type: 'WELCOME', proto, mark, inFlight });
    this.window = new ReceiveWindow(inFlight);
    this.send(this.context.configFor(id.terminal, hello));
    const now = this.context.now();
    const open = this.context.openWindowMs(id.terminal, now);
    if (open > 0) this.send({ type: 'OPEN', windowMs: open });
    this.lastPing = now;
    this.online = false;
    this.heard();
  }

  private onVote(vote: VoteMessage): void {
    this.spoken = true;
    const terminal = this.terminal;
    const hello = this.hello;
    if (terminal === undefined || hello === undefined) {
      // §6.1: no HELLO since the port opened (the bridge restarted while the
      // terminal stayed powered): ask it to identify itself at once.
      this.count('vote-before-hello');
      this.send({ type: 'NAK', seq: vote.seq, reason: 'HELLO' });
      return;
    }
    this.heard();
    // §7.7: a VOTE overtaken by a lost one is dropped unanswered: storing it would raise the
    // mark above the missing vote, whose resend would then be a DUP. Go-back-N brings it again.
    const position = this.window.position(vote.seq);
    if (position === 'ahead') {
      this.count('vote-out-of-order');
      this.window.drop(vote.seq);
      return;
    }
    if (position === 'gap') {
      // §7.7: the box's seqs jumped (a corrupted counter): the expected vote may never come, and
      // a cumulative ACK could complete it unstored. A new session lets its first VOTE, sent
      // alone, set where the stream starts.
      this.count('vote-seq-gap');
      this.emit(
        'problem',
        'vote-seq-gap',
        `box ${hello.uid} sent seq ${vote.seq} while its send window expected ${this.window.next}: its seqs jumped (a corrupted counter?); answered NAK HELLO so its next session starts at its oldest pending vote (PROTOCOL.md §7.7)`,
      );
      this.send({ type: 'NAK', seq: vote.seq, reason: 'HELLO' });
      return;
    }
    if (position === 'in-order') this.window.handled(vote.seq);
    // Stored, then ACKed by `settle` once its batch is durable (vote-pipeline.ts).
    this.context.submitVote(this, terminal, hello.uid, vote, this.context.now());
  }

  /**
   * The answers of one batch of the vote pipeline for this port, written in
   * ONE write after the batch's commit: ACK `OK` (stored), `DUP` (stored
   * before), `REJECT` (kept, never counted), NAK `STORAGE`/`RANGE` (not
   * stored: the box keeps the vote and resends it, PROTOCOL.md §6). A port
   * closed meanwhile gets nothing; its stored votes are published all the
   * same, and the box gets DUP when it resends them.
   *
   * With a send window (§5.4, §7.7) the batch gets ONE ACK, for the highest
   * vote of its leading run of votes that are durable (stored, found stored,
   * or stored as rejected) and below any vote that failed: it completes all
   * of them at the box. A vote that failed is NAKed after it, and the window
   * waits for it again, so no later vote is taken past it.
   */
  settle(answers: readonly VoteAnswer[]): void {
    if (this.closed) return;
    const frames: Uint8Array[] = [];
    if (this.window.inFlight > 1) {
      let last: VoteAnswer | undefined;
      let failed: VoteAnswer | undefined;
      // A vote whose store failed but that is durable all the same (a resend of one an earlier
      // batch stored, ACKed from there) will not come again: the window must not wait for it.
      const mark = this.hello === undefined ? 0 : this.context.highWaterMark(this.hello.uid);
      let lowestFailed = Number.POSITIVE_INFINITY;
      for (const a of answers) {
        this.answerFor(a.seq, a.outcome); // counts every answer
        this.window.settled(a.seq, a.outcome.status !== 'failed' || a.seq <= mark);
        if (a.outcome.status !== 'failed') continue;
        failed ??= a;
        lowestFailed = Math.min(lowestFailed, a.seq);
      }
      // The ACK is cumulative: it completes every vote in flight up to its seq, so it names the
      // highest vote answered before the first failure AND below every failed seq: an answer that
      // needed no write (a DUP, a REJECT of a resend) above a vote whose commit failed must not
      // complete that vote at the box (§5.4, §7.7).
      for (const a of answers) {
        if (a === failed) break;
        if (a.seq < lowestFailed && (last === undefined || a.seq > last.seq)) last = a;
      }
      if (last !== undefined) frames.push(encodeBytes(this.answerFor(last.seq, last.outcome, false)!));
      if (failed !== undefined) frames.push(encodeBytes(this.answerFor(failed.seq, failed.outcome, false)!));
    } else {
      for (const { seq, outcome } of answers) {
        const frame = this.answerFor(seq, outcome);
        if (frame !== undefined) frames.push(encodeBytes(frame));
      }
    }
    if (frames.length === 1) this.context.write(frames[0] as Uint8Array);
    else if (frames.length > 1) this.context.write(concatBytes(frames));
  }

  /** The frame answering one vote; counts it (and reports a failure) unless `count` is false. */
  private answerFor(seq: number, outcome: AppendOutcome, count = true): Message | undefined {
    switch (outcome.status) {
      case 'stored':
        return { type: 'ACK', seq, status: 'OK' };
      case 'duplicate':
        if (count) this.count('duplicate');
        return { type: 'ACK', seq, status: 'DUP' };
      case 'rejected':
        // Stored as rejected, never counted: ACKed so the box is not wedged
        // resending it for ever (PROTOCOL.md §5.4, §7.3).
        if (count && !outcome.duplicate) this.count(`rejected-${outcome.code}`);
        return { type: 'ACK', seq, status: ACK_REJECT };
      case 'failed': {
        const code = outcome.code === 'out-of-range' ? 'out-of-range' : 'storage';
        if (count) {
          this.count(code);
          this.emit('problem', code, outcome.message);
        }
        return { type: 'NAK', seq, reason: code === 'out-of-range' ? 'RANGE' : 'STORAGE' };
      }
    }
  }
}

/** The frames of one batch as one buffer: one write to the port. */
function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A virtual hailong terminal: the TERMINAL side of PROTOCOL.md §5–§7, as a
 * button box would run it. It speaks real frames (the reference codec) over
 * any TerminalTransport, keeps its votes in a pluggable store, and takes its
 * time from an injectable Clock.
 *
 * Session: EVENT BOOT, then HELLO every 2 s until WELCOME (§6.1); after
 * WELCOME the stored votes go oldest first, one in flight, resent with
 * backoff 1, 2, 4 … 30 s until ACKed (§7.2), or, with `inFlight` > 1 and a
 * bridge that grants it, up to W in flight with cumulative ACKs and
 * go-back-N (§7.7); NAKs per §7.3 / §7.7; 15 s without a
 * valid frame from the bridge sends it back to HELLO (§6.3). Bad input is
 * ignored and counted, and never changes state (§9.3). This class runs the
 * phases; what survives a power cycle (and §7.6 renumbering) is in
 * terminal-memory.ts, delivery in vote-outbox.ts, HELLO in hello-beacon.ts,
 * §6.3 in link-watchdog.ts.
 */
import { EventEmitter } from 'node:events';
import { FrameDecoder, PROTOCOL_VERSION, encodeBytes, type Message } from '../../firmware-protocol/src/index.ts';
import { HelloBeacon, helloMessage } from './hello-beacon.ts';
import { LinkWatchdog } from './link-watchdog.ts';
import { PressRules } from './press-rules.ts';
import { newCounters, statsOf, type TerminalCounters } from './terminal-counters.ts';
import type {
  PhaseCause,
  PressOptions,
  PressRefusalCode,
  PressResult,
  TerminalPhase,
  VirtualTerminalEvents,
  VirtualTerminalStats,
} from './terminal-events.ts';
import { resolveTerminalOptions, type BootCause, type ResolvedTerminalOptions, type VirtualTerminalOptions } from './terminal-options.ts';
import { TerminalMemory } from './terminal-memory.ts';
import type { StoredConfig, StoredVote } from './terminal-store.ts';
import { VoteOutbox, type VoteSent } from './vote-outbox.ts';

/** A simulated button box speaking protocol v1 over a TerminalTransport. */
export class VirtualTerminal extends EventEmitter<VirtualTerminalEvents> {
  /** The options with defaults applied. */
  readonly options: ResolvedTerminalOptions;
  private currentPhase: TerminalPhase = 'off';
  private decoder = new FrameDecoder();

  // RAM state: dropped by stop()/reboot(), rebuilt from the store by start().
  /** Last seq, refused count and CONFIG, written with the pending votes as one snapshot. */
  private readonly memory: TerminalMemory;
  /** Unacknowledged votes and their delivery (§7.2, §7.3). */
  private readonly outbox: VoteOutbox;
  private rules: PressRules;
  /** HELLO until WELCOME (§6.1), slowed down when refused (§6.2). */
  private readonly hello: HelloBeacon;
  /** 15 s without a valid frame from the bridge: back to HELLO (§6.3). */
  private readonly watchdog: LinkWatchdog;

  private readonly counters: TerminalCounters = newCounters();

  /** Creates a powered-off terminal; call `start()` to power it on. Throws on invalid options. */
  constructor(options: VirtualTerminalOptions) {
    super();
    this.options = resolveTerminalOptions(options);
    this.rules = new PressRules(this.options.factoryConfig);
    this.memory = new TerminalMemory(this.options.store, () => this.counters.storeErrors++);
    this.hello = new HelloBeacon(this.options.clock, () => this.sendHello());
    this.watchdog = new LinkWatchdog(this.options.clock, this.options.linkLostMs, () => this.onLinkLost());
    this.outbox = new VoteOutbox({
      clock: this.options.clock,
      ackTimeoutMs: this.options.ackTimeoutMs,
      maxAckTimeoutMs: this.options.maxAckTimeoutMs,
      maxInFlight: this.options.inFlight,
      canSend: () => this.currentPhase === 'session',
      send: (sent) => this.sendVote(sent),
    });
    this.options.transport.onData((bytes) => this.onBytes(bytes));
    this.options.transport.onLink((up) => this.emit('link', { up }));
  }

  /** HELLO uid. */
  get uid(): string {
    return this.options.uid;
  }

  /** Current session phase. */
  get phase(): TerminalPhase {
    return this.currentPhase;
  }

  /** Stored votes not yet acknowledged. */
  get pending(): number {
    return this.outbox.length;
  }

  /** Seqs of the pending votes, oldest first. */
  get pendingSeqs(): number[] {
    return this.outbox.votes.map((v) => v.seq);
  }

  /** Highest seq used so far (0 before the first vote). */
  get highestSeq(): number {
    return this.memory.lastSeq;
  }

  /** Votes the buffer can hold. */
  get capacity(): number {
    return this.options.capacity;
  }

  /** Settings in force (last CONFIG, stored config or factory defaults). */
  get config(): StoredConfig {
    return this.rules.settings;
  }

  /** GATED mode: true while the rating window is open. */
  get windowOpen(): boolean {
    return this.rules.windowOpen(this.options.clock.now());
  }

  /** Seq of the (oldest) vote awaiting its ACK, or null. */
  get inFlightSeq(): number | null {
    return this.outbox.inFlightSeq;
  }

  /** Seqs of the votes awaiting their ACK, oldest first (at most W, §7.7). */
  get inFlightSeqs(): number[] {
    return this.outbox.inFlightSeqs;
  }

  /** The send window W of the current (or last) session: 1 unless asked for and granted (§7.7). */
  get window(): number {
    return this.outbox.windowSize;
  }

  /** Current ACK timeout (the backoff step). */
  get ackTimeoutMs(): number {
    return this.outbox.timeoutMs;
  }

  /** Counters since this object was created. */
  get stats(): VirtualTerminalStats {
    return statsOf(this.counters);
  }

  /**
   * Powers on: loads the store, sends EVENT BOOT `cause` and starts the
   * HELLO phase. Votes loaded from the store are sent with ageMs unknown.
   * No-op when already on. Throws when the store cannot be read: starting
   * blank would reuse seqs and lose votes to the bridge's dedupe (§7.1).
   */
  start(cause: BootCause = this.options.bootCause): void {
    if (this.currentPhase !== 'off') return;
    const loaded = this.memory.load();
    if (!loaded.ok) throw new Error(`terminal ${this.uid}: ${loaded.message}`);
    this.outbox.load(loaded.value); // no press times: these votes go with ageMs unknown (§7.5)
    this.rules = new PressRules(this.memory.config ?? this.options.factoryConfig);
    this.decoder = new FrameDecoder();
    this.send({ type: 'EVENT', code: 'BOOT', value: cause });
    this.enterHello('power-on');
  }

  /** Powers off: timers stop and RAM is lost (press times, window, cooldown); the store is kept. */
  stop(): void {
    if (this.currentPhase === 'off') return;
    this.cancelTimers();
    this.outbox.clear();
    this.setPhase('off', 'power-off');
  }

  /** Power cycle: stop() then start(cause). Pending votes then carry ageMs unknown. */
  reboot(cause: BootCause = 'POWERON'): void {
    this.stop();
    this.start(cause);
  }

  /** Powers off and closes the transport. */
  async close(): Promise<void> {
    this.stop();
    await this.options.transport.close();
  }

  /**
   * A citizen presses `button` (1 = best). Persists the vote before sending it
   * (§7.1) and sends it now if the session is up and the window has room.
   * Never throws for device conditions; throws only for a button the box does
   * not have or a reason outside 0..99 (programmer errors).
   */
  press(button: number, options: PressOptions = {}): PressResult {
    const reason = options.reason ?? 0;
    if (!Number.isInteger(button) || button < 1 || button > this.options.buttons) {
      throw new RangeError(
        `"button" must be an integer 1..${this.options.buttons} (the terminal has ${this.options.buttons} buttons), got ${String(button)}`,
      );
    }
    if (!Number.isInteger(reason) || reason < 0 || reason > 99)
      throw new RangeError(`"reason" must be an integer 0..99, got ${String(reason)}`);
    if (this.currentPhase === 'off') return this.refuse(button, 'powered-off', 'the terminal is off');
    if (button > this.rules.settings.buttons) {
      return this.refuse(button, 'inactive-button', `button ${button} is above CONFIG buttons (${this.rules.settings.buttons})`);
    }
    if (this.outbox.length >= this.options.capacity) {
      // §7.4: refuse the newest press, never overwrite a stored one; report the count later as EVENT FULL.
      this.memory.refused++;
      this.persist();
      return this.refuse(button, 'buffer-full', `the buffer holds ${this.options.capacity} unacknowledged votes`);
    }
    const now = this.options.clock.now();
    const flags = this.rules.flagsAt(now);
    const vote: StoredVote = { seq: this.memory.lastSeq + 1, button, reason, flags };
    // §7.1: persisted, with its seq, before the VOTE is first sent. A failed write leaves
    // no trace: that seq was never sent, so using it again is safe (§12, torn record).
    if (!this.memory.save([...this.outbox.votes, vote], vote.seq)) {
      return this.refuse(button, 'storage-failed', 'the vote could not be stored');
    }
    this.outbox.add(vote, now);
    this.rules.commit(now, flags);
    this.counters.presses++;
    const accepted = { ok: true as const, seq: vote.seq, flags, button, reason };
    this.emit('pressed', { ...accepted, pending: this.outbox.length });
    this.outbox.sendNext();
    return accepted;
  }

  // ---- receiving -------------------------------------------------------

  private onBytes(bytes: Uint8Array): void {
    if (this.currentPhase === 'off') return; // a powered-off UART hears nothing
    for (const r of this.decoder.push(bytes)) {
      if (!r.ok) {
        // §9.3: ignore, count, never change state.
        this.counters.decodeErrors++;
        this.counters.decodeErrorsByCode[r.code] = (this.counters.decodeErrorsByCode[r.code] ?? 0) + 1;
        this.emit('frame-error', r);
        continue;
      }
      this.counters.framesIn++;
      this.emit('frame-in', r.value);
      this.onMessage(r.value);
      if (this.phase === 'off') return; // a listener powered us off mid-chunk
    }
  }

  private onMessage(m: Message): void {
    switch (m.type) {
      case 'HELLO':
      case 'VOTE':
      case 'EVENT':
        // Frames of the terminal's own direction (an echo, a crossed cable): not from a bridge.
        this.counters.ignoredFrames++;
        return;
      default:
        break;
    }
    // Any valid frame from the bridge proves the link (§6.3).
    if (this.currentPhase === 'session') this.watchdog.feed();
    switch (m.type) {
      case 'PING':
        this.counters.pongs++;
        this.send({ type: 'PONG', nonce: m.nonce });
        return;
      case 'PONG':
        return;
      case 'WELCOME':
        this.onWelcome(m.proto, m.mark, m.inFlight);
        return;
      case 'CONFIG': {
        const { type: _type, ...config } = m;
        // The bridge MUST NOT exceed the HELLO count; a box cannot grow buttons, so clamp.
        const applied: StoredConfig = { ...config, buttons: Math.min(config.buttons, this.options.buttons) };
        this.rules.applyConfig(applied);
        this.memory.config = applied;
        this.persist(); // §5.7: SHOULD persist, so a reboot without a bridge keeps the settings
        this.emit('config', applied);
        return;
      }
      case 'OPEN':
        if (this.rules.open(m.windowMs, this.options.clock.now())) this.emit('window', { open: m.windowMs > 0, windowMs: m.windowMs });
        return;
      case 'ACK':
        this.onAck(m.seq, m.status);
        return;
      case 'NAK':
        this.onNak(m.seq, m.reason);
        return;
    }
  }

  private onWelcome(proto: number, mark: number | undefined, inFlight: number | undefined): void {
    if (proto !== PROTOCOL_VERSION) {
      // §6.2: a version-1 terminal accepts only WELCOME,1; anything else is treated like NAK,0,VERSION.
      this.enterRefused('welcome-version');
      return;
    }
    if (mark !== undefined) this.continueAbove(mark);
    this.cancelTimers();
    this.setPhase('session', 'welcome');
    this.watchdog.feed();
    this.reportRefused();
    // §7.2, §7.7: a new session starts over with the oldest vote, alone, at once, timeout back to 1 s.
    this.outbox.startSession(inFlight);
  }

  private onAck(seq: number, status: string): void {
    // §7.2, §7.7: a seq in flight completes it and every vote in flight below it, whatever the
    // status (OK, DUP, future codes; it describes `seq` only). Accepted even in the HELLO phase:
    // the bridge only ACKs what it has stored.
    const done = this.outbox.ack(seq);
    if (done.length === 0) {
      this.counters.ignoredAcks++;
      return;
    }
    // §7.6: the done marks are durable before the window lets a new vote out.
    this.persist();
    for (const d of done) {
      const own = d.seq === seq ? status : 'OK';
      this.counters.acked++;
      if (own === 'DUP') this.counters.dupAcks++;
      this.emit('acked', { seq: d.seq, status: own, attempts: d.attempts, pending: this.outbox.length });
    }
    if (this.outbox.length === 0) this.emit('drained');
    // A listener may have pressed (already sending the next vote), rebooted or powered us off.
    if (this.currentPhase !== 'session') return;
    this.reportRefused();
    this.outbox.sendNext();
  }

  private onNak(seq: number, reason: string): void {
    this.counters.naks++;
    const action = this.outbox.nak(seq, reason);
    this.emit('nak', { seq, reason, action });
    if (action === 'stop-voting') this.enterRefused('nak-version');
    else if (action === 'hello') this.enterHello('nak-hello');
  }

  // ---- sending ---------------------------------------------------------

  /** Writes one VOTE for the outbox and counts it. */
  private sendVote({ vote, attempt, cause }: VoteSent): void {
    this.send(vote);
    this.counters.votesSent++;
    if (attempt > 1) this.counters.resends++;
    this.emit('vote-sent', { seq: vote.seq, attempt, ageMs: vote.ageMs, cause });
  }

  private onLinkLost(): void {
    if (this.currentPhase !== 'session') return;
    this.counters.linkLost++;
    this.emit('link-lost');
    this.enterHello('link-lost');
  }

  /** HELLO phase: votes stay stored, the resend timer pauses, HELLO repeats (§6.1 step 2, §7.2). */
  private enterHello(cause: PhaseCause): void {
    this.cancelTimers();
    this.setPhase('hello', cause);
    this.hello.start(this.options.helloIntervalMs, true);
  }

  /** §6.2: no votes; keep them; HELLO slowed down in case the bridge is upgraded. */
  private enterRefused(cause: PhaseCause): void {
    this.cancelTimers();
    this.setPhase('refused', cause);
    this.hello.start(this.options.refusedHelloIntervalMs, false);
  }

  private sendHello(): void {
    if (this.currentPhase !== 'hello' && this.currentPhase !== 'refused') return;
    this.counters.hellos++;
    this.send(helloMessage(this.options, this.outbox.length));
  }

  /** §7.4: EVENT FULL with the refused count, once the link is back; best effort (EVENT is not ACKed). */
  private reportRefused(): void {
    if (this.memory.refused === 0) return;
    this.send({ type: 'EVENT', code: 'FULL', value: String(this.memory.refused) });
    this.memory.refused = 0;
    this.persist();
  }

  private send(m: Message): void {
    // encodeBytes throws only for an invalid message: a bug here, never device input.
    this.options.transport.write(encodeBytes(m));
    this.counters.framesOut++;
    this.emit('frame-out', m);
  }

  // ---- state -----------------------------------------------------------

  private refuse(button: number, code: PressRefusalCode, message: string): PressResult {
    this.counters.refused[code]++;
    const refused = { ok: false as const, code, message };
    this.emit('refused', { ...refused, button });
    return refused;
  }

  /** §7.6: a wiped store's pending votes take seqs above the bridge's mark (terminal-memory.ts). */
  private continueAbove(mark: number): void {
    const moved = this.memory.moveAbove(mark, this.outbox.votes, this.options.inFlight);
    if (moved === undefined) return;
    this.outbox.renumber(moved.votes);
    this.emit('renumbered', { mark, from: moved.from, to: moved.votes.map((v) => v.seq) });
  }

  /** Writes the snapshot with the current pending votes; false (and counted) when the store failed. */
  private persist(): boolean {
    return this.memory.save(this.outbox.votes);
  }

  private cancelTimers(): void {
    this.outbox.pause();
    this.hello.stop();
    this.watchdog.stop();
  }

  private setPhase(phase: TerminalPhase, cause: PhaseCause): void {
    const previous = this.currentPhase;
    this.currentPhase = phase;
    if (previous !== phase || cause === 'welcome') this.emit('state', { phase, previous, cause });
  }
}

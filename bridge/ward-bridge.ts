/**
 * One ward office's bridge: serial terminals in, durable journal, MQTT out.
 * It wires the parts (journal, serial ports + one protocol session per port,
 * counter state, MQTT link, outbox, retained state) and hands them to the
 * controller as features. Each part is an adapter or a pure module of its
 * own; this file only connects their events.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Status } from '../core/status.ts';
import { subscriptionFor, topicFor } from '../core/topic.ts';
import { encodePayload } from '../core/topic-payload.ts';
import type { HelloMessage, VoteMessage } from '../firmware-protocol/src/message.ts';
import type { TopicMessage } from '../core/topic-payload.ts';
import type { HailongConfig, PlacedTerminal } from './config/hailong-config.ts';
import type { Feature } from './controller.ts';
import { Journal } from './journal/journal.ts';
import { MAX_SEQ_JUMP, type RejectionReason } from './journal/rejected-votes.ts';
import type { AppendOutcome } from './journal/vote-input.ts';
import { MqttLink } from './mqtt/mqtt-link.ts';
import { OutboxPublisher } from './mqtt/outbox-publisher.ts';
import { RetainedState } from './mqtt/retained-state.ts';
import { WillWitness } from './mqtt/will-witness.ts';
import { CounterState } from './rating/counter-state.ts';
import { voteInputOf } from './rating/vote-intake.ts';
import { CooldownGuard } from './rating/cooldown-guard.ts';
import type { PortOpener } from './serial/port-handle.ts';
import type { DiscoveryFs } from './serial/port-candidates.ts';
import { SerialPorts, type OpenPort } from './serial/serial-ports.ts';
import { openSerialPort } from './serial/serialport-opener.ts';
import type { Identification } from './serial/session-context.ts';
import { TerminalDirectory } from './serial/terminal-directory.ts';
import { TerminalSession, type TerminalSessionOptions } from './serial/terminal-session.ts';
import { KioskIntake } from './kiosk/kiosk-intake.ts';
import { KioskVoteSubscriber } from './kiosk/kiosk-vote-subscriber.ts';

/** The broker connection a ward bridge uses. */
export interface BrokerConnection {
  /** Broker URLs, or a function giving them at start (an embedded broker's port). */
  readonly urls: readonly string[] | (() => readonly string[]);
  readonly username?: string;
  readonly password?: string;
  /** PEM text of the CA (mqtts/wss). */
  readonly ca?: string;
  readonly clientId?: string;
}

/** Options of `WardBridge`. */
export interface WardBridgeOptions {
  readonly config: HailongConfig;
  readonly broker: BrokerConnection;
  readonly log: Logger;
  /** hailong's version, in the bridge status. */
  readonly version: string;
  /** The serial adapter. @default serialport */
  readonly opener?: PortOpener;
  /** Port discovery (in-process stream ports pass their own). @default the real file system */
  readonly discovery?: DiscoveryFs;
  /** Protocol timings (tests shorten them). */
  readonly session?: TerminalSessionOptions;
  /** Journal file. @default `<dataDir>/journal.db` */
  readonly journalPath?: string;
  /** Cap on the journal's size in bytes (a full cap behaves like a full disk). */
  readonly journalMaxBytes?: number;
  /**
   * How kiosk votes reach the journal: `subscribe` — a persistent-session
   * subscription that acknowledges each vote after its commit (an external
   * broker); `broker-gate` — the embedded broker hands each kiosk publish to
   * `kioskIntake` before acknowledging it (hailong-app.ts wires that).
   * @default "subscribe"
   */
  readonly kioskVotes?: 'subscribe' | 'broker-gate';
}

/** How often sessions are ticked (PING, offline) and statuses refreshed (ms). */
const TICK_MS = 1000;

/** The ward bridge and its features. */
export class WardBridge {
  readonly journal: Journal;
  readonly link: MqttLink;
  readonly outbox: OutboxPublisher;
  readonly retained: RetainedState;
  readonly witness: WillWitness;
  readonly ports: SerialPorts;
  readonly counters = new CounterState();
  readonly cooldown = new CooldownGuard();
  /** Kiosk votes: validated, judged and journaled (the bridge publishes kiosk tallies too). */
  readonly kioskIntake: KioskIntake;
  private readonly kioskSubscriber: KioskVoteSubscriber | undefined;
  private revocationTimer: NodeJS.Timeout | undefined;
  readonly directory: TerminalDirectory;
  /** Sessions by port path. */
  readonly sessions = new Map<string, TerminalSession>();
  /** Which session speaks for each terminal id now. */
  private readonly owners = new Map<string, TerminalSession>();
  private readonly statusErrors = new Map<string, string>();
  private readonly problemCounts = new Map<string, number>();
  /** Rejected votes per terminal and reason, to log the first and every 100th. */
  private readonly rejectLogs = new Map<string, number>();
  private readonly refused: Record<string, number> = {};
  /** Resends answered DUP before reaching the journal (the journal counts its own). */
  private earlyDuplicates = 0;
  /** HELLOs refused because their uid was live on another port. */
  private uidConflicts = 0;
  private ticker: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(readonly options: WardBridgeOptions) {
    const { config } = options;
    this.log = options.log;
    this.journal = new Journal({
      path: options.journalPath ?? join(config.dataDir, 'journal.db'),
      levels: config.scale.levels.map((l) => l.key),
      ...(options.journalMaxBytes === undefined ? {} : { maxBytes: options.journalMaxBytes }),
      log: options.log.child({ part: 'journal' }),
    });
    this.directory = new TerminalDirectory(config);
    const ward = { district: config.district.id, ward: config.ward.id };
    this.link = new MqttLink({
      urls: options.broker.urls,
      clientId: options.broker.clientId ?? `hailong-bridge-${config.district.id}-${config.ward.id}`,
      ...(options.broker.username === undefined ? {} : { username: options.broker.username }),
      ...(options.broker.password === undefined ? {} : { password: options.broker.password }),
      ...(options.broker.ca === undefined ? {} : { ca: options.broker.ca }),
      will: {
        topic: topicFor('bridge-status', ward),
        payload: (at) => encodePayload('bridge-status', { v: 1, state: 'offline', at, model: 'hailong-bridge', firmware: options.version }),
      },
      log: this.log.child({ part: 'mqtt' }),
    });
    this.retained = new RetainedState(config, this.journal, this.link, this.log.child({ part: 'retained' }), () => this.counterSnapshot(), options.version);
    this.witness = new WillWitness(config, this.link, this.log.child({ part: 'witness' }));
    this.outbox = new OutboxPublisher(this.journal, this.link, this.log.child({ part: 'outbox' }));
    this.kioskIntake = new KioskIntake({ config, journal: this.journal, counters: this.counters, log: this.log.child({ part: 'kiosk-intake' }) });
    const broker = options.broker;
    this.kioskSubscriber =
      options.kioskVotes === 'broker-gate'
        ? undefined
        : new KioskVoteSubscriber({
            intake: this.kioskIntake,
            get urls() {
              return typeof broker.urls === 'function' ? broker.urls() : broker.urls;
            },
            clientId: `${broker.clientId ?? `hailong-bridge-${config.district.id}-${config.ward.id}`}-kiosk-votes`,
            ...(broker.username === undefined ? {} : { username: broker.username }),
            ...(broker.password === undefined ? {} : { password: broker.password }),
            ...(broker.ca === undefined ? {} : { ca: broker.ca }),
            log: this.log.child({ part: 'kiosk-intake' }),
          });
    this.ports = new SerialPorts({
      ports: config.serial.ports,
      pinned: this.directory.pinnedPorts(),
      baudRate: config.serial.baudRate,
      scanIntervalMs: config.serial.scanIntervalMs,
      opener: options.opener ?? openSerialPort,
      ...(options.discovery === undefined ? {} : { fs: options.discovery }),
      log: this.log.child({ part: 'serial' }),
    });
  }

  /** The bridge's features, in start order. */
  features(): Feature[] {
    return [
      { name: 'journal', start: () => this.startJournal(), stop: () => this.journal.close() },
      {
        name: 'mqtt',
        start: () => {
          this.link.start();
          this.link.subscribe([subscriptionFor('served', this.ward()), subscriptionFor('session', this.ward())]);
          this.link.on('message', (m) => this.onMessage(m));
          this.link.on('rejected', (topic, code, message) => this.log.warn({ topic, code, error: message }, 'MQTT message rejected'));
        },
        stop: async () => {
          await this.retained.publishOffline();
          await this.link.stop();
        },
      },
      { name: 'retained', dependsOn: ['mqtt'], start: () => this.retained.start(), stop: () => this.retained.stop() },
      { name: 'witness', dependsOn: ['mqtt'], start: () => this.witness.start(), stop: () => this.witness.stop() },
      { name: 'outbox', dependsOn: ['journal', 'mqtt'], start: () => this.outbox.start(), stop: () => this.outbox.stop() },
      { name: 'serial', dependsOn: ['journal'], start: () => this.startSerial(), stop: () => this.stopSerial() },
      { name: 'kiosk-intake', dependsOn: ['journal'], start: () => this.startKioskIntake(), stop: () => this.stopKioskIntake() },
    ];
  }

  /** True when kiosk votes are being taken in: always with the broker gate, once subscribed otherwise. */
  get kioskIntakeReady(): boolean {
    return this.kioskSubscriber === undefined || this.kioskSubscriber.subscribed;
  }

  private startKioskIntake(): void {
    this.kioskIntake.on('stored', (vote, terminal) => {
      // Its tally is republished through the journal's 'tally-changed' (retained-state.ts).
      // One service, one vote: a counted kiosk vote closes the boxes' windows at its counter.
      if (vote.filtered === undefined && terminal.counter.mode === 'gated') {
        for (const session of this.owners.values()) if (session.identified?.counter.id === terminal.counter.id) session.openWindow(0);
      }
    });
    this.kioskSubscriber?.start();
    // `hailong revoke` writes to the journal from another process: fold and republish what it touched.
    this.revocationTimer = setInterval(() => {
      if (!this.journal.isOpen) return;
      for (const tm of this.journal.syncRevocations()) this.retained.tallyChanged(tm, tm.month);
    }, TICK_MS);
    this.revocationTimer.unref();
  }

  private async stopKioskIntake(): Promise<void> {
    clearInterval(this.revocationTimer);
    await this.kioskSubscriber?.stop();
  }

  private ward() {
    return { district: this.options.config.district.id, ward: this.options.config.ward.id };
  }

  private startJournal(): void {
    this.journal.open();
    const backlog = this.journal.outboxSize();
    this.log.info({ journal: this.journal.options.path, backlog }, 'journal open');
  }

  /** Counters for the bridge status (visible on the broker and in logs). */
  counterSnapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.journal.isOpen) {
      const j = this.journal.stats();
      out['votes-stored'] = j.stored;
      out['votes-duplicate'] = j.duplicates + this.earlyDuplicates;
      out['journal-failed'] = j.failed;
      out['tally-persist-failed'] = j.tallyPersistFailed;
      out['outbox-backlog'] = this.journal.outboxSize();
      for (const [reason, n] of Object.entries(this.journal.rejectedCounts())) out[`votes-rejected-${reason}`] = n;
    }
    for (const [code, n] of Object.entries(this.refused)) out[`refused-${code}`] = n;
    // Every refused HELLO, not only the logged ones.
    if (this.uidConflicts > 0) out['refused-uid-conflict'] = this.uidConflicts;
    for (const [code, n] of this.problemCounts) out[`port-${code}`] = n;
    for (const [code, n] of Object.entries(this.link.rejected())) out[`mqtt-${code}`] = n;
    for (const [code, n] of Object.entries(this.kioskIntake.stats())) out[code] = n;
    out['retained-failed'] = this.retained.stats().failed;
    out['outbox-journal-errors'] = this.outbox.stats().journalErrors;
    return out;
  }

  private startSerial(): void {
    this.ports.on('open', (port) => this.attach(port));
    this.ports.on('close', (port) => {
      this.sessions.get(port.path)?.close();
      this.sessions.delete(port.path);
    });
    this.ports.start();
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
  }

  private async stopSerial(): Promise<void> {
    clearInterval(this.ticker);
    await this.ports.stop();
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }

  private tick(): void {
    for (const session of this.sessions.values()) {
      session.tick();
      const terminal = session.identified;
      if (terminal === undefined || this.owners.get(terminal.id) !== session || !session.isOnline) continue;
      // Republish the status when the port's error counters moved.
      const errors = JSON.stringify(session.errorCounts());
      if (this.statusErrors.get(terminal.id) !== errors) this.publishStatus(terminal, session, 'online');
    }
  }

  private publishStatus(terminal: PlacedTerminal, session: TerminalSession, state: Status['state']): void {
    const hello = session.lastHello;
    const errors = session.errorCounts();
    this.statusErrors.set(terminal.id, JSON.stringify(errors));
    this.retained.terminalStatus(terminal, {
      v: 1,
      state,
      at: Date.now(),
      kind: 'button',
      ...(hello === undefined ? {} : { uid: hello.uid, model: hello.model, firmware: hello.firmware }),
      errors,
    });
  }

  private attach(port: OpenPort): void {
    const log = this.log.child({ port: port.path });
    const session: TerminalSession = new TerminalSession(
      {
        portPath: port.path,
        write: (bytes) => port.handle.write(bytes),
        identify: (hello, path) => this.identify(hello, path, session),
        configFor: (terminal, hello) => this.directory.configFor(terminal, hello),
        openWindowMs: (terminal, now) => this.openWindowMs(terminal, now),
        storeVote: (terminal, uid, vote, receivedAt) => this.storeVote(terminal, uid, vote, receivedAt),
        now: () => Date.now(),
      },
      this.options.session,
    );
    session.on('online', (terminal, hello) => this.onOnline(session, terminal, hello, log));
    session.on('offline', (terminal, reason) => {
      if (this.owners.get(terminal.id) !== session) return;
      log.warn({ terminal: terminal.id, reason }, 'terminal offline');
      this.publishStatus(terminal, session, 'offline');
    });
    session.on('stored', (vote, payload, rowid, topic) => {
      this.outbox.offer(rowid, topic, payload);
      if (vote.filtered === undefined && vote.timeUncertain !== true) this.cooldown.counted(vote.terminal, vote.pressedAt);
      log.debug({ vote: vote.id, level: vote.level, filtered: vote.filtered ?? null }, 'vote stored');
      if (vote.filtered === undefined && session.identified?.counter.mode === 'gated') this.closeOtherWindows(session);
    });
    session.on('refused', (uid, code, message) => {
      this.refused[code] = (this.refused[code] ?? 0) + 1;
      if (code === 'uid-conflict') log.error({ uid, code, count: this.uidConflicts }, message);
      else log.warn({ uid, code }, message);
    });
    session.on('device-event', (terminal, code, value) => {
      const level = code === 'FULL' || code === 'LOWV' || code === 'STUCK' ? 'warn' : 'info';
      log[level]({ terminal: terminal?.id ?? null, code, value }, code === 'FULL' ? `terminal refused ${value} presses: its vote buffer was full` : 'terminal event');
    });
    session.on('problem', (code, message) => {
      const n = (this.problemCounts.get(code) ?? 0) + 1;
      this.problemCounts.set(code, n);
      // First of each kind in full, then every 1000th: noise must not flood the log.
      if (n === 1 || n % 1000 === 0) log.warn({ code, count: n, error: message }, 'bad input on serial port');
    });
    port.handle.onData((chunk) => session.receive(chunk));
    this.sessions.set(port.path, session);
  }

  /**
   * One port per uid (PROTOCOL.md §6.1): a HELLO whose uid is live on
   * another port (heard within `offlineAfterMs`) is refused; it is accepted
   * once that port closed or went silent (the box really moved).
   */
  private identify(hello: HelloMessage, path: string, session: TerminalSession): Identification {
    const id = this.directory.identify(hello, path);
    if (!id.ok) return id;
    const owner = this.owners.get(id.terminal.id);
    if (owner === undefined || owner === session || !owner.isOnline || !this.sessionsHas(owner)) return id;
    this.uidConflicts += 1;
    const ownerPath = [...this.sessions].find(([, s]) => s === owner)?.[0] ?? 'another port';
    return {
      ok: false,
      code: 'uid-conflict',
      message: `UID CONFLICT: a box on ${path} says it is ${hello.uid} (${id.terminal.id}), which is online on ${ownerPath}: refused (NAK UID) until ${ownerPath} closes or stays silent; two boxes with one uid, or a foreign device copying it`,
    };
  }

  private sessionsHas(session: TerminalSession): boolean {
    for (const s of this.sessions.values()) if (s === session) return true;
    return false;
  }

  private onOnline(session: TerminalSession, terminal: PlacedTerminal, hello: HelloMessage, log: Logger): void {
    const previous = this.owners.get(terminal.id);
    this.owners.set(terminal.id, session);
    if (previous !== undefined && previous !== session) {
      previous.forget();
      log.info({ terminal: terminal.id }, 'terminal moved to another port');
    }
    log.info({ terminal: terminal.id, counter: terminal.counter.id, uid: hello.uid, model: hello.model, firmware: hello.firmware, pending: hello.pending }, 'terminal online');
    this.publishStatus(terminal, session, 'online');
  }

  private openWindowMs(terminal: PlacedTerminal, now: number): number {
    return terminal.counter.mode === 'gated' && this.counters.isOpen(terminal.counter.id, now) ? this.options.config.rating.windowMs : 0;
  }

  /**
   * Stores a vote; never rejects. A SQLite error thrown by the journal (disk
   * I/O, corruption) is logged loudly and counted (`storage-threw` in the
   * bridge status), and answered as a failed store: the box is NAKed and
   * keeps the vote to resend it.
   */
  private async storeVote(terminal: PlacedTerminal, uid: string, vote: VoteMessage, receivedAt: number): Promise<AppendOutcome> {
    try {
      return await this.storeVoteOrThrow(terminal, uid, vote, receivedAt);
    } catch (error) {
      const n = (this.problemCounts.get('storage-threw') ?? 0) + 1;
      this.problemCounts.set('storage-threw', n);
      this.log.error({ terminal: terminal.id, uid, seq: vote.seq, err: error, count: n }, 'VOTE NOT STORED: the journal threw; the terminal keeps the vote and resends it');
      return { status: 'failed', code: 'storage', message: `the journal threw: ${(error as Error).message}` };
    }
  }

  private async storeVoteOrThrow(terminal: PlacedTerminal, uid: string, vote: VoteMessage, receivedAt: number): Promise<AppendOutcome> {
    if (!this.journal.isOpen) return { status: 'failed', code: 'closed', message: 'journal is not open' };
    // A resend of a stored vote must not consume a gated window again.
    const hwm = this.journal.highWaterMark(uid);
    if (vote.seq <= hwm) {
      this.earlyDuplicates += 1;
      this.checkResend(terminal, uid, vote, hwm);
      return { status: 'duplicate', hwm };
    }
    // A seq far above the mark would turn every later genuine vote into a DUP (PROTOCOL.md §7.1).
    if (hwm > 0 && vote.seq - hwm > MAX_SEQ_JUMP) {
      const message = `box ${uid} (${terminal.id}) sent seq ${vote.seq}, more than ${MAX_SEQ_JUMP} above its highest stored seq ${hwm}: stored as rejected and not counted, so it cannot make the box's later votes duplicates (a foreign box with this uid, or a corrupted seq counter)`;
      return this.rejectVote(terminal, uid, vote, receivedAt, 'seq-jump', message, { highWaterMark: hwm });
    }
    const input = voteInputOf(this.options.config, this.options.config.scale, this.counters, terminal, uid, vote, receivedAt, this.cooldown);
    if ('code' in input) {
      const message = `box ${uid} (${terminal.id}): ${input.message}; stored as rejected and not counted (PROTOCOL.md §7.3)`;
      return this.rejectVote(terminal, uid, vote, receivedAt, 'button-beyond-scale', message, { levels: this.options.config.scale.levels.length });
    }
    const outcome = await this.journal.append(input);
    if (outcome.status === 'failed' && input.filtered === undefined) this.counters.release(terminal.counter.id, input.pressedAt);
    if (outcome.status === 'failed') this.log.error({ terminal: terminal.id, code: outcome.code, error: outcome.message }, 'VOTE NOT STORED: journal write failed, the terminal keeps the vote and resends it');
    return outcome;
  }

  /** Stores a vote as rejected (ACKed, never counted), logged loudly: first of each terminal and reason, then every 100th. */
  private rejectVote(
    terminal: PlacedTerminal,
    uid: string,
    vote: VoteMessage,
    receivedAt: number,
    reason: RejectionReason,
    message: string,
    extra: Record<string, unknown>,
  ): AppendOutcome {
    const outcome = this.journal.reject({
      uid,
      deviceSeq: vote.seq,
      terminal: terminal.id,
      reason,
      receivedAt,
      detail: { button: vote.button, reason: vote.reason, ageMs: vote.ageMs, flags: vote.flags, ...extra },
    });
    if (outcome.status === 'failed') {
      this.log.error({ terminal: terminal.id, code: outcome.code, error: outcome.message }, 'VOTE NOT STORED: journal write failed, the terminal keeps the vote and resends it');
      return outcome;
    }
    const key = `${terminal.id}/${reason}`;
    const n = (this.rejectLogs.get(key) ?? 0) + 1;
    this.rejectLogs.set(key, n);
    if (outcome.status === 'rejected' && (n === 1 || n % 100 === 0)) this.log.error({ terminal: terminal.id, uid, seq: vote.seq, button: vote.button, reason, count: n }, message);
    return { status: 'rejected', code: reason, message, duplicate: outcome.status === 'duplicate' };
  }

  /**
   * A resend carries the button of the stored vote. A different button (or
   * a seq never stored) means the box numbers its presses again from an
   * old seq (EEPROM wiped, e.g. re-flashed without EESAVE): its new votes
   * are answered DUP and lost. Say so loudly, with a visible counter.
   */
  private checkResend(terminal: PlacedTerminal, uid: string, vote: VoteMessage, hwm: number): void {
    const stored = this.journal.storedVote(uid, vote.seq);
    const level = this.options.config.scale.levels[vote.button - 1]?.key;
    if (stored !== undefined && stored.level === level) return;
    const n = (this.problemCounts.get('seq-regression') ?? 0) + 1;
    this.problemCounts.set('seq-regression', n);
    if (n === 1 || n % 100 === 0) {
      this.log.error(
        { terminal: terminal.id, uid, seq: vote.seq, highWaterMark: hwm, count: n },
        `box ${uid} sent seq ${vote.seq}, already used by another press (highest stored ${hwm}): its seq went backwards (EEPROM erased?). Its new presses are being taken as resends and LOST; re-flash with EESAVE or give the box a new uid (PROTOCOL.md §7.1)`,
      );
    }
  }

  private closeOtherWindows(voted: TerminalSession): void {
    const counter = voted.identified?.counter.id;
    for (const [id, session] of this.owners) {
      if (session !== voted && session.identified?.counter.id === counter && id !== voted.identified?.id) session.openWindow(0);
    }
  }

  private onMessage(m: TopicMessage): void {
    const { config } = this.options;
    if (m.params.district !== config.district.id || m.params.ward !== config.ward.id) return;
    if (m.kind === 'session') {
      this.counters.session(m.params.counter, m.payload);
      return;
    }
    if (m.kind !== 'served') return;
    const counter = config.counters.find((c) => c.id === m.params.counter);
    if (counter === undefined) return;
    this.counters.served(counter.id, m.payload, Date.now(), config.rating.windowMs);
    if (counter.mode !== 'gated') return;
    for (const session of this.owners.values()) {
      if (session.identified?.counter.id === counter.id) session.openWindow(config.rating.windowMs);
    }
  }
}

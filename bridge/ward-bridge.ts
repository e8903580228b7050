/**
 * One ward office's bridge: serial terminals in, durable journal, MQTT out.
 * It wires the parts (journal, serial ports + one protocol session per port,
 * counter state, MQTT link, outbox, retained state) and hands them to the
 * controller as features. Each part is an adapter or a pure module of its
 * own; this file only connects their events.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { bridgeClientId } from '../core/client-id.ts';
import type { Status } from '../core/status.ts';
import { subscriptionFor, topicFor } from '../core/topic.ts';
import { encodePayload } from '../core/topic-payload.ts';
import { localParts } from '../core/time.ts';
import type { HelloMessage, VoteMessage } from '../firmware-protocol/src/message.ts';
import type { TopicMessage } from '../core/topic-payload.ts';
import type { HailongConfig, PlacedTerminal } from './config/hailong-config.ts';
import type { Feature } from './controller.ts';
import { Journal } from './journal/journal.ts';
import type { AppendOutcome } from './journal/vote-input.ts';
import { MqttLink } from './mqtt/mqtt-link.ts';
import { OutboxPublisher } from './mqtt/outbox-publisher.ts';
import { RetainedState } from './mqtt/retained-state.ts';
import { CounterState } from './rating/counter-state.ts';
import { voteInputOf } from './rating/vote-intake.ts';
import { CooldownGuard } from './rating/cooldown-guard.ts';
import type { PortOpener } from './serial/port-handle.ts';
import type { DiscoveryFs } from './serial/port-candidates.ts';
import { SerialPorts, type OpenPort } from './serial/serial-ports.ts';
import { openSerialPort } from './serial/serialport-opener.ts';
import { TerminalDirectory } from './serial/terminal-directory.ts';
import { TerminalSession, type TerminalSessionOptions } from './serial/terminal-session.ts';

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
   * More counters for the bridge status, read at each refresh (the embedded
   * broker's refusals, so they are visible on `_bridge/status`).
   * @default none
   */
  readonly extraCounters?: () => Readonly<Record<string, number>>;
}

/** How often sessions are ticked (PING, offline) and statuses refreshed (ms). */
const TICK_MS = 1000;

/** The ward bridge and its features. */
export class WardBridge {
  readonly journal: Journal;
  readonly link: MqttLink;
  readonly outbox: OutboxPublisher;
  readonly retained: RetainedState;
  readonly ports: SerialPorts;
  readonly counters = new CounterState();
  readonly cooldown = new CooldownGuard();
  readonly directory: TerminalDirectory;
  /** Sessions by port path. */
  readonly sessions = new Map<string, TerminalSession>();
  /** Which session speaks for each terminal id now. */
  private readonly owners = new Map<string, TerminalSession>();
  private readonly statusErrors = new Map<string, string>();
  private readonly problemCounts = new Map<string, number>();
  private readonly refused: Record<string, number> = {};
  /** Resends answered DUP before reaching the journal (the journal counts its own). */
  private earlyDuplicates = 0;
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
      clientId: options.broker.clientId ?? bridgeClientId(ward, secretSuffix(options.broker.password)),
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
    this.outbox = new OutboxPublisher(this.journal, this.link, this.log.child({ part: 'outbox' }));
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
      { name: 'outbox', dependsOn: ['journal', 'mqtt'], start: () => this.outbox.start(), stop: () => this.outbox.stop() },
      { name: 'serial', dependsOn: ['journal'], start: () => this.startSerial(), stop: () => this.stopSerial() },
    ];
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
    }
    for (const [code, n] of Object.entries(this.refused)) out[`refused-${code}`] = n;
    for (const [code, n] of this.problemCounts) out[`port-${code}`] = n;
    for (const [code, n] of Object.entries(this.link.rejected())) out[`mqtt-${code}`] = n;
    out['retained-failed'] = this.retained.stats().failed;
    out['outbox-journal-errors'] = this.outbox.stats().journalErrors;
    Object.assign(out, this.options.extraCounters?.());
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
        identify: (hello, path) => this.directory.identify(hello, path),
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
      this.retained.tallyChanged(vote, localParts(vote.pressedAt).monthKey);
      log.debug({ vote: vote.id, level: vote.level, filtered: vote.filtered ?? null }, 'vote stored');
      if (vote.filtered === undefined && session.identified?.counter.mode === 'gated') this.closeOtherWindows(session);
    });
    session.on('refused', (uid, code, message) => {
      this.refused[code] = (this.refused[code] ?? 0) + 1;
      log.warn({ uid, code }, message);
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

  private onOnline(session: TerminalSession, terminal: PlacedTerminal, hello: HelloMessage, log: Logger): void {
    const previous = this.owners.get(terminal.id);
    this.owners.set(terminal.id, session);
    if (previous !== undefined && previous !== session) log.info({ terminal: terminal.id }, 'terminal moved to another port');
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
    const input = voteInputOf(this.options.config, this.options.config.scale, this.counters, terminal, uid, vote, receivedAt, this.cooldown);
    if ('code' in input) return { status: 'failed', code: input.code, message: input.message };
    const outcome = await this.journal.append(input);
    if (outcome.status === 'failed' && input.filtered === undefined) this.counters.release(terminal.counter.id, input.pressedAt);
    if (outcome.status === 'failed') this.log.error({ terminal: terminal.id, code: outcome.code, error: outcome.message }, 'VOTE NOT STORED: journal write failed, the terminal keeps the vote and resends it');
    return outcome;
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

/**
 * 16 hex digits derived from the bridge's broker password, so that its
 * client id cannot be guessed by other accounts (issue 13, item 7): a
 * broker that does not bind ids to accounts (Mosquitto) would otherwise let
 * a kiosk login take the bridge's session over. Undefined without a password.
 */
export function secretSuffix(password: string | undefined): string | undefined {
  if (password === undefined || password === '') return undefined;
  return createHash('sha256').update(`hailong client id\u0000${password}`).digest('hex').slice(0, 16);
}

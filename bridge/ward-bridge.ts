/**
 * One ward office's bridge: serial terminals in, durable journal, MQTT out.
 * It wires the parts (journal, serial ports + one protocol session per port,
 * counter state, MQTT link, outbox, retained state) and hands them to the
 * controller as features. Each part is an adapter or a pure module of its
 * own; this file only connects their events. Its options are in
 * ward-bridge-options.ts, the box vote path in serial/vote-pipeline.ts
 * (decode → intake → journal batch → outbox → ACK batch),
 * the status counters in bridge-counters.ts, the kiosk side in
 * kiosk/kiosk-intake-feature.ts, gated windows in rating/gated-windows.ts,
 * counters' MQTT events in rating/counter-events-intake.ts, each box's
 * retained status in serial/box-status-board.ts.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { bridgeClientId } from '../core/client-id.ts';
import { subscriptionFor, topicFor } from '../core/topic.ts';
import { encodePayload } from '../core/topic-payload.ts';
import type { HelloMessage } from '../firmware-protocol/src/message.ts';
import { bridgeCounters } from './bridge-counters.ts';
import type { PlacedTerminal } from './config/hailong-config.ts';
import type { Feature } from './controller.ts';
import { Journal } from './journal/journal.ts';
import { secretSuffix } from './mqtt/client-secret.ts';
import { MqttLink } from './mqtt/mqtt-link.ts';
import { linkChannel } from './mqtt/link-channel.ts';
import { OutboxPublisher } from './mqtt/outbox-publisher.ts';
import { RevocationForwarder } from './upstream/revocation-forwarder.ts';
import { RetainedState } from './mqtt/retained-state.ts';
import { WillWitness } from './mqtt/will-witness.ts';
import { CounterState } from './rating/counter-state.ts';
import { CooldownGuard } from './rating/cooldown-guard.ts';
import { onCounterMessage } from './rating/counter-events-intake.ts';
import { setCounterWindows } from './rating/gated-windows.ts';
import { BoxStatusBoard } from './serial/box-status-board.ts';
import { BoxVoteIntake } from './serial/box-vote-intake.ts';
import { SerialPorts, type OpenPort } from './serial/serial-ports.ts';
import { openSerialPort } from './serial/serialport-opener.ts';
import type { Identification } from './serial/session-context.ts';
import { TerminalDirectory } from './serial/terminal-directory.ts';
import { TerminalSession } from './serial/terminal-session.ts';
import { VotePipeline } from './serial/vote-pipeline.ts';
import { KioskIntake } from './kiosk/kiosk-intake.ts';
import { KioskIntakeFeature } from './kiosk/kiosk-intake-feature.ts';
import { KioskReceipts } from './kiosk/kiosk-receipts.ts';
import { Upstream } from './upstream/upstream.ts';
import type { WardBridgeOptions } from './ward-bridge-options.ts';

export type { BrokerConnection, WardBridgeOptions } from './ward-bridge-options.ts';
export { secretSuffix } from './mqtt/client-secret.ts';

/** How often sessions are ticked (PING, offline) and statuses refreshed (ms). */
const TICK_MS = 1000;

/** The ward bridge and its features. */
export class WardBridge {
  readonly journal: Journal;
  readonly link: MqttLink;
  readonly outbox: OutboxPublisher;
  /** Supervisors' revocations on the ward's own broker (`_revocation`, the journal's `published` mark). */
  readonly revocations: RevocationForwarder;
  readonly retained: RetainedState;
  readonly witness: WillWitness;
  /** Forwarding to the district/province hub, when the config has `upstream`. */
  readonly upstream: Upstream | undefined;
  readonly ports: SerialPorts;
  readonly counters = new CounterState();
  readonly cooldown = new CooldownGuard();
  /** Kiosk votes: validated, judged and journaled (the bridge publishes kiosk tallies too). */
  readonly kioskIntake: KioskIntake;
  private readonly kioskFeature: KioskIntakeFeature;
  /** Each kiosk's receipt: which of its votes are journaled (the kiosk forgets only those). */
  private readonly kioskReceipts: KioskReceipts;
  readonly directory: TerminalDirectory;
  /** Sessions by port path. */
  readonly sessions = new Map<string, TerminalSession>();
  /** Which session speaks for each terminal id now. */
  private readonly owners = new Map<string, TerminalSession>();
  private readonly problemCounts = new Map<string, number>();
  /** Each box's retained status: HELLO, low supply, missing fuses, error counters. */
  private readonly boxStatus: BoxStatusBoard;
  private readonly refused: Record<string, number> = {};
  /** The serial boxes' intake: the one duplicate check, rejections, the rating rules. */
  private readonly boxVotes: BoxVoteIntake;
  /** The serial boxes' vote path: intake → one commit per batch → outbox → one ACK write per port. */
  readonly votes: VotePipeline<TerminalSession>;
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
      seqBase: options.seqBase === 'zero' ? 0 : Math.floor(Date.now() / 1000),
      log: options.log.child({ part: 'journal' }),
    });
    this.directory = new TerminalDirectory(config);
    this.boxVotes = new BoxVoteIntake({
      config,
      journal: this.journal,
      counters: this.counters,
      cooldown: this.cooldown,
      log: this.log,
      problemCounts: this.problemCounts,
    });
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
    this.witness = new WillWitness(config, this.link, this.log.child({ part: 'witness' }));
    this.upstream =
      config.upstream === undefined
        ? undefined
        : new Upstream({
            config: config.upstream,
            ward,
            journal: this.journal,
            local: this.link,
            version: options.version,
            counters: () => this.counterSnapshot(),
            log: this.log,
            onStatusRefresh: () => void this.retained.refreshBridgeStatus(),
            ...(options.upstreamCa === undefined ? {} : { ca: options.upstreamCa }),
            ...options.upstreamTuning,
          });
    const upstream = this.upstream;
    this.retained = new RetainedState(
      config,
      this.journal,
      this.link,
      this.log.child({ part: 'retained' }),
      () => this.counterSnapshot(),
      options.version,
      {
        ...(upstream === undefined ? {} : { upstream: () => upstream.progress() }),
      },
    );
    this.boxStatus = new BoxStatusBoard({ retained: this.retained, owners: this.owners, problemCounts: this.problemCounts });
    this.outbox = new OutboxPublisher(this.journal, this.link, this.log.child({ part: 'outbox' }));
    this.votes = new VotePipeline<TerminalSession>({
      intake: this.boxVotes,
      journal: this.journal,
      outbox: this.outbox,
      // One service, one vote: a counted vote closes the other boxes' windows at its counter.
      onStored: (vote, terminal, sink) => {
        if (vote.filtered === undefined && terminal.counter.mode === 'gated') setCounterWindows(this.owners, terminal.counter.id, 0, sink);
      },
      log: this.log.child({ part: 'votes' }),
    });
    this.revocations = new RevocationForwarder(this.journal, linkChannel(this.link), ward, this.log.child({ part: 'revocations' }), {
      mark: 'published',
      destination: "the ward's broker",
    });
    this.kioskIntake = new KioskIntake({
      config,
      journal: this.journal,
      counters: this.counters,
      log: this.log.child({ part: 'kiosk-intake' }),
    });
    this.kioskFeature = new KioskIntakeFeature({
      intake: this.kioskIntake,
      journal: this.journal,
      broker: options.broker,
      ward,
      kioskVotes: options.kioskVotes,
      syncMs: TICK_MS,
      // One service, one vote: a counted kiosk vote closes the boxes' windows at its counter.
      onStored: (vote, terminal) => {
        if (vote.filtered === undefined && terminal.counter.mode === 'gated') setCounterWindows(this.owners, terminal.counter.id, 0);
      },
      log: this.log.child({ part: 'kiosk-intake' }),
    });
    this.kioskReceipts = new KioskReceipts({
      intake: this.kioskIntake,
      journal: this.journal,
      link: this.link,
      log: this.log.child({ part: 'kiosk-receipts' }),
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
          this.link.on('message', (m) =>
            onCounterMessage(
              { config: this.options.config, counters: this.counters, journal: this.journal, owners: this.owners, log: this.log },
              m,
            ),
          );
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
      { name: 'revocations', dependsOn: ['journal', 'mqtt'], start: () => this.revocations.start(), stop: () => this.revocations.stop() },
      // Beside the local path, never in it: a hub that is down slows nothing here.
      ...(this.upstream?.features() ?? []),
      { name: 'serial', dependsOn: ['journal'], start: () => this.startSerial(), stop: () => this.stopSerial() },
      { name: 'kiosk-intake', dependsOn: ['journal'], start: () => this.kioskFeature.start(), stop: () => this.kioskFeature.stop() },
      {
        name: 'kiosk-receipts',
        dependsOn: ['journal', 'mqtt'],
        start: () => this.kioskReceipts.start(),
        stop: () => this.kioskReceipts.stop(),
      },
    ];
  }

  /** True when kiosk votes are being taken in: always with the broker gate, once subscribed otherwise. */
  get kioskIntakeReady(): boolean {
    return this.kioskFeature.ready;
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
    return bridgeCounters({
      journal: this.journal,
      earlyDuplicates: this.boxVotes.duplicates,
      refused: this.refused,
      uidConflicts: this.uidConflicts,
      problemCounts: this.problemCounts,
      link: this.link,
      kioskIntake: this.kioskIntake,
      retained: this.retained,
      outbox: this.outbox,
      ...(this.options.extraCounters === undefined ? {} : { extra: this.options.extraCounters }),
    });
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
    // Votes already read are stored (and ACKed where the port is still open) before the journal closes.
    this.votes.flush();
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }

  private tick(): void {
    for (const session of this.sessions.values()) {
      session.tick();
      const terminal = session.identified;
      if (terminal === undefined || this.owners.get(terminal.id) !== session || !session.isOnline) continue;
      this.boxStatus.refresh(terminal, session);
    }
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
        highWaterMark: (uid) => (this.journal.isOpen ? this.journal.highWaterMark(uid) : 0),
        submitVote: (_sink, terminal, uid, vote, receivedAt) => this.votes.submit(session, terminal, uid, vote, receivedAt),
        now: () => Date.now(),
      },
      this.options.session,
    );
    session.on('online', (terminal, hello) => this.onOnline(session, terminal, hello, log));
    session.on('offline', (terminal, reason) => {
      if (this.owners.get(terminal.id) !== session) return;
      log.warn({ terminal: terminal.id, reason }, 'terminal offline');
      this.boxStatus.publish(terminal, session, 'offline');
    });
    session.on('refused', (uid, code, message) => {
      this.refused[code] = (this.refused[code] ?? 0) + 1;
      if (code === 'uid-conflict') log.error({ uid, code, count: this.uidConflicts }, message);
      else log.warn({ uid, code }, message);
    });
    session.on('device-event', (terminal, code, value) => this.boxStatus.deviceEvent(session, terminal, code, value, log));
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
    log.info(
      {
        terminal: terminal.id,
        counter: terminal.counter.id,
        uid: hello.uid,
        model: hello.model,
        firmware: hello.firmware,
        pending: hello.pending,
      },
      'terminal online',
    );
    this.boxStatus.online(terminal, session);
  }

  private openWindowMs(terminal: PlacedTerminal, now: number): number {
    return terminal.counter.mode === 'gated' && this.counters.isOpen(terminal.counter.id, now) ? this.options.config.rating.windowMs : 0;
  }
}

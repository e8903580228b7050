/**
 * Everything the bridge keeps retained on the broker, and republishes on
 * EVERY connect, because a broker may have lost its store
 * (Koenkk/zigbee2mqtt#9629, #4854): the bridge's own status (online; its last will says
 * offline), the office (names, counters, target, hours), each terminal's
 * config and status, and every monthly tally in the journal. After each
 * vote the journal stores (its 'tally-changed' event, whoever wrote the
 * vote) the terminal's tally is republished, coalesced so that a
 * burst of votes costs one publish per terminal-month per interval.
 */
import type { Logger } from 'pino';
import type { Office } from '../../core/office.ts';
import type { TerminalPath } from '../../core/path.ts';
import type { Status, UpstreamProgress } from '../../core/status.ts';
import type { TerminalConfig } from '../../core/terminal-config.ts';
import { BUILTIN_SCALES, type Scale } from '../../core/scale.ts';
import type { HailongConfig, PlacedTerminal } from '../config/hailong-config.ts';
import { terminalsOf } from '../config/hailong-config.ts';
import type { Journal } from '../journal/journal.ts';
import type { MqttLink } from './mqtt-link.ts';

/** Options of `RetainedState`. */
export interface RetainedStateOptions {
  /** Longest delay before a changed tally is republished (ms). @default 200 */
  readonly tallyDelayMs?: number;
  /** How often the bridge status (with its counters) is refreshed (ms). @default 30000 */
  readonly statusIntervalMs?: number;
  /** The forwarding progress to the hub, for the bridge status (bridge/upstream/). @default none */
  readonly upstream?: () => UpstreamProgress;
}

/** What the retained state reads from the journal (`Journal`; its seam: unit tests pass a fake). */
export interface RetainedJournal {
  readonly isOpen: boolean;
  on(event: 'tally-changed', listener: (path: TerminalPath, month: string) => void): unknown;
  off(event: 'tally-changed', listener: (path: TerminalPath, month: string) => void): unknown;
  tallyOf: Journal['tallyOf'];
  tallies: Journal['tallies'];
}

/** What the retained state needs of the MQTT link (`MqttLink`; its seam: unit tests pass a fake). */
export interface RetainedLink {
  readonly connected: boolean;
  readonly connectionAt: number;
  on(event: 'connect', listener: () => void): unknown;
  off(event: 'connect', listener: () => void): unknown;
  publish: MqttLink['publish'];
}

/** A built-in scale travels as its id (small retained payloads), a custom one in full. */
function scaleRef(config: HailongConfig): string | Scale {
  return BUILTIN_SCALES.includes(config.scale) ? config.scale.id : config.scale;
}

/** The retained config of a terminal, from the office config. */
export function terminalConfigOf(config: HailongConfig, terminal: PlacedTerminal): TerminalConfig {
  return {
    v: 1,
    scale: scaleRef(config),
    cooldownMs: config.rating.cooldownMs,
    mode: terminal.counter.mode,
    windowMs: config.rating.windowMs,
    reasons: config.rating.reasons,
  };
}

/** The retained office payload, from the office config. */
export function officeOf(config: HailongConfig, at: number): Office {
  return {
    v: 1,
    district: config.district.id,
    ward: config.ward.id,
    districtName: config.district.name,
    wardName: config.ward.name,
    scale: scaleRef(config),
    target: config.target,
    minVotes: config.minVotes,
    ...(config.officers.length > 0 ? { officers: config.officers.map((o) => ({ id: o.id, name: o.name })) } : {}),
    openingHours: config.openingHours,
    counters: config.counters.map((c) => ({ id: c.id, name: c.name, terminals: c.terminals.map((t) => ({ id: t.id, kind: t.kind })) })),
    updatedAt: at,
  };
}

function pathOf(config: HailongConfig, t: PlacedTerminal): TerminalPath {
  return { district: config.district.id, ward: config.ward.id, counter: t.counter.id, terminal: t.id };
}

/** The retained-state feature. */
export class RetainedState {
  private readonly statuses = new Map<string, Status>();
  private readonly dirtyTallies = new Map<string, { path: TerminalPath; month: string }>();
  private tallyTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private readonly tallyDelayMs: number;
  private readonly statusIntervalMs: number;
  private readonly upstream: (() => UpstreamProgress) | undefined;
  private readonly onConnect = () => void this.publishAll();
  private readonly onTally = (path: TerminalPath, month: string) => this.tallyChanged(path, month);
  private readonly ward;
  private bridgeStatus: Status;
  private failed = 0;

  constructor(
    private readonly config: HailongConfig,
    private readonly journal: RetainedJournal,
    private readonly link: RetainedLink,
    private readonly log: Logger,
    private readonly bridgeCounters: () => Record<string, number>,
    private readonly version: string,
    options: RetainedStateOptions = {},
  ) {
    this.tallyDelayMs = options.tallyDelayMs ?? 200;
    this.statusIntervalMs = options.statusIntervalMs ?? 30_000;
    this.upstream = options.upstream;
    this.ward = { district: config.district.id, ward: config.ward.id };
    this.bridgeStatus = { v: 1, state: 'online', at: Date.now(), model: 'hailong-bridge', firmware: version };
  }

  /** Starts: every button box is offline until it says HELLO (a crashed bridge may have left "online"). */
  start(): void {
    const now = Date.now();
    for (const t of terminalsOf(this.config)) {
      if (t.kind === 'button') this.statuses.set(t.id, { v: 1, state: 'offline', at: now, kind: 'button' });
    }
    this.link.on('connect', this.onConnect);
    // Every vote committed to the journal, whoever wrote it, republishes its
    // tally: issue 12 found the demo's history retained for 3 of 13 months
    // because only the serial path told this feature about its votes.
    this.journal.on('tally-changed', this.onTally);
    this.statusTimer = setInterval(() => void this.refreshBridgeStatus(), this.statusIntervalMs);
    this.statusTimer.unref();
    if (this.link.connected) void this.publishAll();
  }

  /** Stops the timers and publishes pending tallies. */
  async stop(): Promise<void> {
    this.link.off('connect', this.onConnect);
    this.journal.off('tally-changed', this.onTally);
    clearInterval(this.statusTimer);
    await this.flushTallies();
  }

  /** Publishes the bridge as offline (a clean shutdown sends no last will). */
  async publishOffline(): Promise<void> {
    const status: Status = { v: 1, state: 'offline', at: Date.now(), model: 'hailong-bridge', firmware: this.version };
    await this.safely('bridge-status', () => this.link.publish('bridge-status', this.ward, status));
  }

  /** Records and publishes a terminal's status. */
  terminalStatus(terminal: PlacedTerminal, status: Status): void {
    this.statuses.set(terminal.id, status);
    void this.safely('status', () => this.link.publish('status', pathOf(this.config, terminal), status));
  }

  /** A vote changed this terminal-month's tally: republish it soon (the journal's 'tally-changed' calls this). */
  tallyChanged(path: TerminalPath, month: string): void {
    this.dirtyTallies.set(`${path.counter}/${path.terminal}/${month}`, { path, month });
    this.tallyTimer ??= setTimeout(() => void this.flushTallies(), this.tallyDelayMs);
  }

  private async flushTallies(): Promise<void> {
    clearTimeout(this.tallyTimer);
    this.tallyTimer = undefined;
    const dirty = [...this.dirtyTallies.values()];
    this.dirtyTallies.clear();
    await Promise.all(
      dirty.map(({ path, month }) => {
        const tally = this.journal.isOpen ? this.journal.tallyOf(path, month) : undefined;
        return tally === undefined ? undefined : this.safely('tally', () => this.link.publish('tally', { ...path, month }, tally));
      }),
    );
  }

  /** Republishes the bridge status with fresh counters (and upstream progress). */
  async refreshBridgeStatus(): Promise<void> {
    this.bridgeStatus = { ...this.bridgeStatus, errors: this.bridgeCounters(), ...this.upstreamField() };
    await this.safely('bridge-status', () => this.link.publish('bridge-status', this.ward, this.bridgeStatus));
  }

  /** Republishes every retained state (on every connect). */
  async publishAll(): Promise<void> {
    const now = Date.now();
    // Online carries this connection's will time: when the will fires, it wins.
    this.bridgeStatus = {
      v: 1,
      state: 'online',
      at: this.link.connectionAt || now,
      model: 'hailong-bridge',
      firmware: this.version,
      errors: this.bridgeCounters(),
      ...this.upstreamField(),
    };
    const jobs: Promise<void>[] = [
      this.safely('bridge-status', () => this.link.publish('bridge-status', this.ward, this.bridgeStatus)),
      this.safely('office', () => this.link.publish('office', this.ward, officeOf(this.config, now))),
    ];
    for (const t of terminalsOf(this.config)) {
      const path = pathOf(this.config, t);
      jobs.push(this.safely('config', () => this.link.publish('config', path, terminalConfigOf(this.config, t))));
      // Kiosks publish their own status; the bridge speaks for its serial boxes (tallies: every terminal's, below).
      const status = this.statuses.get(t.id);
      if (t.kind === 'button' && status !== undefined) jobs.push(this.safely('status', () => this.link.publish('status', path, status)));
    }
    const tallies = this.journal.isOpen ? this.journal.tallies() : [];
    for (const tally of tallies) jobs.push(this.safely('tally', () => this.link.publish('tally', tally, tally)));
    await Promise.all(jobs);
    this.log.info({ tallies: tallies.length, terminals: terminalsOf(this.config).length }, 'retained state published');
  }

  /** Retained publishes that failed (each logged at warn; all are republished on the next connect). */
  stats(): { readonly failed: number } {
    return { failed: this.failed };
  }

  private upstreamField(): Pick<Status, 'upstream'> {
    return this.upstream === undefined ? {} : { upstream: this.upstream() };
  }

  private async safely(what: string, publish: () => Promise<void>): Promise<void> {
    try {
      await publish();
    } catch (error) {
      // Everything is republished on the next connect, so nothing is lost;
      // but a retained state the broker never got leaves dashboards showing
      // old figures, so it is counted (`retained-failed` in the bridge
      // status) and logged at warn, the first of each kind and then every 100th.
      const n = ++this.failed;
      if (n === 1 || n % 100 === 0) {
        this.log.warn(
          { what, count: n, error: (error as Error).message },
          `retained ${what} not published (republished on the next connect)`,
        );
      }
    }
  }
}

/**
 * The ward's retained state on the hub: every retained status, tally,
 * terminal config and `_office` of this ward that the ward's own broker
 * holds (the bridge's and the kiosks' alike, validated by the core topic
 * map on the way in), mirrored to the hub with retain set, latest value per
 * topic. Changes are coalesced (`delayMs`); on every connect to the hub
 * everything is sent again, because a broker may have lost its retained
 * store (Koenkk/zigbee2mqtt#9629). A value equal to what the hub already got is
 * not sent again, which also keeps a mis-pointed upstream from echoing.
 *
 * The ward's `_bridge/status` on the hub is not mirrored but made here: its
 * "online" must carry the time of the HUB connection, whose last will says
 * offline (core mergeStatus), and it carries the forwarding progress.
 */
import type { Logger } from 'pino';
import type { Status, UpstreamProgress } from '../../core/status.ts';
import { publicationFor, type TopicMessage } from '../../core/topic-payload.ts';
import { subscriptionFor, type TopicKind } from '../../core/topic.ts';
import type { WardPath } from '../../core/path.ts';
import type { UpstreamChannel } from './upstream-channel.ts';

/** Longest wait for the hub's PUBACK of the "offline" status at stop (ms). */
const STOP_WAIT_MS = 2000;

/** Retained kinds mirrored to the hub. */
export const MIRRORED_KINDS: readonly TopicKind[] = ['office', 'config', 'status', 'tally'];

/** Options of `RetainedMirror`. */
export interface RetainedMirrorOptions {
  /** Longest delay before a changed retained value goes to the hub (ms). @default 250 */
  readonly delayMs?: number;
  /** How often the ward's `_bridge/status` is refreshed on the hub (ms). @default 30000 */
  readonly statusIntervalMs?: number;
  /** The same while a backlog drains, so the hub sees the progress (ms). @default 5000 */
  readonly drainingStatusIntervalMs?: number;
}

/** What the mirror needs to make the ward's bridge status. */
export interface BridgeStatusSource {
  readonly version: string;
  /** The bridge's counters (the `errors` of its status). */
  counters(): Record<string, number>;
  /** The forwarding progress. */
  progress(): UpstreamProgress;
  /** True while a backlog drains. */
  draining(): boolean;
  /** Called after each periodic refresh (the ward's own `_bridge/status` follows). */
  refreshed?(): void;
}

/** Subscription filters (on the ward's broker) of the mirrored kinds. */
export function mirrorSubscriptions(ward: WardPath): string[] {
  return MIRRORED_KINDS.map((k) => subscriptionFor(k, ward as never));
}

/** Mirrors the ward's retained state to the hub. */
export class RetainedMirror {
  /** Latest payload per topic, as received from the ward's broker. */
  private readonly latest = new Map<string, string>();
  /** What the hub acknowledged per topic (on the current connection). */
  private readonly onHub = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private lastStatusAt = 0;
  private running = false;
  private readonly delayMs: number;
  private readonly statusIntervalMs: number;
  private readonly drainingStatusIntervalMs: number;
  private readonly onConnect = () => this.connected();

  constructor(
    private readonly ward: WardPath,
    private readonly channel: UpstreamChannel,
    private readonly source: BridgeStatusSource,
    private readonly log: Logger,
    options: RetainedMirrorOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 250;
    this.statusIntervalMs = options.statusIntervalMs ?? 30_000;
    this.drainingStatusIntervalMs = options.drainingStatusIntervalMs ?? 5000;
  }

  /** Starts (sends everything now if connected, else at the next connect). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.channel.on('connect', this.onConnect);
    this.statusTimer = setInterval(() => this.maybeRefreshStatus(), 1000);
    this.statusTimer.unref();
    if (this.channel.connected) this.connected();
  }

  /** Stops; with `offline`, tells the hub first that this bridge stops (a clean stop sends no will). */
  async stop(offline = true): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.channel.off('connect', this.onConnect);
    clearInterval(this.statusTimer);
    clearTimeout(this.flushTimer);
    if (offline && this.channel.connected) {
      // Bounded: a hub that does not answer must not hold the bridge's shutdown (its will says offline anyway).
      await Promise.race([
        this.safely(() => this.publishStatus('offline', Date.now())),
        new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref()),
      ]);
    }
  }

  /** A message from the ward's broker: kept, and sent to the hub soon if it is a mirrored kind of this ward. */
  received(message: TopicMessage): void {
    if (!MIRRORED_KINDS.includes(message.kind)) return;
    const { district, ward } = message.params;
    if (district !== this.ward.district || ward !== this.ward.ward) return;
    const p = publicationFor(message.kind, message.params as never, message.payload as never);
    if (this.latest.get(p.topic) === p.payload) return;
    this.latest.set(p.topic, p.payload);
    if (this.onHub.get(p.topic) === p.payload) return;
    this.dirty.add(p.topic);
    if (this.running) this.flushTimer ??= setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Topics held for the hub (for tests and the log). */
  get size(): number {
    return this.latest.size;
  }

  /** Refreshes the ward's bridge status on the hub now (e.g. when the backlog changed a lot). */
  async refreshStatus(): Promise<void> {
    if (!this.channel.connected) return;
    await this.safely(() => this.publishStatus('online', this.channel.connectionAt || Date.now()));
  }

  private connected(): void {
    // The hub may have lost its retained store: send everything again.
    this.onHub.clear();
    for (const topic of this.latest.keys()) this.dirty.add(topic);
    void this.refreshStatus();
    void this.flush();
  }

  private maybeRefreshStatus(): void {
    const every = this.source.draining() ? this.drainingStatusIntervalMs : this.statusIntervalMs;
    if (Date.now() - this.lastStatusAt < every) return;
    this.lastStatusAt = Date.now();
    void this.refreshStatus();
    this.source.refreshed?.();
  }

  private async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.running || !this.channel.connected || this.dirty.size === 0) return;
    const topics = [...this.dirty];
    this.dirty.clear();
    let failed = 0;
    await Promise.all(
      topics.map(async (topic) => {
        const payload = this.latest.get(topic);
        if (payload === undefined) return;
        try {
          await this.channel.publish(topic, payload, true);
          this.onHub.set(topic, payload);
        } catch {
          failed += 1;
          // Sent again at the next connect (every topic is) or the next change.
          this.dirty.add(topic);
        }
      }),
    );
    if (failed > 0) this.log.debug({ failed }, 'retained state for the hub deferred until it is reachable');
  }

  private async publishStatus(state: Status['state'], at: number): Promise<void> {
    this.lastStatusAt = Date.now();
    const status: Status = {
      v: 1,
      state,
      at,
      model: 'hailong-bridge',
      firmware: this.source.version,
      errors: this.source.counters(),
      upstream: this.source.progress(),
    };
    const p = publicationFor('bridge-status', this.ward, status);
    await this.channel.publish(p.topic, p.payload, p.retain);
  }

  private async safely(publish: () => Promise<void>): Promise<void> {
    try {
      await publish();
    } catch (error) {
      this.log.debug({ error: (error as Error).message }, 'bridge status for the hub deferred until it is reachable');
    }
  }
}

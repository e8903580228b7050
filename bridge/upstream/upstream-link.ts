/**
 * The mqtt.js adapter of the connection to the hub (`upstream.urls`): a
 * fixed client id with a persistent session (clean: false), fail over
 * between the URLs (mqtt.js `servers` rotates on each attempt), the ward's
 * `_bridge/status` as last will on the hub, and reconnection with
 * exponential backoff and jitter run here rather than by mqtt.js (whose
 * reconnectPeriod is a fixed interval). A hub that is unreachable, refuses
 * the login or drops is logged once, then as a periodic summary, never
 * once per attempt: a ward may be cut off for a day.
 *
 * Nothing is queued inside mqtt.js: `publish` rejects while disconnected,
 * because mqtt.js's stores are not a durability layer
 * (mqttjs/MQTT.js#2015) and the journal is the queue. Each reconnect starts
 * mqtt.js with fresh stores (`client.reconnect()`), so what was in flight
 * when the line dropped is never replayed behind the forwarder's back: the
 * forwarder sends it again itself, pipelined, from the journal.
 */
// First: the packages below create their debug loggers as they load (debug-silencer.ts says why).
import '../debug-silencer.ts';
import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { serversOf } from '../mqtt/mqtt-link.ts';
import type { UpstreamChannel, UpstreamChannelEvents } from './upstream-channel.ts';

/** Options of `UpstreamLink`. */
export interface UpstreamLinkOptions {
  /** Hub broker URLs, tried in turn. */
  readonly urls: readonly string[];
  /** Fixed client id: the hub keeps the session across reconnects. */
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /** PEM text of the hub's CA (mqtts/wss). */
  readonly ca?: string;
  /** Last will on the hub, made for each connection with its time (see MqttLink). */
  readonly will?: { readonly topic: string; readonly payload: (at: number) => string };
  /** First wait before a reconnect (ms). @default 1000 */
  readonly minBackoffMs?: number;
  /** Longest wait between reconnects (ms). @default 15000 */
  readonly maxBackoffMs?: number;
  /** MQTT keepalive (s): how soon a silently dead WAN line is noticed (1.5 ×). @default 20 */
  readonly keepaliveSeconds?: number;
  /** Longest wait for CONNACK (ms). @default 10000 */
  readonly connectTimeoutMs?: number;
  /** Interval of the "still unreachable" summary line (ms). @default 60000 */
  readonly summaryMs?: number;
  readonly log: Logger;
}

type Resolved = Readonly<Required<Omit<UpstreamLinkOptions, 'username' | 'password' | 'ca' | 'will'>>> &
  Pick<UpstreamLinkOptions, 'username' | 'password' | 'ca' | 'will'>;

/** Outage bookkeeping for the log. */
interface Outage {
  readonly since: number;
  attempts: number;
  lastError: string;
  lastSummary: number;
  /** Connections the hub closed soon after accepting them. */
  shortLived: number;
}

/** A connection that lasts this long ends an outage (ms). */
const STABLE_MS = 10_000;

/**
 * Settles mqtt.js's pending publishes as failed and forgets them (what its
 * private `_flush` does). After `client.reconnect()`
 * (fresh stores) they would stay pending for ever, and `end()` would wait
 * for them for ever, keeping the process alive.
 */
function forgetInFlight(client: MqttClient, why: string): void {
  for (const [key, entry] of Object.entries(client.outgoing)) {
    const id = Number(key);
    delete client.outgoing[id];
    entry.cb?.(new Error(why));
  }
}

/** The connection to the hub broker. */
export class UpstreamLink extends EventEmitter<UpstreamChannelEvents> implements UpstreamChannel {
  readonly options: Resolved;
  private client: MqttClient | undefined;
  private stopping = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private upSince = 0;
  private stableTimer: NodeJS.Timeout | undefined;
  private willAt = 0;
  private connectedAt = 0;
  private outage: Outage | undefined;
  private lastError = '';
  private everConnected = false;

  constructor(options: UpstreamLinkOptions) {
    super();
    this.options = Object.freeze({
      ...options,
      minBackoffMs: options.minBackoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 15_000,
      keepaliveSeconds: options.keepaliveSeconds ?? 20,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      summaryMs: options.summaryMs ?? 60_000,
    });
  }

  /** Starts connecting in the background; never throws for an unreachable hub. */
  start(): void {
    if (this.client !== undefined) return;
    const o = this.options;
    if (o.urls.length === 0) throw new TypeError('"urls" must list at least one hub broker URL');
    this.stopping = false;
    this.willAt = Date.now();
    const first = new URL(o.urls[0] as string);
    const client = mqtt.connect({
      servers: serversOf(o.urls),
      path: first.pathname === '/' ? '/mqtt' : first.pathname,
      clientId: o.clientId,
      clean: false,
      protocolVersion: 4,
      keepalive: o.keepaliveSeconds,
      connectTimeout: o.connectTimeoutMs,
      // Reconnects are ours (backoff); 0 also stops mqtt.js queueing while offline.
      reconnectPeriod: 0,
      reconnectOnConnackError: true,
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: o.password }),
      ...(o.ca === undefined ? {} : { ca: o.ca, rejectUnauthorized: true }),
      ...(o.will === undefined
        ? {}
        : { will: { topic: o.will.topic, payload: Buffer.from(o.will.payload(this.willAt)), qos: 1, retain: true } }),
    });
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('message', (topic, payload, packet) => this.emit('message', topic, payload.toString('utf8'), packet.retain === true));
    client.on('error', (error) => {
      this.lastError = error.message;
    });
    client.on('close', () => this.onClose());
  }

  /** Ends the connection (waits up to `timeoutMs` for a clean DISCONNECT). */
  async stop(timeoutMs = 2000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.stableTimer);
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    // A DISCONNECT packet, so the hub drops the will (the bridge said "offline" itself); mqtt.js
    // first waits for PUBACKs in flight, bounded here: the journal keeps what is unacknowledged.
    if (client.connected)
      await Promise.race([new Promise<void>((r) => client.end(false, {}, () => r())), new Promise((r) => setTimeout(r, timeoutMs))]);
    if (!client.disconnected) {
      // Still waiting for PUBACKs that will not come: close the socket, or it keeps the process alive.
      forgetInFlight(client, 'the link to the hub was stopped');
      client.stream?.destroy();
      await Promise.race([new Promise<void>((r) => client.end(true, {}, () => r())), new Promise((r) => setTimeout(r, 200))]);
    }
  }

  /** True while connected to the hub. */
  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** The `at` of the current connection's will. */
  get connectionAt(): number {
    return this.connectedAt;
  }

  /** Which hub broker the link is connected to (or tried last). */
  get broker(): string {
    const c = this.client?.options;
    return c === undefined ? '' : `${c.protocol ?? 'mqtt'}://${c.hostname ?? c.host ?? ''}:${c.port ?? ''}`;
  }

  /** Publishes at QoS 1; resolves on PUBACK; rejects at once when not connected. */
  publish(topic: string, payload: string, retain: boolean): Promise<void> {
    const client = this.client;
    if (client === undefined || !client.connected) return Promise.reject(new Error('hub not connected'));
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, { qos: 1, retain }, (error) => (error ? reject(error) : resolve()));
    });
  }

  /**
   * Subscribes at QoS 0 on the current connection (the hub's retained
   * receipts; QoS 0 so that no broker keeps a queue for it: NATS makes no
   * JetStream consumer for a QoS 0 subscription). Callers subscribe again on
   * every `connect`, which also has the broker send the retained state again.
   */
  subscribe(filter: string): void {
    const client = this.client;
    if (client === undefined || !client.connected) return;
    client.subscribe(filter, { qos: 0 }, (error) => {
      if (error) this.options.log.warn({ err: error.message, filter }, `the hub refused the subscription to ${filter}`);
    });
  }

  private onConnect(client: MqttClient): void {
    (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    this.connectedAt = this.willAt;
    this.upSince = Date.now();
    const broker = this.broker;
    const outage = this.outage;
    if (outage === undefined) {
      this.options.log.info({ broker, first: !this.everConnected }, 'hub connected');
    } else if (outage.shortLived < 2) {
      this.options.log.info(
        { broker, downMs: Date.now() - outage.since, attempts: outage.attempts },
        `hub reachable again after ${Math.round((Date.now() - outage.since) / 1000)} s`,
      );
    }
    this.everConnected = true;
    // The outage ends (and the backoff starts again from its shortest wait)
    // only once the connection has lasted: a hub that accepts the login and
    // then closes the line at once must not be retried in a tight loop.
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => {
      if (!this.connected) return;
      this.outage = undefined;
      this.failures = 0;
    }, STABLE_MS);
    this.stableTimer.unref();
    this.emit('connect');
  }

  private onClose(): void {
    if (this.stopping || this.client === undefined) return;
    const now = Date.now();
    const error = this.lastError || 'connection closed';
    this.lastError = '';
    clearTimeout(this.stableTimer);
    // How long the connection that just closed had been up (-1: it never was).
    const lived = this.upSince === 0 ? -1 : now - this.upSince;
    this.upSince = 0;
    const closedAtOnce = lived >= 0 && lived < STABLE_MS;
    const hint = `the hub closed the connection again ${lived} ms after accepting it: it may refuse what this ward publishes (are the district and ward ids the hub's? its account may write only under its own ward); retrying with backoff`;
    if (this.outage === undefined) {
      this.outage = { since: now, attempts: 1, lastError: error, lastSummary: now, shortLived: closedAtOnce ? 1 : 0 };
      const refused = /Not authorized|Bad username or password/i.test(error);
      // Once, with what to do; the ward keeps working on its own broker meanwhile.
      this.options.log.warn(
        { broker: this.broker, error, wasConnected: this.everConnected },
        refused
          ? 'hub refused the login: check upstream.username and upstream.password (the hub account of this ward); votes are kept in the journal and sent once it accepts'
          : 'hub unreachable: votes are kept in the journal and sent when the line is back; retrying with backoff',
      );
      this.emit('offline');
    } else {
      const outage = this.outage;
      outage.attempts += 1;
      outage.lastError = error;
      if (closedAtOnce) {
        outage.shortLived += 1;
        // Twice in a row is no longer a line that happened to drop.
        if (outage.shortLived === 2) this.options.log.warn({ broker: this.broker, error }, hint);
      }
      if (now - outage.lastSummary >= this.options.summaryMs) {
        outage.lastSummary = now;
        this.options.log.warn(
          { downMs: now - outage.since, attempts: outage.attempts, closedAtOnce: outage.shortLived, error },
          `hub still unreachable after ${Math.round((now - outage.since) / 1000)} s`,
        );
      }
      if (lived >= 0) this.emit('offline');
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    const o = this.options;
    const base = Math.min(o.maxBackoffMs, o.minBackoffMs * 2 ** Math.min(this.failures, 20));
    this.failures += 1;
    // ±20 % jitter: a district's wards must not all knock at the same instant after a hub restart.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.retryTimer = setTimeout(() => this.retry(), delay);
    this.retryTimer.unref();
  }

  private retry(): void {
    const client = this.client;
    if (client === undefined || this.stopping || client.connected) return;
    this.willAt = Date.now();
    const will = this.options.will;
    if (will !== undefined && client.options.will !== undefined) client.options.will.payload = Buffer.from(will.payload(this.willAt));
    // Fresh stores: nothing of the old connection is replayed by mqtt.js (the forwarder resends from the
    // journal). Its publishes are settled as failed now, or mqtt.js keeps them pending for ever.
    forgetInFlight(client, 'the connection to the hub was lost');
    client.reconnect();
  }
}

/**
 * The bridge's MQTT adapter: one mqtt.js client with a fixed clientId and a
 * persistent session (clean: false), failover across the configured broker
 * URLs, the bridge's retained `_bridge/status` as last will, and every
 * received message validated through the core topic map before anyone
 * sees it. Publishing goes through the typed map (`publish(kind, …)`), so
 * topic, QoS and retain flag can never disagree with core/topic.ts.
 */
// First: the packages below create their debug loggers as they load (debug-silencer.ts says why).
import '../debug-silencer.ts';
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import type { Logger } from 'pino';
import { publicationFor, parseMessage, type TopicMessage } from '../../core/topic-payload.ts';
import type { TopicKind, TopicParams, TopicPayload } from '../../core/topic.ts';
import { OutageLog } from './outage-log.ts';

// mqtt-packet (the MQTT encoder of mqtt.js and Aedes) otherwise fills, at
// its first write, a cache of 65,536 two-byte Buffers (one per message id
// or length): ~7 MB of V8 heap and ~11 MB of RSS, a tenth of the bridge's
// 100 MB budget (issue 14), to save allocating two such Buffers per publish.
// Off before anything writes MQTT (mqtt-packet README, "cacheNumbers").
mqttPacket.writeToStream.cacheNumbers = false;

const MQTTJS_DEBUG = /mqttjs|\*/.test(process.env.DEBUG ?? '');
const noLog = (): void => undefined;
/** The options of every vote publish (mqtt.js copies them, never writes them). */
const QOS1: Readonly<{ qos: 1; retain: false }> = Object.freeze({ qos: 1, retain: false });

/** Options of `MqttLink`. */
export interface MqttLinkOptions {
  /**
   * Broker URLs, tried in turn (mqtt://, mqtts://, ws://, wss://); a
   * function is called at `start()` (an embedded broker's port is known
   * only once it listens).
   */
  readonly urls: readonly string[] | (() => readonly string[]);
  /** Fixed client id, so the broker keeps the session across reconnects. */
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /** PEM text of the CA for mqtts/wss. */
  readonly ca?: string;
  /**
   * Last will: topic + payload published retained when the connection dies.
   * The payload is made for each connection with its time (`connectionAt`),
   * so the "online" of that connection and its will share one `at` and the
   * will wins (core mergeStatus: same `at`, offline wins).
   */
  readonly will?: { readonly topic: string; readonly payload: (at: number) => string };
  /** Longest interval between two log lines about one outage (ms). @default 60000 */
  readonly outageSummaryMs?: number;
  /** Wait between reconnect attempts. @default 1000 */
  readonly reconnectPeriodMs?: number;
  /** MQTT keepalive, seconds. @default 15 */
  readonly keepaliveSeconds?: number;
  readonly log: Logger;
}

/** Events of `MqttLink`. */
export interface MqttLinkEvents {
  /** Connected (first time and after every reconnect): publish online, republish retained state. */
  connect: [];
  /** The connection dropped; mqtt.js is reconnecting. */
  offline: [];
  /** A valid message on a subscribed topic; `retained` when the broker sent it from its retained store. */
  message: [message: TopicMessage, retained: boolean];
  /** A message that failed validation (ignored and counted). */
  rejected: [topic: string, code: string, message: string];
}

/** mqtt.js `servers` (host, port, protocol) from broker URLs, with each scheme's default port. */
export function serversOf(urls: readonly string[]): NonNullable<IClientOptions['servers']> {
  return urls.map((u) => {
    const url = new URL(u);
    const protocol = url.protocol.replace(':', '') as 'mqtt' | 'mqtts' | 'ws' | 'wss' | 'tcp' | 'ssl';
    const port =
      url.port === '' ? ({ mqtt: 1883, tcp: 1883, mqtts: 8883, ssl: 8883, ws: 80, wss: 443 }[protocol] ?? 1883) : Number(url.port);
    return { host: url.hostname, port, protocol };
  });
}

/** The bridge's connection to the broker. */
export class MqttLink extends EventEmitter<MqttLinkEvents> {
  private client: MqttClient | undefined;
  private readonly rejectedCounts: Record<string, number> = {};
  private readonly subscriptions = new Set<string>();
  private willAt = 0;
  private connectedAt = 0;

  private readonly outage: OutageLog;

  constructor(readonly options: MqttLinkOptions) {
    super();
    this.outage = new OutageLog(options.log, options.outageSummaryMs ?? 60_000);
  }

  /** Starts connecting; resolves at once (connection and reconnection run in the background). */
  start(): void {
    if (this.client !== undefined) return;
    const o = this.options;
    const urls = typeof o.urls === 'function' ? o.urls() : o.urls;
    if (urls.length === 0) throw new TypeError('"urls" must list at least one broker URL');
    const first = new URL(urls[0] as string);
    this.willAt = Date.now();
    const client = mqtt.connect({
      servers: serversOf(urls),
      // WebSocket brokers serve MQTT on a path (/mqtt); TCP ignores it.
      path: first.pathname === '/' ? '/mqtt' : first.pathname,
      clientId: o.clientId,
      clean: false,
      protocolVersion: 4,
      keepalive: o.keepaliveSeconds ?? 15,
      reconnectPeriod: o.reconnectPeriodMs ?? 1000,
      connectTimeout: 10_000,
      // mqtt.js traces every packet through `debug` (~10 calls per vote
      // published and acknowledged); off, each call still checks the DEBUG
      // namespaces (~1.5 % of the bridge's CPU per vote, issue 14). A no-op
      // unless DEBUG asks for mqtt.js's trace.
      ...(MQTTJS_DEBUG ? {} : { log: noLog }),
      // mqtt.js restarts its keepalive timer (clearInterval + setInterval) on
      // every PUBACK it receives: one timer torn down and created per vote
      // published. Off, it PINGs every keepalive interval whatever the
      // traffic, and a broker that stops answering is still detected within
      // 1.5 × keepalive (mqtt.js KeepaliveManager; MQTT 3.1.1 §3.1.2.10 lets
      // a client PING at any time).
      reschedulePings: false,
      // A broker that refuses us (e.g. restarting, auth backend down) is retried too.
      reconnectOnConnackError: true,
      resubscribe: true,
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: o.password }),
      ...(o.ca === undefined ? {} : { ca: o.ca, rejectUnauthorized: true }),
      ...(o.will === undefined
        ? {}
        : { will: { topic: o.will.topic, payload: Buffer.from(o.will.payload(this.willAt)), qos: 1, retain: true } }),
    });
    this.client = client;
    // mqtt.js builds each CONNECT from client.options: give every attempt a will of its own time.
    client.on('reconnect', () => {
      // Not on 'close': PUBACKs that arrived with the closing stream may still be handled after it.
      this.dropInFlight(client);
      this.willAt = Date.now();
      if (o.will !== undefined && client.options.will !== undefined) client.options.will.payload = Buffer.from(o.will.payload(this.willAt));
    });
    client.on('connect', () => {
      // Nagle's algorithm would hold small PUBLISH packets back for the
      // broker's delayed ACK: turn it off on TCP connections.
      (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
      this.connectedAt = this.willAt;
      this.outage.connected(`${client.options.protocol}://${client.options.host}:${client.options.port}`);
      if (this.subscriptions.size > 0) client.subscribe([...this.subscriptions], { qos: 1 });
      this.emit('connect');
    });
    client.on('offline', () => {
      this.outage.lost();
      this.emit('offline');
    });
    client.on('error', (error) => this.outage.error(error.message));
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet.retain));
  }

  /** Ends the connection (after in-flight publishes, bounded by `timeoutMs`). */
  async stop(timeoutMs = 2000): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    await Promise.race([client.endAsync(false), new Promise((r) => setTimeout(r, timeoutMs))]);
    if (!client.disconnected) await client.endAsync(true);
  }

  /** The `at` of the current connection's will: "online" for this connection must carry it. */
  get connectionAt(): number {
    return this.connectedAt;
  }

  /** True while connected. */
  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Messages rejected by validation, by code. */
  rejected(): Readonly<Record<string, number>> {
    return { ...this.rejectedCounts };
  }

  /** Subscribes (QoS 1) now and after every reconnect. */
  subscribe(filters: readonly string[]): void {
    for (const f of filters) this.subscriptions.add(f);
    if (this.client?.connected === true) this.client.subscribe([...filters], { qos: 1 });
  }

  /** Publishes a typed message; resolves on PUBACK (QoS 1). */
  publish<K extends TopicKind>(kind: K, params: TopicParams<K>, payload: TopicPayload<K>): Promise<void> {
    const p = publicationFor(kind, params, payload);
    return this.publishText(p.topic, p.payload, p.qos, p.retain);
  }

  /** Publishes already-encoded text; resolves on PUBACK. */
  publishText(topic: string, payload: string, qos: 0 | 1, retain: boolean): Promise<void> {
    return new Promise((resolve, reject) =>
      this.publishTextThen(topic, payload, qos, retain, (error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * `publishText` with a callback: `done()` on PUBACK, `done(error)` when it
   * cannot be sent or the connection drops first (at once when not
   * connected). The outbox's per-vote path: no promise and no `then`
   * closures per vote (issue 14, GC).
   */
  publishTextThen(topic: string, payload: string, qos: 0 | 1, retain: boolean, done: (error?: Error) => void): void {
    const client = this.client;
    if (client === undefined || !client.connected) {
      done(new Error('not connected'));
      return;
    }
    client.publish(topic, payload, qos === 1 && !retain ? QOS1 : { qos, retain }, done);
  }

  /**
   * With `clean: false`, mqtt.js resends on reconnect every QoS 1 publish
   * its store still holds, before it emits 'connect'; the outbox then
   * resends every row not yet PUBACKed too, so each vote in flight at the
   * drop went out twice (a frozen broker: every vote of the outage; issue
   * 17). The journal's outbox is the one resend mechanism (MQTT.js's
   * stores are not a durability layer: mqttjs/MQTT.js#2015,
   * mcollina/mqtt-level-store#19): drop
   * mqtt.js's copies before it reconnects. Their callbacks fail, the
   * outbox republishes those rows once after the connect, and the retained
   * state is republished on every connect anyway. Called as a reconnect
   * starts, before its CONNECT (and the store replay after CONNACK).
   */
  private dropInFlight(client: MqttClient): void {
    for (const id of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(id));
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const parsed = parseMessage(topic, payload.toString('utf8'));
    if (parsed.ok) {
      this.emit('message', parsed.value, retained);
      return;
    }
    // A cleared retained message is how MQTT deletes state, not an attack.
    if (parsed.code === 'empty-payload') return;
    this.rejectedCounts[parsed.code] = (this.rejectedCounts[parsed.code] ?? 0) + 1;
    this.emit('rejected', topic, parsed.code, parsed.message);
  }
}

/**
 * The kiosk's MQTT client: MQTT.js, the library the bridge and the
 * dashboard use, loaded after the first paint (a dynamic import: its own
 * chunk, precached by the service worker) and wrapped for a terminal:
 * fixed clientId, `clean: false`, a last will made for each connection,
 * credentials, QoS 1 publishes whose promise resolves ONLY on PUBACK,
 * subscriptions after every CONNACK (a broker may have lost the session),
 * keepalive, and reconnect with exponential backoff.
 *
 * The IndexedDB outbox is the one resender: MQTT.js's stores are not a
 * durability layer (queued publishes dropped during a replay,
 * mqttjs/MQTT.js#2015), and they live in memory. MQTT.js keeps unacknowledged
 * QoS 1 publishes and sends them again after a reconnect (MQTT 3.1.1 §4.4);
 * the outbox sends every row not yet PUBACKed again too, so each vote in
 * flight at a drop would go out twice (the bridge had this, issue 17, see
 * bridge/mqtt/mqtt-link.ts `dropInFlight`). So in-flight publishes are
 * rejected when the connection drops, and MQTT.js's copies are removed
 * before the next CONNECT: the outbox republishes those rows once.
 */
import type { IClientOptions, MqttClient as MqttJs } from 'mqtt';
import { CONNACK_REFUSALS, isCredentialRefusal, mqttJsOptions } from '../../../core/index.ts';
import type { LinkState, Publication } from '../../../core/index.ts';

/** `mqtt.connect` (a seam for tests). */
export type MqttConnect = (url: string, options: IClientOptions) => MqttJs;

/** Options of `LazyMqttClient`. */
export interface MqttClientOptions {
  /** `ws://host:port/mqtt` or `wss://…`. */
  readonly url: string;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /**
   * Ask the broker for a fresh session on every connect.
   * @default false
   */
  readonly clean?: boolean;
  /**
   * MQTT keepalive in seconds. MQTT.js pings after this long without a
   * packet from the broker and drops the link when 1.5 × this passes
   * without one; the broker fires the last will after 1.5 × this of
   * silence. A pulled cable closes nothing, so this is how the status dot
   * turns offline within 5 s (issue 12): at most 4.5 s after the network goes.
   * @default 3
   */
  readonly keepaliveSec?: number;
  /** Last will, made at each connect (so its timestamp is the connect time). */
  readonly will?: () => Publication;
  /** Filters subscribed after every CONNACK: a broker may have lost the session. */
  readonly subscriptions?: readonly { topic: string; qos: 0 | 1 }[];
  /**
   * First reconnect delay; doubles per failed attempt.
   * @default 1000
   */
  readonly minReconnectMs?: number;
  /**
   * Cap of the reconnect delay.
   * @default 30000
   */
  readonly maxReconnectMs?: number;
  /**
   * Give up a connect attempt without CONNACK after this long.
   * @default 10000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Reject a QoS 1 publish whose PUBACK has not come after this long (the outbox retries it).
   * @default 15000
   */
  readonly publishTimeoutMs?: number;
  /** Loads MQTT.js. @default a dynamic `import('mqtt')` */
  readonly load?: () => Promise<MqttConnect>;
}

/** A received application message. */
export interface MqttMessage {
  readonly topic: string;
  /** UTF-8 decoded (invalid bytes become U+FFFD; the payload validator rejects them). */
  readonly payload: string;
  readonly retain: boolean;
}

/** Events of the client, typed. */
export interface MqttClientEvents {
  state: (state: LinkState, detail: string) => void;
  message: (message: MqttMessage) => void;
  /** A problem staff should see: refused credentials, refused subscription, MQTT.js not loadable. */
  problem: (code: string, detail: string) => void;
}

type Resolved = Readonly<Required<Omit<MqttClientOptions, 'username' | 'password' | 'will'>>> &
  Pick<MqttClientOptions, 'username' | 'password' | 'will'>;

const payloadDecoder = new TextDecoder('utf-8');

/**
 * MQTT.js, after the next frame: the first paint never waits for its
 * download or its compile (~320 KB of script). A hidden tab gets no frame,
 * so 100 ms is the longest wait.
 */
const importMqtt = async (): Promise<MqttConnect> => {
  await new Promise<void>((resolve) => {
    globalThis.requestAnimationFrame?.(() => setTimeout(resolve, 0));
    setTimeout(resolve, 100);
  });
  const m = await import('mqtt');
  return m.default.connect;
};

/** The client. Call `start()` once; it keeps (re)connecting until `stop()`. */
export class LazyMqttClient {
  readonly options: Resolved;
  #client: MqttJs | undefined;
  #state: LinkState = 'offline';
  #listeners: { [K in keyof MqttClientEvents]: Set<MqttClientEvents[K]> } = { state: new Set(), message: new Set(), problem: new Set() };
  /** Rejecters of the publishes awaiting their PUBACK. */
  #inflight = new Set<(error: Error) => void>();
  #attempt = 0;
  #running = false;
  #refused = false;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: MqttClientOptions) {
    if (typeof options.url !== 'string' || !/^wss?:\/\//.test(options.url)) throw new TypeError('"url" must be a ws:// or wss:// URL');
    if (typeof options.clientId !== 'string' || options.clientId === '') throw new TypeError('"clientId" must be a non-empty string');
    this.options = Object.freeze({
      url: options.url,
      clientId: options.clientId,
      username: options.username,
      password: options.password,
      clean: options.clean ?? false,
      keepaliveSec: options.keepaliveSec ?? 3,
      will: options.will,
      subscriptions: options.subscriptions ?? [],
      minReconnectMs: options.minReconnectMs ?? 1000,
      maxReconnectMs: options.maxReconnectMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      publishTimeoutMs: options.publishTimeoutMs ?? 15_000,
      load: options.load ?? importMqtt,
    });
  }

  /** Current connection state. */
  get state(): LinkState {
    return this.#state;
  }

  /** Subscribes a listener; returns the unsubscribe function. */
  on<K extends keyof MqttClientEvents>(event: K, listener: MqttClientEvents[K]): () => void {
    this.#listeners[event].add(listener);
    return () => this.#listeners[event].delete(listener);
  }

  /** Loads MQTT.js and starts connecting (and reconnecting on every loss) until `stop()`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#setState('connecting', this.options.url);
    this.options.load().then(
      (connect) => {
        if (!this.#running) return;
        try {
          this.#open(connect);
        } catch (error) {
          // The browser refused the URL (new WebSocket throws a SyntaxError).
          this.#startLater('bad-url', error);
        }
      },
      // The chunk could not load (a first visit offline, a server gone).
      (error: unknown) => this.#startLater('mqtt-load', error),
    );
  }

  // Counts the problem and tries the whole start again after the backoff.
  #startLater(code: string, error: unknown): void {
    if (!this.#running) return; // stopped meanwhile
    this.#emit('problem', code, String(error));
    this.#running = false;
    const client = this.#client;
    this.#client = undefined;
    client?.end(true);
    this.#setState('offline', code);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.start();
    }, this.#backoff());
  }

  /** Skips the current backoff wait (e.g. the browser says it is online again). */
  reconnectNow(): void {
    if (this.#reconnectTimer === undefined) return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    if (this.#client === undefined) this.start();
    else if (this.#running) this.#reconnect();
  }

  /** The network is known to be gone (the browser's `offline` event): drop the socket now instead of waiting for a ping. */
  connectionLost(_reason: string): void {
    if (this.#running && this.#state !== 'offline') this.#client?.stream?.destroy();
  }

  /**
   * Stops for good. With `beforeDisconnect`, publishes it first (e.g. a
   * retained "offline" status: a clean DISCONNECT suppresses the will).
   */
  async stop(beforeDisconnect?: Publication): Promise<void> {
    if (!this.#running && this.#reconnectTimer === undefined) return;
    if (beforeDisconnect !== undefined && this.#state === 'online') {
      await Promise.race([this.publish(beforeDisconnect).catch(() => undefined), delay(1000)]);
    }
    this.#running = false;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    const client = this.#client;
    this.#client = undefined;
    this.#failInflight('stopped');
    this.#setState('offline', 'stopped');
    if (client !== undefined) {
      // DISCONNECT first (no will), bounded: a dead link would never flush it.
      await Promise.race([new Promise<void>((r) => client.end(false, {}, () => r())), delay(1000)]);
      if (!client.disconnected) client.end(true);
    }
  }

  /**
   * Publishes at QoS 1 (every kind in the topic map is QoS 1): resolves on
   * PUBACK, and only then; rejects when not connected, when the connection
   * drops first, or after `publishTimeoutMs`.
   */
  publish(p: Publication): Promise<void> {
    const client = this.#client;
    if (this.#state !== 'online' || client === undefined) return Promise.reject(new Error('not connected'));
    return new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => {
        clearTimeout(timer);
        this.#inflight.delete(fail);
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`no PUBACK after ${this.options.publishTimeoutMs} ms`)), this.options.publishTimeoutMs);
      this.#inflight.add(fail);
      client.publish(p.topic, p.payload, { qos: p.qos, retain: p.retain }, (error) => {
        if (!this.#inflight.has(fail)) return; // already failed (drop, timeout): the outbox sends it again
        if (error !== undefined && error !== null) {
          fail(error);
          return;
        }
        clearTimeout(timer);
        this.#inflight.delete(fail);
        resolve();
      });
    });
  }

  #open(connect: MqttConnect): void {
    const o = this.options;
    const client = connect(o.url, {
      ...mqttJsOptions({
        clientId: o.clientId,
        clean: o.clean,
        ...(o.username === undefined ? {} : { username: o.username }),
        ...(o.password === undefined ? {} : { password: o.password }),
        keepaliveSec: o.keepaliveSec,
        connectTimeoutMs: o.connectTimeoutMs,
        // The kiosk reconnects itself, with backoff and jitter (#scheduleReconnect).
        reconnectMs: 0,
        ...(o.will === undefined ? {} : { will: o.will() }),
      }),
      // Subscribed by us after every CONNACK, session or not.
      resubscribe: false,
      // Plain timers: MQTT.js's default in a browser starts a Web Worker from a
      // blob: URL, which a host page's Content-Security-Policy may forbid.
      timerVariant: 'native',
    });
    this.#client = client;
    client.on('connect', (connack) => {
      this.#attempt = 0;
      this.#refused = false;
      if (o.subscriptions.length > 0) {
        client.subscribe(
          o.subscriptions.map((s) => s.topic),
          { qos: 1 },
          (_error, granted) => {
            for (const g of granted ?? []) if (g.qos === 128) this.#emit('problem', 'subscribe-refused', g.topic);
          },
        );
      }
      this.#setState('online', connack.sessionPresent ? 'session resumed' : 'new session');
    });
    client.on('message', (topic, payload, packet) =>
      this.#emit('message', { topic, payload: payloadDecoder.decode(payload), retain: packet.retain }),
    );
    // MQTT.js emits 'error' for a refused CONNACK (a numeric code) and for socket errors, then 'close'.
    client.on('error', (error: Error & { code?: unknown }) => {
      if (typeof error.code !== 'number') return;
      this.#refused = isCredentialRefusal(error.code);
      this.#emit('problem', 'connack', CONNACK_REFUSALS[error.code] ?? `code ${error.code}`);
    });
    client.on('close', () => {
      if (this.#client !== client || !this.#running) return;
      this.#failInflight('connection lost before PUBACK');
      this.#setState(this.#refused ? 'refused' : 'offline', 'closed');
      this.#scheduleReconnect();
    });
  }

  #reconnect(): void {
    const client = this.#client;
    if (client === undefined) return;
    // MQTT.js would send its unacknowledged publishes again after CONNACK:
    // the outbox does that (see the header). Their callbacks fail; we already did.
    for (const id of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(id));
    // Each connection's will carries that connection's time.
    const will = this.options.will?.();
    if (will !== undefined) client.options.will = { topic: will.topic, payload: will.payload, qos: will.qos, retain: will.retain };
    this.#setState('connecting', this.options.url);
    try {
      client.reconnect();
    } catch (error) {
      this.#startLater('bad-url', error);
    }
  }

  #scheduleReconnect(): void {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#running) this.#reconnect();
    }, this.#backoff());
  }

  // 1 s doubling to 30 s, with jitter, so that a ward's kiosks do not all reconnect in the same instant after a broker restart.
  #backoff(): number {
    const base = Math.min(this.options.maxReconnectMs, this.options.minReconnectMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 16);
    return Math.round(base * (0.75 + Math.random() * 0.25));
  }

  #failInflight(reason: string): void {
    for (const fail of [...this.#inflight]) fail(new Error(reason));
  }

  #emit<K extends keyof MqttClientEvents>(event: K, ...args: Parameters<MqttClientEvents[K]>): void {
    for (const listener of this.#listeners[event]) {
      try {
        (listener as (...a: Parameters<MqttClientEvents[K]>) => void)(...args);
      } catch (error) {
        // A listener bug must not break the connection; report it instead.
        console.error('hailong-kiosk: MQTT listener failed', error);
      }
    }
  }

  #setState(state: LinkState, detail: string): void {
    if (state === this.#state && state !== 'offline') return;
    this.#state = state;
    this.#emit('state', state, detail);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

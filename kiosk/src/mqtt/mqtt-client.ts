/**
 * A small MQTT 3.1.1 client over WebSocket for the kiosk (see packet.ts for
 * why not MQTT.js). It does what a terminal needs and nothing more:
 * fixed clientId, `clean: false`, a last will, credentials, QoS 0/1
 * publish whose promise resolves ONLY on PUBACK, re-subscription after
 * every CONNACK, keepalive, and reconnect with exponential backoff
 * (FIELD-NOTES, "MQTT.js"). It keeps no store of its own: in-flight
 * publishes are rejected when the connection drops, and the caller's
 * durable outbox republishes them (duplicates are harmless downstream).
 */
import {
  CONNACK_REASONS,
  PacketReader,
  encodeAck,
  encodeConnect,
  encodeDisconnect,
  encodePingreq,
  encodePublish,
  encodeSubscribe,
} from './packet.ts';
import type { Packet, Will } from './packet.ts';

/** Options of `MqttClient`. */
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
   * MQTT keepalive in seconds, told to the broker: it fires the last will
   * after 1.5 × this without a packet from us, so the dashboard sees a dead
   * kiosk within ~8 s.
   * @default 5
   */
  readonly keepaliveSec?: number;
  /**
   * How often the client pings the broker (ms). A pulled cable or a dead
   * access point closes nothing, so only a missing PINGRESP tells: the
   * status dot turns offline at most `pingIntervalMs + pingTimeoutMs` after
   * the network goes (issue 12: ≤ 5 s; it stayed green ≥ 15 s with the old
   * ping every 20 s and two missed pings).
   * @default 2000
   */
  readonly pingIntervalMs?: number;
  /**
   * A ping unanswered this long (ms) means the link is dead.
   * @default 2500
   */
  readonly pingTimeoutMs?: number;
  /** Last will, computed at each connect (so its timestamp is the connect time). */
  readonly will?: () => Will;
  /** Filters (re)subscribed after every CONNACK: a broker may have lost the session. */
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
  /** WebSocket constructor (a seam for tests). @default globalThis.WebSocket */
  readonly webSocket?: typeof WebSocket;
}

/** Connection state shown to staff by the connectivity dot. */
export type LinkState = 'connecting' | 'online' | 'offline';

/** A received application message. */
export interface MqttMessage {
  readonly topic: string;
  /** UTF-8 decoded (invalid bytes become U+FFFD; the payload validator rejects them). */
  readonly payload: string;
  readonly retain: boolean;
}

/** Events of `MqttClient`, typed. */
export interface MqttClientEvents {
  state: (state: LinkState, detail: string) => void;
  message: (message: MqttMessage) => void;
  /** A problem staff should see: refused credentials, refused subscription, protocol error. */
  problem: (code: string, detail: string) => void;
}

interface Inflight {
  resolve(): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const payloadDecoder = new TextDecoder('utf-8');

/** The client. Call `start()` once; it keeps (re)connecting until `stop()`. */
export class MqttClient {
  readonly options: Readonly<Required<Omit<MqttClientOptions, 'username' | 'password' | 'will'>>> &
    Pick<MqttClientOptions, 'username' | 'password' | 'will'>;
  #ws: WebSocket | undefined;
  #state: LinkState = 'offline';
  #listeners: { [K in keyof MqttClientEvents]: Set<MqttClientEvents[K]> } = {
    state: new Set(),
    message: new Set(),
    problem: new Set(),
  };
  #reader = new PacketReader();
  #inflight = new Map<number, Inflight>();
  #incomingQos2 = new Set<number>();
  #nextId = 1;
  #attempt = 0;
  #running = false;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pingDeadline: ReturnType<typeof setTimeout> | undefined;

  constructor(options: MqttClientOptions) {
    if (typeof options.url !== 'string' || !/^wss?:\/\//.test(options.url)) throw new TypeError('"url" must be a ws:// or wss:// URL');
    if (typeof options.clientId !== 'string' || options.clientId === '') throw new TypeError('"clientId" must be a non-empty string');
    this.options = Object.freeze({
      url: options.url,
      clientId: options.clientId,
      username: options.username,
      password: options.password,
      clean: options.clean ?? false,
      keepaliveSec: options.keepaliveSec ?? 5,
      pingIntervalMs: options.pingIntervalMs ?? 2000,
      pingTimeoutMs: options.pingTimeoutMs ?? 2500,
      will: options.will,
      subscriptions: options.subscriptions ?? [],
      minReconnectMs: options.minReconnectMs ?? 1000,
      maxReconnectMs: options.maxReconnectMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      publishTimeoutMs: options.publishTimeoutMs ?? 15_000,
      webSocket: options.webSocket ?? globalThis.WebSocket,
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

  /** Starts connecting (and reconnecting on every loss) until `stop()`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  /** Skips the current backoff wait (e.g. the browser says it is online again). */
  reconnectNow(): void {
    if (!this.#running || this.#ws !== undefined) return;
    clearTimeout(this.#reconnectTimer);
    this.#connect();
  }

  /**
   * Stops for good. With `beforeDisconnect`, publishes it first (e.g. a
   * retained "offline" status: a clean DISCONNECT suppresses the will).
   */
  async stop(beforeDisconnect?: { topic: string; payload: string; qos: 0 | 1; retain: boolean }): Promise<void> {
    if (!this.#running) return;
    if (beforeDisconnect !== undefined && this.#state === 'online') {
      await Promise.race([this.publish(beforeDisconnect).catch(() => undefined), delay(1000)]);
    }
    this.#running = false;
    clearTimeout(this.#reconnectTimer);
    const ws = this.#ws;
    if (ws !== undefined && ws.readyState === ws.OPEN) this.#send(encodeDisconnect());
    this.#drop('stopped', false);
  }

  /**
   * Publishes. QoS 1 resolves on PUBACK, and only then; it rejects when not
   * connected, when the connection drops first, or after `publishTimeoutMs`.
   * QoS 0 resolves once handed to the socket.
   */
  publish(p: { topic: string; payload: string; qos: 0 | 1; retain: boolean }): Promise<void> {
    if (this.#state !== 'online') return Promise.reject(new Error('not connected'));
    if (p.qos === 0) {
      this.#send(encodePublish(p));
      return Promise.resolve();
    }
    const id = this.#allocateId();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#inflight.delete(id);
        reject(new Error(`no PUBACK for packet ${id} after ${this.options.publishTimeoutMs} ms`));
      }, this.options.publishTimeoutMs);
      this.#inflight.set(id, { resolve, reject, timer });
      this.#send(encodePublish({ ...p, id }));
    });
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

  #allocateId(): number {
    for (let i = 0; i < 0xffff; i++) {
      const id = this.#nextId;
      this.#nextId = id === 0xffff ? 1 : id + 1;
      if (!this.#inflight.has(id)) return id;
    }
    throw new Error('65535 publishes in flight');
  }

  #connect(): void {
    this.#setState('connecting', this.options.url);
    this.#reader.reset();
    let ws: WebSocket;
    try {
      ws = new this.options.webSocket(this.options.url, ['mqtt']);
    } catch (error) {
      this.#emit('problem', 'bad-url', String(error));
      this.#scheduleReconnect('bad url');
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    this.#connectTimer = setTimeout(() => this.#drop('no CONNACK in time', true), this.options.connectTimeoutMs);
    ws.onopen = () => {
      this.#send(
        encodeConnect({
          clientId: this.options.clientId,
          clean: this.options.clean,
          keepalive: this.options.keepaliveSec,
          ...(this.options.username === undefined ? {} : { username: this.options.username }),
          ...(this.options.password === undefined ? {} : { password: this.options.password }),
          ...(this.options.will === undefined ? {} : { will: this.options.will() }),
        }),
      );
    };
    ws.onmessage = (event: MessageEvent) => {
      if (!(event.data instanceof ArrayBuffer)) return; // MQTT is binary frames only (§6)
      const { packets, error } = this.#reader.push(new Uint8Array(event.data));
      for (const packet of packets) this.#handle(packet);
      if (error !== undefined) {
        this.#emit('problem', 'protocol', error);
        this.#drop(error, true);
      }
    };
    ws.onclose = (event: CloseEvent) => {
      if (this.#ws === ws) this.#drop(`closed (${event.code})`, true);
    };
    ws.onerror = () => undefined; // onclose follows with the details we can get
  }

  #handle(packet: Packet): void {
    switch (packet.type) {
      case 'connack': {
        clearTimeout(this.#connectTimer);
        if (packet.returnCode !== 0) {
          const why = CONNACK_REASONS[packet.returnCode] ?? `code ${packet.returnCode}`;
          this.#emit('problem', 'connack', why);
          this.#drop(`refused: ${why}`, true);
          return;
        }
        this.#attempt = 0;
        this.#startPing();
        if (this.options.subscriptions.length > 0) this.#send(encodeSubscribe(this.#allocateId(), this.options.subscriptions));
        this.#setState('online', packet.sessionPresent ? 'session resumed' : 'new session');
        return;
      }
      case 'publish': {
        const message = { topic: packet.topic, payload: payloadDecoder.decode(packet.payload), retain: packet.retain };
        if (packet.qos === 2 && packet.id !== undefined) {
          // Deliver once per packet id until PUBREL (§4.3.3); a terminal never asks for QoS 2.
          if (!this.#incomingQos2.has(packet.id)) this.#emit('message', message);
          this.#incomingQos2.add(packet.id);
          this.#send(encodeAck('pubrec', packet.id));
          return;
        }
        this.#emit('message', message);
        if (packet.qos === 1 && packet.id !== undefined) this.#send(encodeAck('puback', packet.id));
        return;
      }
      case 'pubrel':
        this.#incomingQos2.delete(packet.id);
        this.#send(encodeAck('pubcomp', packet.id));
        return;
      case 'puback': {
        const waiting = this.#inflight.get(packet.id);
        if (waiting === undefined) return; // late PUBACK after a timeout: the outbox already retried
        this.#inflight.delete(packet.id);
        clearTimeout(waiting.timer);
        waiting.resolve();
        return;
      }
      case 'suback':
        packet.granted.forEach((code, i) => {
          if (code === 0x80) {
            const topic = this.options.subscriptions[i]?.topic ?? `#${i}`;
            this.#emit('problem', 'subscribe-refused', topic);
          }
        });
        return;
      case 'pingresp':
        clearTimeout(this.#pingDeadline);
        this.#pingDeadline = undefined;
        return;
      default:
        return; // pubrec/pubcomp (we never publish QoS 2), pingreq/disconnect: not from a broker
    }
  }

  #startPing(): void {
    this.#stopPing();
    if (this.options.keepaliveSec === 0) return;
    // Never ping less often than the keepalive the broker was told.
    const every = Math.min(this.options.pingIntervalMs, this.options.keepaliveSec * 1000);
    this.#pingTimer = setInterval(() => {
      if (this.#pingDeadline !== undefined) return; // one ping at a time; its deadline decides
      this.#send(encodePingreq());
      this.#pingDeadline = setTimeout(() => this.#drop('keepalive timeout: no PINGRESP', true), this.options.pingTimeoutMs);
    }, every);
  }

  #stopPing(): void {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pingDeadline);
    this.#pingDeadline = undefined;
  }

  /** The network is known to be gone (the browser's `offline` event): drop the socket now instead of waiting for a ping. */
  connectionLost(reason: string): void {
    if (this.#running && this.#ws !== undefined) this.#drop(reason, true);
  }

  #send(bytes: Uint8Array): void {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== ws.OPEN) return;
    try {
      ws.send(bytes);
    } catch {
      this.#drop('send failed', true);
    }
  }

  // Ends the current socket, fails in-flight publishes and, if still running, schedules a reconnect.
  #drop(reason: string, reconnect: boolean): void {
    clearTimeout(this.#connectTimer);
    this.#stopPing();
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws !== undefined) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // already closed
      }
    }
    const failed = [...this.#inflight.values()];
    this.#inflight.clear();
    this.#incomingQos2.clear();
    for (const f of failed) {
      clearTimeout(f.timer);
      f.reject(new Error(`connection lost before PUBACK (${reason})`));
    }
    this.#setState('offline', reason);
    if (reconnect && this.#running) this.#scheduleReconnect(reason);
  }

  #scheduleReconnect(_reason: string): void {
    clearTimeout(this.#reconnectTimer);
    const base = Math.min(this.options.maxReconnectMs, this.options.minReconnectMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 16);
    // Jitter, so that a ward's kiosks do not all reconnect in the same instant after a broker restart.
    const wait = Math.round(base * (0.75 + Math.random() * 0.25));
    this.#reconnectTimer = setTimeout(() => {
      if (this.#running) this.#connect();
    }, wait);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

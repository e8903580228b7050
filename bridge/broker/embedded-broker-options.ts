/**
 * Options of the embedded MQTT broker (embedded-broker.ts), resolved and
 * checked once.
 */
import { createLogger, type Logger } from '../logger.ts';
import type { Principal } from './access.ts';
import type { AnonymousAccess, BrokerUser } from './broker-user.ts';
import { requireBrokerUsers } from './broker-user-check.ts';

/**
 * What to do with an authorized publish, decided by a `PublishInterceptor`:
 * `forward` as sent, `forward-unretained` (delivered live, not kept as the
 * retained value), or `drop` (acknowledged, delivered to nobody).
 */
export type PublishVerdict = 'forward' | 'forward-unretained' | 'drop';

/** A `PublishInterceptor`'s answer: the verdict, and optionally the payload to forward instead. */
export interface PublishDecision {
  readonly verdict: PublishVerdict;
  /** Replaces the payload before it is delivered and retained (the hub names places as its config does). */
  readonly payload?: string;
}

/**
 * Called for every authorized client publish (not for wills) BEFORE the
 * broker acknowledges it: Aedes 1.x sends the PUBACK only after
 * `authorizePublish` calls back (lib/handlers/publish.js runs authorize,
 * then writes PUBACK, then publishes), so whatever the interceptor commits is
 * durable before the client forgets the message. A rejection refuses the
 * publish without PUBACK (the client resends after reconnecting).
 */
export type PublishInterceptor = (principal: Principal, topic: string, payload: Buffer) => Promise<PublishDecision>;

/** Options of `EmbeddedBroker`. */
export interface EmbeddedBrokerOptions {
  /**
   * The accounts, validated (see `brokerUserProblems`). The bridge adds its
   * own `bridge` account with a random password per process.
   * @default []
   */
  users?: readonly BrokerUser[];
  /**
   * What a client without credentials may do: `none` refuses it, `read`
   * lets it read `hailong/v1/#`.
   * @default "none"
   */
  anonymous?: AnonymousAccess;
  /**
   * MQTT TCP port; 0 picks a free one.
   * @default 1883
   */
  port?: number;
  /**
   * Address of the TCP (and standalone WebSocket) listener. Desk and
   * queue-number systems on other PCs of the office LAN connect over TCP, so
   * every interface by default; `127.0.0.1` when only this PC needs TCP
   * (kiosks and dashboards use `/mqtt` on the web port). docs/SECURITY.md.
   * @default "0.0.0.0"
   */
  host?: string;
  /**
   * A WebSocket port of its own (any path), besides `attachWebSocket` on the
   * web apps' port; 0 picks a free one; undefined opens none.
   * @default undefined
   */
  wsPort?: number;
  /**
   * How long a client's full socket may stay undrained before it is
   * disconnected. Without it one frozen tablet stalls delivery to every
   * client (Aedes docs, "drainTimeout").
   * @default 10000
   */
  drainTimeoutMs?: number;
  /**
   * Time a new connection has to send its CONNECT before it is closed
   * (Aedes `connectTimeout`; its default of 30 s lets idle sockets pile up).
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * Largest CONNECT, and largest packet of a client that has not signed in
   * yet, in bytes (remaining length). A CONNECT holds a client id, a
   * username, a password and a last will (a status): a few hundred bytes.
   * @default 16384
   */
  maxConnectBytes?: number;
  /**
   * Largest packet of a signed-in client, in bytes: the largest tally
   * (core TALLY_MAX_CHARS) fits. Each topic has its own, smaller payload
   * limit (core/payload-limit.ts), checked before relaying.
   * @default 1048576
   */
  maxPacketBytes?: number;
  /**
   * Most connections open at once (an office has tens of kiosks, desks and
   * dashboards).
   * @default 500
   */
  maxConnections?: number;
  /**
   * New connections per second per remote address, sustained; `connectBurst` at once.
   * @default 10
   */
  connectsPerSecond?: number;
  /**
   * New connections one address may open at once.
   * @default 40
   */
  connectBurst?: number;
  /**
   * Remote addresses the connection rate, cap-per-address and failed
   * sign-in penalty do not apply to: this PC itself (the bridge, a kiosk
   * browser on the bridge PC, local tools). They still sign in.
   * @default ["127.0.0.1", "::1", "::ffff:127.0.0.1"]
   */
  trustedAddresses?: readonly string[];
  /**
   * Failed sign-ins per address per minute, after which that address is
   * refused at the door for the rest of the minute (password guessing).
   * @default 20
   */
  authFailuresPerMinute?: number;
  /**
   * SQLite file keeping retained messages and the sessions and QoS 1 queues
   * of `clean: false` subscribers across a crash (sqlite-persistence.ts);
   * undefined keeps them in memory only (lost when the process dies).
   * @default undefined
   */
  persistencePath?: string;
  /**
   * Sees every authorized publish before its PUBACK (the hub's archive).
   * @default undefined (every authorized publish is forwarded)
   */
  interceptPublish?: PublishInterceptor;
  /**
   * Structured logger.
   * @default createLogger('hailong-broker')
   */
  logger?: Logger;
  /**
   * Called for every publish the access rules allowed (not for wills):
   * returns undefined to let it through at once, or a promise of a refusal
   * reason (undefined = let it through). The broker answers the publisher
   * (PUBACK) only after it resolves, so the bridge can commit a kiosk's vote
   * to its journal before the kiosk forgets it — with an embedded broker
   * the broker dies with the bridge, so a queued message would be lost.
   * @default undefined (no gate)
   */
  publishGate?: PublishGate;
}

/** See `EmbeddedBrokerOptions.publishGate`. */
export type PublishGate = (principal: Principal, topic: string, payload: Buffer) => Promise<string | undefined> | undefined;

/** `EmbeddedBrokerOptions` resolved once, with every default applied. */
export interface ResolvedEmbeddedBrokerOptions {
  readonly users: readonly BrokerUser[];
  readonly anonymous: AnonymousAccess;
  readonly port: number;
  readonly host: string;
  readonly wsPort: number | undefined;
  readonly drainTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxConnectBytes: number;
  readonly maxPacketBytes: number;
  readonly maxConnections: number;
  readonly connectsPerSecond: number;
  readonly connectBurst: number;
  readonly authFailuresPerMinute: number;
  readonly trustedAddresses: readonly string[];
  readonly persistencePath: string | undefined;
  readonly interceptPublish: PublishInterceptor | undefined;
  readonly logger: Logger;
  readonly publishGate: PublishGate | undefined;
}

function requirePositive(value: unknown, name: string, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || (v as number) <= 0) throw new TypeError(`"${name}" must be a positive integer`);
  return v as number;
}

function requirePort(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 65535) {
    throw new TypeError(`"${name}" must be an integer 0..65535`);
  }
  return value as number;
}

function requirePath(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new TypeError('"persistencePath" must be a non-empty string or undefined');
  return value;
}

function requireFunction<F>(value: F | undefined, name: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`"${name}" must be a function`);
  return value;
}

/** Applies defaults and checks every option once; throws naming the option on a programmer error. */
export function resolveEmbeddedBrokerOptions(options: EmbeddedBrokerOptions = {}): ResolvedEmbeddedBrokerOptions {
  const anonymous = options.anonymous ?? 'none';
  if (anonymous !== 'none' && anonymous !== 'read') throw new TypeError('"anonymous" must be "none" or "read"');
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  if (!Number.isInteger(drainTimeoutMs) || drainTimeoutMs <= 0) {
    throw new TypeError('"drainTimeoutMs" must be a positive integer (0 would let one frozen client stall delivery)');
  }
  const host = options.host ?? '0.0.0.0';
  if (typeof host !== 'string' || host === '') throw new TypeError('"host" must be a non-empty string');
  return Object.freeze({
    users: requireBrokerUsers(options.users ?? [], 'users'),
    anonymous,
    port: requirePort(options.port ?? 1883, 'port'),
    host,
    wsPort: options.wsPort === undefined ? undefined : requirePort(options.wsPort, 'wsPort'),
    drainTimeoutMs,
    connectTimeoutMs: requirePositive(options.connectTimeoutMs, 'connectTimeoutMs', 10_000),
    maxConnectBytes: requirePositive(options.maxConnectBytes, 'maxConnectBytes', 16_384),
    maxPacketBytes: requirePositive(options.maxPacketBytes, 'maxPacketBytes', 1 << 20),
    maxConnections: requirePositive(options.maxConnections, 'maxConnections', 500),
    connectsPerSecond: requirePositive(options.connectsPerSecond, 'connectsPerSecond', 10),
    connectBurst: requirePositive(options.connectBurst, 'connectBurst', 40),
    authFailuresPerMinute: requirePositive(options.authFailuresPerMinute, 'authFailuresPerMinute', 20),
    trustedAddresses: Object.freeze([...(options.trustedAddresses ?? ['127.0.0.1', '::1', '::ffff:127.0.0.1'])]),
    persistencePath: requirePath(options.persistencePath),
    interceptPublish: requireFunction(options.interceptPublish, 'interceptPublish'),
    logger: options.logger ?? createLogger('hailong-broker'),
    publishGate: options.publishGate,
  });
}

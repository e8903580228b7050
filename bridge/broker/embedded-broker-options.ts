/**
 * Options of the embedded MQTT broker (embedded-broker.ts), resolved and
 * checked once.
 */
import { createLogger, type Logger } from '../logger.ts';
import type { AnonymousAccess, BrokerUser } from './broker-user.ts';
import { requireBrokerUsers } from './broker-user-check.ts';
import type { Principal } from './access.ts';

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
   * Address of the TCP (and standalone WebSocket) listener. Desk systems and
   * tablets on the office LAN connect, so every interface by default.
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
   * SQLite file keeping retained messages and the sessions and QoS 1 queues
   * of `clean: false` subscribers across a crash (sqlite-persistence.ts);
   * undefined keeps them in memory only (lost when the process dies).
   * @default undefined
   */
  persistencePath?: string;
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
  readonly persistencePath: string | undefined;
  readonly logger: Logger;
  readonly publishGate: PublishGate | undefined;
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
    persistencePath: requirePath(options.persistencePath),
    logger: options.logger ?? createLogger('hailong-broker'),
    publishGate: options.publishGate,
  });
}

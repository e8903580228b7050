/**
 * The embedded broker's refusals and counters: what a refused connect,
 * publish, will, subscribe, door or packet looks like, the counters behind
 * `EmbeddedBroker.stats()`, and the once-per-kind logging that keeps a
 * client retrying in a loop from filling the disk (invariant 2: a clear
 * message and a visible counter).
 *
 * Separate from embedded-broker.ts because every hook (aedes-hooks.ts) and
 * the door (connection gate, frame guard) report through it, while the
 * broker itself only owns listeners and the Aedes lifecycle.
 */
import type { Logger } from '../logger.ts';

/** Distinct refusals (kind, user, topic) logged before the broker only counts them. */
export const MAX_LOGGED_REFUSALS = 1000;

/**
 * What was refused. `will`: a last-will message on a topic its client may
 * not publish. `door`: a connection refused before any MQTT was read
 * (connection cap, rate, repeated failed sign-ins). `packet`: a connection
 * cut because a packet was too large or malformed.
 */
export type RefusalKind = 'connect' | 'publish' | 'will' | 'subscribe' | 'door' | 'packet';

/** One refused connect, publish, will or subscribe. */
export interface Refusal {
  readonly kind: RefusalKind;
  /** MQTT client id ('' before the client sent one). */
  readonly clientId: string;
  /** Username given by the client, if any. */
  readonly username: string | undefined;
  /** Topic or filter, for publish, will and subscribe. */
  readonly topic?: string;
  /** Why, in English, for logs. */
  readonly reason: string;
}

/** Counters of the broker since `start()` (invariant 2: visible counters). */
export interface EmbeddedBrokerStats {
  /** Clients connected now. */
  readonly clients: number;
  readonly connectsAccepted: number;
  /** Bad or missing credentials. */
  readonly connectsRefused: number;
  /** Publishes refused by the rules; Aedes then closes the connection (MQTT 3.1.1 has no negative PUBACK). */
  readonly publishesRefused: number;
  /** Last-will messages dropped because their client may not publish on the will topic. */
  readonly willsRefused: number;
  /** Subscriptions answered with SUBACK 0x80 (the filter can match nothing readable). */
  readonly subscribesRefused: number;
  /** Messages not delivered to an accepted subscription because the subscriber may not read that topic. */
  readonly deliveriesFiltered: number;
  /** Protocol errors, malformed packets and dropped sockets reported by Aedes. */
  readonly clientErrors: number;
  /** QoS 1 messages not queued for a `clean: false` session whose queue was full (sqlite-persistence.ts). */
  readonly queueDropped: number;
  /** Connections refused at the door: too many open, too fast from one address, or after repeated failed sign-ins. */
  readonly connectsThrottled: number;
  /** Sign-ins refused because the client id belongs to another account (counted in `connectsRefused` too). */
  readonly clientIdsRefused: number;
  /** Connections cut for a packet over the size limit, a first packet that is not CONNECT, or a malformed length. */
  readonly packetsRefused: number;
  /** Publishes (and wills) refused because the payload is larger than its topic allows (counted in `publishesRefused`/`willsRefused` too). */
  readonly payloadsTooLarge: number;
}

/** The counters the broker keeps itself (`clients` and `queueDropped` are read from Aedes and the persistence). */
export type BrokerCounters = { -readonly [K in Exclude<keyof EmbeddedBrokerStats, 'clients' | 'queueDropped'>]: number };

/** Counters all at zero, as after `start()`. */
export function zeroCounters(): BrokerCounters {
  return {
    connectsAccepted: 0,
    connectsRefused: 0,
    publishesRefused: 0,
    willsRefused: 0,
    subscribesRefused: 0,
    deliveriesFiltered: 0,
    clientErrors: 0,
    connectsThrottled: 0,
    clientIdsRefused: 0,
    packetsRefused: 0,
    payloadsTooLarge: 0,
  };
}

/**
 * Counters, refusal logging and the errors the broker raised itself (so the
 * `clientError` that Aedes echoes for them is not counted twice). One per
 * broker; `reset()` on each `start()`.
 */
export class BrokerRefusals {
  counters: BrokerCounters = zeroCounters();
  readonly #logger: Logger;
  readonly #onRefused: (refusal: Refusal) => void;
  readonly #logged = new Set<string>();
  readonly #ownErrors = new WeakSet<Error>();

  constructor(logger: Logger, onRefused: (refusal: Refusal) => void) {
    this.#logger = logger;
    this.#onRefused = onRefused;
  }

  /** Zeroes the counters and forgets what was logged. */
  reset(): void {
    this.counters = zeroCounters();
    this.#logged.clear();
  }

  /** Logs (once per kind, user, topic and reason) and emits a refusal; the caller counts it. */
  refuse(refusal: Refusal): void {
    const key = `${refusal.kind}\u0000${refusal.username ?? ''}\u0000${refusal.topic ?? ''}\u0000${refusal.reason}`;
    this.#logOnce(key, () =>
      this.#logger.warn(
        { refusal: { ...refusal, topic: refusal.topic?.slice(0, 300) } },
        `MQTT ${refusal.kind} refused for ${refusal.username === undefined ? 'an anonymous client' : `user ${refusal.username}`}` +
          `${refusal.topic === undefined ? '' : ` on ${JSON.stringify(refusal.topic.slice(0, 300))}`}: ${refusal.reason}`,
      ),
    );
    this.#onRefused(refusal);
  }

  /** Marks `error` as a refusal already counted and logged, so `clientError` ignores it; returns it. */
  own<E extends Error>(error: E): E {
    this.#ownErrors.add(error);
    return error;
  }

  /** Counts and logs (once per message) an error Aedes reports for a client, unless it is one of ours. */
  clientError(clientId: string, error: Error): void {
    if (this.#ownErrors.has(error)) return; // a refusal, already counted and logged
    this.counters.clientErrors++;
    this.#logOnce(`error\u0000${error.message}`, () =>
      this.#logger.info({ clientId, err: error.message }, `MQTT client error: ${error.message}`),
    );
  }

  /** Logs `key` the first time only, up to MAX_LOGGED_REFUSALS keys: a client retrying in a loop must not fill the disk. */
  #logOnce(key: string, log: () => void): void {
    if (this.#logged.has(key)) return;
    if (this.#logged.size >= MAX_LOGGED_REFUSALS) {
      if (this.#logged.size === MAX_LOGGED_REFUSALS) {
        this.#logged.add('\u0000full');
        this.#logger.warn(`more than ${MAX_LOGGED_REFUSALS} distinct refusals and client errors: only counting them from now on`);
      }
      return;
    }
    this.#logged.add(key);
    log();
  }
}

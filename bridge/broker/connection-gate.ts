/**
 * Who may open a connection to the embedded broker, before a byte of MQTT is
 * read: a cap on open connections, a per-address rate of new connections
 * (a token bucket), and a per-address penalty after repeated failed
 * sign-ins. Pure bookkeeping with an injected clock: no sockets here.
 */

/** Limits of `ConnectionGate`. */
export interface ConnectionGateLimits {
  /** Most connections open at once, all addresses together. */
  readonly maxConnections: number;
  /** New connections per second per remote address (sustained). */
  readonly connectsPerSecond: number;
  /** New connections one address may open at once before the rate applies. */
  readonly connectBurst: number;
  /** Failed sign-ins per address per minute before its connections are refused for the rest of that minute. */
  readonly authFailuresPerMinute: number;
  /** Addresses only the cap on open connections applies to (this PC). */
  readonly trustedAddresses: readonly string[];
}

/** Why a connection was refused at the door. */
export type GateRefusal = 'too-many-connections' | 'rate' | 'auth-failures';

interface Bucket {
  tokens: number;
  at: number;
  failures: number;
  failuresSince: number;
}

/** Most addresses remembered; the oldest are forgotten first (a flood of spoofed sources cannot grow the map). */
const MAX_ADDRESSES = 10_000;

/** The door of the embedded broker. */
export class ConnectionGate {
  readonly #limits: ConnectionGateLimits;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  #open = 0;

  constructor(limits: ConnectionGateLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Connections open now (admitted and not yet released). */
  get open(): number {
    return this.#open;
  }

  /** Admits a connection from `address` (then `release()` it on close), or says why not. */
  admit(address: string): GateRefusal | undefined {
    if (this.#open >= this.#limits.maxConnections) return 'too-many-connections';
    if (this.#limits.trustedAddresses.includes(address)) {
      this.#open += 1;
      return undefined;
    }
    const now = this.#now();
    const bucket = this.#bucket(address, now);
    if (bucket.failures >= this.#limits.authFailuresPerMinute && now - bucket.failuresSince < 60_000) return 'auth-failures';
    bucket.tokens = Math.min(this.#limits.connectBurst, bucket.tokens + ((now - bucket.at) / 1000) * this.#limits.connectsPerSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return 'rate';
    bucket.tokens -= 1;
    this.#open += 1;
    return undefined;
  }

  /** An admitted connection closed. */
  release(): void {
    if (this.#open > 0) this.#open -= 1;
  }

  /** A sign-in from `address` failed (wrong password, unknown user, client id not its own). */
  authFailed(address: string): void {
    if (this.#limits.trustedAddresses.includes(address)) return;
    const now = this.#now();
    const bucket = this.#bucket(address, now);
    if (now - bucket.failuresSince >= 60_000) {
      bucket.failures = 0;
      bucket.failuresSince = now;
    }
    bucket.failures += 1;
  }

  #bucket(address: string, now: number): Bucket {
    let bucket = this.#buckets.get(address);
    if (bucket === undefined) {
      if (this.#buckets.size >= MAX_ADDRESSES) this.#buckets.delete(this.#buckets.keys().next().value as string);
      bucket = { tokens: this.#limits.connectBurst, at: now, failures: 0, failuresSince: now };
      this.#buckets.set(address, bucket);
    }
    return bucket;
  }
}

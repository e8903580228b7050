/**
 * Retained state that has one current value per place (a terminal's status,
 * a counter's officer session, a ward's office): a register that keeps the
 * greatest value under a total order. A max is commutative, associative and
 * idempotent, so duplicated or reordered messages — and cache entries merged
 * with live ones — always end in the same state.
 */
import { canonicalJson } from '../../../core/index.ts';
import type { Office, Session, Status } from '../../../core/index.ts';

/** A map from place key to the greatest value offered for it. */
export class LatestMap<T> {
  readonly #values = new Map<string, T>();
  readonly #compare: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  /** Offers a value; returns true when it became the current value (the state changed). */
  offer(key: string, value: T): boolean {
    const seen = this.#values.get(key);
    if (seen !== undefined && this.#compare(seen, value) >= 0) return false;
    this.#values.set(key, value);
    return true;
  }

  get(key: string): T | undefined {
    return this.#values.get(key);
  }

  get size(): number {
    return this.#values.size;
  }

  entries(): IterableIterator<[string, T]> {
    return this.#values.entries();
  }

  values(): IterableIterator<T> {
    return this.#values.values();
  }

  clear(): void {
    this.#values.clear();
  }
}

// Equal timestamps fall back to the canonical JSON text, so the order is total.
function byCanonical(a: unknown, b: unknown): number {
  const ca = canonicalJson(a);
  const cb = canonicalJson(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/**
 * Statuses: the later `at` wins. On the same `at`, offline wins: a last
 * will is the online payload with `state: 'offline'` (core/status.ts), so
 * an equal-time offline is the will of that very connection firing.
 */
export function compareStatus(a: Status, b: Status): number {
  if (a.at !== b.at) return a.at - b.at;
  if (a.state !== b.state) return a.state === 'offline' ? 1 : -1;
  // The same will, stamped with when it was noticed (core mergeStatus): the stamp wins, the earliest stamp first.
  if (a.since !== b.since) {
    if (a.since === undefined) return -1;
    if (b.since === undefined) return 1;
    return b.since - a.since;
  }
  return byCanonical(a, b);
}

/** Sessions: the later login/logout wins. */
export function compareSession(a: Session, b: Session): number {
  return a.at !== b.at ? a.at - b.at : byCanonical(a, b);
}

/** Offices: the later config load wins. */
export function compareOffice(a: Office, b: Office): number {
  return a.updatedAt !== b.updatedAt ? a.updatedAt - b.updatedAt : byCanonical(a, b);
}

/** An officer's display name as last announced by a session. */
export interface OfficerName {
  readonly name: string;
  readonly at: number;
}

/** Officer names: the later announcement wins. */
export function compareOfficerName(a: OfficerName, b: OfficerName): number {
  return a.at !== b.at ? a.at - b.at : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

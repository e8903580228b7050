/**
 * Writes what changed to the cache, batched: live messages mark items
 * dirty, and at most once per `delayMs` the changed items (not the whole
 * store: a district-year is thousands of tallies) are upserted in one
 * IndexedDB transaction.
 */
import type { ApplyOutcome, DashboardStore, StoreSnapshot } from '../store/store.ts';
import type { DashboardCache } from './idb-cache.ts';

/** Batches store changes into cache writes. */
export class CacheWriter {
  readonly #store: DashboardStore;
  readonly #cache: DashboardCache;
  readonly #delayMs: number;
  readonly #dirty = {
    tallies: new Set<string>(),
    statuses: new Set<string>(),
    bridges: new Set<string>(),
    sessions: new Set<string>(),
    offices: new Set<string>(),
    votes: new Set<string>(),
  };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #asOf: number | null = null;

  constructor(store: DashboardStore, cache: DashboardCache, delayMs = 1000) {
    this.#store = store;
    this.#cache = cache;
    this.#delayMs = delayMs;
  }

  /** Marks what an applied message changed; `asOf` is the time of that live message. */
  note(outcome: ApplyOutcome, asOf: number): void {
    this.#asOf = asOf;
    if (outcome.ok !== true || !outcome.changed) return;
    const d = this.#dirty;
    const set = {
      tally: d.tallies,
      vote: d.votes,
      status: d.statuses,
      'bridge-status': d.bridges,
      session: d.sessions,
      office: d.offices,
      config: undefined,
      served: undefined,
      receipt: undefined,
      // Summaries are the hub's retained state, sent again on every connect.
      'unit-month': undefined,
      // Revocations reach the figures through the ward's refolded tallies.
      revocation: undefined,
      archived: undefined,
    }[outcome.kind];
    set?.add(outcome.key);
    this.#timer ??= setTimeout(() => void this.flush(), this.#delayMs);
  }

  /** Writes everything dirty now; resolves when written (errors are swallowed: the cache is best-effort). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const changes = this.#take();
    const asOf = this.#asOf;
    this.#writing = this.#writing.then(() => this.#cache.save(changes, asOf)).catch(() => undefined);
    await this.#writing;
  }

  /** Stops pending writes (sign-out). */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const set of Object.values(this.#dirty)) set.clear();
  }

  #take(): Partial<StoreSnapshot> {
    const s = this.#store;
    const d = this.#dirty;
    const pick = <T>(keys: Set<string>, get: (k: string) => T | undefined): T[] => {
      const out: T[] = [];
      for (const k of keys) {
        const v = get(k);
        if (v !== undefined) out.push(v);
      }
      keys.clear();
      return out;
    };
    const voteKeys = d.votes;
    const votes =
      voteKeys.size === 0 ? [] : s.votes.latest(Number.MAX_SAFE_INTEGER, (v) => voteKeys.has(`${v.district}/${v.ward}/${v.id}`));
    voteKeys.clear();
    const officers = new Set<string>();
    for (const k of d.sessions) {
      const session = s.sessions.get(k);
      if (session?.officer) officers.add(`${k.split('/').slice(0, 2).join('/')}/${session.officer}`);
    }
    return {
      tallies: pick(d.tallies, (k) => s.tallies.get(k)),
      statuses: pick(d.statuses, (k) => [k, s.statuses.get(k)] as const).filter(([, v]) => v !== undefined),
      bridges: pick(d.bridges, (k) => [k, s.bridges.get(k)] as const).filter(([, v]) => v !== undefined),
      sessions: pick(d.sessions, (k) => [k, s.sessions.get(k)] as const).filter(([, v]) => v !== undefined),
      offices: pick(d.offices, (k) => s.offices.get(k)),
      officerNames: pick(officers, (k) => [k, s.officerNames.get(k)] as const).filter(([, v]) => v !== undefined),
      votes,
    };
  }
}

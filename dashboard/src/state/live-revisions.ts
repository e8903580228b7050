/**
 * The fine-grained revision signals the views follow, and when they are
 * bumped: a live vote bumps only its counter's signals, so only that tile
 * re-renders, while whole-period views follow a throttled global revision
 * (and a slower one for folds over whole periods). Kept apart from
 * app-state.ts because it is the one place that decides how often figures
 * are recomputed; the connection and the account never touch these timers.
 */
import { batch, computed, signal } from '@preact/signals';
import type { ReadonlySignal, Signal } from '@preact/signals';
import { counterIds } from '../store/office-figures.ts';
import type { ApplyOutcome, DashboardStore } from '../store/store.ts';

/** Quiet time that ends the retained burst after subscribing, ms (see `settling`). */
export const SETTLE_MS = 150;

/** How long after (re)subscribing the slow figures follow quiet points instead of the live throttle, ms. */
export const SETTLE_WINDOW_MS = 10_000;

/** What the revisions need from the app state. */
export interface LiveRevisionsDeps {
  readonly store: DashboardStore;
  readonly now: () => number;
  /** Throttle of the global revision, ms. */
  readonly throttleMs: number;
}

/** The revision signals and the throttle that drives them. */
export type LiveRevisions = ReturnType<typeof createLiveRevisions>;

/** Creates the revision signals; `stop()` clears their timers. */
export function createLiveRevisions(deps: LiveRevisionsDeps) {
  const { store, now, throttleMs } = deps;
  /** Global revision: bumped at most once per `throttleMs` while messages flow. */
  const rev = signal(0);
  /** Slow revision for whole-period folds (district view, reports): at most every 5 × `throttleMs`. */
  const slowRev = signal(0);
  const counterRevs = new Map<string, Signal<number>>();
  const pulses = new Map<string, Signal<number>>();
  const wardRevs = new Map<string, Signal<number>>();
  const knownCounters = new Map<string, string>();
  const wardVoteRevs = new Map<string, Signal<number>>();
  /** Every ward key known, sorted; changes only when a new ward appears. */
  const wardList = signal<string[]>([]);
  // The district ids of the known wards. Its own signal, same array while the ids are the
  // same, so a view that needs only the districts (the district view) does not re-render for
  // each of a hub's 100 units as their retained `_office` arrive (bench/hub-dashboard-cold-load.bench.ts).
  let districts: readonly string[] = [];
  const districtList = computed(() => {
    const next = [...new Set(wardList.value.map((w) => w.split('/')[0] as string))];
    if (next.length !== districts.length || next.some((d, i) => d !== districts[i])) districts = next;
    return districts;
  });
  let revTimer: ReturnType<typeof setTimeout> | undefined;
  let slowTimer: ReturnType<typeof setTimeout> | undefined;
  // After (re)subscribing, the broker sends the retained state in bursts (one
  // per filter): for SETTLE_WINDOW_MS the slow figures follow each time it
  // goes quiet (SETTLE_MS), not the live throttle (5 × throttleMs), which
  // would otherwise be most of a cold load (bench/hub-dashboard-cold-load.bench.ts).
  // Live votes after that keep the throttle.
  let settleUntil = 0;
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Run at the next quiet point (`whenQuiet`). */
  let onQuiet: (() => void)[] = [];

  const lazy = (map: Map<string, Signal<number>>, key: string) => {
    let s = map.get(key);
    if (s === undefined) map.set(key, (s = signal(0)));
    return s;
  };

  /** Bumps `rev` and `slowRev` on their throttles (or at the next quiet point while settling). */
  const bumpGlobal = () => {
    revTimer ??= setTimeout(() => {
      revTimer = undefined;
      rev.value += 1;
    }, throttleMs);
    slowTimer ??= setTimeout(() => {
      slowTimer = undefined;
      slowRev.value += 1;
    }, throttleMs * 5);
    if (now() < settleUntil) armSettle();
  };

  /** (Re)starts the wait for SETTLE_MS of quiet, after which the figures follow. */
  const armSettle = () => {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      settleTimer = undefined;
      clearTimeout(slowTimer);
      slowTimer = undefined;
      const done = onQuiet;
      onQuiet = [];
      batch(() => {
        rev.value += 1;
        slowRev.value += 1;
        for (const f of done) f();
      });
    }, SETTLE_MS);
  };

  /** Bumps everything after the store changed wholesale (cache hydrated, signed out). */
  const refreshKnown = () => {
    wardList.value = store.wards();
    for (const s of wardVoteRevs.values()) s.value += 1;
    for (const ward of store.wards()) {
      for (const id of counterIds(store, ward)) knownCounters.set(`${ward}/${id}`, ward);
      lazy(wardRevs, ward).value += 1;
    }
    for (const s of counterRevs.values()) s.value += 1;
    rev.value += 1;
    slowRev.value += 1;
  };

  return {
    rev,
    slowRev,
    wardList,
    /** The district ids of `wardList`, in its order; a new array only when they change. */
    districtList,
    /** Revision of one counter (`d/w/c`): its tile re-renders when it changes. */
    counterRev: (key: string): ReadonlySignal<number> => lazy(counterRevs, key),
    /** Count of new votes at a counter: drives the tile's pulse. */
    pulse: (key: string): ReadonlySignal<number> => lazy(pulses, key),
    /** Revision of a ward's structure (office, counters): the office view re-lays out its tiles. */
    wardRev: (key: string): ReadonlySignal<number> => lazy(wardRevs, key),
    /** Count of new votes in a ward (`d/w`): drives the recent-votes list. */
    wardVotes: (key: string): ReadonlySignal<number> => lazy(wardVoteRevs, key),
    bumpGlobal,
    refreshKnown,

    /** Bumps the signals one applied message touched; call inside a `batch`. */
    noteOutcome(outcome: ApplyOutcome): void {
      if (outcome.ok !== true || !outcome.changed) return;
      if (!wardList.peek().includes(outcome.ward)) wardList.value = [...wardList.peek(), outcome.ward].sort();
      if (outcome.counter !== undefined) {
        // A vote only pulses its tile and lists itself; the tally the bridge
        // publishes right after it carries the figures (one re-render each).
        if (outcome.vote !== undefined) {
          lazy(pulses, outcome.counter).value += 1;
          lazy(wardVoteRevs, outcome.ward).value += 1;
        } else lazy(counterRevs, outcome.counter).value += 1;
        if (!knownCounters.has(outcome.counter)) {
          knownCounters.set(outcome.counter, outcome.ward);
          lazy(wardRevs, outcome.ward).value += 1;
        }
      }
      if (outcome.kind === 'office' || outcome.kind === 'bridge-status') lazy(wardRevs, outcome.ward).value += 1;
    },

    /** Starts the settling window: the link just (re)subscribed and the retained burst follows. */
    settle(): void {
      settleUntil = now() + SETTLE_WINDOW_MS;
    },

    /**
     * Runs `f` when the figures next follow a quiet point: SETTLE_MS after
     * the last message of the burst that follows now (a SUBACK), or after
     * SETTLE_MS if none comes. Starts a settling window.
     */
    whenQuiet(f: () => void): void {
      settleUntil = Math.max(settleUntil, now() + SETTLE_WINDOW_MS);
      onQuiet.push(f);
      armSettle();
    },

    /** Forgets which counters are known (the store was cleared). */
    forgetCounters(): void {
      knownCounters.clear();
    },

    /** Clears the pending throttle timers. */
    stop(): void {
      onQuiet = [];
      clearTimeout(revTimer);
      clearTimeout(slowTimer);
      clearTimeout(settleTimer);
    },
  };
}

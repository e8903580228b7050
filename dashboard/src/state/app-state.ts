/**
 * Wires the pure store to the screen with fine-grained signals
 * (@preact/signals): a live vote bumps only its counter's signals, so only
 * that tile re-renders — that is what keeps a live update within ~2 ms of
 * script time. Views that fold whole periods (district, alerts, reports,
 * TV) follow a throttled global revision instead. Adapters (MQTT link,
 * IndexedDB cache, localStorage, clock, notifications) are passed in.
 */
import { batch, computed, effect, signal } from '@preact/signals';
import type { ReadonlySignal, Signal } from '@preact/signals';
import { subscriptionForAll } from '../../../core/index.ts';
import { alertText } from '../alerts/alert-text.ts';
import { evaluateAlerts } from '../alerts/rules.ts';
import type { Alert } from '../alerts/rules.ts';
import { CacheWriter } from '../cache/cache-writer.ts';
import type { DashboardCache } from '../cache/idb-cache.ts';
import { MESSAGES } from '../i18n/messages.ts';
import type { Messages } from '../i18n/messages.ts';
import { localDate } from '../i18n/format.ts';
import { defaultBrokerUrl, isBrokerUrl } from '../mqtt/link.ts';
import type { ConnectLink, Link, LinkState } from '../mqtt/link.ts';
import type { PeriodChoice } from '../period/period-choice.ts';
import type { ReportLevel } from '../reports/report.ts';
import { parseRoute } from '../router/route.ts';
import type { Route } from '../router/route.ts';
import { PlaceNames, scaleOf } from '../store/names.ts';
import { counterIds } from '../store/office-figures.ts';
import type { DashboardStore } from '../store/store.ts';
import { MAX_ACKS, loadSettings, readUrlParams, saveSettings } from './settings.ts';
import type { KeyValue, Settings } from './settings.ts';

/** Shows alerts outside the page (the Notification API adapter). */
export interface Notifier {
  readonly permission: () => NotificationPermission | 'unsupported';
  request(): Promise<NotificationPermission | 'unsupported'>;
  show(title: string, body: string, tag: string): void;
}

/** Everything the app state needs from outside. */
export interface AppDeps {
  readonly store: DashboardStore;
  readonly connect: ConnectLink;
  readonly openCache?: () => Promise<DashboardCache>;
  readonly storage: KeyValue;
  readonly location: { readonly protocol: string; readonly host: string; readonly search: string; readonly hash: string };
  readonly now?: () => number;
  readonly notifier?: Notifier;
  /** Throttle of the global revision (district, alerts, TV), ms. @default 1000 */
  readonly throttleMs?: number;
}

/** Why the sign-in form is shown. */
export type SignInReason = 'auth' | 'scope' | 'signed-out' | null;

/** Sign-in form input. */
export interface SignInForm {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly district: string;
  readonly ward: string;
}

/** The app's reactive state and actions. */
export type AppState = ReturnType<typeof createAppState>;

/** How long after live data starts a missing name counts as unknown rather than loading. */
export const NAME_GRACE_MS = 4000;

/** Creates the app state; call `start()` to load the cache and connect. */
export function createAppState(deps: AppDeps) {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const throttleMs = deps.throttleMs ?? 1000;
  const params = readUrlParams(deps.location.search);
  const initial = loadSettings(deps.storage);
  const settings = signal<Settings>(params.lang ? { ...initial, lang: params.lang } : initial);
  const lang = computed(() => settings.value.lang);
  const t = computed<Messages>(() => MESSAGES[lang.value]);
  const route = signal<Route>(parseRoute(deps.location.hash));
  const connection = signal<LinkState | 'idle'>('idle');
  const signIn = signal<SignInReason>(null);
  /** Time of the last live message, or of the cached snapshot until one arrives. */
  const asOf = signal<number | null>(null);
  /** True once live data has arrived on the current connection. */
  const liveData = signal(false);
  const hydrated = signal(false);
  /** Set when a new app version waits: calling it activates the version and reloads. */
  const update = signal<(() => void) | null>(null);
  const clock = signal(now());
  const today = computed(() => localDate(clock.value));
  /** Global revision: bumped at most once per `throttleMs` while messages flow. */
  const rev = signal(0);
  /** Slow revision for whole-period folds (district view, reports): at most every 5 × `throttleMs`. */
  const slowRev = signal(0);
  /** What the district and report views show (kept across view switches). */
  const selection = {
    period: signal<PeriodChoice>({ kind: 'month' }),
    /** Drill-down path: [] (wards), [ward] (its counters), [ward, counter] (its officers). */
    drill: signal<readonly string[]>([]),
    reportLevel: signal<ReportLevel>('ward'),
    /** Report scope: '' (everything), `d`, `d/w`. */
    reportScope: signal(''),
    /** The ward last shown in the office view (`d/w`), kept when switching views. */
    officeWard: signal<string | undefined>(route.value.ward),
  };
  /** When live data started flowing on this connection (epoch ms), or null. */
  const liveSince = signal<number | null>(null);
  // Retained `_office` payloads come in the first burst after connecting; a
  // name still missing a few seconds later is really unknown, not loading.
  const namesSettled = computed(() => hydrated.value && liveSince.value !== null && clock.value - liveSince.value >= NAME_GRACE_MS);
  const names = new PlaceNames(store, () => t.value, () => namesSettled.value);
  const counterRevs = new Map<string, Signal<number>>();
  const pulses = new Map<string, Signal<number>>();
  const wardRevs = new Map<string, Signal<number>>();
  const knownCounters = new Map<string, string>();
  const wardVoteRevs = new Map<string, Signal<number>>();
  /** Every ward key known, sorted; changes only when a new ward appears. */
  const wardList = signal<string[]>([]);
  let link: Link | undefined;
  let writer: CacheWriter | undefined;
  let cache: DashboardCache | undefined;
  let revTimer: ReturnType<typeof setTimeout> | undefined;
  let slowTimer: ReturnType<typeof setTimeout> | undefined;
  let firstLiveMarked = false;
  const timers: ReturnType<typeof setInterval>[] = [];
  const disposers: (() => void)[] = [];

  const lazy = (map: Map<string, Signal<number>>, key: string) => {
    let s = map.get(key);
    if (s === undefined) map.set(key, (s = signal(0)));
    return s;
  };
  /** Revision of one counter (`d/w/c`): its tile re-renders when it changes. */
  const counterRev = (key: string): ReadonlySignal<number> => lazy(counterRevs, key);
  /** Count of new votes at a counter: drives the tile's pulse. */
  const pulse = (key: string): ReadonlySignal<number> => lazy(pulses, key);
  /** Revision of a ward's structure (office, counters): the office view re-lays out its tiles. */
  const wardRev = (key: string): ReadonlySignal<number> => lazy(wardRevs, key);
  /** Count of new votes in a ward (`d/w`): drives the recent-votes list. */
  const wardVotes = (key: string): ReadonlySignal<number> => lazy(wardVoteRevs, key);

  const bumpGlobal = () => {
    revTimer ??= setTimeout(() => {
      revTimer = undefined;
      rev.value += 1;
    }, throttleMs);
    slowTimer ??= setTimeout(() => {
      slowTimer = undefined;
      slowRev.value += 1;
    }, throttleMs * 5);
  };

  const updateSettings = (change: (s: Settings) => Settings) => {
    settings.value = change(settings.value);
    saveSettings(deps.storage, settings.value);
  };

  // Performance measures (`?perf=1`): messages that arrive in one task (the
  // bridge's vote and tally usually share a WebSocket frame) are rendered in
  // one microtask, so they are measured together, from the first handler to
  // the end of the render.
  let pending: { t0: number; kinds: string[] } | undefined;

  const onMessage = (topic: string, payload: Uint8Array, retained?: boolean) => {
    const t0 = params.perf ? performance.now() : 0;
    const outcome = store.apply(topic, payload, { live: retained === false });
    const at = now();
    writer?.note(outcome, at);
    batch(() => {
      if (!liveData.peek()) {
        liveData.value = true;
        liveSince.value = now();
      }
      asOf.value = at;
      if (outcome.ok === true && outcome.changed) {
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
      }
    });
    bumpGlobal();
    const kind = outcome.ok === true ? outcome.kind : 'rejected';
    if (params.perf) {
      if (pending !== undefined) pending.kinds.push(kind);
      else {
        const m = (pending = { t0, kinds: [kind] });
        // Preact re-renders in a microtask and @preact/signals writes bound
        // text and attributes in a microtask queued from a microtask; this
        // two-step queue runs after both, when the DOM shows the new figures.
        queueMicrotask(() =>
          queueMicrotask(() => {
            pending = undefined;
            performance.measure('hailong:message', { start: m.t0, end: performance.now(), detail: m.kinds.join('+') });
          }),
        );
      }
    }
    if (!firstLiveMarked && kind === 'tally') {
      firstLiveMarked = true;
      queueMicrotask(() => queueMicrotask(() => performance.mark('hailong:first-live-figure')));
    }
  };

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

  const scope = () => ({
    district: params.district ?? settings.value.district,
    ward: params.ward ?? settings.value.ward,
  });

  const connect = () => {
    link?.close();
    const s = settings.value;
    const url = params.broker ?? s.brokerUrl ?? defaultBrokerUrl(deps.location);
    const { district, ward } = scope();
    let filter: string;
    try {
      filter = subscriptionForAll(district === undefined ? {} : ward === undefined ? { district } : { district, ward });
    } catch {
      filter = subscriptionForAll();
    }
    liveData.value = false;
    link = deps.connect(
      { url, filter, ...(s.username ? { username: s.username } : {}), ...(s.password ? { password: s.password } : {}) },
      {
        onMessage,
        onState(state, detail) {
          connection.value = state;
          if (state === 'refused') signIn.value = detail === 'subscribe' ? 'scope' : 'auth';
          else if (state === 'online') signIn.value = null;
          else if (state !== 'connecting') liveData.value = false;
        },
      },
    );
  };

  const alerts = computed<Alert[]>(() => {
    void rev.value;
    return evaluateAlerts(
      {
        votes: store.votes.all(),
        statuses: store.statuses.entries(),
        bridges: store.bridges.entries(),
        offices: store.offices,
        scaleOf: (ward) => scaleOf(store.offices.get(ward)),
        now: clock.value,
      },
      settings.value.rules,
    );
  });
  const acked = computed(() => new Set(settings.value.acked));
  const openAlerts = computed(() => alerts.value.filter((a) => a.active && !acked.value.has(a.id)));

  return {
    store,
    names,
    settings,
    lang,
    t,
    route,
    connection,
    signIn,
    asOf,
    liveData,
    hydrated,
    update,
    clock,
    today,
    rev,
    slowRev,
    selection,
    alerts,
    acked,
    openAlerts,
    counterRev,
    pulse,
    wardRev,
    wardVotes,
    wardList,
    params,
    notifier: deps.notifier,

    /** Loads the cache and connects, in parallel: live messages never wait for IndexedDB. */
    async start(): Promise<void> {
      timers.push(setInterval(() => (clock.value = now()), 5000));
      connect();
      const notified = new Set<string>();
      disposers.push(
        effect(() => {
          for (const alert of openAlerts.value) {
            if (notified.has(alert.id)) continue;
            notified.add(alert.id);
            if (deps.notifier?.permission() === 'granted') {
              deps.notifier.show(t.value.alertsTitle, alertText(alert, t.value, names, settings.value.rules, clock.value, lang.value), alert.id);
            }
          }
        }),
      );
      if (deps.openCache === undefined) {
        hydrated.value = true;
        return;
      }
      try {
        cache = await deps.openCache();
        const cached = await cache.load();
        if (cached !== null) {
          store.hydrate(cached.snapshot);
          if (asOf.value === null) asOf.value = cached.asOf;
        }
        writer = new CacheWriter(store, cache);
      } catch {
        // No IndexedDB (private mode, quota): live figures still work.
      }
      batch(() => {
        refreshKnown();
        hydrated.value = true;
      });
    },

    /** Stops everything (tests). */
    stop(): void {
      link?.close();
      for (const timer of timers) clearInterval(timer);
      for (const dispose of disposers) dispose();
      clearTimeout(revTimer);
      clearTimeout(slowTimer);
      void writer?.flush();
    },

    /** Writes pending cache changes now. */
    flush: () => writer?.flush() ?? Promise.resolve(),

    navigate(next: Route): void {
      batch(() => {
        if (next.ward !== undefined) selection.officeWard.value = next.ward;
        route.value = next;
      });
    },

    setLang(next: 'vi' | 'en'): void {
      updateSettings((s) => ({ ...s, lang: next }));
    },

    updateSettings,

    /** Signs in from the form: validates the URL, remembers the account and reconnects. */
    submitSignIn(form: SignInForm): 'bad-url' | 'ok' {
      const url = form.url.trim();
      if (!isBrokerUrl(url)) return 'bad-url';
      updateSettings((s) => {
        const next: { -readonly [K in keyof Settings]: Settings[K] } = { ...s, brokerUrl: url };
        for (const key of ['username', 'password', 'district', 'ward'] as const) {
          const value = form[key].trim();
          if (value === '') delete next[key];
          else next[key] = value;
        }
        return next;
      });
      signIn.value = null;
      connect();
      return 'ok';
    },

    /** Signs out: forgets the account and this PC's cached figures, then shows the form. */
    async signOut(): Promise<void> {
      link?.close();
      link = undefined;
      writer?.cancel();
      updateSettings((s) => {
        const { username: _u, password: _p, ...rest } = s;
        return rest;
      });
      store.clear();
      knownCounters.clear();
      await cache?.clear().catch(() => undefined);
      batch(() => {
        connection.value = 'idle';
        liveData.value = false;
        asOf.value = null;
        signIn.value = 'signed-out';
        refreshKnown();
      });
    },

    acknowledge(id: string): void {
      updateSettings((s) => ({ ...s, acked: [...s.acked.filter((a) => a !== id), id].slice(-MAX_ACKS) }));
    },

    /** The effective target (%) of a ward `d/w`: local ward setting, local district setting, the office's, 80. */
    wardTarget(ward: string): number {
      const s = settings.value.targets;
      const district = ward.split('/')[0] ?? '';
      return s.wards[ward] ?? s.districts[district] ?? names.officeTarget(ward);
    },

    /** The effective target (%) of a district. */
    districtTarget(district: string): number {
      return settings.value.targets.districts[district] ?? 80;
    },
  };
}

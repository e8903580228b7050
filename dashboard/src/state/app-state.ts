/**
 * Wires the pure store to the screen with fine-grained signals
 * (@preact/signals): a live vote bumps only its counter's signals, so only
 * that tile re-renders — that is what keeps a live update within ~2 ms of
 * script time. Views that fold whole periods (district, alerts, reports,
 * TV) follow a throttled global revision instead. Adapters (MQTT link,
 * IndexedDB cache, localStorage, clock, notifications) are passed in.
 *
 * The parts live beside it, one concept each: live-revisions.ts (the
 * revision signals and their throttle), hub-scope.ts (what to subscribe
 * to), account.ts (settings and broker credentials), perf-marks.ts (the
 * `?perf=1` measures). This file holds the link, the cache and the views'
 * state, and exposes the one `AppState` object the views use.
 */
import { batch, computed, effect, signal } from '@preact/signals';
import { alertText } from '../alerts/alert-text.ts';
import { evaluateAlerts } from '../alerts/rules.ts';
import type { Alert } from '../alerts/rules.ts';
import { CacheWriter } from '../cache/cache-writer.ts';
import type { DashboardCache } from '../cache/idb-cache.ts';
import { MESSAGES } from '../i18n/messages.ts';
import type { Messages } from '../i18n/messages.ts';
import { localDate } from '../i18n/format.ts';
import type { LinkState } from '../../../core/index.ts';
import type { ConnectLink, Link } from '../mqtt/link.ts';
import { resolvePeriod } from '../period/period-choice.ts';
import type { PeriodChoice } from '../period/period-choice.ts';
import type { ReportLevel } from '../reports/report.ts';
import { parseRoute } from '../router/route.ts';
import type { Route } from '../router/route.ts';
import { PlaceNames, scaleOf } from '../store/names.ts';
import type { DashboardStore } from '../store/store.ts';
import { createAccount } from './account.ts';
import type { SignInForm, SignInReason } from './account.ts';
import { createHubScope } from './hub-scope.ts';
import { createLiveRevisions } from './live-revisions.ts';
import type { PasswordVault } from './password-vault.ts';
import { createPerfMarks } from './perf-marks.ts';
import { MAX_ACKS, readUrlParams } from './settings.ts';
import type { KeyValue } from './settings.ts';

export type { SignInForm, SignInReason } from './account.ts';
export { SETTLE_MS, SETTLE_WINDOW_MS } from './live-revisions.ts';

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
  /**
   * Where the password is kept, bound to its broker URL and username.
   * @default memoryVault() (kept for the page's life only)
   */
  readonly vault?: PasswordVault;
  readonly location: { readonly protocol: string; readonly host: string; readonly search: string; readonly hash: string };
  readonly now?: () => number;
  readonly notifier?: Notifier;
  /** Throttle of the global revision (district, alerts, TV), ms. @default 1000 */
  readonly throttleMs?: number;
}

/** The app's reactive state and actions. */
export type AppState = ReturnType<typeof createAppState>;

/** How long after live data starts a missing name counts as unknown rather than loading. */
export const NAME_GRACE_MS = 4000;

/** Creates the app state; call `start()` to load the cache and connect. */
export function createAppState(deps: AppDeps) {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const params = readUrlParams(deps.location.search);
  const account = createAccount({
    storage: deps.storage,
    ...(deps.vault !== undefined ? { vault: deps.vault } : {}),
    params,
    location: deps.location,
  });
  const { settings, updateSettings } = account;
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
  const revs = createLiveRevisions({ store, now, throttleMs: deps.throttleMs ?? 1000 });
  const { rev } = revs;
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
  /** Subscriptions to more months' summaries (a longer period picked at a hub) whose retained burst has not settled yet. */
  const loadingMonths = signal(0);
  /** When live data started flowing on this connection (epoch ms), or null. */
  const liveSince = signal<number | null>(null);
  // Retained `_office` payloads come in the first burst after connecting; a
  // name still missing a few seconds later is really unknown, not loading.
  const namesSettled = computed(() => hydrated.value && liveSince.value !== null && clock.value - liveSince.value >= NAME_GRACE_MS);
  const names = new PlaceNames(
    store,
    () => t.value,
    () => namesSettled.value,
  );
  let link: Link | undefined;
  let writer: CacheWriter | undefined;
  let cache: DashboardCache | undefined;
  const timers: ReturnType<typeof setInterval>[] = [];
  const disposers: (() => void)[] = [];
  const hub = createHubScope({
    params,
    settings: () => settings.value,
    link: () => link,
    ranges: () => {
      const period = resolvePeriod(selection.period.value, today.value);
      return [period.range, period.previous];
    },
  });
  const perf = createPerfMarks(params.perf);

  const onMessage = (topic: string, payload: Uint8Array, retained?: boolean) => {
    const t0 = perf.start();
    const outcome = store.apply(topic, payload, { live: retained === false });
    const at = now();
    writer?.note(outcome, at);
    batch(() => {
      if (!liveData.peek()) {
        liveData.value = true;
        liveSince.value = now();
      }
      asOf.value = at;
      revs.noteOutcome(outcome);
    });
    revs.bumpGlobal();
    perf.handled(t0, outcome.ok === true ? outcome.kind : 'rejected');
  };

  const connect = () => {
    link?.close();
    const { url, ...credentials } = account.linkTarget();
    const filter = hub.filter();
    liveData.value = false;
    link = deps.connect(
      { url, filter, ...credentials },
      {
        onMessage,
        onState(state, detail) {
          connection.value = state;
          if (state === 'online') revs.settle();
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
    slowRev: revs.slowRev,
    selection,
    alerts,
    acked,
    openAlerts,
    counterRev: revs.counterRev,
    pulse: revs.pulse,
    wardRev: revs.wardRev,
    wardVotes: revs.wardVotes,
    wardList: revs.wardList,
    districtList: revs.districtList,
    params,
    notifier: deps.notifier,
    /** True while the summaries of months the picked period needs are still coming (at a hub). */
    loadingMonths: computed(() => loadingMonths.value > 0),
    /** True at a hub's district scope: the district view folds the units' summaries. */
    get atHub(): boolean {
      return hub.atHub();
    },
    /** At a hub, subscribes to a unit's (`d/w`) tallies once, for the drill-down; elsewhere they are all there already. */
    loadUnit(wardKey: string): void {
      // Its retained tallies come as a burst: fold them when it goes quiet, not on the live throttle.
      if (hub.loadUnit(wardKey)) revs.settle();
    },

    /** Loads the cache and connects, in parallel: live messages never wait for IndexedDB. */
    async start(): Promise<void> {
      timers.push(setInterval(() => (clock.value = now()), 5000));
      const loading = account.loadPassword();
      if (loading !== null) await loading;
      connect();
      const notified = new Set<string>();
      disposers.push(effect(() => void (route.value.view !== 'district' && hub.loadAllTallies())));
      // At a hub, the summaries of the months a newly picked period (or a new month) needs;
      // until they have come the district view says its figures are still loading.
      disposers.push(
        effect(() => {
          const done = () => revs.whenQuiet(() => (loadingMonths.value = Math.max(0, loadingMonths.peek() - 1)));
          if (hub.loadMonths(done)) loadingMonths.value = loadingMonths.peek() + 1;
        }),
      );
      disposers.push(
        effect(() => {
          for (const alert of openAlerts.value) {
            if (notified.has(alert.id)) continue;
            notified.add(alert.id);
            if (deps.notifier?.permission() === 'granted') {
              deps.notifier.show(
                t.value.alertsTitle,
                alertText(alert, t.value, names, settings.value.rules, clock.value, lang.value),
                alert.id,
              );
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
        revs.refreshKnown();
        hydrated.value = true;
      });
    },

    /** Stops everything (tests). */
    stop(): void {
      link?.close();
      for (const timer of timers) clearInterval(timer);
      for (const dispose of disposers) dispose();
      revs.stop();
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

    /**
     * Signs in from the form: validates the URL, binds the account to that
     * broker and reconnects. An empty password keeps the saved one only for
     * the same broker and username: a changed broker asks again. The
     * password goes to the vault (this session, or encrypted with
     * "Ghi nhớ mật khẩu"), never to the settings.
     */
    async submitSignIn(form: SignInForm): Promise<'bad-url' | 'ok'> {
      if ((await account.submit(form)) === 'bad-url') return 'bad-url';
      signIn.value = null;
      connect();
      return 'ok';
    },

    /** Signs out: forgets the account and this PC's cached figures, then shows the form. */
    async signOut(): Promise<void> {
      link?.close();
      link = undefined;
      writer?.cancel();
      await account.forget();
      store.clear();
      revs.forgetCounters();
      await cache?.clear().catch(() => undefined);
      batch(() => {
        connection.value = 'idle';
        liveData.value = false;
        asOf.value = null;
        signIn.value = 'signed-out';
        revs.refreshKnown();
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

/**
 * What the dashboard subscribes to, and when. At a hub's district scope it
 * takes every kind but the terminals' tallies (13,000 of them after three
 * years, ~60 MB) and the units' summaries, plus the summaries of only the
 * months the picked period and the one it is compared with touch (this
 * month and the last by default: 200 summaries of 100 units, not the whole
 * retention window's 1,300); picking a longer period subscribes to its
 * months then. A unit's tallies are subscribed when the user opens it, and
 * all of them the first time a view that needs them opens.
 * docs/ARCHITECTURE.md "The hub". Kept apart from app-state.ts because this
 * summaries-vs-tallies decision is the hub's whole loading strategy and is
 * easier to check on its own.
 */
import { TOPIC_KINDS, monthsOfRange, subscriptionFor, subscriptionForAll } from '../../../core/index.ts';
import type { DateRange } from '../../../core/index.ts';
import type { Link } from '../mqtt/link.ts';
import type { Settings, UrlParams } from './settings.ts';

/** What the scope needs from the app state. */
export interface HubScopeDeps {
  readonly params: UrlParams;
  /** The current settings (read on every call). */
  readonly settings: () => Settings;
  /** The current link, if connected. */
  readonly link: () => Link | undefined;
  /** The date ranges the district view folds now (the picked period and the one it is compared with). */
  readonly ranges: () => readonly DateRange[];
}

/**
 * Past this many months of summaries for one period, one filter takes them
 * all (the hub retains a bounded window, hub.yaml `retainMonths`, 13 by
 * default) instead of a subscription per month.
 */
export const MAX_MONTH_FILTERS = 26;

/** The subscription scope of the dashboard. */
export type HubScope = ReturnType<typeof createHubScope>;

/** Creates the subscription scope; it remembers which units' tallies are loaded. */
export function createHubScope(deps: HubScopeDeps) {
  const { params } = deps;
  const scope = () => ({
    district: params.district ?? deps.settings().district,
    ward: params.ward ?? deps.settings().ward,
  });
  const atHub = () => params.hub && scope().ward === undefined;
  const unitsLoaded = new Set<string>();
  /** Months (`YYYY-MM`) whose summaries are subscribed, or '*' for all of them. */
  const monthsLoaded = new Set<string>();
  // Every view but the district view (office, TV, reports, print, alerts) works from the
  // terminals' tallies: at a hub they are subscribed the first time such a view opens.
  const allTallies = () => {
    const { district } = scope();
    return subscriptionFor('tally', district === undefined ? {} : { district });
  };
  const unitTallies = (wardKey: string) => {
    if (wardKey === '*') return allTallies();
    const [district = '', ward = ''] = wardKey.split('/');
    return subscriptionFor('tally', { district, ward });
  };
  const summaries = (district: string | undefined, month: string) =>
    subscriptionFor('unit-month', { ...(district === undefined ? {} : { district }), ...(month === '*' ? {} : { month }) });
  /** The months the current ranges touch that are not subscribed yet (['*'] past MAX_MONTH_FILTERS). */
  const missingMonths = (): string[] => {
    if (monthsLoaded.has('*')) return [];
    const months = new Set<string>();
    for (const range of deps.ranges()) for (const m of monthsOfRange(range)) months.add(m);
    if (months.size + monthsLoaded.size > MAX_MONTH_FILTERS) return ['*'];
    return [...months].filter((m) => !monthsLoaded.has(m)).sort();
  };
  const hubFilters = (district: string | undefined): string[] => {
    for (const m of missingMonths()) monthsLoaded.add(m);
    return [
      ...TOPIC_KINDS.filter((k) => k !== 'tally' && k !== 'unit-month' && k !== 'receipt').map((k) =>
        subscriptionFor(k, district === undefined ? {} : { district }),
      ),
      ...[...monthsLoaded].sort().map((m) => summaries(district, m)),
      ...[...unitsLoaded].map(unitTallies),
    ];
  };

  return {
    /** True at a hub's district scope: the district view folds the units' summaries. */
    atHub,

    /** The filter(s) to connect with; a bad district or ward id in the settings falls back to every district. */
    filter(): string | string[] {
      const { district, ward } = scope();
      try {
        return atHub()
          ? hubFilters(district)
          : subscriptionForAll(district === undefined ? {} : ward === undefined ? { district } : { district, ward });
      } catch {
        return atHub() ? hubFilters(undefined) : subscriptionForAll();
      }
    },

    /**
     * At a hub, subscribes to the summaries of the months the current
     * ranges touch that are not subscribed yet (a longer period was
     * picked, or a new month began), in one SUBSCRIBE. True when it
     * subscribed something: `onSubscribed` runs at its SUBACK, and the
     * retained burst follows.
     */
    loadMonths(onSubscribed?: () => void): boolean {
      if (!atHub()) return false;
      const months = missingMonths();
      if (months.length === 0) return false;
      let district = scope().district;
      try {
        if (district !== undefined) subscriptionFor('unit-month', { district });
      } catch {
        // A bad district id in the settings: connect() fell back to every district.
        district = undefined;
      }
      if (months.includes('*')) monthsLoaded.clear();
      for (const m of months) monthsLoaded.add(m);
      const link = deps.link();
      if (link?.subscribe === undefined) onSubscribed?.();
      else
        link.subscribe(
          months.map((m) => summaries(district, m)),
          onSubscribed,
        );
      return true;
    },

    /** At a hub, subscribes to every terminal's tallies once (a view other than the district view opened). */
    loadAllTallies(): void {
      if (!atHub() || unitsLoaded.has('*')) return;
      try {
        const filter = allTallies();
        unitsLoaded.add('*');
        deps.link()?.subscribe?.(filter);
      } catch {
        // A bad district id in the settings: connect() already fell back to every district.
      }
    },

    /** At a hub, subscribes to a unit's (`d/w`) tallies once, for the drill-down (true when it did); elsewhere they are all there already. */
    loadUnit(wardKey: string): boolean {
      if (!atHub() || unitsLoaded.has(wardKey) || unitsLoaded.has('*')) return false;
      try {
        const filter = unitTallies(wardKey);
        unitsLoaded.add(wardKey);
        deps.link()?.subscribe?.(filter);
        return true;
      } catch {
        // Not a ward key (a bad id): nothing to load.
        return false;
      }
    },
  };
}

/**
 * What the dashboard subscribes to, and when. At a hub's district scope it
 * takes every kind but the terminals' tallies (13,000 of them after three
 * years, ~60 MB) plus the units' summaries; a unit's tallies are subscribed
 * when the user opens it, and all of them the first time a view that needs
 * them opens. docs/ARCHITECTURE.md "The hub". Kept apart from app-state.ts
 * because this summaries-vs-tallies decision is the hub's whole loading
 * strategy and is easier to check on its own.
 */
import { TOPIC_KINDS, subscriptionFor, subscriptionForAll } from '../../../core/index.ts';
import type { Link } from '../mqtt/link.ts';
import type { Settings, UrlParams } from './settings.ts';

/** What the scope needs from the app state. */
export interface HubScopeDeps {
  readonly params: UrlParams;
  /** The current settings (read on every call). */
  readonly settings: () => Settings;
  /** The current link, if connected. */
  readonly link: () => Link | undefined;
}

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
  const hubFilters = (district: string | undefined): string[] => [
    ...TOPIC_KINDS.filter((k) => k !== 'tally').map((k) => subscriptionFor(k, district === undefined ? {} : { district })),
    ...[...unitsLoaded].map(unitTallies),
  ];

  return {
    /** True at a hub's district scope: the district view folds the units' summaries. */
    atHub,

    /** The filter(s) to connect with; a bad district or ward id in the settings falls back to every district. */
    filter(): string | string[] {
      const { district, ward } = scope();
      try {
        return atHub() ? hubFilters(district) : subscriptionForAll(district === undefined ? {} : ward === undefined ? { district } : { district, ward });
      } catch {
        return atHub() ? hubFilters(undefined) : subscriptionForAll();
      }
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

    /** At a hub, subscribes to a unit's (`d/w`) tallies once, for the drill-down; elsewhere they are all there already. */
    loadUnit(wardKey: string): void {
      if (!atHub() || unitsLoaded.has(wardKey) || unitsLoaded.has('*')) return;
      try {
        const filter = unitTallies(wardKey);
        unitsLoaded.add(wardKey);
        deps.link()?.subscribe?.(filter);
      } catch {
        // Not a ward key (a bad id): nothing to load.
      }
    },
  };
}

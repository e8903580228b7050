/**
 * Hash routes of the dashboard: `#/office`, `#/office/{d}/{w}`,
 * `#/district`, `#/alerts`, `#/reports`, `#/print`, `#/tv`, `#/tv/{d}/{w}`
 * (documented with the URL parameters in dashboard/README.md). Hash routing
 * keeps every route inside the one precached `index.html`, so each works
 * offline from the service worker.
 */
import { isId } from '../../../core/index.ts';

/** The views. */
export type View = 'office' | 'district' | 'alerts' | 'reports' | 'print' | 'tv';

/** A parsed route. */
export interface Route {
  readonly view: View;
  /** `d/w` for the office and TV views when the URL names a ward. */
  readonly ward?: string | undefined;
}

const VIEWS: readonly View[] = ['office', 'district', 'alerts', 'reports', 'print', 'tv'];

/** Parses `location.hash`; anything unknown is the office view. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const view = VIEWS.find((v) => v === parts[0]) ?? 'office';
  if ((view === 'office' || view === 'tv') && isId(parts[1]) && isId(parts[2])) return { view, ward: `${parts[1]}/${parts[2]}` };
  return { view };
}

/** The hash of a route. */
export function routeHash(route: Route): string {
  return (route.view === 'office' || route.view === 'tv') && route.ward !== undefined ? `#/${route.view}/${route.ward}` : `#/${route.view}`;
}

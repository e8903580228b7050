/**
 * Display names of places, from the retained `_office` payloads and officer
 * sessions; ids are the fallback when a name is not known (yet).
 */
import { DEFAULT_MIN_VOTES, DEFAULT_SCALE, DEFAULT_TARGET, builtinScale } from '../../../core/index.ts';
import type { Office, Scale } from '../../../core/index.ts';
import type { DashboardStore } from './store.ts';

/** The scale an office rates on (built-in id or full scale), or the default. */
export function scaleOf(office: Office | undefined): Scale {
  if (office === undefined) return DEFAULT_SCALE;
  return typeof office.scale === 'string' ? (builtinScale(office.scale) ?? DEFAULT_SCALE) : office.scale;
}

/**
 * The scale most offices use: districts compare wards on one scale; votes at
 * levels another scale has are reported as `unscaled` by the core fold.
 */
export function commonScale(offices: Iterable<Office>): Scale {
  const counts = new Map<string, { scale: Scale; n: number }>();
  for (const office of offices) {
    const scale = scaleOf(office);
    const seen = counts.get(scale.id);
    counts.set(scale.id, { scale, n: (seen?.n ?? 0) + 1 });
  }
  let best: { scale: Scale; n: number } | undefined;
  for (const entry of counts.values()) if (best === undefined || entry.n > best.n) best = entry;
  return best?.scale ?? DEFAULT_SCALE;
}

/** Names of places in a store. Keys are core group keys: `d`, `d/w`, `d/w/c`, `d/w/officer`. */
export class PlaceNames {
  readonly #store: DashboardStore;

  constructor(store: DashboardStore) {
    this.#store = store;
  }

  district(district: string): string {
    for (const office of this.#store.offices.values()) if (office.district === district) return office.districtName;
    return district;
  }

  ward(ward: string): string {
    return this.#store.offices.get(ward)?.wardName ?? ward.split('/')[1] ?? ward;
  }

  counter(counter: string): string {
    const [d, w, c] = counter.split('/');
    const office = this.#store.offices.get(`${d}/${w}`);
    return office?.counters.find((x) => x.id === c)?.name ?? c ?? counter;
  }

  officer(officer: string): string {
    return this.#store.officerNames.get(officer)?.name ?? officer.split('/')[2] ?? officer;
  }

  /** Fewer votes than this mark a figure of the ward "ít lượt": its `_office` (the bridge config), or 30. */
  minVotes(ward: string): number {
    return this.#store.offices.get(ward)?.minVotes ?? DEFAULT_MIN_VOTES;
  }

  /** The ward's target from its `_office` (the bridge config), or the national default 80%. */
  officeTarget(ward: string): number {
    return this.#store.offices.get(ward)?.target ?? DEFAULT_TARGET;
  }
}

/**
 * Display names of places, from the retained `_office` payloads (also
 * cached in IndexedDB, so a reload names places at once) and officer
 * sessions. A bare id is never shown for a name: while names may still be
 * on their way the place reads "Đang tải tên…", and once they had time to
 * arrive an unknown one says so in words ("Cán bộ “cb-2” (chưa có tên)").
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

/** What to show for a name that is not known: templates with `{id}`, in the current language. */
export interface NameWords {
  readonly loadingName: string;
  readonly unnamedDistrict: string;
  readonly unnamedWard: string;
  readonly unnamedCounter: string;
  readonly unnamedOfficer: string;
}

const BARE: NameWords = {
  loadingName: '{id}',
  unnamedDistrict: '{id}',
  unnamedWard: '{id}',
  unnamedCounter: '{id}',
  unnamedOfficer: '{id}',
};

/** Names of places in a store. Keys are core group keys: `d`, `d/w`, `d/w/c`, `d/w/officer`. */
export class PlaceNames {
  readonly #store: DashboardStore;
  readonly #words: () => NameWords;
  readonly #settled: () => boolean;

  /**
   * `words`: the texts for unknown names (default: the bare id); `settled`:
   * whether names had time to arrive (until then an unknown name is "loading").
   */
  constructor(store: DashboardStore, words: () => NameWords = () => BARE, settled: () => boolean = () => true) {
    this.#store = store;
    this.#words = words;
    this.#settled = settled;
  }

  #unknown(kind: Exclude<keyof NameWords, 'loadingName'>, id: string): string {
    const words = this.#words();
    return (this.#settled() ? words[kind] : words.loadingName).replace('{id}', id);
  }

  district(district: string): string {
    for (const office of this.#store.offices.values()) if (office.district === district) return office.districtName;
    return this.#unknown('unnamedDistrict', district);
  }

  ward(ward: string): string {
    return this.#store.offices.get(ward)?.wardName ?? this.#unknown('unnamedWard', ward.split('/')[1] ?? ward);
  }

  counter(counter: string): string {
    const [d, w, c = counter] = counter.split('/');
    const office = this.#store.offices.get(`${d}/${w}`);
    return office?.counters.find((x) => x.id === c)?.name ?? this.#unknown('unnamedCounter', c);
  }

  /** An officer (`d/w/officer`): the desk session's name, else the office's list, else words. */
  officer(officer: string): string {
    const [d, w, id = officer] = officer.split('/');
    const listed = this.#store.offices.get(`${d}/${w}`)?.officers?.find((o) => o.id === id)?.name;
    return this.#store.officerNames.get(officer)?.name ?? listed ?? this.#unknown('unnamedOfficer', id);
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

/**
 * What the dashboard remembers on this PC (localStorage): the broker URL and
 * username of the sign-in screen (never the password: password-vault.ts),
 * the scope, the language, local
 * targets, alert thresholds, acknowledged alerts and the tile order. Read
 * once and validated field by field: a broken or hand-edited entry falls
 * back to the default for that field, never breaks the app.
 */
import { isId } from '../../../core/index.ts';
import type { Locale } from '../../../core/index.ts';
import { resolveAlertRules } from '../alerts/rules.ts';
import type { AlertRules } from '../alerts/rules.ts';

/** The storage seam (window.localStorage in the app, a Map in tests). */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Tile orders of the office view. */
export type TileSort = 'name' | 'worst' | 'best' | 'votes';

/** Remembered settings. */
export interface Settings {
  /** Broker URL chosen on the sign-in screen; absent = the page's own `/mqtt`. */
  readonly brokerUrl?: string;
  /**
   * The exact broker URL the username (and the vault's password) were
   * entered for: they are sent to that broker only (issue 13, item 1).
   */
  readonly credentialsUrl?: string;
  /** Username for `credentialsUrl` (absent without one). */
  readonly username?: string;
  /** Scope: only this district / ward (ids). */
  readonly district?: string;
  readonly ward?: string;
  readonly lang: Locale;
  /** Local targets (%): by district id and by ward key `d/w`. */
  readonly targets: { readonly districts: Readonly<Record<string, number>>; readonly wards: Readonly<Record<string, number>> };
  readonly rules: AlertRules;
  /** Ids of acknowledged alerts (most recent last, bounded). */
  readonly acked: readonly string[];
  readonly sort: TileSort;
}

/** The localStorage key. */
export const SETTINGS_KEY = 'hailong.dashboard.settings.v1';

/** Most acknowledgements remembered. */
export const MAX_ACKS = 500;

const SORTS: readonly TileSort[] = ['name', 'worst', 'best', 'votes'];

function text(value: unknown, max = 512): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}

function percentRecord(value: unknown, validKey: (k: string) => boolean): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value)) {
    if (validKey(k) && typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100) out[k] = v;
  }
  return out;
}

/** Validates raw settings (parsed JSON or anything else) into `Settings`. */
export function resolveSettings(raw: unknown): Settings {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const targets = (typeof o.targets === 'object' && o.targets !== null ? o.targets : {}) as Record<string, unknown>;
  const settings: { -readonly [K in keyof Settings]: Settings[K] } = {
    lang: o.lang === 'en' ? 'en' : 'vi',
    targets: {
      districts: percentRecord(targets.districts, isId),
      wards: percentRecord(targets.wards, (k) => k.split('/').length === 2 && k.split('/').every(isId)),
    },
    rules: resolveAlertRules(o.rules as Partial<Record<keyof AlertRules, unknown>> | undefined),
    acked: Array.isArray(o.acked) ? o.acked.filter((a): a is string => typeof a === 'string' && a.length < 300).slice(-MAX_ACKS) : [],
    sort: SORTS.includes(o.sort as TileSort) ? (o.sort as TileSort) : 'name',
  };
  const brokerUrl = text(o.brokerUrl);
  if (brokerUrl !== undefined) settings.brokerUrl = brokerUrl;
  // A username counts only with the broker it was entered for. A `password`
  // left in clear by an older version is dropped here, and the next save
  // removes it from the disk.
  const credentialsUrl = text(o.credentialsUrl);
  const username = text(o.username, 256);
  if (credentialsUrl !== undefined && username !== undefined) {
    settings.credentialsUrl = credentialsUrl;
    settings.username = username;
  }
  if (isId(o.district)) settings.district = o.district;
  if (isId(o.ward)) settings.ward = o.ward;
  return settings;
}

/** Reads settings; a missing or corrupt entry gives the defaults. */
export function loadSettings(storage: KeyValue): Settings {
  try {
    const text = storage.getItem(SETTINGS_KEY);
    return resolveSettings(text === null ? {} : JSON.parse(text));
  } catch {
    return resolveSettings({});
  }
}

/** Writes settings (best effort: private mode or a full disk must not break the app). */
export function saveSettings(storage: KeyValue, settings: Settings): void {
  try {
    storage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // Nothing to do: the settings stay in memory for this session.
  }
}

/** URL parameters the dashboard understands. */
export interface UrlParams {
  /** `?broker=ws://…` */
  readonly broker?: string;
  readonly district?: string;
  readonly ward?: string;
  readonly lang?: Locale;
  /** `?perf=1`: record performance measures of live updates (benchmarks). */
  readonly perf: boolean;
  /**
   * `?hub=1`: served by a hub (`hailong hub` links its dashboard so): the
   * district view folds the units' monthly summaries and a unit's tallies
   * load only when the user opens it (docs/ARCHITECTURE.md "The hub").
   */
  readonly hub: boolean;
}

/** Reads `?broker=`, `?district=`, `?ward=`, `?lang=`, `?perf=`, `?hub=` (invalid values are ignored). */
export function readUrlParams(search: string): UrlParams {
  const q = new URLSearchParams(search);
  const out: { -readonly [K in keyof UrlParams]: UrlParams[K] } = { perf: q.get('perf') === '1', hub: q.get('hub') === '1' };
  const broker = q.get('broker');
  if (broker) out.broker = broker;
  const district = q.get('district');
  if (isId(district)) out.district = district;
  const ward = q.get('ward');
  if (isId(ward)) out.ward = ward;
  const lang = q.get('lang');
  if (lang === 'vi' || lang === 'en') out.lang = lang;
  return out;
}

/**
 * Number formatting for reports and the dashboard. Vietnamese uses a
 * decimal comma and a thousands dot ("98,97%", "35.100"); both come from
 * `Intl.NumberFormat('vi-VN')`, which is plain ECMAScript (ECMA-402).
 */
import { MAX_DIGITS, percent, roundHalfUp } from './percent.ts';

/** Display languages. */
export type Locale = 'vi' | 'en';

/**
 * Where a percentage is shown. `live`: every screen of the dashboard
 * (office tiles, district ranking, TV, alerts), one decimal: short enough
 * for large type (docs/ARCHITECTURE.md, "Figures on screen and on paper"). `report`: the official report (print, CSV, XLSX),
 * two decimals as the published figures are written ("98,97%").
 */
export type PercentUse = 'live' | 'report';

/** Decimals of a percentage by use: the one precision rule of every app (see `PercentUse`). */
export const PERCENT_DIGITS: Readonly<Record<PercentUse, number>> = Object.freeze({ live: 1, report: 2 });

/** Shown instead of a percentage when there were no votes. */
export const NO_VALUE = '—';

/** Options of `formatPercent`. */
export interface PercentFormat {
  /** `vi` (default): 98,97% — `en`: 98.97% */
  readonly locale?: Locale;
  /** Decimals shown (default 2). */
  readonly digits?: number;
  /** Drop trailing zeros: 100% instead of 100,00% (default false). */
  readonly trimZeros?: boolean;
}

const BCP47: Readonly<Record<Locale, string>> = { vi: 'vi-VN', en: 'en-US' };

// Constructing an Intl.NumberFormat is costly; a dashboard formats
// thousands of cells, so formatters are cached per option set.
const formatters = new Map<string, Intl.NumberFormat>();

function formatter(locale: Locale, minDigits: number, maxDigits: number): Intl.NumberFormat {
  const key = `${locale}:${minDigits}:${maxDigits}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.NumberFormat(BCP47[locale], { minimumFractionDigits: minDigits, maximumFractionDigits: maxDigits });
    formatters.set(key, f);
  }
  return f;
}

function requireLocale(locale: Locale): void {
  if (locale !== 'vi' && locale !== 'en') throw new RangeError(`locale must be 'vi' or 'en', got ${String(locale)}`);
}

/**
 * Formats a percentage value (0–100 scale, e.g. from `percent`) with a
 * trailing `%` and no space: `98,97%` (vi), `98.97%` (en); null → `—`.
 * The value is rounded half-up at `digits` on its decimal form (so
 * 12.345 → 12,35%); pass the same `digits` that `percent` used.
 */
export function formatPercent(value: number | null, options: PercentFormat = {}): string {
  const { locale = 'vi', digits = 2, trimZeros = false } = options;
  requireLocale(locale);
  if (!Number.isInteger(digits) || digits < 0 || digits > MAX_DIGITS) {
    throw new RangeError(`options.digits must be an integer in 0..${MAX_DIGITS}, got ${String(digits)}`);
  }
  if (value === null) return NO_VALUE;
  if (!Number.isFinite(value)) throw new RangeError(`value must be a finite number or null, got ${String(value)}`);
  // Rounding first makes Intl's own rounding a no-op. Engines differ there
  // (ECMA-402 rounds the exact binary value, so 1.005 could print 1,00;
  // ICU rounds the shortest decimal): this way every kiosk and browser
  // prints the same half-up digits.
  const rounded = roundHalfUp(value, digits);
  return `${formatter(locale, trimZeros ? 0 : digits, digits).format(rounded)}%`;
}

/** Formats a count with thousands separators: 35100 → `35.100` (vi), `35,100` (en). */
export function formatCount(n: number, locale: Locale = 'vi'): string {
  requireLocale(locale);
  if (!Number.isSafeInteger(n)) throw new RangeError(`n must be a safe integer, got ${String(n)}`);
  return formatter(locale, 0, 0).format(n);
}

/** Formats a decimal number, e.g. a points index: 87.5 → `87,5` (vi). Trailing zeros are trimmed. */
export function formatDecimal(value: number, locale: Locale = 'vi', digits: number = 2): string {
  requireLocale(locale);
  if (!Number.isFinite(value)) throw new RangeError(`value must be finite, got ${String(value)}`);
  return formatter(locale, 0, digits).format(roundHalfUp(value, digits));
}

/**
 * `part / total` as a percentage text under the precision rule of `use`
 * (`PERCENT_DIGITS`), computed exactly at those decimals (no double
 * rounding): 9897/10000 → `99,0%` live, `98,97%` report; `—` without votes.
 */
export function formatShare(part: number, total: number, use: PercentUse, locale: Locale = 'vi'): string {
  const digits = PERCENT_DIGITS[use];
  return formatPercent(percent(part, total, digits), { locale, digits });
}

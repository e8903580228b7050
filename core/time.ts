/**
 * Local calendar time without Intl time zones. Offices are in
 * Asia/Ho_Chi_Minh: UTC+07:00 all year, no daylight saving since 1975, so a
 * fixed offset is exact and works identically on old kiosks and browsers
 * whose Intl data may be missing or stale.
 */
import { err, ok } from './result.ts';
import type { Result } from './result.ts';

/** The offset of Asia/Ho_Chi_Minh in minutes east of UTC. */
export const VN_OFFSET_MINUTES = 420;

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/**
 * Latest timestamp accepted from outside (9999-12-30T00:00Z): any offset
 * of ±14 h still yields a 4-digit local year.
 */
export const MAX_EPOCH_MS = Date.UTC(9999, 11, 30);

/** Calendar parts of an instant at a fixed offset. */
export interface LocalParts {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
  /** 0..23 */
  readonly hour: number;
  /** 0..59 */
  readonly minute: number;
  /** Monday = 0 … Sunday = 6 (Vietnamese weeks start on Monday). */
  readonly weekday: number;
  /** `YYYY-MM-DD` */
  readonly date: string;
  /** `YYYY-MM` */
  readonly monthKey: string;
  /** `01`..`31`: the day's key inside a tally. */
  readonly dayKey: string;
  /** `00`..`23`: the hour's key inside a tally day. */
  readonly hourKey: string;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad4(n: number): string {
  return String(n).padStart(4, '0');
}

function requireOffset(offsetMinutes: number): void {
  if (!Number.isInteger(offsetMinutes) || offsetMinutes < -720 || offsetMinutes > 840) {
    throw new RangeError(`offsetMinutes must be an integer in -720..840, got ${String(offsetMinutes)}`);
  }
}

/** Local calendar parts of `epochMs` at `offsetMinutes` east of UTC (default Vietnam, 420). */
export function localParts(epochMs: number, offsetMinutes: number = VN_OFFSET_MINUTES): LocalParts {
  if (!Number.isSafeInteger(epochMs) || Math.abs(epochMs) > MAX_EPOCH_MS) {
    throw new RangeError(`epochMs must be an integer timestamp, got ${String(epochMs)}`);
  }
  requireOffset(offsetMinutes);
  // Shifting the instant by the offset and reading UTC fields gives the
  // wall clock at that offset; no time-zone database involved.
  const d = new Date(epochMs + offsetMinutes * 60_000);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const monthKey = `${pad4(year)}-${pad2(month)}`;
  const dayKey = pad2(day);
  return {
    year,
    month,
    day,
    hour,
    minute: d.getUTCMinutes(),
    weekday: (d.getUTCDay() + 6) % 7,
    date: `${monthKey}-${dayKey}`,
    monthKey,
    dayKey,
    hourKey: pad2(hour),
  };
}

/** The tally keys of an instant's local hour: the same object for every instant of that hour. */
export interface LocalHourKeys {
  /** `YYYY-MM` */
  readonly monthKey: string;
  /** `01`..`31` */
  readonly dayKey: string;
  /** `00`..`23` */
  readonly hourKey: string;
}

const HOUR_MS = 3_600_000;
/** The last local hour asked for: a burst of votes falls in one hour (issue 14: three `localParts` per vote were garbage for GC). */
let lastHour: { bucket: number; offset: number; keys: LocalHourKeys } | undefined;

/**
 * `localParts(epochMs, offsetMinutes)`'s month, day and hour keys, for the
 * per-vote tally paths: every instant of one local hour shares one frozen
 * object, so folding a vote allocates none. Same validation as `localParts`.
 */
export function localHourKeys(epochMs: number, offsetMinutes: number = VN_OFFSET_MINUTES): LocalHourKeys {
  // Local hours are whole hours of the shifted instant (every offset here is whole minutes).
  const bucket = Math.floor((epochMs + offsetMinutes * 60_000) / HOUR_MS);
  const valid = Number.isSafeInteger(epochMs) && Math.abs(epochMs) <= MAX_EPOCH_MS;
  if (valid && lastHour !== undefined && lastHour.bucket === bucket && lastHour.offset === offsetMinutes) return lastHour.keys;
  const t = localParts(epochMs, offsetMinutes);
  const keys = Object.freeze({ monthKey: t.monthKey, dayKey: t.dayKey, hourKey: t.hourKey });
  lastHour = { bucket, offset: offsetMinutes, keys };
  return keys;
}

/** Days in `month` (1..12) of `year`, Gregorian. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const DATE_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const MONTH_RE = /^([0-9]{4})-([0-9]{2})$/;

/** True for a real calendar date `YYYY-MM-DD` with year 1900..9999. */
export function isDateString(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE_RE.exec(value);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return year >= 1900 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** True for a month key `YYYY-MM` with year 1900..9999. */
export function isMonthKey(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = MONTH_RE.exec(value);
  if (m === null) return false;
  const month = Number(m[2]);
  return Number(m[1]) >= 1900 && month >= 1 && month <= 12;
}

/** Validates a date string from outside input (code `bad-date`, naming `field`). */
export function parseDate(value: unknown, field: string): Result<string, 'bad-date'> {
  return isDateString(value)
    ? ok(value)
    : err('bad-date', `${field} must be a date YYYY-MM-DD, got ${JSON.stringify(value) ?? typeof value}`, field);
}

/** Validates a month key from outside input (code `bad-month`, naming `field`). */
export function parseMonthKey(value: unknown, field: string): Result<string, 'bad-month'> {
  return isMonthKey(value)
    ? ok(value)
    : err('bad-month', `${field} must be a month YYYY-MM, got ${JSON.stringify(value) ?? typeof value}`, field);
}

/** Asserts a date string passed by a programmer; throws naming `argument`. */
export function requireDate(value: string, argument: string): string {
  if (!isDateString(value)) throw new RangeError(`${argument} must be a date YYYY-MM-DD, got ${String(value)}`);
  return value;
}

/** Days since 1970-01-01 of a valid date string. */
export function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

/** The date string of a day number (inverse of `dayNumber`). */
export function dateOfDayNumber(n: number): string {
  const d = new Date(n * DAY_MS);
  return `${pad4(d.getUTCFullYear())}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** `date` moved by `days` (may be negative). */
export function addDays(date: string, days: number): string {
  return dateOfDayNumber(dayNumber(requireDate(date, 'date')) + days);
}

/** Weekday of a date string, Monday = 0 … Sunday = 6. */
export function weekdayOf(date: string): number {
  // 1970-01-01 was a Thursday (Monday-first index 3).
  return (((dayNumber(requireDate(date, 'date')) + 3) % 7) + 7) % 7;
}

/** The epoch ms of local midnight starting `date` at `offsetMinutes`. */
export function localMidnight(date: string, offsetMinutes: number = VN_OFFSET_MINUTES): number {
  requireOffset(offsetMinutes);
  return dayNumber(requireDate(date, 'date')) * DAY_MS - offsetMinutes * 60_000;
}

/** `YYYY-MM-DD` → `YYYY-MM`. */
export function monthOf(date: string): string {
  return requireDate(date, 'date').slice(0, 7);
}

/** An inclusive range of local dates `YYYY-MM-DD`. */
export interface DateRange {
  readonly from: string;
  readonly to: string;
}

/** Asserts a range passed by a programmer (valid dates, from <= to); throws naming `argument.from`/`.to`. */
export function requireRange(range: DateRange, argument: string): DateRange {
  if (typeof range !== 'object' || range === null) throw new TypeError(`${argument} must be { from, to }`);
  requireDate(range.from, `${argument}.from`);
  requireDate(range.to, `${argument}.to`);
  // Same-width date strings order like the dates they name.
  if (range.from > range.to) throw new RangeError(`${argument}.from ${range.from} is after ${argument}.to ${range.to}`);
  return range;
}

/** Number of days in an inclusive range. */
export function rangeLength(range: DateRange): number {
  return dayNumber(range.to) - dayNumber(range.from) + 1;
}

/**
 * The local months `YYYY-MM` an inclusive range touches, oldest first
 * (`2026-11-28..2027-01-03` → 2026-11, 2026-12, 2027-01). Throws on a bad
 * range (programmer error).
 */
export function monthsOfRange(range: DateRange): string[] {
  requireRange(range, 'range');
  const out: string[] = [];
  let y = Number(range.from.slice(0, 4));
  let m = Number(range.from.slice(5, 7));
  const last = range.to.slice(0, 7);
  for (;;) {
    const key = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
    out.push(key);
    if (key >= last) return out;
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
}

/** True when `date` lies inside the inclusive range. */
export function inRange(date: string, range: DateRange): boolean {
  return date >= range.from && date <= range.to;
}

/** `2026-11-23 09:05:07` in Vietnam time. */
export function localTimestamp(epochMs: number): string {
  const t = localParts(epochMs);
  const s = String(Math.floor((((epochMs % 60_000) + 60_000) % 60_000) / 1000)).padStart(2, '0');
  return `${t.date} ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}:${s}`;
}

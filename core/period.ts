/**
 * Report periods on local dates: day, week (Monday first, ISO-8601 week
 * numbers), month, quarter, half-year ("6 tháng") and year — the periods
 * district offices report on — with keys for URLs and labels as reports
 * print them ("Quý IV/2026", "6 tháng cuối năm 2026").
 */
import { err, ok } from './result.ts';
import type { Locale } from './format.ts';
import type { InputResult } from './json-input.ts';
import { show, typeName } from './json-input.ts';
import { dateOfDayNumber, dayNumber, daysInMonth, isDateString, rangeLength, requireDate, requireRange } from './time.ts';
import type { DateRange } from './time.ts';

/** Calendar period kinds (`today` = one day). */
export type PeriodKind = 'today' | 'week' | 'month' | 'quarter' | 'half' | 'year';

/** Every period kind. */
export const PERIOD_KINDS: readonly PeriodKind[] = ['today', 'week', 'month', 'quarter', 'half', 'year'];

/**
 * A calendar period: its inclusive date range and its key — `2026-11-22`,
 * `2026-W47`, `2026-11`, `2026-q4`, `2026-h2` or `2026`.
 */
export interface Period extends DateRange {
  readonly kind: PeriodKind;
  readonly key: string;
}

const ROMAN = ['I', 'II', 'III', 'IV'] as const;
const MONTHS_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function monthRange(year: number, firstMonth: number, lastMonth: number): DateRange {
  return {
    from: `${year}-${pad2(firstMonth)}-01`,
    to: `${year}-${pad2(lastMonth)}-${pad2(daysInMonth(year, lastMonth))}`,
  };
}

// Monday = 0; 1970-01-01 (day 0) was a Thursday.
function weekdayOfDay(n: number): number {
  return (((n + 3) % 7) + 7) % 7;
}

// Monday of ISO week 1 of `year`: the week holding 4 January.
function isoWeekOneMonday(year: number): number {
  const jan4 = dayNumber(`${year}-01-04`);
  return jan4 - weekdayOfDay(jan4);
}

function isoWeek(date: string): { year: number; week: number; monday: number } {
  const n = dayNumber(date);
  const monday = n - weekdayOfDay(n);
  // The ISO week-year is the year of the week's Thursday.
  const year = Number(dateOfDayNumber(monday + 3).slice(0, 4));
  return { year, week: (monday - isoWeekOneMonday(year)) / 7 + 1, monday };
}

/** The calendar period of `kind` containing `refDate` (a local date), with its key. */
export function periodOf(kind: PeriodKind, refDate: string): Period {
  requireDate(refDate, 'refDate');
  const year = Number(refDate.slice(0, 4));
  const month = Number(refDate.slice(5, 7));
  switch (kind) {
    case 'today':
      return { kind, key: refDate, from: refDate, to: refDate };
    case 'week': {
      const w = isoWeek(refDate);
      const key = `${w.year}-W${pad2(w.week)}`;
      return { kind, key, from: dateOfDayNumber(w.monday), to: dateOfDayNumber(w.monday + 6) };
    }
    case 'month':
      return { kind, key: refDate.slice(0, 7), ...monthRange(year, month, month) };
    case 'quarter': {
      const q = Math.ceil(month / 3);
      return { kind, key: `${year}-q${q}`, ...monthRange(year, 3 * q - 2, 3 * q) };
    }
    case 'half': {
      const h = month <= 6 ? 1 : 2;
      return { kind, key: `${year}-h${h}`, ...monthRange(year, 6 * h - 5, 6 * h) };
    }
    case 'year':
      return { kind, key: String(year), ...monthRange(year, 1, 12) };
    default:
      throw new RangeError(`kind must be one of ${PERIOD_KINDS.join(', ')}, got ${String(kind)}`);
  }
}

/** The inclusive date range of the `kind` period containing `refDate`. */
export function periodRange(kind: PeriodKind, refDate: string): DateRange {
  const { from, to } = periodOf(kind, refDate);
  return { from, to };
}

/**
 * The period to compare with: for a calendar kind, the whole previous
 * period of that kind (the month before, the quarter before…); for
 * `custom`, the same number of days immediately before `range`.
 */
export function previousPeriod(range: DateRange, kind: PeriodKind | 'custom'): DateRange {
  requireRange(range, 'range');
  const before = dateOfDayNumber(dayNumber(range.from) - 1);
  if (kind !== 'custom') return periodRange(kind, before);
  return { from: dateOfDayNumber(dayNumber(range.from) - rangeLength(range)), to: before };
}

/** The same dates one year earlier ("cùng kỳ năm trước"); 29 February becomes the 28th. */
export function yearBefore(range: DateRange): DateRange {
  requireRange(range, 'range');
  const shift = (date: string): string => {
    const year = Number(date.slice(0, 4)) - 1;
    const month = Number(date.slice(5, 7));
    const day = Math.min(Number(date.slice(8, 10)), daysInMonth(year, month));
    return `${year}-${pad2(month)}-${pad2(day)}`;
  };
  return { from: shift(range.from), to: shift(range.to) };
}

const KEY_RE = /^([0-9]{4})(?:-(?:([0-9]{2})(?:-([0-9]{2}))?|[qQ]([1-4])|[hH]([12])|[wW]([0-9]{2})))?$/;

/**
 * Parses a period key (URL or config): `2026-11-22`, `2026-W47`,
 * `2026-11`, `2026-q4`, `2026-h2`, `2026` (q/h/w in either case). Years
 * 1900..9999. Never throws; code `bad-period`, field `period`.
 */
export function parsePeriodKey(key: unknown): InputResult<Period> {
  if (typeof key !== 'string') return err('bad-period', `period must be a string, got ${typeName(key)}`, 'period');
  const m = KEY_RE.exec(key);
  const bad = err('bad-period', `period ${show(key)} is not a day, week, month, quarter, half or year key`, 'period');
  if (m === null) return bad;
  const year = Number(m[1]);
  if (year < 1900) return bad;
  const [, , mm, dd, q, h, w] = m;
  if (dd !== undefined) return isDateString(key) ? ok(periodOf('today', key)) : bad;
  if (mm !== undefined) {
    const month = Number(mm);
    return month >= 1 && month <= 12 ? ok(periodOf('month', `${key}-01`)) : bad;
  }
  if (q !== undefined) return ok(periodOf('quarter', `${year}-${pad2(3 * Number(q))}-01`));
  if (h !== undefined) return ok(periodOf('half', `${year}-${pad2(6 * Number(h))}-01`));
  if (w !== undefined) {
    const week = Number(w);
    // Years have 52 or 53 ISO weeks: 28 December is always in the last one.
    if (week < 1 || week > isoWeek(`${year}-12-28`).week) return bad;
    return ok(periodOf('week', dateOfDayNumber(isoWeekOneMonday(year) + 7 * (week - 1))));
  }
  return ok(periodOf('year', `${year}-01-01`));
}

/** A date as reports print it: `22/11/2026` (vi), `22 Nov 2026` (en). */
export function formatDate(date: string, locale: Locale = 'vi'): string {
  requireDate(date, 'date');
  const [y, m, d] = [date.slice(0, 4), Number(date.slice(5, 7)), date.slice(8, 10)];
  return locale === 'vi' ? `${d}/${pad2(m)}/${y}` : `${Number(d)} ${MONTHS_EN[m - 1]?.slice(0, 3)} ${y}`;
}

/**
 * The report heading of a period: "Tháng 11/2026", "Quý IV/2026",
 * "6 tháng đầu năm 2026", "Năm 2026", "Tuần 47/2026", "Ngày 22/11/2026";
 * in English "November 2026", "Q4 2026", "First half of 2026"…
 */
export function periodLabel(period: Period, locale: Locale = 'vi'): string {
  const vi = locale === 'vi';
  const year = period.key.slice(0, 4);
  // The number after the year: week, month, quarter or half.
  const n = Number(/[0-9]+$/.exec(period.key)?.[0]);
  switch (period.kind) {
    case 'today':
      return vi ? `Ngày ${formatDate(period.from, 'vi')}` : formatDate(period.from, 'en');
    case 'week':
      return vi ? `Tuần ${n}/${year}` : `Week ${n}, ${year}`;
    case 'month':
      return vi ? `Tháng ${n}/${year}` : `${MONTHS_EN[n - 1] ?? ''} ${year}`;
    case 'quarter':
      return vi ? `Quý ${ROMAN[n - 1] ?? ''}/${year}` : `Q${n} ${year}`;
    case 'half':
      if (vi) return n === 1 ? `6 tháng đầu năm ${year}` : `6 tháng cuối năm ${year}`;
      return n === 1 ? `First half of ${year}` : `Second half of ${year}`;
    case 'year':
      return vi ? `Năm ${year}` : `Year ${year}`;
  }
}

/** A free date range: "Từ ngày 01/01/2022 đến ngày 31/03/2023" / "1 Jan 2022 – 31 Mar 2023". */
export function rangeLabel(range: DateRange, locale: Locale = 'vi'): string {
  requireRange(range, 'range');
  if (locale === 'vi') return `Từ ngày ${formatDate(range.from, 'vi')} đến ngày ${formatDate(range.to, 'vi')}`;
  return `${formatDate(range.from, 'en')} – ${formatDate(range.to, 'en')}`;
}

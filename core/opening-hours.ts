/**
 * Opening hours of a ward's one-stop office (giờ làm việc), e.g. Monday to
 * Friday 07:30–11:30 and 13:30–17:00, Saturday morning. Alerts such as "a
 * terminal is offline" only matter while the office is open.
 */
import { arrayAt, decodeWith, itemPath, objectAt, ownValue, fieldPath, reject, show, typeName } from './json-input.ts';
import type { InputResult } from './json-input.ts';
import { VN_OFFSET_MINUTES, localParts } from './time.ts';

/** Weekday keys, Monday first (Vietnamese weeks start on Monday). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A weekday key. */
export type Weekday = (typeof WEEKDAYS)[number];

/** One opening interval, local wall-clock `HH:MM`, start < end, same day. */
export type OpeningInterval = readonly [start: string, end: string];

/** Open intervals per weekday; a missing or empty day is closed. */
export type OpeningHours = Readonly<Partial<Record<Weekday, readonly OpeningInterval[]>>>;

/** Most intervals a day may have. */
export const MAX_INTERVALS_PER_DAY = 4;

/** The usual hours of a ward office: Mon–Fri 07:30–11:30, 13:30–17:00; Saturday 07:30–11:30. */
export const DEFAULT_OPENING_HOURS: OpeningHours = Object.freeze({
  mon: [
    ['07:30', '11:30'],
    ['13:30', '17:00'],
  ],
  tue: [
    ['07:30', '11:30'],
    ['13:30', '17:00'],
  ],
  wed: [
    ['07:30', '11:30'],
    ['13:30', '17:00'],
  ],
  thu: [
    ['07:30', '11:30'],
    ['13:30', '17:00'],
  ],
  fri: [
    ['07:30', '11:30'],
    ['13:30', '17:00'],
  ],
  sat: [['07:30', '11:30']],
} satisfies OpeningHours);

const HHMM_RE = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

/** Minutes since midnight of `HH:MM` (24:00 is written 23:59). */
function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function timeAt(value: unknown, field: string): string {
  if (typeof value !== 'string' || !HHMM_RE.test(value)) {
    reject(
      'bad-text',
      `${field} must be a time HH:MM (00:00–23:59), got ${typeof value === 'string' ? show(value) : typeName(value)}`,
      field,
    );
  }
  return value;
}

/** Decoder step: reads opening hours at `field` ('' for a payload root). */
export function readOpeningHours(value: unknown, field: string): OpeningHours {
  const o = objectAt(value, field === '' ? undefined : field);
  const out: Partial<Record<Weekday, OpeningInterval[]>> = {};
  for (const key of Object.keys(o)) {
    const f = fieldPath(field, key);
    const day = WEEKDAYS.find((d) => d === key);
    if (day === undefined) reject('bad-enum', `${f}: days are ${WEEKDAYS.join(', ')}`, f);
    const intervals: OpeningInterval[] = [];
    arrayAt(ownValue(o, key), f, MAX_INTERVALS_PER_DAY).forEach((item, i) => {
      const fi = itemPath(f, i);
      const pair = arrayAt(item, fi, 2);
      if (pair.length !== 2) reject('bad-type', `${fi} must be ["HH:MM", "HH:MM"]`, fi);
      const start = timeAt(pair[0], itemPath(fi, 0));
      const end = timeAt(pair[1], itemPath(fi, 1));
      if (minutesOf(start) >= minutesOf(end)) reject('bad-order', `${fi}: ${start} is not before ${end}`, fi);
      const prev = intervals[intervals.length - 1];
      if (prev !== undefined && minutesOf(prev[1]) > minutesOf(start)) {
        reject('bad-order', `${fi} overlaps or precedes the interval before it`, fi);
      }
      intervals.push([start, end]);
    });
    out[day] = intervals;
  }
  return out;
}

/** Validates opening hours (JSON text or value); never throws. */
export function parseOpeningHours(input: unknown): InputResult<OpeningHours> {
  return decodeWith(input, 4096, (root) => readOpeningHours(root, ''));
}

/** True when the office is open at `epochMs` (local time at `offsetMinutes`, default Vietnam). */
export function isOpenAt(hours: OpeningHours, epochMs: number, offsetMinutes: number = VN_OFFSET_MINUTES): boolean {
  const t = localParts(epochMs, offsetMinutes);
  const day = WEEKDAYS[t.weekday] as Weekday;
  const now = t.hour * 60 + t.minute;
  return (hours[day] ?? []).some(([start, end]) => now >= minutesOf(start) && now < minutesOf(end));
}

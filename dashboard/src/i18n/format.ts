/**
 * Dates and times as people in the office read them: Vietnam time (UTC+7,
 * the core's fixed offset — a supervisor's PC clock zone does not matter),
 * `14:05`, `14:05:09`, `22/11/2026`. Numbers come from core/format.ts.
 */
import { formatDate, localParts } from '../../../core/index.ts';
import type { Locale } from '../../../core/index.ts';

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `hh:mm` in Vietnam time. */
export function formatTime(epochMs: number): string {
  const t = localParts(Math.round(epochMs));
  return `${pad2(t.hour)}:${pad2(t.minute)}`;
}

/** `hh:mm:ss` in Vietnam time. */
export function formatTimeSeconds(epochMs: number): string {
  const ms = Math.round(epochMs);
  const t = localParts(ms);
  const seconds = Math.floor((((ms % 60_000) + 60_000) % 60_000) / 1000);
  return `${pad2(t.hour)}:${pad2(t.minute)}:${pad2(seconds)}`;
}

/** The local date `YYYY-MM-DD` of an instant in Vietnam. */
export function localDate(epochMs: number): string {
  return localParts(Math.round(epochMs)).date;
}

/** `hh:mm` when the instant is today, else `hh:mm dd/mm/yyyy` (vi) / `hh:mm, 22 Nov 2026` (en). */
export function formatMoment(epochMs: number, now: number, locale: Locale): string {
  const date = localDate(epochMs);
  if (date === localDate(now)) return formatTime(epochMs);
  return locale === 'vi' ? `${formatTime(epochMs)} ${formatDate(date, 'vi')}` : `${formatTime(epochMs)}, ${formatDate(date, 'en')}`;
}

/**
 * Validating a tally from the network or a file (`parseTally`): every
 * count, key and limit checked, the hourly split adding up, and no more
 * presses than seq; never throws (invariant 2). Pure (core/: no I/O, no
 * Buffer).
 *
 * Separate from tally.ts because it is input validation, apart from the
 * counting maths (tally-fold.ts) it checks the output of.
 */
import { idAt } from './ids.ts';
import {
  arrayAt,
  itemPath,
  decodeWith,
  enumAt,
  intIn,
  objectAt,
  optionalField,
  ownValue,
  fieldPath,
  reject,
  requiredField,
  versionOne,
} from './json-input.ts';
import type { InputResult } from './json-input.ts';
import { LEVEL_KEYS } from './scale.ts';
import type { LevelKey } from './scale.ts';
import { MAX_OFFICERS_PER_DAY, MAX_REASONS_PER_DAY, TALLY_MAX_CHARS, ownEntry, type Tally, type TallyDay } from './tally-shape.ts';
import { MAX_EPOCH_MS, daysInMonth, isMonthKey } from './time.ts';
import { MAX_SEQ } from './vote.ts';

const DAY_KEY_RE = /^(0[1-9]|[12][0-9]|3[01])$/;
const HOUR_KEY_RE = /^([01][0-9]|2[0-3])$/;

// A count as a valid tally holds it; anything else goes through intIn for its error.
function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_SEQ;
}

// Dashboards validate a tally on every live vote, so the happy path builds
// no field-path strings: `parent` and `key` are joined only for an error.
function countsAt(value: unknown, parent: string, key: string, width: number): number[] {
  if (!Array.isArray(value) || value.length !== width) {
    const field = fieldPath(parent, key);
    const items = arrayAt(value, field, width);
    reject('inconsistent', `${field} has ${items.length} counts, levels has ${width}`, field);
  }
  const out = new Array<number>(width);
  for (let i = 0; i < width; i++) {
    const n: unknown = value[i];
    out[i] = isCount(n) ? n : intIn(n, itemPath(fieldPath(parent, key), i), 0, MAX_SEQ);
  }
  return out;
}

// Reads a record of count arrays with validated, sorted keys.
function countRecordAt(
  value: unknown,
  field: string,
  width: number,
  maxKeys: number,
  checkKey: (key: string, parent: string) => void,
): Record<string, number[]> {
  const o = objectAt(value, field);
  const keys = Object.keys(o);
  if (keys.length > maxKeys) reject('out-of-range', `${field} has ${keys.length} entries, at most ${maxKeys}`, field);
  const out: Record<string, number[]> = {};
  for (const key of keys.sort()) {
    checkKey(key, field);
    out[key] = countsAt(ownValue(o, key), field, key, width);
  }
  return out;
}

function sumsOf(record: Readonly<Record<string, readonly number[]>>, width: number): number[] {
  const sums = new Array<number>(width).fill(0);
  for (const counts of Object.values(record)) counts.forEach((n, i) => (sums[i] = (sums[i] ?? 0) + n));
  return sums;
}

function readDay(value: unknown, field: string, width: number): TallyDay {
  const o = objectAt(value, field);
  const rawC = ownValue(o, 'c');
  const c = countsAt(rawC === undefined || rawC === null ? requiredField(o, 'c', fieldPath(field, 'c')) : rawC, field, 'c', width);
  const rawF = ownValue(o, 'f');
  let f: [number, number];
  if (Array.isArray(rawF) && rawF.length === 2 && isCount(rawF[0]) && isCount(rawF[1])) f = [rawF[0], rawF[1]];
  else {
    const ff = fieldPath(field, 'f');
    const checked = arrayAt(requiredField(o, 'f', ff), ff, 2);
    if (checked.length !== 2) reject('inconsistent', `${ff} must be [cooldown, gated]`, ff);
    f = [intIn(checked[0], itemPath(ff, 0), 0, MAX_SEQ), intIn(checked[1], itemPath(ff, 1), 0, MAX_SEQ)];
  }
  const hf = fieldPath(field, 'h');
  const h = countRecordAt(requiredField(o, 'h', hf), hf, width, 24, (key, parent) => {
    if (!HOUR_KEY_RE.test(key)) reject('out-of-range', `${fieldPath(parent, key)}: hour keys are 00..23`, fieldPath(parent, key));
  });
  // The hourly split is the daily count broken down, so it must add up.
  if (sumsOf(h, width).some((n, i) => n !== c[i])) reject('inconsistent', `${hf} does not add up to ${field}.c`, hf);
  const rawO = optionalField(o, 'o');
  let officers: Record<string, number[]> | undefined;
  if (rawO !== undefined) {
    const of = fieldPath(field, 'o');
    officers = countRecordAt(rawO, of, width, MAX_OFFICERS_PER_DAY, (key, parent) => void idAt(key, fieldPath(parent, key)));
    // Votes without an officer exist, so per-officer sums may be below c, never above.
    if (sumsOf(officers, width).some((n, i) => n > (c[i] ?? 0))) reject('inconsistent', `${of} exceeds ${field}.c`, of);
  }
  const counted = c.reduce((s, n) => s + n, 0);
  const rawR = optionalField(o, 'r');
  const r = rawR === undefined ? undefined : reasonCountsAt(rawR, fieldPath(field, 'r'), counted);
  const rawRo = optionalField(o, 'ro');
  let ro: Record<string, Record<string, number>> | undefined;
  if (rawRo !== undefined) {
    const rof = fieldPath(field, 'ro');
    const byOfficer = objectAt(rawRo, rof);
    ro = {};
    for (const officer of Object.keys(byOfficer).sort()) {
      const of = fieldPath(rof, officer);
      // Reasons are itemised only for officers the day itemises, and never exceed their votes.
      const mine = officers === undefined ? undefined : ownEntry(officers, officer);
      if (mine === undefined) reject('inconsistent', `${of}: officer ${officer} is not in ${fieldPath(field, 'o')}`, of);
      ro[officer] = reasonCountsAt(
        ownValue(byOfficer, officer),
        of,
        mine.reduce((s, n) => s + n, 0),
      );
    }
  }
  return {
    c,
    f,
    h,
    ...(officers === undefined ? {} : { o: officers }),
    ...(r === undefined ? {} : { r }),
    ...(ro === undefined ? {} : { ro }),
  };
}

// A record of reason id → count; no count may exceed the votes it is about.
function reasonCountsAt(value: unknown, field: string, votes: number): Record<string, number> {
  const o = objectAt(value, field);
  const keys = Object.keys(o);
  if (keys.length > MAX_REASONS_PER_DAY)
    reject('out-of-range', `${field} has ${keys.length} reasons, at most ${MAX_REASONS_PER_DAY}`, field);
  const out: Record<string, number> = {};
  for (const key of keys.sort()) {
    const f = fieldPath(field, key);
    idAt(key, f);
    out[key] = intIn(ownValue(o, key), f, 0, votes);
  }
  return out;
}

function readTally(root: unknown): Tally {
  const o = objectAt(root, undefined);
  const v = versionOne(o);
  const district = idAt(requiredField(o, 'district', 'district'), 'district');
  const ward = idAt(requiredField(o, 'ward', 'ward'), 'ward');
  const counter = idAt(requiredField(o, 'counter', 'counter'), 'counter');
  const terminal = idAt(requiredField(o, 'terminal', 'terminal'), 'terminal');
  const month = requiredField(o, 'month', 'month');
  if (!isMonthKey(month)) reject('bad-month', `month must be YYYY-MM, got ${JSON.stringify(month)}`, 'month');
  const seq = intIn(requiredField(o, 'seq', 'seq'), 'seq', 0, MAX_SEQ);
  const updatedAt = intIn(requiredField(o, 'updatedAt', 'updatedAt'), 'updatedAt', 0, MAX_EPOCH_MS);
  const rawLevels = arrayAt(requiredField(o, 'levels', 'levels'), 'levels', LEVEL_KEYS.length);
  if (rawLevels.length === 0) reject('out-of-range', 'levels is empty', 'levels');
  const levels: LevelKey[] = [];
  rawLevels.forEach((item, i) => {
    const key = enumAt(item, itemPath('levels', i), LEVEL_KEYS);
    if (levels.includes(key)) reject('duplicate', `levels[${i}] ${key} is listed twice`, itemPath('levels', i));
    levels.push(key);
  });
  const rawDays = objectAt(requiredField(o, 'days', 'days'), 'days');
  const lastDay = daysInMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)));
  const days: Record<string, TallyDay> = {};
  let presses = 0;
  for (const key of Object.keys(rawDays).sort()) {
    const f = fieldPath('days', key);
    if (!DAY_KEY_RE.test(key) || Number(key) > lastDay) reject('bad-date', `${f}: ${month} has days 01..${lastDay}`, f);
    const day = readDay(ownValue(rawDays, key), f, levels.length);
    presses += day.c.reduce((s, n) => s + n, 0) + day.f[0] + day.f[1];
    days[key] = day;
  }
  // Every press folded in has its own seq <= tally.seq, so there cannot be
  // more presses than seq: this bounds counts and catches forged tallies.
  if (presses > seq) reject('inconsistent', `seq ${seq} is below the ${presses} presses counted`, 'seq');
  return { v, district, ward, counter, terminal, month, seq, updatedAt, levels, days };
}

/** Validates a tally (JSON text up to 1,000,000 chars, or a value) into a fresh object; never throws. */
export function parseTally(input: unknown): InputResult<Tally> {
  return decodeWith(input, TALLY_MAX_CHARS, readTally);
}

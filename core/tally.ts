/**
 * Per-terminal, per-month vote counters, retained on
 * `…/{terminal}/tally/{YYYY-MM}`. A tally is a pure function of the votes
 * folded into it, in seq order, and carries the highest seq it has seen:
 * replaying a vote is a no-op, and of two copies the later one (updatedAt,
 * then seq) is simply newer. That makes tallies convergent — any subscriber can
 * merge copies from bridges, caches and backups in any order and get the
 * same answer — without vector clocks or a database.
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
import { requireTerminalPath, sameTerminal } from './path.ts';
import type { TerminalPath } from './path.ts';
import { DEFAULT_SCALE, LEVEL_KEYS, isLevelKey, scaleKeys } from './scale.ts';
import type { LevelKey } from './scale.ts';
import { MAX_EPOCH_MS, VN_OFFSET_MINUTES, daysInMonth, isMonthKey, localParts } from './time.ts';
import { MAX_SEQ } from './vote.ts';
import type { Vote } from './vote.ts';

/** Counts of one local day. Arrays are indexed like `Tally.levels`. */
export interface TallyDay {
  /** Counted votes per level. */
  readonly c: readonly number[];
  /** Filtered presses: [cooldown, gated]. */
  readonly f: readonly [number, number];
  /** Counted votes per level by local hour `00`..`23` (hours without votes are absent). */
  readonly h: Readonly<Record<string, readonly number[]>>;
  /** Counted votes per level by officer id (absent when no vote named an officer). */
  readonly o?: Readonly<Record<string, readonly number[]>>;
  /**
   * Reasons given ("Chưa hài lòng về điều gì?"): counted votes naming each
   * reason id (a vote naming two counts once for each). Absent when no vote
   * of the day gave one, so tallies made before reasons were counted still
   * parse and mean the same.
   */
  readonly r?: Readonly<Record<string, number>>;
  /** Reasons by officer id, for officers itemised in `o` (absent when none). */
  readonly ro?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The tally payload (v1) of one terminal for one local month. */
export interface Tally extends TerminalPath {
  readonly v: 1;
  /** Local month `YYYY-MM`. */
  readonly month: string;
  /** Highest vote seq folded in; 0 = empty. */
  readonly seq: number;
  /** Highest `receivedAt` folded in (epoch ms); 0 when empty. */
  readonly updatedAt: number;
  /** Level keys: the order of every count array. Grows when a vote has a new level. */
  readonly levels: readonly LevelKey[];
  /** Days `01`..`31` with at least one press. */
  readonly days: Readonly<Record<string, TallyDay>>;
}

/** Longest tally accepted as JSON text. */
export const TALLY_MAX_CHARS = 1_000_000;

/** Most officers one tally day may list. */
export const MAX_OFFICERS_PER_DAY = 64;

/** Most distinct reason ids one tally day (or one officer's day) may count. */
export const MAX_REASONS_PER_DAY = 32;

/**
 * Adds one to each of `ids` in a sorted count record; ids beyond
 * `MAX_REASONS_PER_DAY` distinct ones are not itemised (the vote still counts).
 */
export function addReasons(record: Readonly<Record<string, number>> | undefined, ids: Iterable<string>): Record<string, number> | undefined {
  let out = record === undefined ? undefined : { ...record };
  for (const id of ids) {
    const known = out !== undefined && Object.hasOwn(out, id);
    if (!known && Object.keys(out ?? {}).length >= MAX_REASONS_PER_DAY) continue;
    out = withKey(out ?? {}, id, (known ? (out as Record<string, number>)[id] as number : 0) + 1);
  }
  return out;
}

/** An own property of a record, or undefined (never an inherited one such as `constructor`). */
export function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An empty tally; `levels` defaults to the default scale's keys. Throws on bad arguments. */
export function emptyTally(
  path: TerminalPath,
  month: string,
  levels: readonly LevelKey[] = scaleKeys(DEFAULT_SCALE),
): Tally {
  const p = requireTerminalPath(path, 'path');
  if (!isMonthKey(month)) throw new RangeError(`month must be YYYY-MM, got ${String(month)}`);
  if (levels.length === 0 || !levels.every(isLevelKey) || new Set(levels).size !== levels.length) {
    throw new RangeError(`levels must be distinct level keys, got ${JSON.stringify(levels)}`);
  }
  return { v: 1, ...p, month, seq: 0, updatedAt: 0, levels: [...levels], days: {} };
}

// Returns a copy of `record` with `key` set; keys stay sorted so that equal
// tallies serialise identically (stable retained payloads, cheap diffs).
function withKey<T>(record: Readonly<Record<string, T>>, key: string, value: T): Record<string, T> {
  const out: Record<string, T> = {};
  const keys = Object.keys(record);
  if (!Object.hasOwn(record, key)) {
    keys.push(key);
    keys.sort();
  }
  for (const k of keys) out[k] = k === key ? value : (record[k] as T);
  return out;
}

function bump(counts: readonly number[] | undefined, index: number, width: number): number[] {
  const out = counts === undefined ? new Array<number>(width).fill(0) : counts.slice();
  out[index] = (out[index] ?? 0) + 1;
  return out;
}

function pad(counts: readonly number[], width: number): number[] {
  const out = counts.slice();
  while (out.length < width) out.push(0);
  return out;
}

function padRecord(record: Readonly<Record<string, readonly number[]>>, width: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const k of Object.keys(record)) out[k] = pad(record[k] as readonly number[], width);
  return out;
}

// Adding a level widens every count array so that all stay as long as `levels`.
function widen(days: Readonly<Record<string, TallyDay>>, width: number): Record<string, TallyDay> {
  const out: Record<string, TallyDay> = {};
  for (const k of Object.keys(days)) {
    const d = days[k] as TallyDay;
    const wide: TallyDay = { c: pad(d.c, width), f: [d.f[0], d.f[1]], h: padRecord(d.h, width) };
    out[k] = { ...wide, ...(d.o === undefined ? {} : { o: padRecord(d.o, width) }), ...(d.r === undefined ? {} : { r: d.r }), ...(d.ro === undefined ? {} : { ro: d.ro }) };
  }
  return out;
}

/**
 * Folds one vote into a tally and returns the new tally (the input is not
 * modified). Returns the SAME object, unchanged, when the vote belongs to
 * another terminal or local month, or when `vote.seq <= tally.seq` (a
 * replay): this is what makes re-delivery idempotent. Votes of a terminal
 * must therefore be applied in seq order, which the serial protocol's
 * stop-and-wait delivery guarantees. Days and hours come from `pressedAt`
 * at `offsetMinutes` (default Vietnam, UTC+7).
 */
export function applyVote(tally: Tally, vote: Vote, offsetMinutes: number = VN_OFFSET_MINUTES): Tally {
  if (vote.seq <= tally.seq || !sameTerminal(tally, vote)) return tally;
  const t = localParts(vote.pressedAt, offsetMinutes);
  if (t.monthKey !== tally.month) return tally;
  let levels = tally.levels;
  let days = tally.days;
  let index = levels.indexOf(vote.level);
  // Only counted votes need a level slot; filtered presses are level-less.
  if (index < 0 && vote.filtered === undefined) {
    levels = [...levels, vote.level];
    days = widen(days, levels.length);
    index = levels.length - 1;
  }
  const width = levels.length;
  const day = ownEntry(days, t.dayKey);
  const f: [number, number] = day === undefined ? [0, 0] : [day.f[0], day.f[1]];
  let c = day === undefined ? new Array<number>(width).fill(0) : day.c;
  let h = day === undefined ? {} : day.h;
  let o = day?.o;
  let r = day?.r;
  let ro = day?.ro;
  if (vote.filtered === 'cooldown') f[0] += 1;
  // A second vote for a dossier and stage is a second vote for one service, like `gated`.
  else if (vote.filtered === 'gated' || vote.filtered === 'dossier') f[1] += 1;
  else {
    c = bump(c, index, width);
    h = withKey(h, t.hourKey, bump(ownEntry(h, t.hourKey), index, width));
    const known = o !== undefined && Object.hasOwn(o, vote.officer ?? '');
    // Past MAX_OFFICERS_PER_DAY a new officer is not itemised (the vote still
    // counts in c and h), so every tally applyVote makes also parses.
    if (vote.officer !== undefined && (known || Object.keys(o ?? {}).length < MAX_OFFICERS_PER_DAY)) {
      o = withKey(o ?? {}, vote.officer, bump(o === undefined ? undefined : ownEntry(o, vote.officer), index, width));
    }
    if (vote.reasons !== undefined && vote.reasons.length > 0) {
      const ids = [...new Set(vote.reasons)];
      r = addReasons(r, ids);
      if (vote.officer !== undefined && o !== undefined && Object.hasOwn(o, vote.officer)) {
        const mine = addReasons(ro === undefined ? undefined : ownEntry(ro, vote.officer), ids);
        if (mine !== undefined) ro = withKey(ro ?? {}, vote.officer, mine);
      }
    }
  }
  const nextDay: TallyDay = { c, f, h, ...(o === undefined ? {} : { o }), ...(r === undefined ? {} : { r }), ...(ro === undefined ? {} : { ro }) };
  return {
    v: 1,
    district: tally.district,
    ward: tally.ward,
    counter: tally.counter,
    terminal: tally.terminal,
    month: tally.month,
    seq: vote.seq,
    // Derived from the votes, not from a clock, so replicas that fold the
    // same votes produce byte-identical tallies.
    updatedAt: Math.max(tally.updatedAt, vote.receivedAt),
    levels,
    days: withKey(days, t.dayKey, nextDay),
  };
}

/** Folds many votes in order (see `applyVote`). */
export function applyVotes(tally: Tally, votes: Iterable<Vote>, offsetMinutes: number = VN_OFFSET_MINUTES): Tally {
  let out = tally;
  for (const vote of votes) out = applyVote(out, vote, offsetMinutes);
  return out;
}

/** JSON with object keys sorted at every depth: a canonical text for tie-breaking. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const parts = Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A total order on tallies of one terminal and month: the later
 * `updatedAt` is newer; on equal `updatedAt`, the higher `seq`; then the
 * canonical JSON text. Returns <0, 0 or >0 like a sort comparator.
 *
 * Along one bridge's history both `updatedAt` (the highest receivedAt
 * folded in, or the time of a revocation) and `seq` only grow, so this is
 * the order the copies were made in. Ordering by time first means a copy
 * folded again without some votes (a supervisor's revocation) replaces the
 * copies before it, and a forged copy cannot win for ever: it loses to the
 * next genuine copy made after its claimed time, which consumers bound by
 * their clock (core/tally-guard.ts `checkTallyClaim`).
 */
export function compareTallies(a: Tally, b: Tally): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt - b.updatedAt;
  if (a.seq !== b.seq) return a.seq - b.seq;
  if (a === b) return 0;
  const ca = canonicalJson(a);
  const cb = canonicalJson(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/**
 * Merges two copies of the same terminal-month tally by returning the
 * greater one under `compareTallies` (`a` when equal). Being a max over a
 * total order, merge is commutative, associative and idempotent. Throws
 * when the tallies are of different terminals or months (programmer error).
 */
export function mergeTally(a: Tally, b: Tally): Tally {
  if (!sameTerminal(a, b) || a.month !== b.month) {
    throw new RangeError(
      `b (${tallyKey(b)}) is not a copy of a (${tallyKey(a)}): only copies of one terminal-month merge`,
    );
  }
  return compareTallies(a, b) >= 0 ? a : b;
}

/** `d/w/c/t/YYYY-MM`: identifies the terminal-month a tally belongs to. */
export function tallyKey(t: Tally): string {
  return `${t.district}/${t.ward}/${t.counter}/${t.terminal}/${t.month}`;
}

/**
 * Keeps one tally per terminal-month (keyed by `tallyKey`), merging copies
 * with `mergeTally`: the input for folds, which must not see duplicates.
 */
export function latestTallies(tallies: Iterable<Tally>): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const t of tallies) {
    const key = tallyKey(t);
    const seen = out.get(key);
    out.set(key, seen === undefined ? t : mergeTally(seen, t));
  }
  return out;
}

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
      ro[officer] = reasonCountsAt(ownValue(byOfficer, officer), of, mine.reduce((s, n) => s + n, 0));
    }
  }
  return { c, f, h, ...(officers === undefined ? {} : { o: officers }), ...(r === undefined ? {} : { r }), ...(ro === undefined ? {} : { ro }) };
}

// A record of reason id → count; no count may exceed the votes it is about.
function reasonCountsAt(value: unknown, field: string, votes: number): Record<string, number> {
  const o = objectAt(value, field);
  const keys = Object.keys(o);
  if (keys.length > MAX_REASONS_PER_DAY) reject('out-of-range', `${field} has ${keys.length} reasons, at most ${MAX_REASONS_PER_DAY}`, field);
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

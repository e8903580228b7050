/**
 * A unit's month in one small payload, for the parent (district/province)
 * view: every terminal tally of one ward and one local month added up, day by
 * day and hour by hour, with the reasons given — but without officers and
 * without the counter/terminal split, which only a drill-down into the unit
 * needs. The hub derives it from the tallies it archives and retains it on
 * `hailong/v1/{parent}/{unit}/_summary/{YYYY-MM}`; the parent view folds it
 * exactly like a tally (`unitMonthTally`), so the ward, district and "all"
 * figures, the trend, the heat map and the reasons are the same numbers the
 * full tallies give (test/core/unit-month.test.ts, fast-check).
 * docs/ARCHITECTURE.md "The hub" gives the sizes.
 */
import { decodeWith, intIn, objectAt, ownValue, reject, requiredField } from './json-input.ts';
import type { InputResult } from './json-input.ts';
import { requireId } from './ids.ts';
import type { WardPath } from './path.ts';
import type { LevelKey } from './scale.ts';
import { MAX_REASONS_PER_DAY, TALLY_MAX_CHARS, canonicalJson, parseTally } from './tally.ts';
import type { Tally, TallyDay } from './tally.ts';
import { isMonthKey } from './time.ts';
import { MAX_SEQ } from './vote.ts';

/** A day of a unit's month: a tally day without officers (`o`, `ro`). */
export type UnitMonthDay = Omit<TallyDay, 'o' | 'ro'>;

/** The summary payload (v1) of one unit for one local month. */
export interface UnitMonth extends WardPath {
  readonly v: 1;
  /** Local month `YYYY-MM`. */
  readonly month: string;
  /** How many terminal tallies were added up. */
  readonly tallies: number;
  /** Sum of the tallies' seq (capped at MAX_SEQ): bounds the presses counted, as a tally's seq does. */
  readonly seq: number;
  /** Highest `updatedAt` of the tallies: a newer summary of the month replaces an older one. */
  readonly updatedAt: number;
  /** Level keys, in the order of every count array (the union of the tallies' levels). */
  readonly levels: readonly LevelKey[];
  /** Days `01`..`31` with at least one press. */
  readonly days: Readonly<Record<string, UnitMonthDay>>;
}

/** Longest summary accepted as JSON text: a tally's bound (a summary is at most one tally's shape). */
export const UNIT_MONTH_MAX_CHARS = TALLY_MAX_CHARS;

/** Most tallies one summary may add up (units of up to 10,000 terminals). */
export const MAX_UNIT_TALLIES = 10_000;

/**
 * The counter and terminal id a summary takes as a tally (`unitMonthTally`):
 * folds by ward, district or all ignore them; nothing keys a counter by it.
 */
export const UNIT_PLACE = 'unit';

interface DayAcc {
  c: number[];
  f: [number, number];
  h: Map<string, number[]>;
  r: Record<string, number> | undefined;
}

function addInto(target: number[], counts: readonly number[], mapping: readonly number[]): void {
  for (let i = 0; i < counts.length; i++) {
    const j = mapping[i] as number;
    target[j] = (target[j] ?? 0) + (counts[i] as number);
  }
}

// Fills the holes addInto leaves (a level first met in a later tally) and pads to `width`.
function widenTo(counts: number[], width: number): number[] {
  return Array.from({ length: width }, (_, i) => counts[i] ?? 0);
}

/**
 * Adds up the tallies of `place.ward` for `place.month` (others are
 * ignored). Pass ONE tally per terminal-month (`latestTallies`), as for any
 * fold. Reasons past MAX_REASONS_PER_DAY distinct ids a day are not itemised,
 * as in a tally. Throws on a bad place (programmer error).
 */
export function unitMonthOf(place: WardPath & { readonly month: string }, tallies: Iterable<Tally>): UnitMonth {
  const district = requireId(place.district, 'place.district');
  const ward = requireId(place.ward, 'place.ward');
  if (!isMonthKey(place.month)) throw new RangeError(`place.month must be YYYY-MM, got ${String(place.month)}`);
  const levels: LevelKey[] = [];
  const days = new Map<string, DayAcc>();
  let n = 0;
  let seq = 0;
  let updatedAt = 0;
  for (const t of tallies) {
    if (t.district !== district || t.ward !== ward || t.month !== place.month) continue;
    n += 1;
    seq = Math.min(MAX_SEQ, seq + t.seq);
    updatedAt = Math.max(updatedAt, t.updatedAt);
    const mapping = t.levels.map((key) => {
      const at = levels.indexOf(key);
      if (at >= 0) return at;
      levels.push(key);
      return levels.length - 1;
    });
    for (const dayKey of Object.keys(t.days)) {
      const day = t.days[dayKey] as TallyDay;
      let acc = days.get(dayKey);
      if (acc === undefined) days.set(dayKey, (acc = { c: [], f: [0, 0], h: new Map(), r: undefined }));
      addInto(acc.c, day.c, mapping);
      acc.f[0] += day.f[0];
      acc.f[1] += day.f[1];
      for (const hourKey of Object.keys(day.h)) {
        let hour = acc.h.get(hourKey);
        if (hour === undefined) acc.h.set(hourKey, (hour = []));
        addInto(hour, day.h[hourKey] as readonly number[], mapping);
      }
      if (day.r !== undefined) {
        acc.r ??= {};
        for (const id of Object.keys(day.r).sort()) {
          // As addReasons: past MAX_REASONS_PER_DAY distinct ids a new one is not itemised.
          if (!Object.hasOwn(acc.r, id) && Object.keys(acc.r).length >= MAX_REASONS_PER_DAY) continue;
          acc.r[id] = (Object.hasOwn(acc.r, id) ? (acc.r[id] as number) : 0) + (day.r[id] as number);
        }
      }
    }
  }
  const width = levels.length;
  const out: Record<string, UnitMonthDay> = {};
  for (const dayKey of [...days.keys()].sort()) {
    const d = days.get(dayKey) as DayAcc;
    const h: Record<string, number[]> = {};
    for (const hourKey of [...d.h.keys()].sort()) h[hourKey] = widenTo(d.h.get(hourKey) as number[], width);
    const r =
      d.r === undefined
        ? undefined
        : Object.fromEntries(
            Object.keys(d.r)
              .sort()
              .map((k) => [k, (d.r as Record<string, number>)[k] as number]),
          );
    out[dayKey] = { c: widenTo(d.c, width), f: d.f, h, ...(r === undefined ? {} : { r }) };
  }
  return { v: 1, district, ward, month: place.month, tallies: n, seq, updatedAt, levels, days: out };
}

/**
 * The summary seen as a tally of counter and terminal `UNIT_PLACE`, for the
 * core folds by ward, district or all (`foldTalliesBy`, `dailySeries`,
 * `heatmap`, `foldReasons`). Not for folds by counter, terminal or officer.
 */
export function unitMonthTally(u: UnitMonth): Tally {
  const { district, ward, month, seq, updatedAt, levels, days } = u;
  return { v: 1, district, ward, counter: UNIT_PLACE, terminal: UNIT_PLACE, month, seq, updatedAt, levels, days };
}

/**
 * A total order on summaries of one unit-month, like `compareTallies`: the
 * later `updatedAt`, then the higher `seq`, then more tallies, then the
 * canonical JSON. <0, 0 or >0 like a sort comparator.
 */
export function compareUnitMonths(a: UnitMonth, b: UnitMonth): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt - b.updatedAt;
  if (a.seq !== b.seq) return a.seq - b.seq;
  if (a.tallies !== b.tallies) return a.tallies - b.tallies;
  if (a === b) return 0;
  const ca = canonicalJson(a);
  const cb = canonicalJson(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/** `d/w/YYYY-MM`: identifies the unit-month a summary belongs to. */
export function unitMonthKey(u: WardPath & { readonly month: string }): string {
  return `${u.district}/${u.ward}/${u.month}`;
}

function readUnitMonth(root: unknown): UnitMonth {
  const o = objectAt(root, undefined);
  for (const field of ['counter', 'terminal']) {
    if (ownValue(o, field) !== undefined) reject('inconsistent', `a unit's summary has no ${field}`, field);
  }
  const tallies = intIn(requiredField(o, 'tallies', 'tallies'), 'tallies', 0, MAX_UNIT_TALLIES);
  // Same shape and bounds as a tally (counts add up, presses ≤ seq, ids, days of the month).
  const t = parseTally({ ...(o as Record<string, unknown>), counter: UNIT_PLACE, terminal: UNIT_PLACE });
  if (!t.ok) reject(t.code, t.message, t.field);
  const { district, ward, month, seq, updatedAt, levels, days } = t.value;
  for (const key of Object.keys(days)) {
    const day = days[key] as TallyDay;
    if (day.o !== undefined || day.ro !== undefined)
      reject('inconsistent', `days.${key}: a unit's summary names no officers`, `days.${key}`);
  }
  if (tallies === 0 && Object.keys(days).length > 0) reject('inconsistent', 'tallies is 0 but days are counted', 'tallies');
  return { v: 1, district, ward, month, tallies, seq, updatedAt, levels, days };
}

/** Validates a unit's summary (JSON text up to UNIT_MONTH_MAX_CHARS chars, or a value); never throws. */
export function parseUnitMonth(input: unknown): InputResult<UnitMonth> {
  return decodeWith(input, UNIT_MONTH_MAX_CHARS, readUnitMonth);
}

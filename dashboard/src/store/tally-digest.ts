/**
 * Memoised period figures. Tallies are immutable: a live vote REPLACES one
 * terminal-month tally with a new object. So the figures of each tally for
 * its whole month — its summary (overall and per officer), its hour ×
 * weekday grid, its per-day totals — are computed once by the core and kept
 * in WeakMaps keyed by the tally object. A recompute over a year then only
 * adds up those digests, plus a core fold of the tallies whose month the
 * range cuts (its first and last month). Results equal the core's
 * `foldTalliesBy`, `heatmap` and `dailySeries` exactly (tested).
 */
import {
  DEFAULT_SCALE,
  dailySeries,
  dateOfDayNumber,
  dayNumber,
  daysInMonth,
  foldTalliesBy,
  groupKey,
  heatmap,
  mergeSummaries,
  rangeLength,
  requireRange,
  summaryOf,
} from '../../../core/index.ts';
import type { DailyPoint, DateRange, GroupBy, Scale, Summary, Tally } from '../../../core/index.ts';

interface MonthDigest {
  readonly all: Summary;
  readonly officers: Map<string, Summary>;
  /** [total × days, satisfied × days] */
  readonly daily: Int32Array;
  /** Counted votes (every level) by weekday × hour, Monday first: index weekday × 24 + hour. */
  readonly grid: Int32Array;
}

const digests = new WeakMap<Tally, Map<Scale, MonthDigest>>();

function monthRange(t: Tally): DateRange {
  const days = daysInMonth(Number(t.month.slice(0, 4)), Number(t.month.slice(5, 7)));
  return { from: `${t.month}-01`, to: `${t.month}-${String(days).padStart(2, '0')}` };
}

// Splits tallies into those whose whole month lies in the range and those the range cuts.
function split(tallies: Iterable<Tally>, range: DateRange): { whole: Tally[]; partial: Tally[] } {
  const whole: Tally[] = [];
  const partial: Tally[] = [];
  const first = range.from.slice(0, 7);
  const last = range.to.slice(0, 7);
  for (const t of tallies) {
    if (t.month < first || t.month > last) continue;
    const m = monthRange(t);
    (range.from <= m.from && m.to <= range.to ? whole : partial).push(t);
  }
  return { whole, partial };
}

// "07" → 7: day and hour keys are two ASCII digits (validated by parseTally).
const twoDigits = (key: string) => (key.charCodeAt(0) - 48) * 10 + key.charCodeAt(1) - 48;

/**
 * One pass over a tally's month: the same sums the core's fold, daily
 * series and heat map make (level → scale mapping, unscaled levels,
 * filtered presses, officers), turned into Summaries by core `summaryOf`.
 * test/dashboard/store/tally-digest.test.ts checks equality with the core.
 */
function digestOf(t: Tally, scale: Scale): MonthDigest {
  let byScale = digests.get(t);
  if (byScale === undefined) digests.set(t, (byScale = new Map()));
  let d = byScale.get(scale);
  if (d !== undefined) return d;
  const width = scale.levels.length;
  const mapping = t.levels.map((key) => scale.levels.findIndex((l) => l.key === key));
  const satisfiedLevel = scale.levels.map((l) => l.satisfied);
  const monthDays = daysInMonth(Number(t.month.slice(0, 4)), Number(t.month.slice(5, 7)));
  const perLevel = new Array<number>(width).fill(0);
  const daily = new Int32Array(monthDays * 2);
  const grid = new Int32Array(168);
  const officerCounts = new Map<string, { perLevel: number[]; unscaled: number }>();
  let unscaled = 0;
  let cooldown = 0;
  let gated = 0;
  // Monday-first weekday of day "dd" is (base + dd) % 7; 1970-01-01 was a Thursday (3).
  const base = dayNumber(`${t.month}-01`) - 1 + 3;
  for (const dayKey in t.days) {
    const day = t.days[dayKey]!;
    const dd = twoDigits(dayKey);
    const c = day.c;
    for (let i = 0; i < c.length; i++) {
      const n = c[i]!;
      if (n === 0) continue;
      const j = mapping[i]!;
      if (j < 0) {
        unscaled += n;
        continue;
      }
      perLevel[j]! += n;
      daily[dd - 1]! += n;
      if (satisfiedLevel[j]) daily[monthDays + dd - 1]! += n;
    }
    cooldown += day.f[0];
    gated += day.f[1];
    const row = (((base + dd) % 7) + 7) % 7;
    for (const hourKey in day.h) {
      const counts = day.h[hourKey]!;
      let n = 0;
      for (let i = 0; i < counts.length; i++) n += counts[i]!;
      grid[row * 24 + twoDigits(hourKey)]! += n;
    }
    if (day.o !== undefined) {
      for (const officer in day.o) {
        let acc = officerCounts.get(officer);
        if (acc === undefined) officerCounts.set(officer, (acc = { perLevel: new Array<number>(width).fill(0), unscaled: 0 }));
        const counts = day.o[officer]!;
        for (let i = 0; i < counts.length; i++) {
          const n = counts[i]!;
          if (n === 0) continue;
          const j = mapping[i]!;
          if (j < 0) acc.unscaled += n;
          else acc.perLevel[j]! += n;
        }
      }
    }
  }
  const officers = new Map<string, Summary>();
  for (const officer of [...officerCounts.keys()].sort()) {
    const acc = officerCounts.get(officer)!;
    officers.set(`${t.district}/${t.ward}/${officer}`, summaryOf(scale, acc.perLevel, acc.unscaled));
  }
  d = { all: summaryOf(scale, perLevel, unscaled, { cooldown, gated }), officers, daily, grid };
  byScale.set(scale, d);
  return d;
}

/** `foldTalliesBy` with per-tally memoisation (same result, same key order). */
export function foldMemo(
  tallies: Iterable<Tally>,
  range: DateRange,
  by: readonly GroupBy[],
  scale: Scale,
): Map<GroupBy, Map<string, Summary>> {
  requireRange(range, 'range');
  const { whole, partial } = split(tallies, range);
  const core = foldTalliesBy(partial, { ...range, by, scale });
  const out = new Map<GroupBy, Map<string, Summary>>();
  for (const g of new Set(by)) {
    const lists = new Map<string, Summary[]>();
    const push = (key: string, s: Summary) => {
      const list = lists.get(key);
      if (list === undefined) lists.set(key, [s]);
      else list.push(s);
    };
    for (const [key, s] of core.get(g) ?? []) push(key, s);
    for (const t of whole) {
      const d = digestOf(t, scale);
      if (g === 'officer') for (const [key, s] of d.officers) push(key, s);
      else push(groupKey(t, g), d.all);
    }
    const merged = new Map<string, Summary>();
    for (const key of [...lists.keys()].sort()) {
      const list = lists.get(key)!;
      merged.set(key, list.length === 1 ? list[0]! : mergeSummaries(list, scale));
    }
    out.set(g, merged);
  }
  return out;
}

/** `heatmap` with per-tally memoisation. */
export function heatmapMemo(tallies: Iterable<Tally>, range: DateRange): number[][] {
  requireRange(range, 'range');
  const { whole, partial } = split(tallies, range);
  const grid = heatmap(partial, range);
  for (const t of whole) {
    // The grid does not depend on the scale: any scale's digest has it.
    const memo = digests.get(t);
    const g = (memo?.values().next().value ?? digestOf(t, DEFAULT_SCALE)).grid;
    for (let i = 0; i < 168; i++) {
      if (g[i] !== 0) (grid[Math.floor(i / 24)] as number[])[i % 24]! += g[i]!;
    }
  }
  return grid;
}

/** `dailySeries` with per-tally memoisation. */
export function dailySeriesMemo(tallies: Iterable<Tally>, range: DateRange, scale: Scale): DailyPoint[] {
  requireRange(range, 'range');
  const { whole, partial } = split(tallies, range);
  const base = dailySeries(partial, range, scale);
  const length = rangeLength(range);
  const totals = new Float64Array(length);
  const satisfied = new Float64Array(length);
  base.forEach((p, i) => {
    totals[i] = p.total;
    satisfied[i] = p.satisfied;
  });
  const start = dayNumber(range.from);
  for (const t of whole) {
    const d = digestOf(t, scale).daily;
    const days = d.length / 2;
    const offset = dayNumber(`${t.month}-01`) - start;
    for (let i = 0; i < days; i++) {
      totals[offset + i]! += d[i]!;
      satisfied[offset + i]! += d[days + i]!;
    }
  }
  return Array.from(totals, (total, i) => ({
    date: dateOfDayNumber(start + i),
    total,
    satisfied: satisfied[i]!,
    satisfiedRatio: total === 0 ? null : satisfied[i]! / total,
  }));
}

/**
 * Folding monthly tallies into report figures for any date range and any
 * level of the hierarchy. This runs in the browser on every dashboard
 * refresh over a whole district-year (≈12,000 tallies), so the inner loops
 * are plain index loops over day entries: level→scale mapping is computed
 * once per tally, day keys are compared as strings, nothing is allocated
 * per day or per vote.
 *
 * Pass ONE tally per terminal-month: merge copies first (`latestTallies`),
 * otherwise votes are counted twice.
 */
import { counterKey, terminalKey, wardKey } from './path.ts';
import type { TerminalPath } from './path.ts';
import { LEVEL_KEYS } from './scale.ts';
import type { Scale } from './scale.ts';
import { summaryOf } from './summary.ts';
import type { Summary } from './summary.ts';
import type { Tally, TallyDay } from './tally.ts';
import { dateOfDayNumber, dayNumber, rangeLength, requireRange } from './time.ts';
import type { DateRange } from './time.ts';

/** What a fold groups by. */
export type GroupBy = 'terminal' | 'counter' | 'ward' | 'district' | 'officer' | 'all';

/** Every grouping, for validation and UIs. */
export const GROUP_BYS: readonly GroupBy[] = ['terminal', 'counter', 'ward', 'district', 'officer', 'all'];

/** Group key used when folding by `all`. */
export const ALL_KEY = 'all';

/** Longest range `dailySeries` accepts (about ten years). */
export const MAX_SERIES_DAYS = 3660;

/** Options of `foldTallies`: an inclusive local date range, a grouping and the scale to judge levels by. */
export interface FoldOptions extends DateRange {
  readonly by: GroupBy;
  readonly scale: Scale;
}

/**
 * The group key of a place: `d/w/c/t` (terminal), `d/w/c` (counter), `d/w`
 * (ward), `d` (district) or `all`. Officers are keyed `d/w/officer`, since
 * officer ids are only unique within a ward office.
 */
export function groupKey(p: TerminalPath, by: Exclude<GroupBy, 'officer'>): string {
  switch (by) {
    case 'terminal':
      return terminalKey(p);
    case 'counter':
      return counterKey(p);
    case 'ward':
      return wardKey(p);
    case 'district':
      return p.district;
    case 'all':
      return ALL_KEY;
  }
}

interface Accumulator {
  readonly perLevel: number[];
  unscaled: number;
  cooldown: number;
  gated: number;
}

// The day keys of `month` that fall in the range, as [first, last], or
// undefined when the month lies outside it.
function daySpan(month: string, range: DateRange): readonly [string, string] | undefined {
  const fromMonth = range.from.slice(0, 7);
  const toMonth = range.to.slice(0, 7);
  if (month < fromMonth || month > toMonth) return undefined;
  return [month === fromMonth ? range.from.slice(8) : '01', month === toMonth ? range.to.slice(8) : '31'];
}

function accumulatorFor(groups: Map<string, Accumulator>, key: string, width: number): Accumulator {
  let acc = groups.get(key);
  if (acc === undefined) {
    acc = { perLevel: new Array<number>(width).fill(0), unscaled: 0, cooldown: 0, gated: 0 };
    groups.set(key, acc);
  }
  return acc;
}

// Adds one count array, mapped tally level → scale level (-1 = not in scale).
function addCounts(acc: Accumulator, counts: readonly number[], mapping: readonly number[]): void {
  for (let i = 0; i < mapping.length; i++) {
    const n = counts[i] as number;
    if (n === 0) continue;
    const j = mapping[i] as number;
    if (j < 0) acc.unscaled += n;
    else acc.perLevel[j] = (acc.perLevel[j] as number) + n;
  }
}

// "07" → 7 without Number() parsing: day and hour keys are two ASCII digits.
function twoDigits(key: string): number {
  return (key.charCodeAt(0) - 48) * 10 + key.charCodeAt(1) - 48;
}

function scaleMapping(tally: Tally, scale: Scale): number[] {
  return tally.levels.map((key) => scale.levels.findIndex((l) => l.key === key));
}

/** Options of `foldTalliesBy`: like `FoldOptions` but with several groupings at once. */
export interface MultiFoldOptions extends DateRange {
  readonly by: readonly GroupBy[];
  readonly scale: Scale;
}

function finish(groups: Map<string, Accumulator>, scale: Scale): Map<string, Summary> {
  const out = new Map<string, Summary>();
  for (const key of [...groups.keys()].sort()) {
    const acc = groups.get(key) as Accumulator;
    out.set(key, summaryOf(scale, acc.perLevel, acc.unscaled, { cooldown: acc.cooldown, gated: acc.gated }));
  }
  return out;
}

/**
 * Folds tallies into several groupings in ONE pass over the day entries
 * (e.g. counters, wards and districts for a dashboard): each tally's
 * in-range counts are summed once, then added to one group per grouping.
 * Returns one map per requested grouping, each as `foldTallies` returns it.
 */
export function foldTalliesBy(tallies: Iterable<Tally>, options: MultiFoldOptions): Map<GroupBy, Map<string, Summary>> {
  const range = requireRange(options, 'options');
  const { scale } = options;
  const bys = [...new Set(options.by)];
  for (const by of bys) {
    if (!GROUP_BYS.includes(by)) {
      throw new RangeError(`options.by must hold ${GROUP_BYS.join(', ')}, got ${String(by)}`);
    }
  }
  const width = scale.levels.length;
  const places = bys.filter((by): by is Exclude<GroupBy, 'officer'> => by !== 'officer');
  const placeGroups = places.map(() => new Map<string, Accumulator>());
  const officerGroups = bys.includes('officer') ? new Map<string, Accumulator>() : undefined;
  // One scratch row of per-tally sums, reused: no allocation per day.
  const sums: number[] = new Array<number>(LEVEL_KEYS.length).fill(0);
  for (const tally of tallies) {
    const span = daySpan(tally.month, range);
    if (span === undefined) continue;
    const [first, last] = span;
    const mapping = scaleMapping(tally, scale);
    const levels = mapping.length;
    sums.fill(0);
    let cooldown = 0;
    let gated = 0;
    let officerAccs: Map<string, Accumulator> | undefined;
    const whole = first === '01' && last === '31';
    const days = tally.days;
    // Whole months (all but the range's first and last) need no day keys,
    // and Object.values is markedly faster than keyed lookups.
    const keys = whole ? undefined : Object.keys(days);
    const entries = whole ? Object.values(days) : undefined;
    const count = keys === undefined ? (entries as TallyDay[]).length : keys.length;
    for (let k = 0; k < count; k++) {
      let day: TallyDay;
      if (keys === undefined) day = (entries as TallyDay[])[k] as TallyDay;
      else {
        const dayKey = keys[k] as string;
        if (dayKey < first || dayKey > last) continue;
        day = days[dayKey] as TallyDay;
      }
      const c = day.c;
      for (let i = 0; i < levels; i++) sums[i] = (sums[i] as number) + (c[i] as number);
      cooldown += day.f[0];
      gated += day.f[1];
      if (officerGroups !== undefined && day.o !== undefined) {
        const officers = day.o;
        // Resolve each officer's group once per tally, not once per day.
        officerAccs ??= new Map<string, Accumulator>();
        for (const officer of Object.keys(officers)) {
          let acc = officerAccs.get(officer);
          if (acc === undefined) {
            acc = accumulatorFor(officerGroups, `${tally.district}/${tally.ward}/${officer}`, width);
            officerAccs.set(officer, acc);
          }
          addCounts(acc, officers[officer] as readonly number[], mapping);
        }
      }
    }
    for (let g = 0; g < places.length; g++) {
      const key = groupKey(tally, places[g] as Exclude<GroupBy, 'officer'>);
      const acc = accumulatorFor(placeGroups[g] as Map<string, Accumulator>, key, width);
      addCounts(acc, sums, mapping);
      acc.cooldown += cooldown;
      acc.gated += gated;
    }
  }
  const out = new Map<GroupBy, Map<string, Summary>>();
  for (const by of bys) {
    const groups = by === 'officer' ? officerGroups : placeGroups[places.indexOf(by)];
    out.set(by, finish(groups as Map<string, Accumulator>, scale));
  }
  return out;
}

/**
 * Folds tallies into one `Summary` per group over the inclusive local date
 * range `from`..`to` (keys sorted). Groups whose tallies overlap the range
 * appear even with no votes in it (total 0, ratios null); officer groups
 * appear only for officers with votes, and carry no filtered counts
 * (filtered presses are not attributed to officers). To get several
 * groupings, `foldTalliesBy` does them in a single pass.
 */
export function foldTallies(tallies: Iterable<Tally>, options: FoldOptions): Map<string, Summary> {
  const result = foldTalliesBy(tallies, { from: options.from, to: options.to, scale: options.scale, by: [options.by] });
  return result.get(options.by) as Map<string, Summary>;
}

/** One day of a trend chart. */
export interface DailyPoint {
  readonly date: string;
  /** Counted votes at levels of the scale. */
  readonly total: number;
  readonly satisfied: number;
  /** satisfied / total; null on days without votes. */
  readonly satisfiedRatio: number | null;
}

function requireSeriesRange(range: DateRange): number {
  requireRange(range, 'range');
  const length = rangeLength(range);
  if (length > MAX_SERIES_DAYS) throw new RangeError(`range spans ${length} days, at most ${MAX_SERIES_DAYS}`);
  return length;
}

/** Per-day totals and satisfied counts over the range, every day present (days without votes have total 0). */
export function dailySeries(tallies: Iterable<Tally>, range: DateRange, scale: Scale): DailyPoint[] {
  const length = requireSeriesRange(range);
  const start = dayNumber(range.from);
  const totals = new Array<number>(length).fill(0);
  const satisfied = new Array<number>(length).fill(0);
  const satisfiedLevel = scale.levels.map((l) => l.satisfied);
  for (const tally of tallies) {
    const span = daySpan(tally.month, range);
    if (span === undefined) continue;
    const mapping = scaleMapping(tally, scale);
    // Day number of the month's day 00, so that day "dd" is base + dd.
    const base = dayNumber(`${tally.month}-01`) - 1 - start;
    for (const dayKey of Object.keys(tally.days)) {
      if (dayKey < span[0] || dayKey > span[1]) continue;
      const index = base + twoDigits(dayKey);
      const counts = (tally.days[dayKey] as TallyDay).c;
      for (let i = 0; i < counts.length; i++) {
        const j = mapping[i] as number;
        if (j < 0) continue;
        totals[index] = (totals[index] as number) + (counts[i] as number);
        if (satisfiedLevel[j]) satisfied[index] = (satisfied[index] as number) + (counts[i] as number);
      }
    }
  }
  return totals.map((total, i) => {
    const s = satisfied[i] as number;
    return { date: dateOfDayNumber(start + i), total, satisfied: s, satisfiedRatio: total === 0 ? null : s / total };
  });
}

/**
 * Counted votes (all levels) by local weekday × hour over the range:
 * `grid[weekday][hour]`, weekday Monday = 0 … Sunday = 6, hour 0..23.
 */
export function heatmap(tallies: Iterable<Tally>, range: DateRange): number[][] {
  requireRange(range, 'range');
  const grid = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (const tally of tallies) {
    const span = daySpan(tally.month, range);
    if (span === undefined) continue;
    // 1970-01-01 was a Thursday (Monday-first index 3); day "dd" is base + dd.
    const base = dayNumber(`${tally.month}-01`) - 1 + 3;
    for (const dayKey of Object.keys(tally.days)) {
      if (dayKey < span[0] || dayKey > span[1]) continue;
      const row = grid[(((base + twoDigits(dayKey)) % 7) + 7) % 7] as number[];
      const hours = (tally.days[dayKey] as TallyDay).h;
      for (const hourKey of Object.keys(hours)) {
        const counts = hours[hourKey] as readonly number[];
        let n = 0;
        for (let i = 0; i < counts.length; i++) n += counts[i] as number;
        const hour = twoDigits(hourKey);
        row[hour] = (row[hour] as number) + n;
      }
    }
  }
  return grid;
}

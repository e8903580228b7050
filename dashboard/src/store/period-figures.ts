/**
 * Figures of a period for the district view: one fold over every tally for
 * the period and one for the previous period, then ranked rows for any
 * level of the drill-down (wards of a district, counters of a ward,
 * officers of a counter) with the comparison and the target. Pure.
 */
import { DEFAULT_MIN_VOTES, PERCENT_DIGITS, fewVotes, meetsTarget, percent, wilsonLowerBound } from '../../../core/index.ts';
import type { DailyPoint, DateRange, GroupBy, Scale, Summary, Tally } from '../../../core/index.ts';
import { dailySeriesMemo, foldMemo } from './tally-digest.ts';

/** One ranked line. Percentages are exact, half-up at the live precision (`PERCENT_DIGITS.live`). */
export interface RankedRow {
  readonly key: string;
  readonly name: string;
  readonly summary: Summary;
  readonly percent: number | null;
  readonly previousPercent: number | null;
  /** Change in percentage points against the previous period (live precision), null when either is missing. */
  readonly delta: number | null;
  readonly target: number;
  /** Fewer votes than the ward's minimum: marked "ít lượt", not judged. */
  readonly few: boolean;
  /** Lower bound of the 95% Wilson interval of the satisfied share (0..1): what rows are ranked by. */
  readonly lowerBound: number;
  /** Met the target? null without votes or with few votes. */
  readonly achieved: boolean | null;
}

/** Folds of one period and its predecessor, by several groupings at once. */
export interface PeriodFold {
  readonly current: Map<GroupBy, Map<string, Summary>>;
  readonly previous: Map<GroupBy, Map<string, Summary>>;
}

/** Folds `tallies` over `range` and `previous` by district, ward, counter and all (memoised per tally). */
export function foldPeriod(
  tallies: readonly Tally[],
  range: DateRange,
  previous: DateRange,
  scale: Scale,
  by: readonly GroupBy[] = ['district', 'ward', 'counter', 'all'],
): PeriodFold {
  return {
    current: foldMemo(tallies, range, by, scale),
    previous: foldMemo(tallies, previous, by, scale),
  };
}

/** Difference of two percentages of at most 2 decimals, exact in hundredths. */
export function percentDelta(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null) return null;
  return Math.round(current * 100 - previous * 100) / 100;
}

/**
 * Rows for the groups of `current` whose key starts with `prefix`, ranked by
 * the Wilson lower bound of % satisfied (best first, so 5 of 5 does not beat
 * 880 of 900; units without votes last), then by votes, then by name.
 * `minVotes` gives each row's "ít lượt" threshold (default 30).
 */
export function rankRows(
  current: Map<string, Summary> | undefined,
  previous: Map<string, Summary> | undefined,
  prefix: string,
  name: (key: string) => string,
  target: (key: string) => number,
  minVotes: (key: string) => number = () => DEFAULT_MIN_VOTES,
): RankedRow[] {
  const rows: RankedRow[] = [];
  for (const [key, summary] of current ?? []) {
    if (!key.startsWith(prefix)) continue;
    const p = percent(summary.satisfied, summary.total, PERCENT_DIGITS.live);
    const before = previous?.get(key);
    const pp = before === undefined ? null : percent(before.satisfied, before.total, PERCENT_DIGITS.live);
    const goal = target(key);
    const few = fewVotes(summary.total, minVotes(key));
    const lowerBound = wilsonLowerBound(summary.satisfied, summary.total);
    const achieved = few ? null : meetsTarget(summary, goal);
    rows.push({
      key,
      name: name(key),
      summary,
      percent: p,
      previousPercent: pp,
      delta: percentDelta(p, pp),
      target: goal,
      few,
      lowerBound,
      achieved,
    });
  }
  const rank = (r: RankedRow) => (r.summary.total === 0 ? -1 : r.lowerBound);
  return rows.sort((a, b) => rank(b) - rank(a) || b.summary.total - a.summary.total || a.name.localeCompare(b.name, 'vi'));
}

/** Tallies under a place prefix (`d/`, `d/w/`, `d/w/c/`; '' = all). */
export function talliesUnder(tallies: Iterable<Tally>, prefix: string): Tally[] {
  const out: Tally[] = [];
  for (const t of tallies) if (prefix === '' || `${t.district}/${t.ward}/${t.counter}/`.startsWith(prefix)) out.push(t);
  return out;
}

/** A point of the trend chart: a day, or a week for long ranges. */
export interface TrendPoint {
  /** First date of the bucket. */
  readonly date: string;
  readonly total: number;
  readonly satisfied: number;
  readonly percent: number | null;
}

/** Daily points, or weekly buckets (7 days from the range start) when the range is longer than `maxDaily` days. */
export function trendPoints(tallies: readonly Tally[], range: DateRange, scale: Scale, maxDaily = 92): TrendPoint[] {
  const days: DailyPoint[] = dailySeriesMemo(tallies, range, scale);
  const size = days.length > maxDaily ? 7 : 1;
  const out: TrendPoint[] = [];
  for (let i = 0; i < days.length; i += size) {
    let total = 0;
    let sat = 0;
    for (const d of days.slice(i, i + size)) {
      total += d.total;
      sat += d.satisfied;
    }
    out.push({ date: (days[i] as DailyPoint).date, total, satisfied: sat, percent: percent(sat, total, 2) });
  }
  return out;
}

/**
 * Reasons for low ratings, folded from tallies like the figures are: for a
 * date range and a grouping (counter, ward, officer, all …), how many low
 * votes named each reason. Shares are taken of the low votes (the kiosk asks
 * "Chưa hài lòng về điều gì?" only after a low rating), so "thời gian chờ:
 * 5 (42%)" means 5 of the group's 12 unsatisfied votes named waiting time.
 * Pass ONE tally per terminal-month (see `latestTallies`).
 */
import { groupKey } from './fold.ts';
import type { GroupBy } from './fold.ts';
import { percent } from './percent.ts';
import type { Scale } from './scale.ts';
import type { Tally, TallyDay } from './tally.ts';
import { requireRange } from './time.ts';
import type { DateRange } from './time.ts';

/** Reasons of one group. */
export interface ReasonSummary {
  /** Counted votes at unsatisfied levels of the scale: what shares are of. */
  readonly low: number;
  /** Votes naming each reason id, most named first (then by id). */
  readonly reasons: readonly ReasonCount[];
}

/** One reason's count and its share of the low votes. */
export interface ReasonCount {
  readonly id: string;
  readonly n: number;
  /** n / low × 100, exact and rounded half-up at `digits`; null when there are no low votes. */
  readonly share: number | null;
}

/** Options of `foldReasons`. */
export interface ReasonFoldOptions extends DateRange {
  readonly by: GroupBy;
  readonly scale: Scale;
  /** Decimals of the shares. @default 1 */
  readonly digits?: number;
}

function add(into: Map<string, number>, record: Readonly<Record<string, number>>): void {
  for (const id of Object.keys(record)) into.set(id, (into.get(id) ?? 0) + (record[id] as number));
}

/** Reasons per group over the inclusive local range; groups without low votes or reasons are left out. */
export function foldReasons(tallies: Iterable<Tally>, options: ReasonFoldOptions): Map<string, ReasonSummary> {
  const range = requireRange(options, 'options');
  const digits = options.digits ?? 1;
  const lowLevel = new Set(options.scale.levels.filter((l) => !l.satisfied).map((l) => l.key));
  const groups = new Map<string, { low: number; reasons: Map<string, number> }>();
  const group = (key: string) => {
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { low: 0, reasons: new Map() }));
    return g;
  };
  const fromMonth = range.from.slice(0, 7);
  const toMonth = range.to.slice(0, 7);
  for (const tally of tallies) {
    if (tally.month < fromMonth || tally.month > toMonth) continue;
    const low = tally.levels.map((k) => lowLevel.has(k));
    for (const dayKey of Object.keys(tally.days)) {
      const date = `${tally.month}-${dayKey}`;
      if (date < range.from || date > range.to) continue;
      const day = tally.days[dayKey] as TallyDay;
      if (options.by === 'officer') {
        for (const officer of Object.keys(day.o ?? {})) {
          const g = group(`${tally.district}/${tally.ward}/${officer}`);
          (day.o?.[officer] ?? []).forEach((n, i) => (g.low += low[i] ? n : 0));
          const mine = day.ro?.[officer];
          if (mine !== undefined) add(g.reasons, mine);
        }
        continue;
      }
      const g = group(groupKey(tally, options.by));
      day.c.forEach((n, i) => (g.low += low[i] ? n : 0));
      if (day.r !== undefined) add(g.reasons, day.r);
    }
  }
  const out = new Map<string, ReasonSummary>();
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    if (g.low === 0 && g.reasons.size === 0) continue;
    const reasons = [...g.reasons]
      .map(([id, n]) => ({ id, n, share: g.low === 0 ? null : percent(Math.min(n, g.low), g.low, digits) }))
      .sort((a, b) => b.n - a.n || (a.id < b.id ? -1 : 1));
    out.set(key, { low: g.low, reasons });
  }
  return out;
}

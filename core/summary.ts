/**
 * The figures of a report line: how many counted votes, how many at each
 * level, the "% hài lòng và rất hài lòng" and a points index, for one
 * terminal, counter, ward, district, officer or everything, under one scale.
 */
import { percent } from './percent.ts';
import { maxPoints } from './scale.ts';
import type { LevelKey, Scale } from './scale.ts';

/** Filtered presses, never part of any percentage. */
export interface FilteredCounts {
  /** Pressed again inside the cooldown. */
  readonly cooldown: number;
  /** Pressed while gated rating was closed. */
  readonly gated: number;
}

/**
 * Figures under one scale. `total` counts only counted votes whose level is
 * in the scale; counted votes at other levels (a terminal that ran another
 * scale for a while) are left out of every ratio and reported in `unscaled`.
 */
export interface Summary {
  /** Counted votes at levels of the scale. */
  readonly total: number;
  /** Votes per level, one entry for every level of the scale (0 included). */
  readonly counts: Readonly<Partial<Record<LevelKey, number>>>;
  readonly filtered: FilteredCounts;
  /** Votes at satisfied levels. */
  readonly satisfied: number;
  /** Counted votes at levels the scale does not have (excluded from `total`). */
  readonly unscaled: number;
  /** Sum of the points of all `total` votes. */
  readonly points: number;
  /** The scale's highest points value. */
  readonly maxPoints: number;
  /** satisfied / total (0..1); null when total = 0. */
  readonly satisfiedRatio: number | null;
  /**
   * Points index = points / (total × maxPoints) × 100, on 0–100: 100 when
   * every vote is at the top level, 0 when all are at a 0-point level.
   * Null when total = 0 or the scale's points are all 0.
   */
  readonly pointsIndex: number | null;
}

/** Builds a summary from per-level counts aligned with `scale.levels` (the fast path used by folds). */
export function summaryOf(
  scale: Scale,
  perLevel: ArrayLike<number>,
  unscaled: number = 0,
  filtered: FilteredCounts = { cooldown: 0, gated: 0 },
): Summary {
  const counts: Partial<Record<LevelKey, number>> = {};
  let total = 0;
  let satisfied = 0;
  let points = 0;
  scale.levels.forEach((level, i) => {
    const n = perLevel[i] ?? 0;
    counts[level.key] = n;
    total += n;
    points += n * level.points;
    if (level.satisfied) satisfied += n;
  });
  const top = maxPoints(scale);
  return {
    total,
    counts,
    filtered: { cooldown: filtered.cooldown, gated: filtered.gated },
    satisfied,
    unscaled,
    points,
    maxPoints: top,
    satisfiedRatio: total === 0 ? null : satisfied / total,
    pointsIndex: total === 0 || top === 0 ? null : (points / (total * top)) * 100,
  };
}

/** A summary with no votes. */
export function emptySummary(scale: Scale): Summary {
  return summaryOf(scale, []);
}

/**
 * Builds a summary from counts keyed by level (any keys: those not in the
 * scale go to `unscaled`). Handy for raw recounts and tests.
 */
export function summarize(countsByLevel: Readonly<Record<string, number>>, scale: Scale, filtered?: FilteredCounts): Summary {
  const perLevel = scale.levels.map((l) => (Object.hasOwn(countsByLevel, l.key) ? (countsByLevel[l.key] ?? 0) : 0));
  let unscaled = 0;
  for (const key of Object.keys(countsByLevel)) {
    if (!scale.levels.some((l) => l.key === key)) unscaled += countsByLevel[key] ?? 0;
  }
  return summaryOf(scale, perLevel, unscaled, filtered);
}

/** Adds up summaries made under the same `scale` (e.g. wards into a district). */
export function mergeSummaries(summaries: Iterable<Summary>, scale: Scale): Summary {
  const perLevel = new Array<number>(scale.levels.length).fill(0);
  let unscaled = 0;
  let cooldown = 0;
  let gated = 0;
  const top = maxPoints(scale);
  let index = 0;
  for (const s of summaries) {
    // Summaries of another scale would silently lose levels: refuse them.
    if (s.maxPoints !== top || Object.keys(s.counts).some((k) => !scale.levels.some((l) => l.key === k))) {
      throw new RangeError(`summaries[${index}] was not made under scale ${scale.id}`);
    }
    index += 1;
    scale.levels.forEach((level, i) => {
      perLevel[i] = (perLevel[i] ?? 0) + (s.counts[level.key] ?? 0);
    });
    unscaled += s.unscaled;
    cooldown += s.filtered.cooldown;
    gated += s.filtered.gated;
  }
  return summaryOf(scale, perLevel, unscaled, { cooldown, gated });
}

/** "% hài lòng và rất hài lòng", exact and rounded half-up (see `percent`); null without votes. */
export function satisfiedPercent(summary: Summary, digits: number = 2): number | null {
  return percent(summary.satisfied, summary.total, digits);
}

/** Share of votes at one level, exact and rounded half-up; null without votes. */
export function levelPercent(summary: Summary, key: LevelKey, digits: number = 2): number | null {
  return percent(summary.counts[key] ?? 0, summary.total, digits);
}

/** The points index, exact and rounded half-up (see `Summary.pointsIndex`); null without votes. */
export function pointsPercent(summary: Summary, digits: number = 2): number | null {
  return summary.maxPoints === 0 ? null : percent(summary.points, summary.total * summary.maxPoints, digits);
}

/**
 * Whether the summary meets a target "% hài lòng và rất hài lòng" (0..100),
 * judged on the exact ratio (satisfied × 100 ≥ target × total), never on a
 * rounded figure: 79,996% shows as 80,0% but has not met 80%. Null without votes.
 */
export function meetsTarget(summary: Summary, target: number): boolean | null {
  if (summary.total === 0) return null;
  return summary.satisfied * 100 >= target * summary.total;
}

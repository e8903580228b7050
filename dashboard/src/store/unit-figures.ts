/**
 * The district view's input at a hub: the units' monthly summaries
 * (core/unit-month.ts, ~1 per unit and month) seen as tallies, instead of
 * every terminal's tallies. The core folds by ward, district and all give
 * the same figures from either (test/dashboard/store/unit-figures.test.ts);
 * the counter and officer levels of a drill-down need the unit's tallies.
 */
import { unitMonthTally } from '../../../core/index.ts';
import type { Tally, UnitMonth } from '../../../core/index.ts';

// One tally object per summary object, so the digests memoised per tally (tally-digest.ts) are reused.
const asTally = new WeakMap<UnitMonth, Tally>();

/** The summaries as tallies for folds by ward, district or all (same object for the same summary). */
export function summaryTallies(summaries: Iterable<UnitMonth>): Tally[] {
  const out: Tally[] = [];
  for (const u of summaries) {
    let t = asTally.get(u);
    if (t === undefined) asTally.set(u, (t = unitMonthTally(u)));
    out.push(t);
  }
  return out;
}

/**
 * The tallies the district view folds: at a hub's top level (no drill-down)
 * the units' summaries; otherwise, and at a ward, the terminals' tallies.
 */
export function districtTallies(atHub: boolean, drilled: boolean, summaries: Iterable<UnitMonth>, tallies: Iterable<Tally>): Tally[] {
  return atHub && !drilled ? summaryTallies(summaries) : [...tallies];
}

/**
 * The Hà Nội days and months that some instants fall on, for tests that
 * assert figures the product buckets by local day or month (core/time.ts).
 * A test that reads the clock again after pressing its votes ("today",
 * "this month") fails whenever a local midnight (17:00 UTC) or a month end
 * passes in between; deriving the window from the instants the votes were
 * stamped with holds at any time of the run.
 *
 * To check a test across a boundary, run it under libfaketime (Debian
 * package `faketime`; its clock runs on from the given instant):
 * `FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '@2026-12-31 16:59:50' npx vitest run <file>`.
 */
import { DEFAULT_OPENING_HOURS, isOpenAt } from '../../core/opening-hours.ts';
import type { OpeningHours } from '../../core/opening-hours.ts';
import { DAY_MS, addDays, localMidnight, localParts } from '../../core/time.ts';

/** The local dates and months a set of instants spans. */
export interface LocalDays {
  /** The earliest local date `YYYY-MM-DD`. */
  readonly from: string;
  /** The latest local date `YYYY-MM-DD`. */
  readonly to: string;
  /** Every local month `YYYY-MM` an instant falls in, oldest first. */
  readonly months: readonly string[];
}

/** The Hà Nội dates and months of `instants` (epoch ms); throws on none (a test bug). */
export function localDaysOf(instants: Iterable<number>): LocalDays {
  const parts = [...instants].map((t) => localParts(t));
  if (parts.length === 0) throw new RangeError('localDaysOf needs at least one instant');
  const dates = parts.map((p) => p.date).sort();
  return { from: dates[0]!, to: dates.at(-1)!, months: [...new Set(parts.map((p) => p.monthKey))].sort() };
}

/**
 * An instant for a test that places votes up to `beforeMs` before "now" and
 * then runs for up to `afterMs` with the app's clock moving on from it:
 * `real` itself when both fit inside its Hà Nội day, otherwise `beforeMs`
 * into the next day (in a day's first `beforeMs` the votes would be
 * yesterday's; in its last `afterMs` a midnight could pass under the test).
 */
export function insideOneDay(real: number, beforeMs: number, afterMs: number): number {
  if (!(beforeMs >= 0 && afterMs >= 0 && beforeMs + afterMs < DAY_MS)) throw new RangeError('beforeMs + afterMs must fit in a day');
  const day = localParts(real).date;
  const start = localMidnight(day);
  const next = localMidnight(addDays(day, 1));
  if (real - beforeMs < start) return start + beforeMs;
  if (real + afterMs >= next) return next + beforeMs;
  return real;
}

/**
 * `t`, or two hours after the first opening of its Hà Nội month when `t` is
 * earlier: generated history (bridge/demo/history.ts) has votes only in
 * opening hours, so before then "this month" and, on 1 January, "this year"
 * hold none (a month's first morning, or all of a Sunday 1st).
 */
export function afterFirstOpening(t: number, hours: OpeningHours = DEFAULT_OPENING_HOURS): number {
  let open = localMidnight(`${localParts(t).monthKey}-01`);
  // Quarter hours: every opening time in the defaults and demo offices is on one.
  for (let steps = 0; !isOpenAt(hours, open); steps += 1) {
    if (steps > 31 * 96) throw new RangeError('the opening hours never open in a month');
    open += 15 * 60_000;
  }
  return Math.max(t, open + 2 * 3_600_000);
}

/**
 * Resolves at once unless a Hà Nội midnight is less than `marginMs` away;
 * then just after it. The last resort for a test whose votes are stamped by
 * a process that takes no clock (the demo's `hailong start`) and read by a
 * page that must follow them live: nothing can be placed away from the
 * boundary, so the test starts after it instead. Never a skip.
 */
export async function awayFromMidnight(marginMs: number, now: () => number = Date.now): Promise<void> {
  const t = now();
  const next = localMidnight(addDays(localParts(t).date, 1));
  if (next - t >= marginMs) return;
  await new Promise((r) => setTimeout(r, next - t + 1000));
}

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
import { localParts } from '../../core/time.ts';

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

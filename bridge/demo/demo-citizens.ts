/**
 * How the demo's virtual citizens behave (issue 12, defect 15): they vote
 * only while the office is open, like real ones, and a press inside the
 * cooldown is the odd double press (a few percent), not a third of them.
 *
 * A newcomer may start the demo on a Sunday or at night, and must still see
 * live votes within a minute. The choice: when the demo starts outside the
 * office's hours, it opens a DEMO SESSION (buổi mô phỏng) from the start of
 * the current hour until 23:59 that day, added to the office's published
 * `openingHours` (started after 22:00, also 00:00–06:00 the next day, so
 * the session does not end minutes later), and says so in its log. Every vote still
 * falls inside the opening hours the dashboard shows; the history of the
 * past year keeps the real hours. Pure.
 */
import { WEEKDAYS, type OpeningHours, type OpeningInterval } from '../../core/opening-hours.ts';
import { localParts } from '../../core/time.ts';
import { isOpenAt } from '../../core/opening-hours.ts';
import type { SimulationOptions } from '../simulator/simulation.ts';

/** The demo session opened because the demo started while the office was closed. */
export interface DemoSession {
  /** Weekday key (`sun`, …). */
  readonly day: (typeof WEEKDAYS)[number];
  readonly from: string;
  readonly to: string;
  /** Started late in the evening: the session goes on after midnight until this time of the next day. */
  readonly nextDayUntil?: string;
}

/** A session started at or after this hour goes on after midnight until `NEXT_DAY_UNTIL`. */
const LATE_HOUR = 22;
const NEXT_DAY_UNTIL = '06:00';

/** Last minute a day's interval can end at (`HH:MM`, end exclusive). */
const END_OF_DAY = '23:59';

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** Adds `[from, to]` to a day's sorted intervals, merging the ones it overlaps or touches. */
function mergeInterval(intervals: readonly OpeningInterval[], add: OpeningInterval): OpeningInterval[] {
  const out: OpeningInterval[] = [];
  let [from, to] = add;
  for (const [a, b] of intervals) {
    if (minutesOf(b) < minutesOf(from) || minutesOf(a) > minutesOf(to)) out.push([a, b]);
    else {
      if (minutesOf(a) < minutesOf(from)) from = a;
      if (minutesOf(b) > minutesOf(to)) to = b;
    }
  }
  out.push([from, to]);
  return out.sort((x, y) => minutesOf(x[0]) - minutesOf(y[0]));
}

/**
 * The demo office's opening hours: `hours` as they are when the office is
 * open at `now`; otherwise `hours` plus a demo session from the start of the
 * current hour to 23:59 today (local time), and that session.
 */
export function demoOpeningHours(hours: OpeningHours, now: number): { hours: OpeningHours; session: DemoSession | null } {
  if (isOpenAt(hours, now)) return { hours, session: null };
  const t = localParts(now);
  const day = WEEKDAYS[t.weekday] as (typeof WEEKDAYS)[number];
  // 23:xx: the session is that last hour (a start at 23:59 still gets one open minute before midnight).
  const from = `${String(Math.min(t.hour, 23)).padStart(2, '0')}:00`;
  const out: Partial<Record<(typeof WEEKDAYS)[number], readonly OpeningInterval[]>> = {
    ...hours,
    [day]: mergeInterval(hours[day] ?? [], [from, END_OF_DAY]),
  };
  if (t.hour < LATE_HOUR) return { hours: out, session: { day, from, to: END_OF_DAY } };
  const next = WEEKDAYS[(t.weekday + 1) % 7] as (typeof WEEKDAYS)[number];
  out[next] = mergeInterval(out[next] ?? [], ['00:00', NEXT_DAY_UNTIL]);
  return { hours: out, session: { day, from, to: END_OF_DAY, nextDayUntil: NEXT_DAY_UNTIL } };
}

/** Options of `demoCitizens`. */
export interface DemoCitizensOptions {
  /** The office's opening hours (the demo's, session included). */
  readonly openingHours: OpeningHours;
  /** The office's cooldown (ms): two citizens are never closer than this plus a second. */
  readonly cooldownMs: number;
  /** Mean seconds between citizens at one counter, as a range. @default [6, 15] */
  readonly meanIntervalSeconds?: readonly [number, number];
}

/** Share of citizens who press twice (the second press falls in the cooldown and is filtered). */
export const DEMO_DOUBLE_PRESS = 0.03;

/** The simulation settings of the demo's citizens. */
export function demoCitizens(
  options: DemoCitizensOptions,
): Pick<SimulationOptions, 'meanIntervalMs' | 'minIntervalMs' | 'doublePressProbability' | 'openingHours'> {
  const [lo, hi] = options.meanIntervalSeconds ?? [6, 15];
  return {
    meanIntervalMs: [lo * 1000, hi * 1000],
    // A counter serves one citizen at a time: the next one rates after the cooldown is over.
    minIntervalMs: Math.min(options.cooldownMs + 1000, lo * 1000),
    doublePressProbability: DEMO_DOUBLE_PRESS,
    openingHours: options.openingHours,
  };
}

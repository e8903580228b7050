/**
 * The date range of a report command: `--period` (2026-11, 2026-q4,
 * 2026-h2, 2026, …) or `--from`/`--to` (a custom range), validated
 * together, every problem named.
 */
import { parsePeriodKey } from '../../core/period.ts';
import { addDays, isDateString, localMidnight } from '../../core/time.ts';

/** A validated range: local dates and their epoch bounds [fromMs, toMs). */
export interface ReportRange {
  readonly from: string;
  readonly to: string;
  /** The period key when one was given (`2026-q4`), else undefined (a custom range). */
  readonly key?: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** The range from the command's options, or the list of problems. */
export function reportRange(values: { period?: string; from?: string; to?: string }): ReportRange | { problems: string[] } {
  let { from, to } = values;
  const problems: string[] = [];
  if (values.period !== undefined) {
    const p = parsePeriodKey(values.period);
    if (p.ok) ({ from, to } = p.value);
    else problems.push(`"--period": ${p.message}`);
  }
  if (from === undefined || !isDateString(from)) problems.push('"--from" must be a date YYYY-MM-DD (or give --period)');
  if (to === undefined || !isDateString(to)) problems.push('"--to" must be a date YYYY-MM-DD (or give --period)');
  if (from !== undefined && to !== undefined && from > to) problems.push(`"--from" ${from} is after "--to" ${to}`);
  if (problems.length > 0) return { problems };
  const first = from as string;
  const last = to as string;
  return {
    from: first,
    to: last,
    ...(values.period === undefined ? {} : { key: values.period }),
    fromMs: localMidnight(first),
    toMs: localMidnight(addDays(last, 1)),
  };
}

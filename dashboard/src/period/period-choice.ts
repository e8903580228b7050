/**
 * The periods a district office reports on — today, this week, this month,
 * quarter, 6 months, year — or a custom range, each with the period to
 * compare it with (the previous one of the same kind, or the same number of
 * days before a custom range) and its Vietnamese/English heading.
 */
import { isDateString, periodLabel, periodOf, previousPeriod, rangeLabel } from '../../../core/index.ts';
import type { DateRange, Locale, PeriodKind } from '../../../core/index.ts';

/** A period kind, or a custom range. */
export type PeriodChoiceKind = PeriodKind | 'custom';

/** Every choice, in the order the picker shows them. */
export const PERIOD_CHOICES: readonly PeriodChoiceKind[] = ['today', 'week', 'month', 'quarter', 'half', 'year', 'custom'];

/** What the user picked. `from`/`to` are used by `custom` only. */
export interface PeriodChoice {
  readonly kind: PeriodChoiceKind;
  readonly from?: string;
  readonly to?: string;
}

/** A resolved choice: the range, the range to compare with, and the heading. */
export interface ResolvedPeriod {
  readonly kind: PeriodChoiceKind;
  readonly range: DateRange;
  readonly previous: DateRange;
  label(locale: Locale): string;
}

/**
 * Resolves a choice against `today` (local date). A custom range with a
 * bad or reversed date falls back to this month rather than throwing (it
 * comes from a form).
 */
export function resolvePeriod(choice: PeriodChoice, today: string): ResolvedPeriod {
  if (choice.kind === 'custom') {
    const { from, to } = choice;
    if (isDateString(from) && isDateString(to) && from <= to) {
      const range = { from, to };
      return { kind: 'custom', range, previous: previousPeriod(range, 'custom'), label: (l) => rangeLabel(range, l) };
    }
    return resolvePeriod({ kind: 'month' }, today);
  }
  const period = periodOf(choice.kind, today);
  const range = { from: period.from, to: period.to };
  return { kind: choice.kind, range, previous: previousPeriod(range, choice.kind), label: (l) => periodLabel(period, l) };
}

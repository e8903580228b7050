/**
 * What a hub's parent dashboard subscribes to (dashboard/src/state/hub-scope.ts):
 * the units' summaries of only the months the picked period and the one it
 * is compared with touch, more when a longer period is picked, one filter
 * for all past MAX_MONTH_FILTERS months; never the terminals' tallies at the
 * top level. The fake link at the MQTT seam records the filters.
 */
import { describe, expect, it } from 'vitest';
import { localParts, monthsOfRange } from '../../../core/index.ts';
import { resolvePeriod } from '../../../dashboard/src/period/period-choice.ts';
import { MAX_MONTH_FILTERS, createHubScope } from '../../../dashboard/src/state/hub-scope.ts';
import type { DateRange } from '../../../core/index.ts';
import { readUrlParams } from '../../../dashboard/src/state/settings.ts';
import { NOW, mount, tick } from '../harness.tsx';

// The app's day (test/dashboard/harness.tsx), not the real clock's: the harness may move it off a midnight.
const today = localParts(NOW).date;
const summaryFilters = (filters: readonly string[]) => filters.filter((f) => f.includes('/_summary/'));
const monthsOf = (kind: 'month' | 'year') => {
  const p = resolvePeriod({ kind }, today);
  return monthsOfRange({ from: p.previous.from, to: p.range.to });
};

describe('the hub scope', () => {
  it('subscribes to the summaries of the months the period needs, then those a longer period adds, once each', () => {
    let ranges: DateRange[] = [
      { from: '2026-11-10', to: '2026-12-09' },
      { from: '2026-10-11', to: '2026-11-09' },
    ];
    const subscribed: string[] = [];
    const scope = createHubScope({
      params: readUrlParams('?district=gia-lai&hub=1'),
      settings: () => ({}) as never,
      link: () => ({ close() {}, subscribe: (f) => void subscribed.push(...(typeof f === 'string' ? [f] : f)) }),
      ranges: () => ranges,
    });
    const first = scope.filter() as string[];
    expect(summaryFilters(first)).toEqual([
      'hailong/v1/gia-lai/+/_summary/2026-10',
      'hailong/v1/gia-lai/+/_summary/2026-11',
      'hailong/v1/gia-lai/+/_summary/2026-12',
    ]);
    expect(first.some((f) => f.includes('/tally/'))).toBe(false);
    expect(scope.loadMonths()).toBe(false);
    ranges = [{ from: '2026-01-01', to: '2026-12-31' }];
    expect(scope.loadMonths()).toBe(true);
    expect(subscribed).toEqual(
      ['01', '02', '03', '04', '05', '06', '07', '08', '09'].map((m) => `hailong/v1/gia-lai/+/_summary/2026-${m}`),
    );
    expect(scope.loadMonths()).toBe(false);
    // A reconnect asks for every month loaded so far.
    expect(summaryFilters(scope.filter() as string[])).toHaveLength(12);
    // A custom range of years: one filter for every summary the hub retains.
    ranges = [{ from: '2019-01-01', to: '2026-12-31' }];
    expect(scope.loadMonths()).toBe(true);
    expect(subscribed.at(-1)).toBe('hailong/v1/gia-lai/+/_summary/+');
    expect(summaryFilters(scope.filter() as string[])).toEqual(['hailong/v1/gia-lai/+/_summary/+']);
    expect(scope.loadMonths()).toBe(false);
    expect(MAX_MONTH_FILTERS).toBeGreaterThanOrEqual(25); // "year" and the year before always fit
  });

  it('does nothing away from a hub, or at a ward', () => {
    const subscribed: string[] = [];
    for (const search of ['?district=gia-lai', '?district=gia-lai&ward=xa-001&hub=1']) {
      const scope = createHubScope({
        params: readUrlParams(search),
        settings: () => ({}) as never,
        link: () => ({ close() {}, subscribe: (f) => void subscribed.push(...(typeof f === 'string' ? [f] : f)) }),
        ranges: () => [{ from: '2026-01-01', to: '2026-12-31' }],
      });
      expect(typeof scope.filter()).toBe('string');
      expect(scope.loadMonths()).toBe(false);
    }
    expect(subscribed).toEqual([]);
  });

  it('in the app: the default month loads two months of summaries, picking "year" loads the rest of its months', async () => {
    const hub = await mount('?district=ba-dinh&hub=1', '#/district');
    const initial = summaryFilters(hub.connects[0]!.options.filter as readonly string[]);
    expect(initial).toEqual(monthsOf('month').map((m) => `hailong/v1/ba-dinh/+/_summary/${m}`));
    expect(hub.subscribes).toEqual([]);
    const year = [...hub.el.querySelectorAll<HTMLButtonElement>('[role=group] button')].find((b) => b.textContent === 'Năm nay')!;
    year.click();
    await tick();
    const added = monthsOf('year').filter((m) => !monthsOf('month').includes(m));
    expect(hub.subscribes).toEqual(added.map((m) => `hailong/v1/ba-dinh/+/_summary/${m}`));
  });
});

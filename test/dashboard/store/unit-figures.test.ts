/**
 * At a hub the district view folds the units' monthly summaries instead of
 * every terminal's tallies: its figures must not change. Checked on the
 * pure figures (every period kind) and on the rendered district view.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCALE, addDays, foldReasons, localParts, monthsOfRange, publicationFor, unitMonthOf } from '../../../core/index.ts';
import { SETTLE_MS } from '../../../dashboard/src/state/app-state.ts';
import type { Tally, UnitMonth } from '../../../core/index.ts';
import { generateHistory } from '../../../bridge/demo/history.ts';
import { demoWards } from '../../../bridge/demo/demo-wards.ts';
import { resolvePeriod, PERIOD_CHOICES } from '../../../dashboard/src/period/period-choice.ts';
import { foldPeriod, rankRows, trendPoints } from '../../../dashboard/src/store/period-figures.ts';
import { heatmapMemo } from '../../../dashboard/src/store/tally-digest.ts';
import { districtTallies, summaryTallies } from '../../../dashboard/src/store/unit-figures.ts';
import { NOW, mount, text, tick } from '../harness.tsx';

// The app's instant (test/dashboard/harness.tsx), not the real clock: the harness may move it off a midnight.
const now = NOW;
const today = localParts(now).date;
const wards = demoWards({ wards: 3, counters: 3, terminals: 1, officers: 2 });
const tallies = generateHistory({ district: 'ba-dinh', wards, from: addDays(today, -400), to: today, seed: 11, until: now });

function summariesOf(all: readonly Tally[]): UnitMonth[] {
  const keys = new Set(all.map((t) => `${t.ward}|${t.month}`));
  return [...keys].map((k) => {
    const [ward = '', month = ''] = k.split('|');
    return unitMonthOf({ district: 'ba-dinh', ward, month }, all);
  });
}
const summaries = summariesOf(tallies);

describe('district figures from unit summaries', () => {
  it('equal those from the full tallies for every period: ranking, totals, trend, heat map, reasons', () => {
    const fromSummaries = summaryTallies(summaries);
    expect(summaryTallies(summaries)[0]).toBe(fromSummaries[0]);
    expect(fromSummaries.length * 3).toBe(tallies.length);
    for (const kind of PERIOD_CHOICES) {
      const p = resolvePeriod(kind === 'custom' ? { kind, from: addDays(today, -45), to: addDays(today, -3) } : { kind }, today);
      const a = foldPeriod(tallies, p.range, p.previous, DEFAULT_SCALE);
      const b = foldPeriod(fromSummaries, p.range, p.previous, DEFAULT_SCALE);
      for (const by of ['ward', 'district', 'all'] as const) {
        expect(b.current.get(by), `${kind} ${by}`).toEqual(a.current.get(by));
        expect(b.previous.get(by), `${kind} ${by} previous`).toEqual(a.previous.get(by));
      }
      const rows = (f: typeof a) =>
        rankRows(
          f.current.get('ward'),
          f.previous.get('ward'),
          '',
          (k) => k,
          () => 80,
        );
      expect(rows(b)).toEqual(rows(a));
      expect(trendPoints(fromSummaries, p.range, DEFAULT_SCALE)).toEqual(trendPoints(tallies, p.range, DEFAULT_SCALE));
      expect(heatmapMemo(fromSummaries, p.range)).toEqual(heatmapMemo(tallies, p.range));
      for (const by of ['ward', 'all'] as const) {
        expect(foldReasons(fromSummaries, { ...p.range, by, scale: DEFAULT_SCALE })).toEqual(
          foldReasons(tallies, { ...p.range, by, scale: DEFAULT_SCALE }),
        );
      }
    }
  });

  it('are used only at a hub and only at the top level', () => {
    expect(districtTallies(true, false, summaries, tallies)).toHaveLength(summaries.length);
    expect(districtTallies(true, true, summaries, tallies)).toHaveLength(tallies.length);
    expect(districtTallies(false, false, summaries, tallies)).toHaveLength(tallies.length);
  });

  it('render the same district view, and a unit loads its tallies when opened', async () => {
    const pubs = (items: readonly (Tally | UnitMonth)[]) =>
      items.map((x) => ('counter' in x ? publicationFor('tally', x, x) : publicationFor('unit-month', x, x)));
    const view = (el: HTMLElement) => ({
      headline: text(el.querySelector('[data-testid=headline]')),
      grid: text(el.querySelector('.district-grid')),
    });

    const yearButton = (el: HTMLElement) =>
      [...el.querySelectorAll<HTMLButtonElement>('[role=group] button')].find((b) => b.textContent === 'Năm nay')!;
    const monthButton = (el: HTMLElement) =>
      [...el.querySelectorAll<HTMLButtonElement>('[role=group] button')].find((b) => b.textContent === 'Tháng này')!;

    const ward = await mount('?district=ba-dinh', '#/district');
    expect(ward.connects[0]!.options.filter).toBe('hailong/v1/ba-dinh/#');
    await ward.publish(...pubs(tallies));
    await tick(50);
    yearButton(ward.el).click();
    await tick(50);
    const expectedYear = view(ward.el);
    monthButton(ward.el).click();
    await tick(50);
    const expected = view(ward.el);
    expect(expectedYear).not.toEqual(expected);
    expect(ward.el.querySelectorAll('[data-testid=ranking] tbody tr')).toHaveLength(3);

    const hub = await mount('?district=ba-dinh&hub=1', '#/district');
    const filters = hub.connects[0]!.options.filter as readonly string[];
    // This month's and last month's summaries only (the default period and the one it is compared with).
    const month = resolvePeriod({ kind: 'month' }, today);
    expect(filters.filter((f) => f.includes('/_summary/'))).toEqual([
      `hailong/v1/ba-dinh/+/_summary/${month.previous.from.slice(0, 7)}`,
      `hailong/v1/ba-dinh/+/_summary/${month.range.from.slice(0, 7)}`,
    ]);
    expect(filters.some((f) => f.includes('/tally/'))).toBe(false);
    const monthKeys = [month.previous.from.slice(0, 7), month.range.from.slice(0, 7)];
    await hub.publish(...pubs(summaries.filter((u) => monthKeys.includes(u.month))));
    await tick(50);
    expect(view(hub.el)).toEqual(expected);
    expect(hub.el.querySelector('[data-testid=loading-period]')).toBeNull();

    // "Năm nay": its other months are subscribed in one SUBSCRIBE, and until their retained
    // burst has settled the view says its figures are not complete; then they equal the tallies'.
    yearButton(hub.el).click();
    await tick(50);
    const year = resolvePeriod({ kind: 'year' }, today);
    const yearMonths = monthsOfRange({ from: year.previous.from, to: year.range.to }).filter((m) => !monthKeys.includes(m));
    expect(hub.subscribes).toEqual(yearMonths.map((m) => `hailong/v1/ba-dinh/+/_summary/${m}`));
    expect(text(hub.el.querySelector('[data-testid=loading-period]'))).toBe(
      'Đang tải số liệu các tháng của kỳ này; các con số dưới đây chưa đủ.',
    );
    hub.subacks.splice(0).forEach((f) => f());
    await hub.publish(...pubs(summaries.filter((u) => !monthKeys.includes(u.month))));
    expect(hub.el.querySelector('[data-testid=loading-period]')).not.toBeNull();
    await tick(SETTLE_MS + 100);
    expect(hub.el.querySelector('[data-testid=loading-period]')).toBeNull();
    expect(view(hub.el)).toEqual(expectedYear);
    monthButton(hub.el).click();
    await tick(50);
    hub.subscribes.splice(0);

    // Drilling into a unit subscribes to its tallies; its counters rank from them.
    const first = hub.el.querySelector<HTMLButtonElement>('[data-testid=ranking] tbody tr button')!;
    const key = first.closest('tr')!.dataset.key!;
    first.click();
    await tick();
    expect(hub.subscribes).toEqual([`hailong/v1/${key}/+/+/tally/+`]);
    await hub.publish(...pubs(tallies.filter((t) => `${t.district}/${t.ward}` === key)));
    await tick(50);
    expect(hub.el.querySelectorAll('[data-testid=ranking] tbody tr')).toHaveLength(3);
    // Every other view works from the tallies: opening one subscribes to all of them, once.
    hub.app.route.value = { view: 'reports' };
    await tick();
    hub.app.route.value = { view: 'office' };
    await tick();
    expect(hub.subscribes).toEqual([`hailong/v1/${key}/+/+/tally/+`, 'hailong/v1/ba-dinh/+/+/+/tally/+']);
  });
});

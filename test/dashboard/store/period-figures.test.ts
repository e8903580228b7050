import { describe, expect, it } from 'vitest';
import { DEFAULT_SCALE, foldTallies, summarize } from '../../../core/index.ts';
import { generateHistory } from '../../../bridge/demo/history.ts';
import { demoWards } from '../../../bridge/demo/demo-wards.ts';
import { foldPeriod, percentDelta, rankRows, talliesUnder, trendPoints } from '../../../dashboard/src/store/period-figures.ts';
import { resolvePeriod } from '../../../dashboard/src/period/period-choice.ts';

const wards = demoWards({ wards: 3, counters: 2 });
const tallies = generateHistory({ district: 'ba-dinh', wards, from: '2024-10-01', to: '2025-12-31', seed: 3 });

describe('period choices', () => {
  it('resolves every period with its predecessor and Vietnamese heading', () => {
    const today = '2025-11-22';
    const cases = [
      ['today', '2025-11-22', '2025-11-22', '2025-11-21', 'Ngày 22/11/2025'],
      ['week', '2025-11-17', '2025-11-23', '2025-11-10', 'Tuần 47/2025'],
      ['month', '2025-11-01', '2025-11-30', '2025-10-01', 'Tháng 11/2025'],
      ['quarter', '2025-10-01', '2025-12-31', '2025-07-01', 'Quý IV/2025'],
      ['half', '2025-07-01', '2025-12-31', '2025-01-01', '6 tháng cuối năm 2025'],
      ['year', '2025-01-01', '2025-12-31', '2024-01-01', 'Năm 2025'],
    ] as const;
    for (const [kind, from, to, prevFrom, label] of cases) {
      const p = resolvePeriod({ kind }, today);
      expect([p.range.from, p.range.to, p.previous.from, p.label('vi')]).toEqual([from, to, prevFrom, label]);
    }
    const custom = resolvePeriod({ kind: 'custom', from: '2025-01-01', to: '2025-03-31' }, today);
    expect(custom.previous).toEqual({ from: '2024-10-03', to: '2024-12-31' });
    expect(custom.label('vi')).toBe('Từ ngày 01/01/2025 đến ngày 31/03/2025');
    expect(resolvePeriod({ kind: 'custom', from: '2025-05-01', to: '2025-01-01' }, today).kind).toBe('month');
  });
});

describe('period figures over a year of history', () => {
  const year = resolvePeriod({ kind: 'year' }, '2025-06-15');

  it('folds a period and its predecessor; ward figures add up to the district', () => {
    const fold = foldPeriod(tallies, year.range, year.previous, DEFAULT_SCALE);
    const wardsTotal = [...fold.current.get('ward')!.values()].reduce((n, s) => n + s.total, 0);
    expect(fold.current.get('district')!.get('ba-dinh')!.total).toBe(wardsTotal);
    expect(wardsTotal).toBeGreaterThan(3 * 2 * 250 * 15);
    // 2024 has data only from October: fewer votes than 2025.
    expect(fold.previous.get('all')!.get('all')!.total).toBeLessThan(fold.current.get('all')!.get('all')!.total / 2);
    const quarter = resolvePeriod({ kind: 'quarter' }, '2025-05-10');
    const q = foldPeriod(tallies, quarter.range, quarter.previous, DEFAULT_SCALE);
    expect(q.current.get('all')!.get('all')).toEqual(
      foldTallies(tallies, { ...quarter.range, by: 'all', scale: DEFAULT_SCALE }).get('all'),
    );
  });

  it('ranks rows best first with the change against the previous period and the target', () => {
    const fold = foldPeriod(tallies, year.range, year.previous, DEFAULT_SCALE);
    const rows = rankRows(
      fold.current.get('ward'),
      fold.previous.get('ward'),
      'ba-dinh/',
      (k) => k,
      (k) => (k.endsWith('phuc-xa') ? 99.5 : 80),
    );
    expect(rows).toHaveLength(3);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.percent!).toBeGreaterThanOrEqual(rows[i]!.percent!);
    for (const r of rows) {
      expect(r.delta).toBe(percentDelta(r.percent, r.previousPercent));
      expect(r.achieved).toBe(r.percent! >= r.target);
    }
    expect(rows.find((r) => r.key.endsWith('phuc-xa'))!.achieved).toBe(false);
    const counters = rankRows(
      fold.current.get('counter'),
      undefined,
      `ba-dinh/${wards[0]!.id}/`,
      (k) => k,
      () => 80,
    );
    expect(counters.map((r) => r.key)).toHaveLength(2);
    expect(counters.every((r) => r.delta === null)).toBe(true);
  });

  it('computes exact percentage-point deltas', () => {
    expect(percentDelta(98.97, 97.1)).toBe(1.87);
    expect(percentDelta(80, 80.01)).toBe(-0.01);
    expect(percentDelta(null, 50)).toBeNull();
  });

  it('draws daily trend points, weekly beyond 92 days, without losing a vote', () => {
    const scoped = talliesUnder(tallies, `ba-dinh/${wards[1]!.id}/`);
    const month = trendPoints(scoped, { from: '2025-03-01', to: '2025-03-31' }, DEFAULT_SCALE);
    expect(month).toHaveLength(31);
    const weeks = trendPoints(scoped, year.range, DEFAULT_SCALE);
    expect(weeks).toHaveLength(53);
    const total = foldTallies(scoped, { ...year.range, by: 'all', scale: DEFAULT_SCALE }).get('all')!.total;
    expect(weeks.reduce((n, p) => n + p.total, 0)).toBe(total);
    expect(weeks.find((p) => p.total > 0)!.percent).toBeGreaterThan(90);
  });
});

describe('small samples (rankRows)', () => {
  const s = (satisfied: number, total: number) => summarize({ 'hai-long': satisfied, 'khong-hai-long': total - satisfied }, DEFAULT_SCALE);
  const current = new Map([
    ['ba-dinh/a', s(5, 5)],
    ['ba-dinh/b', s(880, 900)],
    ['ba-dinh/c', s(0, 0)],
    ['ba-dinh/d', s(29, 31)],
  ]);
  const rows = rankRows(
    current,
    undefined,
    '',
    (k) => k,
    () => 80,
  );

  it('ranks by the Wilson lower bound: 880 of 900 above 5 of 5', () => {
    expect(rows.map((r) => r.key)).toEqual(['ba-dinh/b', 'ba-dinh/d', 'ba-dinh/a', 'ba-dinh/c']);
  });

  it('marks figures under 30 votes "few" and does not call them Đạt', () => {
    const a = rows.find((r) => r.key === 'ba-dinh/a')!;
    expect([a.percent, a.few, a.achieved]).toEqual([100, true, null]);
    expect(rows.find((r) => r.key === 'ba-dinh/d')!.achieved).toBe(true);
    expect(
      rankRows(
        current,
        undefined,
        '',
        (k) => k,
        () => 80,
        () => 5,
      ).find((r) => r.key === 'ba-dinh/a')!.achieved,
    ).toBe(true);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCALE, SCALE_4, SCALE_5, addDays, dailySeries, foldTalliesBy, heatmap } from '../../../core/index.ts';
import type { GroupBy, Tally } from '../../../core/index.ts';
import { generateHistory } from '../../../bridge/demo/history.ts';
import { demoWards } from '../../../bridge/demo/demo-wards.ts';
import { dailySeriesMemo, foldMemo, heatmapMemo } from '../../../dashboard/src/store/tally-digest.ts';
import { FakeBridge, MORNING } from '../fixtures.ts';

const history = generateHistory({
  district: 'ba-dinh',
  wards: demoWards({ wards: 2, counters: 2, officers: 2 }),
  from: '2025-01-01',
  to: '2025-06-30',
  seed: 5,
});
// A 4-level tally: its neutral votes are "unscaled" under the 3-level scale.
const bridge = new FakeBridge();
for (const level of ['rat-hai-long', 'binh-thuong', 'khong-hai-long', 'binh-thuong'] as const)
  bridge.vote('quay-1', 'q1-a', level, MORNING, { officer: 'cb-9' });
const tallies: Tally[] = [...history, ...bridge.tallies()];
const BY: GroupBy[] = ['district', 'ward', 'counter', 'terminal', 'officer', 'all'];
const day = fc.integer({ min: 0, max: 200 }).map((n) => addDays('2024-12-20', n));

describe('memoised folds equal the core', () => {
  it('for any range and scale: foldTalliesBy, heatmap and dailySeries', () => {
    fc.assert(
      fc.property(day, day, fc.constantFrom(DEFAULT_SCALE, SCALE_4, SCALE_5), (a, b, scale) => {
        const range = a <= b ? { from: a, to: b } : { from: b, to: a };
        // Twice: the second run reads the memo.
        for (let i = 0; i < 2; i++) {
          expect(foldMemo(tallies, range, BY, scale)).toEqual(foldTalliesBy(tallies, { ...range, by: BY, scale }));
          expect(heatmapMemo(tallies, range)).toEqual(heatmap(tallies, range));
          expect(dailySeriesMemo(tallies, range, scale)).toEqual(dailySeries(tallies, range, scale));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('follows a replaced tally (a live vote) instead of its stale digest', () => {
    const range = { from: '2025-03-01', to: '2025-03-31' };
    const before = foldMemo(tallies, range, ['all'], DEFAULT_SCALE).get('all')!.get('all')!.total;
    const next = bridge.vote('quay-1', 'q1-a', 'hai-long', MORNING + 1000).publications[1];
    const updated = tallies.map((t) => (t.terminal === 'q1-a' ? (JSON.parse(next.payload) as Tally) : t));
    expect(foldMemo(updated, range, ['all'], DEFAULT_SCALE).get('all')!.get('all')!.total).toBe(before + 1);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEVEL_KEYS, SCALE_3, SCALE_4, SCALE_5 } from '../../core/scale.ts';
import type { Scale } from '../../core/scale.ts';
import {
  emptySummary,
  levelPercent,
  meetsTarget,
  mergeSummaries,
  pointsPercent,
  satisfiedPercent,
  summarize,
  summaryOf,
} from '../../core/summary.ts';

describe('summarize', () => {
  it('reproduces the seed report: 35.100 visits, 99,4% satisfied, 0,6% not', () => {
    const s = summarize({ 'rat-hai-long': 20_000, 'hai-long': 14_889, 'khong-hai-long': 211 }, SCALE_3);
    expect(s.total).toBe(35_100);
    expect(satisfiedPercent(s, 1)).toBe(99.4);
    expect(levelPercent(s, 'khong-hai-long', 1)).toBe(0.6);
  });

  it('computes the points index as points / (total × max) × 100', () => {
    const s = summarize({ 'rat-hai-long': 1, 'hai-long': 1, 'khong-hai-long': 2 }, SCALE_3);
    expect(s.points).toBe(3);
    expect(s.maxPoints).toBe(2);
    expect(s.pointsIndex).toBe(37.5);
    expect(pointsPercent(s)).toBe(37.5);
    expect(summarize({ 'rat-hai-long': 3 }, SCALE_5).pointsIndex).toBe(100);
    expect(summarize({ 'rat-khong-hai-long': 3 }, SCALE_5).pointsIndex).toBe(0);
  });

  it('reports levels outside the scale as unscaled, not in total', () => {
    const s = summarize({ 'hai-long': 3, 'binh-thuong': 2 }, SCALE_3);
    expect(s).toMatchObject({ total: 3, unscaled: 2, satisfied: 3, satisfiedRatio: 1 });
    expect(s.counts).toEqual({ 'rat-hai-long': 0, 'hai-long': 3, 'khong-hai-long': 0 });
  });

  it('has null ratios without votes, and with an all-zero-points scale', () => {
    expect(emptySummary(SCALE_4)).toMatchObject({ total: 0, satisfiedRatio: null, pointsIndex: null });
    expect(satisfiedPercent(emptySummary(SCALE_3))).toBeNull();
    const flat: Scale = {
      id: 'flat',
      levels: SCALE_3.levels.map((l) => ({ ...l, points: 0 })),
    };
    const s = summaryOf(flat, [1, 0, 1]);
    expect(s.pointsIndex).toBeNull();
    expect(pointsPercent(s)).toBeNull();
    expect(s.satisfiedRatio).toBe(0.5);
  });

  it('keeps filtered counts', () => {
    expect(summarize({}, SCALE_3, { cooldown: 2, gated: 1 }).filtered).toEqual({ cooldown: 2, gated: 1 });
  });
});

describe('mergeSummaries', () => {
  it('refuses summaries of another scale', () => {
    expect(() => mergeSummaries([emptySummary(SCALE_5)], SCALE_3)).toThrow(/summaries\[0\]/);
  });

  it('equals summarising the added counts (property)', () => {
    const countsArb = fc.dictionary(fc.constantFrom(...LEVEL_KEYS), fc.nat({ max: 10_000 }));
    fc.assert(
      fc.property(fc.constantFrom(SCALE_3, SCALE_4, SCALE_5), fc.array(countsArb, { maxLength: 6 }), (scale, parts) => {
        const added: Record<string, number> = {};
        for (const p of parts) for (const [k, n] of Object.entries(p)) added[k] = (added[k] ?? 0) + n;
        const merged = mergeSummaries(
          parts.map((p) => summarize(p, scale, { cooldown: 1, gated: 2 })),
          scale,
        );
        expect(merged).toEqual(summarize(added, scale, { cooldown: parts.length, gated: 2 * parts.length }));
      }),
    );
  });
});

describe('meetsTarget', () => {
  it('judges the exact ratio, not a rounded figure', () => {
    expect(meetsTarget(summarize({ 'hai-long': 4, 'khong-hai-long': 1 }, SCALE_3), 80)).toBe(true);
    // 7_999/10_000 = 79,99% prints as 80,0% live, yet has not met 80%.
    expect(meetsTarget(summarize({ 'hai-long': 7_999, 'khong-hai-long': 2_001 }, SCALE_3), 80)).toBe(false);
    expect(meetsTarget(emptySummary(SCALE_3), 80)).toBeNull();
  });
});

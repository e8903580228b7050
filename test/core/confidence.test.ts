import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_VOTES, fewVotes, wilsonLowerBound } from '../../core/confidence.ts';

const sample = fc.integer({ min: 0, max: 100_000 }).chain((total) => fc.tuple(fc.integer({ min: 0, max: total }), fc.constant(total)));

describe('wilsonLowerBound', () => {
  it('matches published values', () => {
    // 5/5: the 95% Wilson interval is [0.566, 1] (Newcombe 1998, table I).
    expect(wilsonLowerBound(5, 5)).toBeCloseTo(0.5655, 4);
    expect(wilsonLowerBound(81, 263)).toBeCloseTo(0.2553, 4);
    expect(wilsonLowerBound(0, 0)).toBe(0);
    expect(wilsonLowerBound(0, 10)).toBe(0);
  });

  it('ranks 96% of 900 above 100% of 5', () => {
    expect(wilsonLowerBound(864, 900)).toBeGreaterThan(wilsonLowerBound(5, 5));
  });

  it('is a proportion at or below the raw ratio', () => {
    fc.assert(
      fc.property(sample, ([s, n]) => {
        const low = wilsonLowerBound(s, n);
        expect(low).toBeGreaterThanOrEqual(0);
        expect(low).toBeLessThanOrEqual(n === 0 ? 0 : s / n);
      }),
    );
  });

  it('grows with one more satisfied vote, and with more votes at the same ratio', () => {
    fc.assert(
      fc.property(sample, ([s, n]) => {
        fc.pre(n > 0);
        expect(wilsonLowerBound(s + 1, n + 1)).toBeGreaterThanOrEqual(wilsonLowerBound(s, n + 1));
        if (s > 0) expect(wilsonLowerBound(2 * s, 2 * n)).toBeGreaterThanOrEqual(wilsonLowerBound(s, n));
      }),
    );
  });

  it('refuses impossible counts (programmer error)', () => {
    expect(() => wilsonLowerBound(6, 5)).toThrow(RangeError);
    expect(() => wilsonLowerBound(-1, 5)).toThrow(RangeError);
    expect(() => wilsonLowerBound(1.5, 5)).toThrow(RangeError);
    expect(() => wilsonLowerBound(1, 5, Number.NaN)).toThrow(RangeError);
  });
});

describe('fewVotes', () => {
  it('marks figures under the minimum, 30 by default', () => {
    expect(DEFAULT_MIN_VOTES).toBe(30);
    expect(fewVotes(0)).toBe(true);
    expect(fewVotes(29)).toBe(true);
    expect(fewVotes(30)).toBe(false);
    expect(fewVotes(5, 5)).toBe(false);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percent, roundHalfUp } from '../../core/percent.ts';

describe('percent', () => {
  it('computes report figures exactly', () => {
    expect(percent(9897, 10_000)).toBe(98.97);
    expect(percent(2, 3)).toBe(66.67);
    expect(percent(1, 3)).toBe(33.33);
    expect(percent(1, 8)).toBe(12.5);
    expect(percent(34_889, 35_100, 1)).toBe(99.4);
    expect(percent(211, 35_100, 1)).toBe(0.6);
    expect(percent(5, 5)).toBe(100);
    expect(percent(0, 5)).toBe(0);
  });

  it('rounds half up at the requested digits', () => {
    expect(percent(1, 8, 0)).toBe(13); // 12.5 → 13
    expect(percent(1, 8, 1)).toBe(12.5);
    expect(percent(1, 200, 0)).toBe(1); // 0.5 → 1
    expect(percent(1, 16, 2)).toBe(6.25);
    expect(percent(1, 16, 1)).toBe(6.3); // 6.25 → 6.3, not banker's 6.2
    expect(percent(1, 80_000, 3)).toBe(0.001); // 0.00125 → 0.001
    expect(percent(3, 80_000, 3)).toBe(0.004); // 0.00375 → 0.004
    // A case where float arithmetic goes wrong: 1.005 × 100 = 100.49999…
    expect(percent(201, 20_000, 2)).toBe(1.01); // exactly 1.005 → 1.01
    expect(Math.round((201 / 20_000) * 100 * 100) / 100).toBe(1); // (what naive code prints)
  });

  it('is null without votes', () => {
    expect(percent(0, 0)).toBeNull();
  });

  it('throws on programmer errors naming the argument', () => {
    expect(() => percent(-1, 3)).toThrow(/part/);
    expect(() => percent(1.5, 3)).toThrow(/part/);
    expect(() => percent(1, Number.NaN)).toThrow(/total/);
    expect(() => percent(1, 3, 11)).toThrow(/digits/);
    expect(() => percent(1, 3, -1)).toThrow(/digits/);
  });

  it('matches exact rational rounding for any counts (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 4 }), (a, b, digits) => {
        const part = Math.min(a, b);
        const value = percent(part, b, digits) as number;
        const scaled = BigInt(part) * 100n * 10n ** BigInt(digits);
        // value × 10^digits is the rounded integer n with n - 1/2 <= exact < n + 1/2.
        const n = BigInt(Math.round(value * 10 ** digits));
        expect(2n * scaled >= (2n * n - 1n) * BigInt(b)).toBe(true);
        expect(2n * scaled < (2n * n + 1n) * BigInt(b)).toBe(true);
        expect(String(value)).toBe(String(Number(n) / 10 ** digits));
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(100);
      }),
    );
  });
});

describe('roundHalfUp', () => {
  it('rounds the printed decimal, half away from zero', () => {
    expect(roundHalfUp(1.005, 2)).toBe(1.01);
    expect(roundHalfUp(12.345, 2)).toBe(12.35);
    expect(roundHalfUp(12.344, 2)).toBe(12.34);
    expect(roundHalfUp(99.95, 1)).toBe(100);
    expect(roundHalfUp(-2.5, 0)).toBe(-3);
    expect(roundHalfUp(98.97, 2)).toBe(98.97);
    expect(roundHalfUp(7, 2)).toBe(7);
    expect(roundHalfUp(1e-7, 2)).toBe(0);
    expect(() => roundHalfUp(Number.NaN, 2)).toThrow(/value/);
  });

  it('is idempotent and stays within half a unit (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1000, noNaN: true }), fc.integer({ min: 0, max: 4 }), (x, digits) => {
        const r = roundHalfUp(x, digits);
        expect(roundHalfUp(r, digits)).toBe(r);
        expect(Math.abs(r - x)).toBeLessThanOrEqual(0.5 * 10 ** -digits + 1e-9);
      }),
    );
  });
});

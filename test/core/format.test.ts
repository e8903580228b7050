import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_VALUE, PERCENT_DIGITS, formatCount, formatDecimal, formatPercent, formatShare } from '../../core/format.ts';
import { percent } from '../../core/percent.ts';

describe('formatPercent', () => {
  it('prints Vietnamese report figures', () => {
    expect(formatPercent(percent(9897, 10_000))).toBe('98,97%');
    expect(formatPercent(percent(34_889, 35_100, 1), { digits: 1 })).toBe('99,4%');
    expect(formatPercent(percent(211, 35_100, 1), { digits: 1 })).toBe('0,6%');
    expect(formatPercent(80, { digits: 0 })).toBe('80%');
    expect(formatPercent(82.66)).toBe('82,66%');
  });

  it('prints 100% with or without trailing zeros', () => {
    expect(formatPercent(percent(7, 7))).toBe('100,00%');
    expect(formatPercent(percent(7, 7), { trimZeros: true })).toBe('100%');
    expect(formatPercent(99.4, { trimZeros: true })).toBe('99,4%');
    expect(formatPercent(0)).toBe('0,00%');
  });

  it('prints English with a decimal point', () => {
    expect(formatPercent(98.97, { locale: 'en' })).toBe('98.97%');
    expect(formatPercent(12.5, { locale: 'en', digits: 1 })).toBe('12.5%');
  });

  it('prints a dash for no votes', () => {
    expect(formatPercent(percent(0, 0))).toBe('—');
    expect(formatPercent(null, { locale: 'en' })).toBe(NO_VALUE);
  });

  it('rounds half up when given more digits than shown', () => {
    expect(formatPercent(12.5, { digits: 0 })).toBe('13%');
    expect(formatPercent(12.345)).toBe('12,35%');
    expect(formatPercent(1.005)).toBe('1,01%');
  });

  it('throws on bad options', () => {
    expect(() => formatPercent(1, { digits: 11 })).toThrow(/digits/);
    expect(() => formatPercent(Number.NaN)).toThrow(/value/);
    expect(() => formatPercent(1, { locale: 'fr' as 'vi' })).toThrow(/locale/);
  });

  it('vi and en differ only in the decimal mark below 1000 (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 100_000 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 3 }), (a, b, digits) => {
        const value = percent(Math.min(a, b), b, digits);
        const vi = formatPercent(value, { digits });
        const en = formatPercent(value, { digits, locale: 'en' });
        expect(vi.replace(',', '.')).toBe(en);
        expect(en).toBe(`${(value as number).toFixed(digits)}%`);
      }),
    );
  });
});

describe('formatCount / formatDecimal', () => {
  it('uses a thousands dot in Vietnamese', () => {
    expect(formatCount(35_100)).toBe('35.100');
    expect(formatCount(35_100, 'en')).toBe('35,100');
    expect(formatCount(1_234_567)).toBe('1.234.567');
    expect(formatCount(0)).toBe('0');
    expect(() => formatCount(1.5)).toThrow(/n must/);
  });

  it('formats decimals with a comma', () => {
    expect(formatDecimal(87.5)).toBe('87,5');
    expect(formatDecimal(1234.5, 'en')).toBe('1,234.5');
    expect(formatDecimal(2 / 3, 'vi', 2)).toBe('0,67');
  });
});

describe('the precision rule (PERCENT_DIGITS, formatShare)', () => {
  it('prints live views at one decimal and reports at two, from the exact ratio', () => {
    expect(PERCENT_DIGITS).toEqual({ live: 1, report: 2 });
    expect(formatShare(7, 7, 'live')).toBe('100,0%');
    expect(formatShare(7, 7, 'report')).toBe('100,00%');
    expect(formatShare(9897, 10_000, 'report')).toBe('98,97%');
    expect(formatShare(9897, 10_000, 'live')).toBe('99,0%');
    expect(formatShare(9897, 10_000, 'live', 'en')).toBe('99.0%');
    expect(formatShare(0, 0, 'live')).toBe('—');
  });

  it('never double-rounds: the live figure is the exact ratio rounded once', () => {
    // 984_49/100_000 = 98.449%: 98,45 at two decimals would round again to 98,5.
    expect(formatShare(98_449, 100_000, 'live')).toBe('98,4%');
    fc.assert(
      fc.property(fc.nat(10_000), fc.integer({ min: 1, max: 10_000 }), (a, b) => {
        const part = Math.min(a, b);
        expect(formatShare(part, b, 'live')).toBe(formatPercent(percent(part, b, 1), { digits: 1 }));
      }),
    );
  });
});

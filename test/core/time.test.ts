import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_EPOCH_MS,
  VN_OFFSET_MINUTES,
  addDays,
  dateOfDayNumber,
  dayNumber,
  daysInMonth,
  inRange,
  isDateString,
  isMonthKey,
  localMidnight,
  localHourKeys,
  localParts,
  monthOf,
  monthsOfRange,
  parseDate,
  parseMonthKey,
  rangeLength,
  requireRange,
  weekdayOf,
} from '../../core/time.ts';

describe('localParts', () => {
  it('uses UTC+7 by default', () => {
    expect(VN_OFFSET_MINUTES).toBe(420);
    // 2026-11-22T17:30Z is 00:30 on Monday 23 November in Hà Nội.
    expect(localParts(Date.UTC(2026, 10, 22, 17, 30))).toEqual({
      year: 2026,
      month: 11,
      day: 23,
      hour: 0,
      minute: 30,
      weekday: 0,
      date: '2026-11-23',
      monthKey: '2026-11',
      dayKey: '23',
      hourKey: '00',
    });
  });

  it('rolls months and years at local midnight, not UTC midnight', () => {
    expect(localParts(Date.UTC(2025, 11, 31, 16, 59)).date).toBe('2025-12-31');
    expect(localParts(Date.UTC(2025, 11, 31, 17, 0)).monthKey).toBe('2026-01');
    expect(localParts(Date.UTC(2025, 11, 31, 17, 0), 0).monthKey).toBe('2025-12');
  });

  it('numbers weekdays Monday first', () => {
    expect(localParts(Date.UTC(2026, 10, 22, 5)).weekday).toBe(6); // Sunday
    expect(localParts(Date.UTC(2026, 10, 23, 5)).weekday).toBe(0); // Monday
  });

  it('throws on bad arguments', () => {
    expect(() => localParts(Number.NaN)).toThrow(/epochMs/);
    expect(() => localParts(1.5)).toThrow(/epochMs/);
    expect(() => localParts(MAX_EPOCH_MS + 1)).toThrow(/epochMs/);
    expect(() => localParts(0, 30.5)).toThrow(/offsetMinutes/);
    expect(() => localParts(0, 900)).toThrow(/offsetMinutes/);
  });

  it('agrees with localMidnight and weekdayOf (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_EPOCH_MS }), (t) => {
        const p = localParts(t);
        const midnight = localMidnight(p.date);
        expect(t - midnight).toBeGreaterThanOrEqual(0);
        expect(t - midnight).toBeLessThan(86_400_000);
        expect(Math.floor((t - midnight) / 3_600_000)).toBe(p.hour);
        expect(weekdayOf(p.date)).toBe(p.weekday);
        expect(p.date).toBe(`${p.monthKey}-${p.dayKey}`);
        expect(isDateString(p.date)).toBe(true);
      }),
    );
  });
});

describe('localHourKeys', () => {
  it("equals localParts' month, day and hour keys for any instant and offset, in any order of calls (its one-hour memo)", () => {
    const instant = fc.integer({ min: -MAX_EPOCH_MS, max: MAX_EPOCH_MS });
    // Runs of instants close together (the memo's hits), mixed with far ones and other offsets.
    const near = fc.tuple(instant, fc.array(fc.integer({ min: -7_200_000, max: 7_200_000 }), { maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(near, fc.integer({ min: -720, max: 840 }))), (runs) => {
        for (const [[base, deltas], offset] of runs) {
          for (const t of [base, ...deltas.map((d) => base + d)]) {
            if (Math.abs(t) > MAX_EPOCH_MS) continue;
            const p = localParts(t, offset);
            expect(localHourKeys(t, offset)).toEqual({ monthKey: p.monthKey, dayKey: p.dayKey, hourKey: p.hourKey });
          }
        }
      }),
    );
  });

  it('refuses what localParts refuses, even right after a valid instant of the same hour', () => {
    localHourKeys(1_700_000_000_000);
    expect(() => localHourKeys(1_700_000_000_000.5)).toThrow(RangeError);
    expect(() => localHourKeys(Number.NaN)).toThrow(RangeError);
  });
});

describe('date strings', () => {
  it('validates real calendar dates', () => {
    expect(isDateString('2024-02-29')).toBe(true);
    expect(isDateString('2023-02-29')).toBe(false);
    expect(isDateString('2000-02-29')).toBe(true);
    expect(isDateString('1900-02-29')).toBe(false);
    expect(isDateString('2026-04-31')).toBe(false);
    expect(isDateString('2026-13-01')).toBe(false);
    expect(isDateString('2026-1-01')).toBe(false);
    expect(isDateString('1899-12-31')).toBe(false);
    expect(isDateString(20260101)).toBe(false);
    expect(isMonthKey('2026-11')).toBe(true);
    expect(isMonthKey('2026-00')).toBe(false);
    expect(isMonthKey('2026-11-01')).toBe(false);
  });

  it('parseDate and parseMonthKey name the field', () => {
    expect(parseDate('2026-11-22', 'from')).toEqual({ ok: true, value: '2026-11-22' });
    expect(parseDate('2026-11-31', 'from')).toMatchObject({ ok: false, code: 'bad-date', field: 'from' });
    expect(parseDate(undefined, 'to')).toMatchObject({ ok: false, code: 'bad-date', field: 'to' });
    expect(parseMonthKey('2026-11', 'month')).toEqual({ ok: true, value: '2026-11' });
    expect(parseMonthKey('2026/11', 'month')).toMatchObject({ ok: false, code: 'bad-month', field: 'month' });
  });

  it('daysInMonth follows the Gregorian rules', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2026, m))).toEqual([
      31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
  });

  it('day numbers, addDays, monthOf', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dateOfDayNumber(dayNumber('2026-11-22'))).toBe('2026-11-22');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(monthOf('2026-11-22')).toBe('2026-11');
    expect(() => addDays('2026-02-30', 1)).toThrow(/date/);
  });

  it('ranges', () => {
    expect(requireRange({ from: '2026-01-01', to: '2026-01-01' }, 'r')).toEqual({ from: '2026-01-01', to: '2026-01-01' });
    expect(() => requireRange({ from: '2026-01-02', to: '2026-01-01' }, 'r')).toThrow(/r\.from .* after r\.to/);
    expect(() => requireRange({ from: 'x', to: '2026-01-01' }, 'r')).toThrow(/r\.from/);
    expect(rangeLength({ from: '2024-01-01', to: '2024-12-31' })).toBe(366);
    expect(inRange('2026-05-01', { from: '2026-01-01', to: '2026-06-30' })).toBe(true);
    expect(inRange('2026-07-01', { from: '2026-01-01', to: '2026-06-30' })).toBe(false);
  });

  it('monthsOfRange: every month a range touches, in order (property: each day of the range is in one, nothing else)', () => {
    expect(monthsOfRange({ from: '2026-11-28', to: '2027-01-03' })).toEqual(['2026-11', '2026-12', '2027-01']);
    expect(monthsOfRange({ from: '2026-12-01', to: '2026-12-01' })).toEqual(['2026-12']);
    expect(() => monthsOfRange({ from: '2026-12-02', to: '2026-12-01' })).toThrow(/range\.from/);
    const dayArb = fc.integer({ min: dayNumber('1999-01-01'), max: dayNumber('2031-12-31') });
    fc.assert(
      fc.property(dayArb, fc.integer({ min: 0, max: 800 }), (start, length) => {
        const range = { from: dateOfDayNumber(start), to: dateOfDayNumber(start + length) };
        const months = monthsOfRange(range);
        const touched = new Set(Array.from({ length: length + 1 }, (_, i) => monthOf(dateOfDayNumber(start + i))));
        expect(months).toEqual([...touched]);
      }),
      { numRuns: 200 },
    );
  });

  it('string order equals date order (property)', () => {
    const dateArb = fc.integer({ min: dayNumber('1900-01-01'), max: dayNumber('9999-12-31') }).map(dateOfDayNumber);
    fc.assert(
      fc.property(dateArb, dateArb, (a, b) => {
        expect(isDateString(a)).toBe(true);
        expect(a < b).toBe(dayNumber(a) < dayNumber(b));
      }),
    );
  });
});

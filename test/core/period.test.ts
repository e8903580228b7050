import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatDate,
  parsePeriodKey,
  periodLabel,
  periodOf,
  periodRange,
  previousPeriod,
  rangeLabel,
  yearBefore,
} from '../../core/period.ts';
import type { PeriodKind } from '../../core/period.ts';
import { addDays, dateOfDayNumber, dayNumber, rangeLength, weekdayOf } from '../../core/time.ts';
import { junkArb } from './arbitraries.ts';

const dateArb = fc.integer({ min: dayNumber('1901-01-01'), max: dayNumber('9998-12-31') }).map(dateOfDayNumber);
const KINDS: PeriodKind[] = ['today', 'week', 'month', 'quarter', 'half', 'year'];

describe('periodRange', () => {
  it('computes each kind around 22 November 2026 (a Sunday)', () => {
    expect(periodRange('today', '2026-11-22')).toEqual({ from: '2026-11-22', to: '2026-11-22' });
    expect(periodRange('week', '2026-11-22')).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(periodRange('week', '2026-11-23')).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    expect(periodRange('month', '2026-11-22')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(periodRange('quarter', '2026-11-22')).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(periodRange('half', '2026-11-22')).toEqual({ from: '2026-07-01', to: '2026-12-31' });
    expect(periodRange('half', '2026-06-30')).toEqual({ from: '2026-01-01', to: '2026-06-30' });
    expect(periodRange('year', '2026-11-22')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(periodRange('month', '2024-02-10')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
  });

  it('uses ISO week numbers', () => {
    expect(periodOf('week', '2026-11-22').key).toBe('2026-W47');
    expect(periodOf('week', '2027-01-01').key).toBe('2026-W53');
    expect(periodOf('week', '2024-12-30').key).toBe('2025-W01');
    expect(periodOf('week', '2021-01-03').key).toBe('2020-W53');
  });

  it('throws on bad arguments', () => {
    expect(() => periodRange('month', '2026-02-30')).toThrow(/refDate/);
    expect(() => periodRange('decade' as PeriodKind, '2026-02-03')).toThrow(/kind/);
  });

  it('always contains the reference date, weeks start Monday (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), dateArb, (kind, date) => {
        const r = periodRange(kind, date);
        expect(r.from <= date && date <= r.to).toBe(true);
        if (kind === 'week') {
          expect(weekdayOf(r.from)).toBe(0);
          expect(rangeLength(r)).toBe(7);
        }
        // The day after the period starts the next period of that kind.
        expect(periodRange(kind, addDays(r.to, 1)).from).toBe(addDays(r.to, 1));
      }),
    );
  });
});

describe('previousPeriod / yearBefore', () => {
  it('steps back one whole period', () => {
    expect(previousPeriod(periodRange('month', '2026-03-15'), 'month')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(previousPeriod(periodRange('quarter', '2026-01-15'), 'quarter')).toEqual({ from: '2025-10-01', to: '2025-12-31' });
    expect(previousPeriod(periodRange('half', '2026-11-22'), 'half')).toEqual({ from: '2026-01-01', to: '2026-06-30' });
    expect(previousPeriod(periodRange('week', '2026-11-22'), 'week')).toEqual({ from: '2026-11-09', to: '2026-11-15' });
    expect(previousPeriod({ from: '2026-11-22', to: '2026-11-22' }, 'today')).toEqual({ from: '2026-11-21', to: '2026-11-21' });
    expect(previousPeriod({ from: '2026-11-10', to: '2026-11-19' }, 'custom')).toEqual({ from: '2026-10-31', to: '2026-11-09' });
  });

  it('gives the same dates a year earlier', () => {
    expect(yearBefore({ from: '2024-02-29', to: '2024-03-31' })).toEqual({ from: '2023-02-28', to: '2023-03-31' });
    expect(() => yearBefore({ from: '2024-03-01', to: '2024-02-01' })).toThrow(/range/);
  });

  it('custom previous periods are adjacent and equally long (property)', () => {
    fc.assert(
      fc.property(
        dateArb.filter((d) => d < '9997-01-01'),
        fc.nat({ max: 400 }),
        (from, len) => {
          const range = { from, to: addDays(from, len) };
          const prev = previousPeriod(range, 'custom');
          expect(rangeLength(prev)).toBe(rangeLength(range));
          expect(addDays(prev.to, 1)).toBe(range.from);
        },
      ),
    );
  });
});

describe('parsePeriodKey', () => {
  it('parses every key form', () => {
    expect(parsePeriodKey('2026-11')).toEqual({ ok: true, value: { kind: 'month', key: '2026-11', from: '2026-11-01', to: '2026-11-30' } });
    expect(parsePeriodKey('2026-q4')).toEqual({
      ok: true,
      value: { kind: 'quarter', key: '2026-q4', from: '2026-10-01', to: '2026-12-31' },
    });
    expect(parsePeriodKey('2026-Q4')).toMatchObject({ ok: true, value: { key: '2026-q4' } });
    expect(parsePeriodKey('2026-h2')).toEqual({ ok: true, value: { kind: 'half', key: '2026-h2', from: '2026-07-01', to: '2026-12-31' } });
    expect(parsePeriodKey('2026')).toEqual({ ok: true, value: { kind: 'year', key: '2026', from: '2026-01-01', to: '2026-12-31' } });
    expect(parsePeriodKey('2026-W47')).toEqual({
      ok: true,
      value: { kind: 'week', key: '2026-W47', from: '2026-11-16', to: '2026-11-22' },
    });
    expect(parsePeriodKey('2026-w53')).toMatchObject({ ok: true, value: { from: '2026-12-28', to: '2027-01-03' } });
    expect(parsePeriodKey('2026-11-22')).toEqual({
      ok: true,
      value: { kind: 'today', key: '2026-11-22', from: '2026-11-22', to: '2026-11-22' },
    });
  });

  it.each(['2026-13', '2026-q5', '2026-h3', '2025-W53', '2026-W00', '2026-02-30', '26-11', '1899', 'năm 2026', '', ' 2026'])(
    'rejects %j with bad-period',
    (key) => {
      expect(parsePeriodKey(key)).toMatchObject({ ok: false, code: 'bad-period', field: 'period' });
    },
  );

  it('never throws (property) and round-trips periodOf keys (property)', () => {
    fc.assert(
      fc.property(junkArb, (input) => {
        expect(typeof parsePeriodKey(input).ok).toBe('boolean');
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), dateArb, (kind, date) => {
        const p = periodOf(kind, date);
        expect(parsePeriodKey(p.key)).toEqual({ ok: true, value: p });
      }),
    );
  });
});

describe('labels', () => {
  const label = (key: string, locale: 'vi' | 'en' = 'vi') => {
    const r = parsePeriodKey(key);
    if (!r.ok) throw new Error(r.message);
    return periodLabel(r.value, locale);
  };

  it('prints Vietnamese report headings', () => {
    expect(label('2026-11')).toBe('Tháng 11/2026');
    expect(label('2026-q4')).toBe('Quý IV/2026');
    expect(label('2026-q1')).toBe('Quý I/2026');
    expect(label('2026-h1')).toBe('6 tháng đầu năm 2026');
    expect(label('2026-h2')).toBe('6 tháng cuối năm 2026');
    expect(label('2026')).toBe('Năm 2026');
    expect(label('2026-W47')).toBe('Tuần 47/2026');
    expect(label('2026-11-22')).toBe('Ngày 22/11/2026');
  });

  it('prints English headings', () => {
    expect(label('2026-11', 'en')).toBe('November 2026');
    expect(label('2026-q4', 'en')).toBe('Q4 2026');
    expect(label('2026-h2', 'en')).toBe('Second half of 2026');
    expect(label('2026-h1', 'en')).toBe('First half of 2026');
    expect(label('2026', 'en')).toBe('Year 2026');
    expect(label('2026-W07', 'en')).toBe('Week 7, 2026');
    expect(label('2026-11-02', 'en')).toBe('2 Nov 2026');
  });

  it('prints free ranges and dates', () => {
    expect(rangeLabel({ from: '2022-01-01', to: '2023-03-31' })).toBe('Từ ngày 01/01/2022 đến ngày 31/03/2023');
    expect(rangeLabel({ from: '2022-01-01', to: '2023-03-31' }, 'en')).toBe('1 Jan 2022 – 31 Mar 2023');
    expect(formatDate('2026-11-02')).toBe('02/11/2026');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPENING_HOURS, WEEKDAYS, isOpenAt, parseOpeningHours } from '../../core/opening-hours.ts';
import { HOSTILE_INPUTS, junkArb, vnTime } from './arbitraries.ts';

describe('parseOpeningHours', () => {
  it('accepts the default ward hours and round-trips them', () => {
    expect(parseOpeningHours(JSON.stringify(DEFAULT_OPENING_HOURS))).toEqual({ ok: true, value: DEFAULT_OPENING_HOURS });
  });

  it.each<[string, unknown, string, string]>([
    ['unknown day', { monday: [] }, 'bad-enum', 'monday'],
    ['not a time', { mon: [['7:30', '11:30']] }, 'bad-text', 'mon[0][0]'],
    ['24:00', { mon: [['07:30', '24:00']] }, 'bad-text', 'mon[0][1]'],
    ['start after end', { mon: [['11:30', '07:30']] }, 'bad-order', 'mon[0]'],
    ['empty interval', { mon: [['07:30', '07:30']] }, 'bad-order', 'mon[0]'],
    [
      'overlap',
      {
        tue: [
          ['07:30', '11:30'],
          ['11:00', '17:00'],
        ],
      },
      'bad-order',
      'tue[1]',
    ],
    ['three items', { wed: [['07:30', '11:30', '12:00']] }, 'out-of-range', 'wed[0]'],
    ['one item', { wed: [['07:30']] }, 'bad-type', 'wed[0]'],
    ['five intervals', { thu: Array.from({ length: 5 }, (_, i) => [`0${i}:00`, `0${i}:30`]) }, 'out-of-range', 'thu'],
    ['day not array', { fri: '07:30-11:30' }, 'bad-type', 'fri'],
  ])('%s → %s at %s', (_name, input, code, field) => {
    expect(parseOpeningHours(input)).toMatchObject({ ok: false, code, field });
  });

  it('never throws on hostile input (property)', () => {
    for (const input of HOSTILE_INPUTS) expect(typeof parseOpeningHours(input).ok).toBe('boolean');
    fc.assert(
      fc.property(junkArb, (input) => void expect(typeof parseOpeningHours(input).ok).toBe('boolean')),
      { numRuns: 500 },
    );
  });
});

describe('isOpenAt', () => {
  // 2026-11-23 is a Monday; 2026-11-28 a Saturday; 2026-11-29 a Sunday.
  it('follows the wall clock in Vietnam', () => {
    expect(isOpenAt(DEFAULT_OPENING_HOURS, vnTime('2026-11-23', 7, 29))).toBe(false);
    expect(isOpenAt(DEFAULT_OPENING_HOURS, vnTime('2026-11-23', 7, 30))).toBe(true);
    expect(isOpenAt(DEFAULT_OPENING_HOURS, vnTime('2026-11-23', 11, 30))).toBe(false);
    expect(isOpenAt(DEFAULT_OPENING_HOURS, vnTime('2026-11-23', 12, 0))).toBe(false);
    expect(isOpenAt(DEFAULT_OPENING_HOURS, vnTime('2026-11-23', 16, 59))).toBe(true);
    expect(isOpenAt(DEFAULT_OPENING_HOURS, vnTime('2026-11-28', 9, 0))).toBe(true);
    expect(isOpenAt(DEFAULT_OPENING_HOURS, vnTime('2026-11-28', 14, 0))).toBe(false);
    expect(isOpenAt(DEFAULT_OPENING_HOURS, vnTime('2026-11-29', 9, 0))).toBe(false);
  });

  it('is closed on days without hours, for every minute (property)', () => {
    const hours = { mon: [['08:00', '09:00']] as const };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 1439 }), (dayOffset, minute) => {
        const at = vnTime('2026-11-23', 0, 0) + dayOffset * 86_400_000 + minute * 60_000;
        const expected = WEEKDAYS[dayOffset] === 'mon' && minute >= 480 && minute < 540;
        expect(isOpenAt(hours, at)).toBe(expected);
      }),
    );
  });
});

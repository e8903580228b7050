import { describe, expect, it } from 'vitest';
import { localParts } from '../../core/time.ts';
import { afterFirstOpening, awayFromMidnight, insideOneDay, localDaysOf } from './local-days.ts';

describe('localDaysOf', () => {
  it('spans the Hà Nội dates and months of the instants, across a midnight and a year end', () => {
    // 16:59:59.999 UTC on 31 Dec is the last millisecond of 2026 in Hà Nội; 17:00 UTC is 1 Jan 2027.
    const lastOf2026 = Date.UTC(2026, 11, 31, 16, 59, 59, 999);
    expect(localDaysOf([lastOf2026])).toEqual({ from: '2026-12-31', to: '2026-12-31', months: ['2026-12'] });
    expect(localDaysOf([lastOf2026 + 1, lastOf2026])).toEqual({ from: '2026-12-31', to: '2027-01-01', months: ['2026-12', '2027-01'] });
    // 23:30 UTC on 30 Nov is already 1 Dec in Hà Nội (the UTC date would say November).
    expect(localDaysOf([Date.UTC(2026, 10, 30, 23, 30)])).toEqual({ from: '2026-12-01', to: '2026-12-01', months: ['2026-12'] });
  });

  it('refuses no instants (a test bug)', () => {
    expect(() => localDaysOf([])).toThrow(/at least one/);
  });

  it('insideOneDay keeps a test’s votes before it and its run after it inside one Hà Nội day', () => {
    const midnight = Date.UTC(2026, 11, 31, 17); // 1 Jan 2027 00:00 in Hà Nội
    const noon = Date.UTC(2026, 11, 31, 5);
    expect(insideOneDay(noon, 60_000, 600_000)).toBe(noon);
    // The last ten minutes of New Year's Eve: the next day's 00:01.
    expect(insideOneDay(midnight - 2000, 60_000, 600_000)).toBe(midnight + 60_000);
    expect(insideOneDay(midnight - 600_001, 60_000, 600_000)).toBe(midnight - 600_001);
    // The first minute of a day: its 00:01.
    expect(insideOneDay(midnight + 20_000, 60_000, 600_000)).toBe(midnight + 60_000);
    expect(insideOneDay(midnight + 60_000, 60_000, 600_000)).toBe(midnight + 60_000);
    // Nothing to keep: the instant itself.
    expect(insideOneDay(midnight - 1, 0, 0)).toBe(midnight - 1);
    for (const t of [noon, midnight - 2000, midnight + 20_000]) {
      const at = insideOneDay(t, 60_000, 600_000);
      expect(at).toBeGreaterThanOrEqual(t);
      expect(localParts(at - 60_000).date).toBe(localParts(at + 600_000 - 1).date);
    }
    expect(() => insideOneDay(noon, 86_400_000, 0)).toThrow(/fit in a day/);
  });

  it('afterFirstOpening waits for two hours of the month’s first opening', () => {
    const at = (iso: string) => Date.parse(iso);
    // 1 Jan 2027 is a Friday: open at 07:30 (00:30 UTC), so 09:30 (02:30 UTC).
    expect(afterFirstOpening(at('2026-12-31T17:00:20Z'))).toBe(at('2027-01-01T02:30:00Z'));
    // 1 Nov 2026 is a Sunday: Monday 2 Nov 09:30.
    expect(afterFirstOpening(at('2026-10-31T17:30:00Z'))).toBe(at('2026-11-02T02:30:00Z'));
    // Later in a month: the instant itself, even at night.
    expect(afterFirstOpening(at('2026-12-06T15:00:00Z'))).toBe(at('2026-12-06T15:00:00Z'));
    expect(() => afterFirstOpening(at('2026-12-06T15:00:00Z'), {})).toThrow(/never open/);
  });

  it('awayFromMidnight waits only when a Hà Nội midnight is nearer than the margin', async () => {
    const midnight = Date.UTC(2026, 11, 31, 17);
    const started = Date.now();
    await awayFromMidnight(60_000, () => midnight - 60_000);
    expect(Date.now() - started).toBeLessThan(500);
    // 200 ms before midnight with a minute's margin: resolves just after it (1 s past).
    await awayFromMidnight(60_000, () => midnight - 200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1150);
  });
});

import { describe, expect, it } from 'vitest';
import { localDaysOf } from './local-days.ts';

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
});

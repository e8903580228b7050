import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currentUnitOf,
  foldByUnit,
  lineageOf,
  lineageOfOffices,
  predecessorsOf,
  unitOn,
  type Lineage,
  type UnitLineageInput,
} from '../../core/merger.ts';

/** Hà Nội's 2025 rearrangement, in miniature: Phúc Xá and Trúc Bạch became Phường Ba Đình on 1/7/2025. */
const UNITS: UnitLineageInput[] = [
  {
    id: 'ba-dinh',
    mergedFrom: [
      { id: 'phuc-xa', until: '2025-06-30' },
      { id: 'truc-bach', until: '2025-06-30' },
    ],
  },
  { id: 'ngoc-ha' },
];

function lineage(units: readonly UnitLineageInput[]): Lineage {
  const r = lineageOf(units);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.lineage;
}

describe('lineageOf', () => {
  it('reports every problem with its path: bad date, self, two successors, cycle, predecessor outliving its successor', () => {
    const r = lineageOf([
      {
        id: 'a',
        mergedFrom: [
          { id: 'b', until: '2025-13-01' },
          { id: 'a', until: '2025-06-30' },
          { id: 'c', until: '2025-06-30' },
        ],
      },
      { id: 'd', mergedFrom: [{ id: 'c', until: '2025-06-30' }] },
      { id: 'x', mergedFrom: [{ id: 'y', until: '2025-06-30' }] },
      { id: 'y', mergedFrom: [{ id: 'x', until: '2025-06-30' }] },
      { id: 'p', mergedFrom: [{ id: 'q', until: '2026-01-31' }] },
      { id: 'r', mergedFrom: [{ id: 'p', until: '2025-06-30' }] },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { path: 'units[0].mergedFrom[0].until', message: 'must be a date YYYY-MM-DD (the last day b existed), got "2025-13-01"' },
      { path: 'units[0].mergedFrom[1].id', message: 'unit a cannot absorb itself' },
      {
        path: 'units[1].mergedFrom[0].id',
        message: 'c is already merged into a: a unit folds into one successor (for a split ward, name the unit that took its office)',
      },
      { path: 'units[2].mergedFrom[0].id', message: 'y is part of a merger cycle (y → x → y)' },
      { path: 'units[3].mergedFrom[0].id', message: 'x is part of a merger cycle (x → y → x)' },
      { path: 'units[4].mergedFrom[0].id', message: 'q ceased on 2026-01-31, after its successor p (ceased 2025-06-30)' },
    ]);
  });

  it('accepts no mergers at all', () => {
    expect(lineageOf([{ id: 'a' }, { id: 'b', mergedFrom: [] }])).toEqual({ ok: true, lineage: new Map() });
  });
});

describe('unitOn', () => {
  const l = lineage(UNITS);
  it('a report ending before the merger shows the old wards; one ending on or after 1/7/2025 the new one', () => {
    expect(unitOn(l, 'phuc-xa', '2025-06-30')).toBe('phuc-xa');
    expect(unitOn(l, 'phuc-xa', '2025-07-01')).toBe('ba-dinh');
    expect(unitOn(l, 'truc-bach', '2025-12-31')).toBe('ba-dinh');
    expect(unitOn(l, 'ngoc-ha', '2025-12-31')).toBe('ngoc-ha');
    expect(unitOn(l, 'unknown', '2025-12-31')).toBe('unknown');
    expect(predecessorsOf(l, 'ba-dinh').sort()).toEqual(['phuc-xa', 'truc-bach']);
  });

  it('the year 2025 of the new commune holds its predecessors; each old ward stays countable apart', () => {
    // Votes per unit id as archived: the old wards until 30/6, the new commune from 1/7.
    const raw = new Map([
      ['phuc-xa', 120],
      ['truc-bach', 80],
      ['ba-dinh', 300],
      ['ngoc-ha', 50],
    ]);
    expect(foldByUnit(raw, l, '2025-12-31', (a, b) => a + b)).toEqual(
      new Map([
        ['ba-dinh', 500],
        ['ngoc-ha', 50],
      ]),
    );
    expect(foldByUnit(raw, l, '2025-06-30', (a, b) => a + b)).toEqual(raw);
  });
});

/** A random acyclic lineage: unit i may absorb units with a higher index, ceasing no later than it. */
const lineageArb = fc
  .array(
    fc.record({
      successor: fc.option(fc.nat(), { nil: undefined }),
      until: fc.constantFrom('2025-06-30', '2025-09-30', '2026-03-31', '2026-12-31'),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .map((rows) => {
    const n = rows.length;
    const units: { id: string; mergedFrom: { id: string; until: string }[] }[] = rows.map((_, i) => ({ id: `u${i}`, mergedFrom: [] }));
    const until = rows.map((r) => r.until);
    rows.forEach((r, i) => {
      if (r.successor === undefined || i === 0) return;
      const s = r.successor % i; // a lower index: no cycles
      units[s]!.mergedFrom.push({ id: `u${i}`, until: until[i]! });
    });
    return { units, ids: Array.from({ length: n }, (_, i) => `u${i}`) };
  })
  .filter(({ units }) => lineageOf(units).ok);

const dateArb = fc.constantFrom('2025-01-01', '2025-06-30', '2025-07-01', '2025-10-01', '2026-12-31', '2027-01-01');

describe('merger properties', () => {
  it('folding loses nothing and counts nothing twice, for any lineage and date', () => {
    fc.assert(
      fc.property(
        lineageArb,
        dateArb,
        fc.array(fc.nat({ max: 1000 }), { minLength: 12, maxLength: 12 }),
        ({ units, ids }, date, counts) => {
          const l = lineage(units);
          const raw = new Map(ids.map((id, i) => [id, counts[i]!]));
          const folded = foldByUnit(raw, l, date, (a, b) => a + b);
          const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
          expect(sum(folded)).toBe(sum(raw));
          // No unit in the folded report had ceased by the report's end.
          for (const unit of folded.keys()) expect(unitOn(l, unit, date)).toBe(unit);
        },
      ),
    );
  });

  it('unitOn is idempotent, the identity before every merger, and the final unit after all of them', () => {
    fc.assert(
      fc.property(lineageArb, dateArb, ({ units, ids }, date) => {
        const l = lineage(units);
        for (const id of ids) {
          expect(unitOn(l, unitOn(l, id, date), date)).toBe(unitOn(l, id, date));
          expect(unitOn(l, id, '2025-06-30')).toBe(id);
          expect(unitOn(l, id, '2027-01-01')).toBe(currentUnitOf(l, id));
          expect(l.has(currentUnitOf(l, id))).toBe(false);
        }
      }),
    );
  });

  it('folding at an earlier date, then at a later one, equals folding at the later one', () => {
    fc.assert(
      fc.property(lineageArb, dateArb, dateArb, ({ units, ids }, d1, d2) => {
        const l = lineage(units);
        const [early, late] = d1 <= d2 ? [d1, d2] : [d2, d1];
        for (const id of ids) expect(unitOn(l, unitOn(l, id, early), late)).toBe(unitOn(l, id, late));
      }),
    );
  });
});

describe('offices carry the mergers to the dashboard', () => {
  it('parseOffice keeps mergedFrom and refuses a bad date, naming the field', async () => {
    const { parseOffice } = await import('../../core/office.ts');
    const { DEFAULT_OPENING_HOURS } = await import('../../core/opening-hours.ts');
    const base = {
      v: 1,
      district: 'ha-noi',
      ward: 'ba-dinh',
      districtName: 'Thành phố Hà Nội',
      wardName: 'Phường Ba Đình',
      scale: 'scale-3',
      target: 80,
      openingHours: DEFAULT_OPENING_HOURS,
      counters: [],
      updatedAt: 1,
    };
    const good = parseOffice({ ...base, mergedFrom: [{ id: 'phuc-xa', until: '2025-06-30', name: 'Phường Phúc Xá' }] });
    expect(good.ok && good.value.mergedFrom).toEqual([{ id: 'phuc-xa', until: '2025-06-30', name: 'Phường Phúc Xá' }]);
    const bad = parseOffice({ ...base, mergedFrom: [{ id: 'phuc-xa', until: '30/6/2025' }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad).toMatchObject({ code: 'bad-date', field: 'mergedFrom[0].until' });
  });

  it('lineageOfOffices keys units district/ward, and ignores an inconsistent declaration', () => {
    const l = lineageOfOffices([
      { district: 'ha-noi', ward: 'ba-dinh', mergedFrom: [{ id: 'phuc-xa', until: '2025-06-30' }] },
      { district: 'ha-noi', ward: 'ngoc-ha' },
    ]);
    expect(unitOn(l, 'ha-noi/phuc-xa', '2025-07-01')).toBe('ha-noi/ba-dinh');
    expect(lineageOfOffices([{ district: 'd', ward: 'a', mergedFrom: [{ id: 'a', until: '2025-06-30' }] }]).size).toBe(0);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_KEY, dailySeries, foldTallies, foldTalliesBy, groupKey, heatmap } from '../../core/fold.ts';
import type { GroupBy } from '../../core/fold.ts';
import { SCALE_3, SCALE_4, SCALE_5 } from '../../core/scale.ts';
import type { Scale } from '../../core/scale.ts';
import { summarize } from '../../core/summary.ts';
import { applyVotes, emptyTally } from '../../core/tally.ts';
import type { Tally } from '../../core/tally.ts';
import { addDays, dateOfDayNumber, dayNumber, localParts } from '../../core/time.ts';
import type { DateRange } from '../../core/time.ts';
import type { TerminalPath } from '../../core/path.ts';
import type { Vote } from '../../core/vote.ts';
import { T1, makeVote, terminalMonthArb, votesOf, vnTime } from './arbitraries.ts';

const T2: TerminalPath = { ...T1, terminal: 'hop-2' };
const T3: TerminalPath = { ...T1, ward: 'truc-bach', counter: 'quay-1', terminal: 'hop-1' };

const votes1 = [
  makeVote(T1, 1, 'rat-hai-long', vnTime('2026-11-02', 8), { officer: 'cb-lan' }),
  makeVote(T1, 2, 'hai-long', vnTime('2026-11-02', 9), { officer: 'cb-lan' }),
  makeVote(T1, 3, 'khong-hai-long', vnTime('2026-11-03', 14), { officer: 'cb-minh' }),
  makeVote(T1, 4, 'hai-long', vnTime('2026-11-03', 14), { filtered: 'cooldown' }),
  makeVote(T1, 5, 'binh-thuong', vnTime('2026-11-30', 16)),
];
const votes2 = [makeVote(T2, 10, 'rat-hai-long', vnTime('2026-11-02', 10)), makeVote(T2, 11, 'hai-long', vnTime('2026-12-01', 10))];
const votes3 = [makeVote(T3, 1, 'khong-hai-long', vnTime('2026-11-09', 7), { filtered: 'gated' })];

const tallies: Tally[] = [
  applyVotes(emptyTally(T1, '2026-11'), votes1),
  applyVotes(emptyTally(T2, '2026-11'), votes2),
  applyVotes(emptyTally(T2, '2026-12'), votes2),
  applyVotes(emptyTally(T3, '2026-11'), votes3),
];
const NOV: DateRange = { from: '2026-11-01', to: '2026-11-30' };

describe('groupKey', () => {
  it('builds path keys', () => {
    expect(groupKey(T1, 'terminal')).toBe('ba-dinh/phuc-xa/quay-1/hop-1');
    expect(groupKey(T1, 'counter')).toBe('ba-dinh/phuc-xa/quay-1');
    expect(groupKey(T1, 'ward')).toBe('ba-dinh/phuc-xa');
    expect(groupKey(T1, 'district')).toBe('ba-dinh');
    expect(groupKey(T1, 'all')).toBe(ALL_KEY);
  });
});

describe('foldTallies', () => {
  it('folds a month per counter under the official scale', () => {
    const m = foldTallies(tallies, { ...NOV, by: 'counter', scale: SCALE_3 });
    expect([...m.keys()]).toEqual(['ba-dinh/phuc-xa/quay-1', 'ba-dinh/truc-bach/quay-1']);
    expect(m.get('ba-dinh/phuc-xa/quay-1')).toEqual({
      total: 4,
      counts: { 'rat-hai-long': 2, 'hai-long': 1, 'khong-hai-long': 1 },
      filtered: { cooldown: 1, gated: 0 },
      satisfied: 3,
      unscaled: 1,
      points: 5,
      maxPoints: 2,
      satisfiedRatio: 0.75,
      pointsIndex: 62.5,
    });
    // A counter whose only press was filtered: known, but no percentage.
    expect(m.get('ba-dinh/truc-bach/quay-1')).toMatchObject({
      total: 0,
      filtered: { cooldown: 0, gated: 1 },
      satisfiedRatio: null,
      pointsIndex: null,
    });
  });

  it('judges the same votes by another scale', () => {
    const m = foldTallies(tallies, { ...NOV, by: 'all', scale: SCALE_4 });
    expect(m.get('all')).toMatchObject({ total: 5, unscaled: 0, satisfied: 3, counts: { 'binh-thuong': 1 } });
  });

  it('respects the inclusive date range, across months', () => {
    const day = foldTallies(tallies, { from: '2026-11-03', to: '2026-11-03', by: 'all', scale: SCALE_3 });
    expect(day.get('all')).toMatchObject({ total: 1, filtered: { cooldown: 1, gated: 0 } });
    const span = foldTallies(tallies, { from: '2026-11-30', to: '2026-12-01', by: 'terminal', scale: SCALE_3 });
    expect(span.get('ba-dinh/phuc-xa/quay-1/hop-2')?.total).toBe(1);
    expect(span.get('ba-dinh/phuc-xa/quay-1/hop-1')).toMatchObject({ total: 0, unscaled: 1 });
    expect(foldTallies(tallies, { from: '2027-01-01', to: '2027-12-31', by: 'all', scale: SCALE_3 }).size).toBe(0);
  });

  it('groups officers by ward', () => {
    const m = foldTallies(tallies, { ...NOV, by: 'officer', scale: SCALE_3 });
    expect([...m.keys()]).toEqual(['ba-dinh/phuc-xa/cb-lan', 'ba-dinh/phuc-xa/cb-minh']);
    expect(m.get('ba-dinh/phuc-xa/cb-lan')).toMatchObject({ total: 2, satisfied: 2, filtered: { cooldown: 0, gated: 0 } });
    expect(m.get('ba-dinh/phuc-xa/cb-minh')).toMatchObject({ total: 1, satisfied: 0 });
  });

  it('throws on programmer errors', () => {
    expect(() => foldTallies(tallies, { from: '2026-11-30', to: '2026-11-01', by: 'all', scale: SCALE_3 })).toThrow(/after/);
    expect(() => foldTallies(tallies, { from: '2026-11-31', to: '2026-12-01', by: 'all', scale: SCALE_3 })).toThrow(/options\.from/);
    expect(() => foldTallies(tallies, { ...NOV, by: 'city' as GroupBy, scale: SCALE_3 })).toThrow(/options\.by/);
  });

  it('foldTalliesBy gives the same maps as separate folds', () => {
    const all: GroupBy[] = ['terminal', 'counter', 'ward', 'district', 'officer', 'all'];
    const multi = foldTalliesBy(tallies, { ...NOV, by: all, scale: SCALE_5 });
    for (const by of all) expect(multi.get(by)).toEqual(foldTallies(tallies, { ...NOV, by, scale: SCALE_5 }));
  });
});

describe('dailySeries and heatmap', () => {
  it('gives every day of the range', () => {
    const s = dailySeries(tallies, { from: '2026-11-01', to: '2026-11-03' }, SCALE_3);
    expect(s).toEqual([
      { date: '2026-11-01', total: 0, satisfied: 0, satisfiedRatio: null },
      { date: '2026-11-02', total: 3, satisfied: 3, satisfiedRatio: 1 },
      { date: '2026-11-03', total: 1, satisfied: 0, satisfiedRatio: 0 },
    ]);
    expect(() => dailySeries(tallies, { from: '2000-01-01', to: '2020-01-01' }, SCALE_3)).toThrow(/days/);
  });

  it('places votes by Monday-first weekday and local hour', () => {
    const grid = heatmap(tallies, NOV);
    expect(grid).toHaveLength(7);
    expect(grid.every((row) => row.length === 24)).toBe(true);
    // 2026-11-02 is a Monday; 2026-11-03 a Tuesday; 2026-11-30 a Monday.
    expect(grid[0]?.[8]).toBe(1);
    expect(grid[0]?.[9]).toBe(1);
    expect(grid[0]?.[10]).toBe(1);
    expect(grid[1]?.[14]).toBe(1);
    expect(grid[0]?.[16]).toBe(1);
    expect(grid.flat().reduce((a, b) => a + b, 0)).toBe(5);
  });
});

// ---- Properties: folds agree with brute-force recounts of the raw votes ----

const PLACES: TerminalPath[] = [
  { district: 'd1', ward: 'w1', counter: 'c1', terminal: 't1' },
  { district: 'd1', ward: 'w1', counter: 'c1', terminal: 't2' },
  { district: 'd1', ward: 'w1', counter: 'c2', terminal: 't1' },
  { district: 'd1', ward: 'w2', counter: 'c1', terminal: 't1' },
  { district: 'd2', ward: 'w1', counter: 'c1', terminal: 't1' },
];
const MONTHS = ['2024-01', '2024-02', '2024-03'];
const START = dayNumber('2024-01-01');
const END = dayNumber('2024-03-31');

const worldArb = fc
  .record({
    histories: fc.array(
      fc.record({
        place: fc.constantFrom(...PLACES),
        month: fc.constantFrom(...MONTHS),
        presses: terminalMonthArb.map((x) => x.votes),
      }),
      { maxLength: 8 },
    ),
    a: fc.integer({ min: START, max: END }),
    b: fc.integer({ min: START, max: END }),
    scale: fc.constantFrom(SCALE_3, SCALE_4, SCALE_5),
  })
  .map(({ histories, a, b, scale }) => {
    // One history per terminal-month (a fold takes one tally per terminal-month).
    const seen = new Map<string, { place: TerminalPath; month: string; votes: Vote[] }>();
    for (const h of histories) {
      const key = `${groupKey(h.place, 'terminal')}/${h.month}`;
      if (seen.has(key)) continue;
      const votes = votesOf(h.place, h.month, h.presses.map(toPress));
      seen.set(key, { place: h.place, month: h.month, votes });
    }
    const worlds = [...seen.values()];
    const tallies = worlds.map((w) => applyVotes(emptyTally(w.place, w.month), w.votes));
    const range = { from: dateOfDayNumber(Math.min(a, b)), to: dateOfDayNumber(Math.max(a, b)) };
    return { votes: worlds.flatMap((w) => w.votes), tallies, range, scale };
  });

function toPress(v: Vote) {
  const p = localParts(v.pressedAt);
  return { day: p.day, hour: p.hour, level: v.level, officer: v.officer, filtered: v.filtered, gap: 1 };
}

function bruteForce(votes: readonly Vote[], range: DateRange, scale: Scale, by: GroupBy) {
  const groups = new Map<string, { counts: Record<string, number>; cooldown: number; gated: number }>();
  for (const v of votes) {
    const date = localParts(v.pressedAt).date;
    if (date < range.from || date > range.to) continue;
    if (by === 'officer' && (v.officer === undefined || v.filtered !== undefined)) continue;
    const key = by === 'officer' ? `${v.district}/${v.ward}/${v.officer}` : groupKey(v, by);
    const g = groups.get(key) ?? { counts: {}, cooldown: 0, gated: 0 };
    groups.set(key, g);
    if (v.filtered === 'cooldown') g.cooldown++;
    else if (v.filtered === 'gated' || v.filtered === 'dossier') g.gated++;
    else g.counts[v.level] = (g.counts[v.level] ?? 0) + 1;
  }
  return new Map([...groups].map(([k, g]) => [k, summarize(g.counts, scale, { cooldown: g.cooldown, gated: g.gated })]));
}

describe('fold properties', () => {
  it('every grouping equals a brute-force recount of the votes in range', () => {
    fc.assert(
      fc.property(worldArb, fc.constantFrom<GroupBy>('terminal', 'counter', 'ward', 'district', 'officer', 'all'), (world, by) => {
        const folded = foldTallies(world.tallies, { ...world.range, by, scale: world.scale });
        const expected = bruteForce(world.votes, world.range, world.scale, by);
        for (const [key, summary] of expected) expect(folded.get(key)).toEqual(summary);
        // Groups only the fold knows about hold no votes in range.
        for (const [key, summary] of folded) {
          if (!expected.has(key))
            expect([summary.total, summary.unscaled, summary.filtered.cooldown, summary.filtered.gated]).toEqual([0, 0, 0, 0]);
        }
      }),
    );
  });

  it('the fold total equals the number of counted in-scale votes in range; ratio equals the recount', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const s = foldTallies(world.tallies, { ...world.range, by: 'all', scale: world.scale }).get('all');
        const inRange = world.votes.filter((v) => {
          const d = localParts(v.pressedAt).date;
          return d >= world.range.from && d <= world.range.to && v.filtered === undefined;
        });
        const scaled = inRange.filter((v) => world.scale.levels.some((l) => l.key === v.level));
        const satisfied = scaled.filter((v) => world.scale.levels.find((l) => l.key === v.level)?.satisfied).length;
        expect(s?.total ?? 0).toBe(scaled.length);
        expect(s?.unscaled ?? 0).toBe(inRange.length - scaled.length);
        expect(s?.satisfiedRatio ?? null).toBe(scaled.length === 0 ? null : satisfied / scaled.length);
      }),
    );
  });

  it('dailySeries and heatmap agree with the votes', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const series = dailySeries(world.tallies, world.range, world.scale);
        expect(series.map((p) => p.date)).toEqual(Array.from({ length: series.length }, (_, i) => addDays(world.range.from, i)));
        expect(series.at(-1)?.date).toBe(world.range.to);
        const grid = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
        const perDay = new Map<string, number>();
        for (const v of world.votes) {
          const p = localParts(v.pressedAt);
          if (p.date < world.range.from || p.date > world.range.to || v.filtered !== undefined) continue;
          (grid[p.weekday] as number[])[p.hour] = ((grid[p.weekday] as number[])[p.hour] as number) + 1;
          if (world.scale.levels.some((l) => l.key === v.level)) perDay.set(p.date, (perDay.get(p.date) ?? 0) + 1);
        }
        expect(heatmap(world.tallies, world.range)).toEqual(grid);
        for (const point of series) expect(point.total).toBe(perDay.get(point.date) ?? 0);
      }),
    );
  });
});

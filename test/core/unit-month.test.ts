import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dailySeries, foldTalliesBy, heatmap } from '../../core/fold.ts';
import { foldReasons } from '../../core/reason-count.ts';
import { LEVEL_KEYS, SCALE_3, SCALE_4, SCALE_5 } from '../../core/scale.ts';
import type { LevelKey } from '../../core/scale.ts';
import { applyVotes, emptyTally } from '../../core/tally.ts';
import type { Tally } from '../../core/tally.ts';
import { daysInMonth } from '../../core/time.ts';
import { parseTopic, topicFor } from '../../core/topic.ts';
import { parseMessage } from '../../core/topic-payload.ts';
import { compareUnitMonths, parseUnitMonth, unitMonthKey, unitMonthOf, unitMonthTally } from '../../core/unit-month.ts';
import type { Vote } from '../../core/vote.ts';
import { HOSTILE_INPUTS, T1, junkArb, makeVote, vnTime } from './arbitraries.ts';

const REASONS = ['cho-lau', 'thai-do', 'huong-dan', 'thu-tuc', 'co-so'];

const pressArb = fc.record({
  day: fc.integer({ min: 1, max: 31 }),
  hour: fc.integer({ min: 0, max: 23 }),
  level: fc.constantFrom(...LEVEL_KEYS),
  officer: fc.option(fc.constantFrom('cb-lan', 'cb-minh'), { nil: undefined }),
  filtered: fc.option(fc.constantFrom('cooldown' as const, 'gated' as const, 'dossier' as const), { nil: undefined, freq: 4 }),
  reasons: fc.option(fc.uniqueArray(fc.constantFrom(...REASONS), { minLength: 1, maxLength: 3 }), { nil: undefined }),
});

// One unit's month: up to 4 terminals, each with its own level order (a tally's
// levels grow as votes bring new ones), plus a tally of another unit and month that must be ignored.
const unitArb = fc
  .record({
    year: fc.integer({ min: 2024, max: 2027 }),
    month: fc.integer({ min: 1, max: 12 }),
    terminals: fc.array(
      fc.record({ levels: fc.shuffledSubarray([...LEVEL_KEYS], { minLength: 1 }), presses: fc.array(pressArb, { maxLength: 30 }) }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ year, month, terminals }) => {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    const last = daysInMonth(year, month);
    const tallies: Tally[] = terminals.map((t, i) => {
      const path = { ...T1, counter: `quay-${(i % 2) + 1}`, terminal: `hop-${i + 1}` };
      const votes: Vote[] = t.presses.map((p, j) =>
        makeVote(path, j + 1, p.level, vnTime(`${key}-${String(Math.min(p.day, last)).padStart(2, '0')}`, p.hour, 7), {
          officer: p.officer,
          filtered: p.filtered,
          reasons: p.reasons,
        }),
      );
      return applyVotes(emptyTally(path, key, t.levels as LevelKey[]), votes);
    });
    return { month: key, last, tallies };
  });

const rangeArb = (month: string, last: number) =>
  fc.tuple(fc.integer({ min: 1, max: last }), fc.integer({ min: 1, max: last })).map(([a, b]) => ({
    from: `${month}-${String(Math.min(a, b)).padStart(2, '0')}`,
    to: `${month}-${String(Math.max(a, b)).padStart(2, '0')}`,
  }));

describe('unitMonthOf', () => {
  it('folds to the same ward, district and all figures, trend, heat map and reasons as the tallies', () => {
    fc.assert(
      fc.property(
        unitArb.chain((u) =>
          fc.tuple(fc.constant(u), fc.oneof(rangeArb(u.month, u.last), fc.constant({ from: `${u.month}-01`, to: `${u.month}-${u.last}` }))),
        ),
        fc.constantFrom(SCALE_3, SCALE_4, SCALE_5),
        ([u, range], scale) => {
          const summary = unitMonthOf({ district: T1.district, ward: T1.ward, month: u.month }, u.tallies);
          const other = applyVotes(emptyTally({ ...T1, ward: 'other' }, u.month), [
            makeVote({ ...T1, ward: 'other' }, 1, 'hai-long', vnTime(`${u.month}-01`)),
          ]);
          expect(unitMonthOf({ district: T1.district, ward: T1.ward, month: u.month }, [...u.tallies, other])).toEqual(summary);
          const as = [unitMonthTally(summary)];
          const by = ['ward', 'district', 'all'] as const;
          expect(foldTalliesBy(as, { ...range, by, scale })).toEqual(foldTalliesBy(u.tallies, { ...range, by, scale }));
          expect(dailySeries(as, range, scale)).toEqual(dailySeries(u.tallies, range, scale));
          expect(heatmap(as, range)).toEqual(heatmap(u.tallies, range));
          for (const g of by)
            expect(foldReasons(as, { ...range, by: g, scale })).toEqual(foldReasons(u.tallies, { ...range, by: g, scale }));
          // What the hub publishes parses back to the same summary, on its topic.
          const text = JSON.stringify(summary);
          const parsed = parseMessage(topicFor('unit-month', summary), text);
          expect(parsed.ok && parsed.value.payload).toEqual(summary);
        },
      ),
    );
  });

  it('is much smaller than the tallies it sums (no officers, no counter split)', () => {
    const votes = (path: typeof T1) =>
      Array.from({ length: 600 }, (_, i) =>
        makeVote(path, i + 1, LEVEL_KEYS[i % 4] as LevelKey, vnTime(`2026-11-${String((i % 28) + 1).padStart(2, '0')}`, 8 + (i % 9)), {
          officer: `cb-${i % 3}`,
        }),
      );
    const tallies = Array.from({ length: 10 }, (_, i) => {
      const path = { ...T1, counter: `quay-${i}`, terminal: 'hop-1' };
      return applyVotes(emptyTally(path, '2026-11'), votes(path));
    });
    const summary = unitMonthOf({ ...T1, month: '2026-11' }, tallies);
    expect(summary.tallies).toBe(10);
    expect(JSON.stringify(summary).length * 10).toBeLessThan(tallies.reduce((n, t) => n + JSON.stringify(t).length, 0));
  });

  it('throws on a bad place (programmer error), naming it', () => {
    expect(() => unitMonthOf({ district: 'D', ward: 'w', month: '2026-11' }, [])).toThrow(/place.district/);
    expect(() => unitMonthOf({ district: 'd', ward: 'w', month: '2026-13' }, [])).toThrow(/place.month/);
  });
});

describe('parseUnitMonth', () => {
  const good = unitMonthOf({ ...T1, month: '2026-11' }, [
    applyVotes(emptyTally(T1, '2026-11'), [makeVote(T1, 1, 'hai-long', vnTime('2026-11-02'), { officer: 'cb-lan' })]),
  ]);

  it('accepts what unitMonthOf makes, and orders copies by updatedAt, then seq', () => {
    expect(parseUnitMonth(JSON.stringify(good))).toEqual({ ok: true, value: good });
    expect(unitMonthKey(good)).toBe('ba-dinh/phuc-xa/2026-11');
    expect(compareUnitMonths(good, { ...good, updatedAt: good.updatedAt + 1 })).toBeLessThan(0);
    expect(compareUnitMonths(good, { ...good, seq: good.seq + 1 })).toBeLessThan(0);
    expect(compareUnitMonths(good, good)).toBe(0);
  });

  it('refuses a counter, officers, a missing tallies count and forged counts, naming the field', () => {
    const day = good.days['02']!;
    const cases: [unknown, string, string | undefined][] = [
      [{ ...good, counter: 'quay-1' }, 'inconsistent', 'counter'],
      [{ ...good, days: { '02': { ...day, o: { 'cb-lan': day.c } } } }, 'inconsistent', 'days.02'],
      [{ ...good, tallies: undefined }, 'missing-field', 'tallies'],
      [{ ...good, tallies: 0 }, 'inconsistent', 'tallies'],
      [{ ...good, seq: 0 }, 'inconsistent', 'seq'],
      [{ ...good, days: { '31': day } }, 'bad-date', 'days.31'],
    ];
    for (const [input, code, field] of cases) {
      const r = parseUnitMonth(input);
      expect(r.ok ? 'accepted' : [r.code, r.field]).toEqual([code, field]);
    }
    expect(parseUnitMonth('x'.repeat(1_000_001))).toMatchObject({ ok: false, code: 'too-large' });
  });

  it('never throws on junk', () => {
    for (const input of HOSTILE_INPUTS) expect(parseUnitMonth(input).ok).toBe(false);
    fc.assert(fc.property(junkArb, (input) => void parseUnitMonth(input)));
  });
});

describe('the _summary topic', () => {
  it('round-trips and is retained', () => {
    const topic = topicFor('unit-month', { district: 'gia-lai', ward: 'xa-001', month: '2026-11' });
    expect(topic).toBe('hailong/v1/gia-lai/xa-001/_summary/2026-11');
    expect(parseTopic(topic)).toEqual({
      ok: true,
      value: { kind: 'unit-month', params: { district: 'gia-lai', ward: 'xa-001', month: '2026-11' } },
    });
    expect(parseTopic('hailong/v1/gia-lai/xa-001/_summary/2026-13')).toMatchObject({ ok: false, code: 'bad-month' });
  });
});

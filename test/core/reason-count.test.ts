import { describe, expect, it } from 'vitest';
import { foldReasons } from '../../core/reason-count.ts';
import { DEFAULT_SCALE } from '../../core/scale.ts';
import { applyVotes, emptyTally, parseTally } from '../../core/tally.ts';
import { TallyBuilder } from '../../core/tally-builder.ts';
import { T1, makeVote, vnTime } from './arbitraries.ts';

const NOV = '2026-11';
const T2 = { ...T1, counter: 'quay-2', terminal: 'hop-2' };

// quay-1: 4 unhappy votes (3 name waiting time, 1 attitude + waiting), 2 happy; quay-2: 1 unhappy naming fees.
const votes1 = [
  makeVote(T1, 1, 'khong-hai-long', vnTime('2026-11-02', 9), { reasons: ['thoi-gian-cho'], officer: 'cb-1' }),
  makeVote(T1, 2, 'khong-hai-long', vnTime('2026-11-02', 10), { reasons: ['thoi-gian-cho', 'thai-do'], officer: 'cb-1' }),
  makeVote(T1, 3, 'khong-hai-long', vnTime('2026-11-03', 9), { reasons: ['thoi-gian-cho', 'thoi-gian-cho'], officer: 'cb-2' }),
  makeVote(T1, 4, 'khong-hai-long', vnTime('2026-11-03', 10)),
  makeVote(T1, 5, 'hai-long', vnTime('2026-11-03', 11)),
  makeVote(T1, 6, 'rat-hai-long', vnTime('2026-11-04', 11)),
];
const t1 = applyVotes(emptyTally(T1, NOV), votes1);
const t2 = applyVotes(emptyTally(T2, NOV), [makeVote(T2, 1, 'khong-hai-long', vnTime('2026-11-02', 9), { reasons: ['phi-le-phi'] })]);
const NOVEMBER = { from: '2026-11-01', to: '2026-11-30', scale: DEFAULT_SCALE };

describe('reasons in tallies', () => {
  it('counts each reason once per vote, per day and per officer, and parses back', () => {
    expect(t1.days['02']!.r).toEqual({ 'thai-do': 1, 'thoi-gian-cho': 2 });
    expect(t1.days['03']!.r).toEqual({ 'thoi-gian-cho': 1 });
    expect(t1.days['02']!.ro).toEqual({ 'cb-1': { 'thai-do': 1, 'thoi-gian-cho': 2 } });
    expect(t1.days['04']!.r).toBeUndefined();
    expect(parseTally(JSON.stringify(t1))).toEqual({ ok: true, value: t1 });
  });

  it('the in-place builder counts them the same', () => {
    const b = new TallyBuilder(emptyTally(T1, NOV));
    for (const v of votes1) b.add(v);
    expect(b.toTally()).toEqual(t1);
  });

  it('still parses tallies made before reasons were counted, and refuses impossible counts', () => {
    const { r: _r, ro: _ro, ...old } = t1.days['02']!;
    expect(parseTally({ ...t1, days: { ...t1.days, '02': old } }).ok).toBe(true);
    expect(parseTally({ ...t1, days: { ...t1.days, '02': { ...t1.days['02']!, r: { 'thoi-gian-cho': 3 } } } })).toMatchObject({
      ok: false,
      field: 'days.02.r.thoi-gian-cho',
    });
    expect(parseTally({ ...t1, days: { ...t1.days, '02': { ...t1.days['02']!, ro: { 'cb-9': { 'thai-do': 1 } } } } })).toMatchObject({
      ok: false,
      code: 'inconsistent',
    });
    expect(parseTally({ ...t1, days: { ...t1.days, '02': { ...t1.days['02']!, r: { 'Bad Id': 1 } } } }).ok).toBe(false);
  });
});

describe('foldReasons', () => {
  it('gives per counter the count and the share of the low votes', () => {
    const byCounter = foldReasons([t1, t2], { ...NOVEMBER, by: 'counter' });
    expect(byCounter.get('ba-dinh/phuc-xa/quay-1')).toEqual({
      low: 4,
      reasons: [
        { id: 'thoi-gian-cho', n: 3, share: 75 },
        { id: 'thai-do', n: 1, share: 25 },
      ],
    });
    expect(byCounter.get('ba-dinh/phuc-xa/quay-2')).toEqual({ low: 1, reasons: [{ id: 'phi-le-phi', n: 1, share: 100 }] });
  });

  it('per ward, per officer and over a part of the month', () => {
    expect(foldReasons([t1, t2], { ...NOVEMBER, by: 'ward' }).get('ba-dinh/phuc-xa')!.low).toBe(5);
    const officers = foldReasons([t1], { ...NOVEMBER, by: 'officer' });
    expect(officers.get('ba-dinh/phuc-xa/cb-1')).toEqual({
      low: 2,
      reasons: [
        { id: 'thoi-gian-cho', n: 2, share: 100 },
        { id: 'thai-do', n: 1, share: 50 },
      ],
    });
    expect(officers.get('ba-dinh/phuc-xa/cb-2')!.reasons).toEqual([{ id: 'thoi-gian-cho', n: 1, share: 100 }]);
    expect(foldReasons([t1], { ...NOVEMBER, from: '2026-11-03', by: 'all' }).get('all')).toEqual({
      low: 2,
      reasons: [{ id: 'thoi-gian-cho', n: 1, share: 50 }],
    });
    expect(foldReasons([t1], { ...NOVEMBER, from: '2026-11-04', by: 'all' }).size).toBe(0);
  });
});

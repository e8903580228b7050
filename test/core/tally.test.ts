import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaleKeys, SCALE_4 } from '../../core/scale.ts';
import {
  MAX_OFFICERS_PER_DAY,
  applyVote,
  applyVotes,
  canonicalJson,
  compareTallies,
  emptyTally,
  latestTallies,
  mergeTally,
  ownEntry,
  parseTally,
  tallyKey,
} from '../../core/tally.ts';
import type { Tally } from '../../core/tally.ts';
import { localParts } from '../../core/time.ts';
import { isCounted } from '../../core/vote.ts';
import type { Vote } from '../../core/vote.ts';
import { HOSTILE_INPUTS, T1, junkArb, makeVote, terminalMonthArb, votesOf, vnTime } from './arbitraries.ts';

const NOV = '2026-11';
const empty = emptyTally(T1, NOV);

function intermediates(start: Tally, votes: readonly Vote[]): Tally[] {
  const out = [start];
  for (const v of votes) out.push(applyVote(out[out.length - 1] as Tally, v));
  return out;
}

/** Brute-force counts of counted votes per level key, and filtered presses. */
function recount(votes: readonly Vote[]) {
  const perLevel: Record<string, number> = {};
  let cooldown = 0;
  let gated = 0;
  for (const v of votes) {
    if (v.filtered === 'cooldown') cooldown++;
    else if (v.filtered === 'gated' || v.filtered === 'dossier') gated++;
    else perLevel[v.level] = (perLevel[v.level] ?? 0) + 1;
  }
  return { perLevel, cooldown, gated };
}

function tallyLevelTotals(t: Tally): Record<string, number> {
  const out: Record<string, number> = {};
  for (const day of Object.values(t.days)) {
    day.c.forEach((n, i) => {
      if (n > 0) out[t.levels[i] as string] = (out[t.levels[i] as string] ?? 0) + n;
    });
  }
  return out;
}

describe('emptyTally', () => {
  it('starts at seq 0 with the default scale levels', () => {
    expect(empty).toEqual({
      v: 1,
      ...T1,
      month: NOV,
      seq: 0,
      updatedAt: 0,
      levels: ['rat-hai-long', 'hai-long', 'khong-hai-long'],
      days: {},
    });
    expect(emptyTally(T1, NOV, scaleKeys(SCALE_4)).levels).toHaveLength(4);
  });
  it('throws naming the bad argument', () => {
    expect(() => emptyTally({ ...T1, ward: 'W' }, NOV)).toThrow(/path\.ward/);
    expect(() => emptyTally(T1, '2026-13')).toThrow(/month/);
    expect(() => emptyTally(T1, NOV, [])).toThrow(/levels/);
    expect(() => emptyTally(T1, NOV, ['hai-long', 'hai-long'])).toThrow(/levels/);
  });
});

describe('applyVote', () => {
  const v1 = makeVote(T1, 1, 'hai-long', vnTime('2026-11-23', 9, 5), { officer: 'cb-lan' });
  const v2 = makeVote(T1, 2, 'rat-hai-long', vnTime('2026-11-23', 14), { filtered: 'cooldown' });
  const v3 = makeVote(T1, 3, 'khong-hai-long', vnTime('2026-11-24', 0, 1), { filtered: 'gated' });

  it('counts by day, hour, level and officer; filtered presses only in f', () => {
    const t = applyVotes(empty, [v1, v2, v3]);
    expect(t.seq).toBe(3);
    expect(t.updatedAt).toBe(v3.receivedAt);
    expect(t.days).toEqual({
      '23': { c: [0, 1, 0], f: [1, 0], h: { '09': [0, 1, 0] }, o: { 'cb-lan': [0, 1, 0] } },
      '24': { c: [0, 0, 0], f: [0, 1], h: {} },
    });
  });

  it('uses local (UTC+7) days: 23:30 UTC is the next morning', () => {
    const late = makeVote(T1, 1, 'hai-long', Date.UTC(2026, 10, 22, 23, 30));
    expect(Object.keys(applyVote(empty, late).days)).toEqual(['23']);
    expect(applyVote(empty, late).days['23']?.h).toEqual({ '06': [0, 1, 0] });
  });

  it('is a no-op (same object) for replays, other terminals and other months', () => {
    const t = applyVote(empty, v1);
    expect(applyVote(t, v1)).toBe(t);
    expect(applyVote(t, { ...v1, seq: 0 } as Vote)).toBe(t);
    expect(applyVote(t, makeVote({ ...T1, terminal: 'hop-2' }, 5, 'hai-long', v1.pressedAt))).toBe(t);
    expect(applyVote(t, makeVote({ ...T1, ward: 'khac' }, 5, 'hai-long', v1.pressedAt))).toBe(t);
    expect(applyVote(t, makeVote(T1, 5, 'hai-long', vnTime('2026-12-01')))).toBe(t);
  });

  it('does not modify its input', () => {
    const t = applyVote(empty, v1);
    const snapshot = JSON.stringify(t);
    applyVotes(t, [makeVote(T1, 2, 'hai-long', v1.pressedAt + 1000, { officer: 'cb-lan' }), v3]);
    expect(JSON.stringify(t)).toBe(snapshot);
    expect(empty.days).toEqual({});
  });

  it('appends an unknown level and widens every count array', () => {
    const t = applyVotes(empty, [v1, makeVote(T1, 2, 'binh-thuong', vnTime('2026-11-25', 10), { officer: 'cb-lan' })]);
    expect(t.levels).toEqual(['rat-hai-long', 'hai-long', 'khong-hai-long', 'binh-thuong']);
    expect(t.days['23']).toEqual({ c: [0, 1, 0, 0], f: [0, 0], h: { '09': [0, 1, 0, 0] }, o: { 'cb-lan': [0, 1, 0, 0] } });
    expect(t.days['25']).toEqual({ c: [0, 0, 0, 1], f: [0, 0], h: { '10': [0, 0, 0, 1] }, o: { 'cb-lan': [0, 0, 0, 1] } });
    expect(parseTally(JSON.stringify(t))).toEqual({ ok: true, value: t });
  });

  it('keeps an officer called "constructor" as an own entry', () => {
    const t = applyVote(empty, makeVote(T1, 1, 'hai-long', vnTime('2026-11-23'), { officer: 'constructor' }));
    expect(ownEntry(t.days['23']?.o ?? {}, 'constructor')).toEqual([0, 1, 0]);
    expect(ownEntry({}, 'constructor')).toBeUndefined();
  });

  it('itemises at most MAX_OFFICERS_PER_DAY officers a day, still counting every vote', () => {
    const votes = Array.from({ length: MAX_OFFICERS_PER_DAY + 2 }, (_, i) =>
      makeVote(T1, i + 1, 'hai-long', vnTime('2026-11-23', 9), { officer: `cb-${i}` }),
    );
    const t = applyVotes(empty, [...votes, makeVote(T1, 99, 'hai-long', vnTime('2026-11-23', 9), { officer: 'cb-0' })]);
    expect(Object.keys(t.days['23']?.o ?? {})).toHaveLength(MAX_OFFICERS_PER_DAY);
    expect(t.days['23']?.o?.['cb-0']).toEqual([0, 2, 0]);
    expect(t.days['23']?.c).toEqual([0, MAX_OFFICERS_PER_DAY + 3, 0]);
    expect(parseTally(JSON.stringify(t))).toEqual({ ok: true, value: t });
    expect(
      parseTally(JSON.stringify({ ...t, days: { '23': { ...t.days['23'], o: { ...t.days['23']?.o, 'cb-x': [0, 0, 0] } } } })),
    ).toMatchObject({
      ok: false,
      code: 'out-of-range',
      field: 'days.23.o',
    });
  });

  it('counts equal a brute-force recount of the votes (property)', () => {
    fc.assert(
      fc.property(terminalMonthArb, ({ path, month, votes }) => {
        const t = applyVotes(emptyTally(path, month), votes);
        const expected = recount(votes);
        expect(tallyLevelTotals(t)).toEqual(expected.perLevel);
        const f = Object.values(t.days).reduce<[number, number]>((s, d) => [s[0] + d.f[0], s[1] + d.f[1]], [0, 0]);
        expect(f).toEqual([expected.cooldown, expected.gated]);
        expect(t.seq).toBe(votes.length === 0 ? 0 : votes[votes.length - 1]?.seq);
        for (const v of votes.filter(isCounted)) {
          const p = localParts(v.pressedAt);
          expect(t.days[p.dayKey]?.h[p.hourKey]?.[t.levels.indexOf(v.level)]).toBeGreaterThan(0);
        }
        // Officer counts add up to the votes that named an officer.
        const officerVotes = votes.filter((v) => isCounted(v) && v.officer !== undefined).length;
        const officerSum = Object.values(t.days).reduce(
          (s, d) => s + Object.values(d.o ?? {}).reduce((a, c) => a + c.reduce((x, y) => x + y, 0), 0),
          0,
        );
        expect(officerSum).toBe(officerVotes);
      }),
    );
  });

  it('replaying the same votes changes nothing (property)', () => {
    fc.assert(
      fc.property(terminalMonthArb, ({ path, month, votes }) => {
        const t = applyVotes(emptyTally(path, month), votes);
        expect(applyVotes(t, votes)).toBe(t);
        // Duplicated delivery (each vote twice in a row) gives the same tally.
        expect(
          applyVotes(
            emptyTally(path, month),
            votes.flatMap((v) => [v, v]),
          ),
        ).toEqual(t);
      }),
    );
  });
});

describe('mergeTally', () => {
  it('prefers the later updatedAt, then the higher seq, then canonical JSON', () => {
    const a = applyVote(empty, makeVote(T1, 1, 'hai-long', vnTime('2026-11-23')));
    const b = applyVote(a, makeVote(T1, 2, 'hai-long', vnTime('2026-11-23')));
    expect(mergeTally(a, b)).toBe(b);
    expect(mergeTally(b, a)).toBe(b);
    const later = { ...a, updatedAt: a.updatedAt + 1 };
    expect(mergeTally(a, later)).toBe(later);
    // Time first: a higher seq does not beat a later copy (issue 13: a forged seq cannot win for ever).
    const sameTime = { ...b, updatedAt: a.updatedAt };
    expect(mergeTally(sameTime, a)).toBe(sameTime);
    expect(mergeTally({ ...b, seq: 4_000_000_000 }, later)).toBe(later);
    const other = applyVote(empty, makeVote(T1, 1, 'khong-hai-long', vnTime('2026-11-23')));
    const winner = canonicalJson(a) > canonicalJson(other) ? a : other;
    expect(mergeTally(a, other)).toBe(winner);
    expect(mergeTally(other, a)).toBe(winner);
    expect(compareTallies(a, a)).toBe(0);
  });

  it('throws for tallies of different terminal-months', () => {
    expect(() => mergeTally(empty, emptyTally(T1, '2026-10'))).toThrow(/b \(/);
    expect(() => mergeTally(empty, emptyTally({ ...T1, terminal: 'x' }, NOV))).toThrow(/only copies/);
  });

  it('canonicalJson sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });

  it('any subset, permutation or duplication of intermediate tallies merges to the latest one, of highest seq (property)', () => {
    fc.assert(
      fc.property(
        terminalMonthArb.chain(({ path, month, votes }) => {
          const steps = intermediates(emptyTally(path, month), votes);
          return fc.tuple(fc.constant(steps), fc.array(fc.nat({ max: steps.length - 1 }), { minLength: 1, maxLength: 20 }));
        }),
        ([steps, picks]) => {
          const merged = picks.map((i) => steps[i] as Tally).reduce(mergeTally);
          const best = Math.max(...picks);
          expect(merged).toEqual(steps[best]);
          expect(merged.seq).toBe(steps[best]?.seq);
        },
      ),
    );
  });

  it('is commutative, associative and idempotent, also on conflicting copies (property)', () => {
    // Three independent histories of ONE terminal-month: small seq gaps make
    // equal seqs with different contents common, exercising the tie-break.
    const copies = terminalMonthArb.chain(({ path, month, votes }) => {
      const otherHistory = terminalMonthArb.map((other) =>
        applyVotes(emptyTally(path, month), votesOf(path, month, other.votes.map(toPress))),
      );
      return fc.tuple(fc.constant(applyVotes(emptyTally(path, month), votes)), otherHistory, otherHistory);
    });
    fc.assert(
      fc.property(copies, ([a, b, c]) => {
        expect(mergeTally(a, b)).toEqual(mergeTally(b, a));
        expect(mergeTally(mergeTally(a, b), c)).toEqual(mergeTally(a, mergeTally(b, c)));
        expect(mergeTally(a, a)).toBe(a);
        expect(mergeTally(mergeTally(a, b), b)).toEqual(mergeTally(a, b));
      }),
    );
  });

  it('latestTallies keeps one merged tally per terminal-month', () => {
    const a = applyVote(empty, makeVote(T1, 1, 'hai-long', vnTime('2026-11-23')));
    const b = applyVote(a, makeVote(T1, 2, 'hai-long', vnTime('2026-11-24')));
    const oct = emptyTally(T1, '2026-10');
    const m = latestTallies([b, oct, a, a]);
    expect([...m.keys()]).toEqual([tallyKey(b), tallyKey(oct)]);
    expect(m.get(tallyKey(a))).toBe(b);
    expect(tallyKey(b)).toBe('ba-dinh/phuc-xa/quay-1/hop-1/2026-11');
  });
});

function toPress(v: Vote) {
  const p = localParts(v.pressedAt);
  return { day: p.day, hour: p.hour, level: v.level, officer: v.officer, filtered: v.filtered, gap: 1 };
}

describe('parseTally', () => {
  const t = applyVotes(empty, [
    makeVote(T1, 1, 'hai-long', vnTime('2026-11-23', 9), { officer: 'cb-lan' }),
    makeVote(T1, 2, 'rat-hai-long', vnTime('2026-11-23', 10)),
    makeVote(T1, 3, 'rat-hai-long', vnTime('2026-11-30', 10), { filtered: 'gated' }),
  ]);
  const json = (): Record<string, unknown> => JSON.parse(JSON.stringify(t));
  // biome-ignore lint/suspicious/noExplicitAny: the mutations break any field of a tally on purpose, typed or not
  const mutate = (f: (o: Record<string, any>) => void) => {
    const o = json();
    f(o);
    return o;
  };

  it('round-trips applied tallies (property)', () => {
    expect(parseTally(JSON.stringify(t))).toEqual({ ok: true, value: t });
    fc.assert(
      fc.property(terminalMonthArb, ({ path, month, votes }) => {
        const tally = applyVotes(emptyTally(path, month), votes);
        expect(parseTally(JSON.stringify(tally))).toEqual({ ok: true, value: tally });
      }),
    );
  });

  it.each<[string, () => unknown, string, string | undefined]>([
    ['bad json', () => '{"v":', 'bad-json', undefined],
    ['too large', () => `"${'x'.repeat(1_000_001)}"`, 'too-large', undefined],
    ['not object', () => [], 'not-object', undefined],
    ['v', () => mutate((o) => (o.v = 2)), 'bad-version', 'v'],
    ['district', () => mutate((o) => (o.district = 'Ba Đình')), 'bad-id', 'district'],
    ['terminal missing', () => mutate((o) => delete o.terminal), 'missing-field', 'terminal'],
    ['month', () => mutate((o) => (o.month = '2026-13')), 'bad-month', 'month'],
    ['seq negative', () => mutate((o) => (o.seq = -1)), 'out-of-range', 'seq'],
    ['seq beyond 2^53', () => mutate((o) => (o.seq = 2 ** 53 + 2)), 'out-of-range', 'seq'],
    ['updatedAt string', () => mutate((o) => (o.updatedAt = 'now')), 'bad-type', 'updatedAt'],
    ['levels empty', () => mutate((o) => (o.levels = [])), 'out-of-range', 'levels'],
    ['levels too many', () => mutate((o) => (o.levels = new Array(100_000).fill('hai-long'))), 'out-of-range', 'levels'],
    ['level unknown', () => mutate((o) => (o.levels[1] = 'meh')), 'bad-enum', 'levels[1]'],
    ['level repeated', () => mutate((o) => (o.levels[1] = 'rat-hai-long')), 'duplicate', 'levels[1]'],
    ['days array', () => mutate((o) => (o.days = [])), 'not-object', 'days'],
    ['day 31 in November', () => mutate((o) => (o.days['31'] = o.days['30'])), 'bad-date', 'days.31'],
    ['day 00', () => mutate((o) => (o.days['00'] = o.days['30'])), 'bad-date', 'days.00'],
    ['day 1 without zero', () => mutate((o) => (o.days['1'] = o.days['30'])), 'bad-date', 'days.1'],
    ['day __proto__', () => JSON.parse(JSON.stringify(t).replace('"days":{', '"days":{"__proto__":{},')), 'bad-date', 'days.__proto__'],
    ['day not object', () => mutate((o) => (o.days['23'] = 5)), 'not-object', 'days.23'],
    ['c short', () => mutate((o) => o.days['23'].c.pop()), 'inconsistent', 'days.23.c'],
    ['c long', () => mutate((o) => o.days['23'].c.push(0)), 'out-of-range', 'days.23.c'],
    ['c negative', () => mutate((o) => (o.days['23'].c[0] = -1)), 'out-of-range', 'days.23.c[0]'],
    ['c fraction', () => mutate((o) => (o.days['23'].c[0] = 0.5)), 'bad-type', 'days.23.c[0]'],
    ['f short', () => mutate((o) => (o.days['23'].f = [0])), 'inconsistent', 'days.23.f'],
    ['f missing', () => mutate((o) => delete o.days['23'].f), 'missing-field', 'days.23.f'],
    ['hour 24', () => mutate((o) => (o.days['23'].h['24'] = [0, 0, 0])), 'out-of-range', 'days.23.h.24'],
    ['hours do not add up', () => mutate((o) => (o.days['23'].h['09'] = [0, 2, 0])), 'inconsistent', 'days.23.h'],
    ['officer bad id', () => mutate((o) => (o.days['23'].o = { 'CB Lan': [0, 1, 0] })), 'bad-id', 'days.23.o.CB Lan'],
    ['officers exceed c', () => mutate((o) => (o.days['23'].o = { a: [0, 1, 0], b: [0, 1, 0] })), 'inconsistent', 'days.23.o'],
    ['more presses than seq', () => mutate((o) => (o.seq = 2)), 'inconsistent', 'seq'],
    ['seq 0 with votes', () => mutate((o) => (o.seq = 0)), 'inconsistent', 'seq'],
  ])('%s → %s at %s', (_name, make, code, field) => {
    const r = parseTally(make());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(code);
    expect(r.field).toBe(field);
  });

  it('never throws on hostile or arbitrary input (property)', () => {
    for (const input of HOSTILE_INPUTS) expect(parseTally(input).ok).toBe(false);
    const deep = `${'['.repeat(300_000)}${']'.repeat(300_000)}`;
    expect(parseTally(deep)).toMatchObject({ ok: false, code: 'not-object' });
    fc.assert(
      fc.property(junkArb, (input) => {
        expect(typeof parseTally(input).ok).toBe('boolean');
      }),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws when a part of a valid tally is replaced by junk (property)', () => {
    const paths = [
      ['v'],
      ['seq'],
      ['levels'],
      ['days'],
      ['days', '23'],
      ['days', '23', 'c'],
      ['days', '23', 'h'],
      ['days', '23', 'o'],
      ['days', '23', 'f'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), junkArb, (path, junk) => {
        const o = json();
        let target: Record<string, unknown> = o;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
        target[path[path.length - 1] as string] = junk;
        const r = parseTally(o);
        if (r.ok) expect(parseTally(JSON.stringify(r.value))).toEqual(r);
      }),
    );
  });
});

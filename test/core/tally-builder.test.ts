import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyVotes, emptyTally } from '../../core/tally.ts';
import { TallyBuilder } from '../../core/tally-builder.ts';
import { T1, makeVote, terminalMonthArb, vnTime } from './arbitraries.ts';

describe('TallyBuilder', () => {
  it('gives exactly what applyVotes gives, for any votes, in JSON too (property)', () => {
    fc.assert(
      fc.property(terminalMonthArb, fc.integer({ min: 0, max: 40 }), ({ path, month, votes }, split) => {
        const start = applyVotes(emptyTally(path, month), votes.slice(0, split));
        const builder = new TallyBuilder(start);
        for (const v of votes.slice(split)) builder.add(v);
        const expected = applyVotes(start, votes.slice(split));
        expect(builder.toTally()).toEqual(expected);
        expect(JSON.stringify(builder.toTally())).toBe(JSON.stringify(expected));
      }),
      { numRuns: 500 },
    );
  });

  it('ignores replays, other terminals and other months, and never modifies its input', () => {
    const start = emptyTally(T1, '2026-11');
    const frozen = JSON.stringify(start);
    const b = new TallyBuilder(start);
    expect(b.add(makeVote(T1, 5, 'hai-long', vnTime('2026-11-23')))).toBe(true);
    expect(b.add(makeVote(T1, 5, 'hai-long', vnTime('2026-11-23')))).toBe(false);
    expect(b.add(makeVote({ ...T1, terminal: 'hop-9' }, 6, 'hai-long', vnTime('2026-11-23')))).toBe(false);
    expect(b.add(makeVote(T1, 7, 'hai-long', vnTime('2026-12-01')))).toBe(false);
    expect(b.lastSeq).toBe(5);
    expect(JSON.stringify(start)).toBe(frozen);
    // The snapshot is reused until the next change.
    expect(b.toTally()).toBe(b.toTally());
  });
});

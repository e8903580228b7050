import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { voteKey } from '../../../core/index.ts';
import { VoteLog } from '../../../dashboard/src/store/vote-log.ts';
import { FakeBridge, MORNING } from '../fixtures.ts';

function votes(n: number) {
  const bridge = new FakeBridge();
  return Array.from({ length: n }, (_, i) => bridge.vote('quay-1', 'q1-a', 'hai-long', MORNING + (i % 7) * 1000).vote);
}

describe('VoteLog', () => {
  it('dedupes by vote key and keeps votes ordered by press time, then key', () => {
    const log = new VoteLog();
    const [a, b, c] = votes(3);
    expect(log.add(c!)).toBe('added');
    expect(log.add(a!)).toBe('added');
    expect(log.add(a!)).toBe('duplicate');
    expect(log.add(b!)).toBe('added');
    expect(log.all().map((v) => v.seq)).toEqual([1, 2, 3]);
    expect(log.latest(2).map((v) => v.seq)).toEqual([3, 2]);
    expect(log.since(MORNING + 1000).map((v) => v.seq)).toEqual([2, 3]);
  });

  it('keeps the newest `capacity` votes whatever the arrival order or duplicates', () => {
    const all = votes(40);
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: 40, maxLength: 40 }), fc.array(fc.nat({ max: 39 })), (order, dupes) => {
        const log = new VoteLog(10);
        for (const v of [...order, ...dupes.map((i) => all[i]!)]) log.add(v);
        const expected = [...all].sort((x, y) => x.pressedAt - y.pressedAt || (voteKey(x) < voteKey(y) ? -1 : 1)).slice(-10);
        expect(log.all().map(voteKey)).toEqual(expected.map(voteKey));
      }),
    );
  });

  it('refuses a bad capacity', () => {
    expect(() => new VoteLog(0)).toThrow(/capacity/);
  });
});

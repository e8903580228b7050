import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../bridge/simulator/random.ts';
import { defaultMix, fitMix } from '../../../bridge/simulator/rating-mix.ts';

describe('createRandom', () => {
  it('replays the same sequence for the same seed, and differs for another', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws exponential gaps with the given mean and weighted picks with the given shares', () => {
    const r = createRandom(42);
    const n = 40_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += r.exponential(50);
    expect(sum / n).toBeGreaterThan(48);
    expect(sum / n).toBeLessThan(52);
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) counts[r.weighted(defaultMix(3))]!++;
    expect(counts[0]! / n).toBeCloseTo(0.75, 1);
    expect(counts[1]! / n).toBeCloseTo(0.22, 1);
    expect(counts[2]! / n).toBeGreaterThan(0.02);
    expect(counts[2]! / n).toBeLessThan(0.04);
    expect(r.weighted([0, 0, 1])).toBe(2);
  });

  it('rejects a bad seed', () => {
    expect(() => createRandom(-1)).toThrow(/"seed"/);
  });
});

describe('rating mixes', () => {
  it('fits a mix to the buttons in use', () => {
    expect(fitMix([0.5, 0.3, 0.2], 2)).toEqual([0.5, 0.3]);
    expect(fitMix([0.5, 0.5], 3)).toEqual([0.5, 0.5, 0]);
    expect(fitMix([0, 0, 1], 2)).toEqual(defaultMix(2));
    expect(defaultMix(7)).toHaveLength(7);
  });
});

/**
 * A small seeded random source for the simulation (sfc32: fast, 128-bit
 * state, passes PractRand for this use), so `hailong simulate --seed 7` and
 * test runs replay the same citizens.
 */
import { randomInt } from 'node:crypto';

/** Seeded random draws. */
export interface Random {
  /** The seed this source started from (log it to replay a run). */
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** Exponential with mean `mean` (Poisson arrivals' gaps). */
  exponential(mean: number): number;
  /** Index drawn with the given non-negative weights (at least one > 0). */
  weighted(weights: readonly number[]): number;
}

/** A Random seeded with `seed` (uint32), or a fresh random seed. */
export function createRandom(seed: number = randomInt(0, 2 ** 32 - 1)): Random {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new TypeError(`"seed" must be an integer 0..4294967295, got ${String(seed)}`);
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next(); // mix the seed into the whole state
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    // 1 - next() is in (0, 1], so the log is finite.
    exponential: (mean) => -Math.log(1 - next()) * mean,
    weighted(weights) {
      let total = 0;
      for (const w of weights) total += w;
      let x = next() * total;
      for (let i = 0; i < weights.length; i++) {
        x -= weights[i]!;
        if (x < 0) return i;
      }
      // Rounding can leave x at ~0 past the end: the last positive weight wins.
      for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
      return 0;
    },
  };
}

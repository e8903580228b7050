/**
 * How sure a small sample lets us be. "100% on 5 votes" and "96% on 900
 * votes" should not be ranked by the raw percentage: the first could well
 * be 60% with more votes. Rankings use the lower bound of the Wilson score
 * interval (E. B. Wilson, "Probable inference, the law of succession, and
 * statistical inference", JASA 22, 1927; the usual choice for ranking by a
 * proportion, see Agresti & Coull, The American Statistician 52, 1998),
 * and figures under a minimum count are marked "ít lượt".
 */

/** z for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/** Below this many counted votes a figure is marked "ít lượt" (few votes) and not judged against the target. */
export const DEFAULT_MIN_VOTES = 30;

function requireCounts(successes: number, total: number): void {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`total must be a non-negative safe integer, got ${String(total)}`);
  if (!Number.isSafeInteger(successes) || successes < 0 || successes > total) {
    throw new RangeError(`successes must be an integer in 0..total (${total}), got ${String(successes)}`);
  }
}

/**
 * The lower bound (0..1) of the Wilson score interval for `successes` out of
 * `total` at `z` (default 95%); 0 when `total` is 0. Always at or below the
 * raw ratio, and closer to it the more votes there are.
 */
export function wilsonLowerBound(successes: number, total: number, z: number = Z_95): number {
  requireCounts(successes, total);
  if (!Number.isFinite(z) || z < 0) throw new RangeError(`z must be a finite number >= 0, got ${String(z)}`);
  if (total === 0) return 0;
  const p = successes / total;
  const z2 = z * z;
  const centre = p + z2 / (2 * total);
  const margin = z * Math.sqrt((p * (1 - p) + z2 / (4 * total)) / total);
  // Clamp float noise: the bound is a proportion, and never above p.
  return Math.min(p, Math.max(0, (centre - margin) / (1 + z2 / total)));
}

/** True when `total` counted votes are too few to judge (`total < minVotes`), including none. */
export function fewVotes(total: number, minVotes: number = DEFAULT_MIN_VOTES): boolean {
  return total < minVotes;
}

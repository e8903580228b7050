/**
 * How citizens rate, as weights for buttons 1..n (button 1 = best level).
 * The 3-level default follows what offices report: roughly 75% Rất hài lòng,
 * 22% Hài lòng, 3% Không hài lòng (published HL + RHL: 98,97%, Bình Tân
 * district portal, 7 March 2020; 99,4%, Báo Tây Ninh, 3 May 2023: the
 * sources named in bridge/demo/history.ts);
 * a "worse" counter gives the demo visible differences between counters.
 */

/** Weights per button, best first; they need not sum to 1. */
export type RatingMix = readonly number[];

/** Default mixes by number of levels in use (2..9). */
const GOOD: Readonly<Record<number, RatingMix>> = {
  2: [0.97, 0.03],
  3: [0.75, 0.22, 0.03],
  4: [0.6, 0.3, 0.07, 0.03],
  5: [0.55, 0.3, 0.1, 0.03, 0.02],
};

/** A weaker counter: noticeably more Hài lòng and Không hài lòng. */
const WORSE: Readonly<Record<number, RatingMix>> = {
  2: [0.85, 0.15],
  3: [0.5, 0.35, 0.15],
  4: [0.4, 0.35, 0.15, 0.1],
  5: [0.35, 0.3, 0.2, 0.1, 0.05],
};

/** Geometric fallback for 6..9 levels: each level half as likely as the one before. */
function geometric(levels: number): RatingMix {
  return Array.from({ length: levels }, (_, i) => 2 ** -i);
}

/** The default mix for `levels` buttons in use; `worse` for a weaker counter. */
export function defaultMix(levels: number, worse = false): RatingMix {
  return (worse ? WORSE : GOOD)[levels] ?? geometric(levels);
}

/**
 * Fits `mix` to `levels` buttons: extra weights are dropped, missing ones are
 * 0 (a button nobody presses). Falls back to the default when nothing is left.
 */
export function fitMix(mix: RatingMix, levels: number, worse = false): RatingMix {
  const fitted = Array.from({ length: levels }, (_, i) => mix[i] ?? 0);
  return fitted.some((w) => w > 0) ? fitted : defaultMix(levels, worse);
}

/** Checks a user-given mix; throws naming the option (a programmer or CLI error). */
export function checkMix(name: string, mix: readonly number[]): RatingMix {
  if (!Array.isArray(mix) || mix.length < 2 || mix.length > 9) throw new TypeError(`"${name}" must list 2..9 weights`);
  if (!mix.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0))
    throw new TypeError(`"${name}" weights must be numbers >= 0`);
  if (!mix.some((w) => w > 0)) throw new TypeError(`"${name}" needs at least one weight > 0`);
  return Object.freeze([...mix]);
}

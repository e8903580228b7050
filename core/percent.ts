/**
 * Percentages as reports print them. Figures such as "98,97%" are compared
 * against targets (80%) and across offices, so they are computed exactly
 * with integer arithmetic — never `part / total * 100`, whose binary
 * rounding can turn an exact x.xx5 into the wrong last digit.
 */

/** Most decimals `percent` and `roundHalfUp` accept. */
export const MAX_DIGITS = 10;

function requireDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 0 || digits > MAX_DIGITS) {
    throw new RangeError(`digits must be an integer in 0..${MAX_DIGITS}, got ${String(digits)}`);
  }
}

function requireCount(value: number, argument: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${argument} must be a non-negative safe integer, got ${String(value)}`);
  }
}

/**
 * `part / total × 100`, rounded HALF-UP at `digits` decimals (default 2),
 * computed exactly with BigInt: 9897/10000 → 98.97, 2/3 → 66.67,
 * 1/8 → 12.5, 1/200 at 0 digits → 1 (0.5 rounds up). Returns null when
 * `total` is 0 (no votes: there is no percentage, not 0%). The result is
 * the double nearest to the rounded decimal, so `String()` prints it
 * exactly. Throws on negative or non-integer counts (programmer error).
 */
export function percent(part: number, total: number, digits: number = 2): number | null {
  requireCount(part, 'part');
  requireCount(total, 'total');
  requireDigits(digits);
  if (total === 0) return null;
  const unit = 10n ** BigInt(digits);
  const scaled = BigInt(part) * 100n * unit;
  const den = BigInt(total);
  let quotient = scaled / den;
  // Half-up: a remainder of at least half the divisor rounds away from zero.
  if ((scaled % den) * 2n >= den) quotient += 1n;
  // Both operands are exact integers, and IEEE division is correctly
  // rounded, so this is the double nearest to the decimal result.
  return Number(quotient) / Number(unit);
}

/**
 * Rounds a number HALF-UP (away from zero) at `digits` decimals, working on
 * its shortest decimal representation (what `String(value)` prints), so
 * 1.005 → 1.01 even though the double 1.005 is slightly below it.
 * Used for display; exact percentages come from `percent`.
 */
export function roundHalfUp(value: number, digits: number): number {
  requireDigits(digits);
  if (!Number.isFinite(value)) throw new RangeError(`value must be finite, got ${String(value)}`);
  const text = String(Math.abs(value));
  // Exponent forms (below 1e-6 or from 1e21) are far outside percentages:
  // fall back to binary rounding there.
  if (text.includes('e')) return Math.sign(value) * (Math.round(Math.abs(value) * 10 ** digits) / 10 ** digits);
  const [whole = '0', fraction = ''] = text.split('.');
  const kept = BigInt(whole + fraction.slice(0, digits).padEnd(digits, '0'));
  const roundUp = (fraction[digits] ?? '0') >= '5';
  const rounded = Number(roundUp ? kept + 1n : kept) / 10 ** digits;
  return value < 0 ? -rounded : rounded;
}

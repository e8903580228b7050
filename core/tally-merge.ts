/**
 * Choosing between copies of one terminal-month tally: a total order
 * (`compareTallies`), the max under it (`mergeTally`, commutative,
 * associative, idempotent) and one tally per terminal-month
 * (`latestTallies`). Pure (core/: no I/O, no Buffer).
 *
 * Separate from tally.ts because it is what makes tallies convergent
 * across bridges, caches and backups, apart from how votes are counted.
 */
import { sameTerminal } from './path.ts';
import type { Tally } from './tally-shape.ts';

/** JSON with object keys sorted at every depth: a canonical text for tie-breaking. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const parts = Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A total order on tallies of one terminal and month: the later
 * `updatedAt` is newer; on equal `updatedAt`, the higher `seq`; then the
 * canonical JSON text. Returns <0, 0 or >0 like a sort comparator.
 *
 * Along one bridge's history both `updatedAt` (the highest receivedAt
 * folded in, or the time of a revocation) and `seq` only grow, so this is
 * the order the copies were made in. Ordering by time first means a copy
 * folded again without some votes (a supervisor's revocation) replaces the
 * copies before it, and a forged copy cannot win for ever: it loses to the
 * next genuine copy made after its claimed time, which consumers bound by
 * their clock (core/tally-guard.ts `checkTallyClaim`).
 */
export function compareTallies(a: Tally, b: Tally): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt - b.updatedAt;
  if (a.seq !== b.seq) return a.seq - b.seq;
  if (a === b) return 0;
  const ca = canonicalJson(a);
  const cb = canonicalJson(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/**
 * Merges two copies of the same terminal-month tally by returning the
 * greater one under `compareTallies` (`a` when equal). Being a max over a
 * total order, merge is commutative, associative and idempotent. Throws
 * when the tallies are of different terminals or months (programmer error).
 */
export function mergeTally(a: Tally, b: Tally): Tally {
  if (!sameTerminal(a, b) || a.month !== b.month) {
    throw new RangeError(`b (${tallyKey(b)}) is not a copy of a (${tallyKey(a)}): only copies of one terminal-month merge`);
  }
  return compareTallies(a, b) >= 0 ? a : b;
}

/** `d/w/c/t/YYYY-MM`: identifies the terminal-month a tally belongs to. */
export function tallyKey(t: Tally): string {
  return `${t.district}/${t.ward}/${t.counter}/${t.terminal}/${t.month}`;
}

/**
 * Keeps one tally per terminal-month (keyed by `tallyKey`), merging copies
 * with `mergeTally`: the input for folds, which must not see duplicates.
 */
export function latestTallies(tallies: Iterable<Tally>): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const t of tallies) {
    const key = tallyKey(t);
    const seen = out.get(key);
    out.set(key, seen === undefined ? t : mergeTally(seen, t));
  }
  return out;
}

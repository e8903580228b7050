/**
 * The recent votes a dashboard keeps: for the pulse on a tile, the time of
 * the last vote, the recent-votes list and the alert windows (live figures
 * come from tallies, not from here). Votes are deduped by core `voteKey`,
 * and the log keeps the `capacity` NEWEST votes under a total order
 * (pressedAt, then key): whatever order or how many times votes arrive, the
 * same set of votes yields the same log.
 */
import { voteKey } from '../../../core/index.ts';
import type { Vote } from '../../../core/index.ts';

/** Default number of votes kept: a busy district's day. */
export const DEFAULT_VOTE_CAPACITY = 20_000;

/** Total order of votes: older first; equal times by key. */
export function compareVotes(a: Vote, b: Vote): number {
  if (a.pressedAt !== b.pressedAt) return a.pressedAt - b.pressedAt;
  const ka = voteKey(a);
  const kb = voteKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** What `VoteLog.add` did with a vote. */
export type VoteAdd = 'added' | 'duplicate' | 'too-old';

/** Deduped, time-ordered, bounded log of votes. */
export class VoteLog {
  readonly capacity: number;
  // Sorted oldest → newest; `#keys` mirrors it for O(1) dedupe.
  readonly #votes: Vote[] = [];
  readonly #keys = new Set<string>();

  constructor(capacity: number = DEFAULT_VOTE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('"capacity" must be a positive integer');
    this.capacity = capacity;
  }

  /** Number of votes held. */
  get size(): number {
    return this.#votes.length;
  }

  /** True when a vote with this `voteKey` is held. */
  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Adds a vote unless it is a duplicate or older than everything kept in a full log. */
  add(vote: Vote): VoteAdd {
    const key = voteKey(vote);
    if (this.#keys.has(key)) return 'duplicate';
    const votes = this.#votes;
    if (votes.length >= this.capacity && compareVotes(vote, votes[0] as Vote) < 0) return 'too-old';
    // Binary search for the insertion point; live votes land at the end.
    let lo = 0;
    let hi = votes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareVotes(votes[mid] as Vote, vote) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === votes.length) votes.push(vote);
    else votes.splice(lo, 0, vote);
    this.#keys.add(key);
    if (votes.length > this.capacity) {
      const dropped = votes.shift() as Vote;
      this.#keys.delete(voteKey(dropped));
    }
    return 'added';
  }

  /** Every vote held, oldest first (do not modify). */
  all(): readonly Vote[] {
    return this.#votes;
  }

  /** Votes pressed at or after `since` (epoch ms), oldest first. */
  since(since: number): Vote[] {
    const votes = this.#votes;
    let lo = 0;
    let hi = votes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((votes[mid] as Vote).pressedAt < since) lo = mid + 1;
      else hi = mid;
    }
    return votes.slice(lo);
  }

  /** The newest `n` votes matching `filter`, newest first. */
  latest(n: number, filter: (v: Vote) => boolean = () => true): Vote[] {
    const out: Vote[] = [];
    for (let i = this.#votes.length - 1; i >= 0 && out.length < n; i--) {
      const v = this.#votes[i] as Vote;
      if (filter(v)) out.push(v);
    }
    return out;
  }

  /** Removes every vote. */
  clear(): void {
    this.#votes.length = 0;
    this.#keys.clear();
  }
}

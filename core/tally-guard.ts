/**
 * What a retained tally may claim, checked by every consumer before it
 * merges a copy (issue 13, "tally poisoning"). Tallies merge newest-wins
 * (core/tally.ts `compareTallies`: later `updatedAt`, then higher `seq`),
 * so a forged copy could otherwise win for ever by claiming a far-future
 * `updatedAt` or a `seq` of 4,294,967,295. Here:
 *
 * - `updatedAt` may not be more than `MAX_TALLY_CLOCK_SKEW_MS` ahead of the
 *   consumer's clock: a forged copy then loses to the next genuine copy
 *   folded after that time (the bridge republishes on every vote);
 * - `seq` may not exceed what a terminal can press: at most
 *   `MAX_PRESSES_PER_DAY` per day since `TALLY_SEQ_EPOCH` up to the end of
 *   the tally's month, above the clock-in-seconds seq base of a bridge's
 *   journal (`maxSeqBy`), and, over the copy held, at most that many per day
 *   between the two copies' `updatedAt` (plus one day of slack for an
 *   outbox delivered after a long time offline), unless it is a series
 *   started again at the clock in seconds (`isRebased`: a kiosk whose
 *   storage was wiped numbers a new outbox above the clock, as a new
 *   journal does, kiosk/src/outbox/idb-outbox.ts).
 *
 * Genuine tallies always pass: a terminal's seq grows by one per press and
 * the bridge stamps `updatedAt` from its own clock. The bound is defence in
 * depth behind the broker ACL, which lets only the bridge write tallies.
 */
import { err, ok } from './result.ts';
import type { Result } from './result.ts';
import type { Tally } from './tally.ts';
import { localMidnight } from './time.ts';

/** How far ahead of the consumer's clock a tally's `updatedAt` may be (1 h: office PCs drift). */
export const MAX_TALLY_CLOCK_SKEW_MS = 3_600_000;

/** Most presses one terminal can take in a day (one every 4.3 s, 24 hours long). */
export const MAX_PRESSES_PER_DAY = 20_000;

/** No hailong terminal pressed before this day: the origin of the absolute seq bound. */
export const TALLY_SEQ_EPOCH = '2020-01-01';

const DAY_MS = 86_400_000;

/** How far behind the consumer's clock the clock that started a rebased series may be (s): one day. */
export const MAX_REBASE_CLOCK_LAG_S = 86_400;

/**
 * Whether `candidate.seq` is a series started again at the clock in seconds
 * after `held` was stamped (a kiosk's new outbox, or a bridge's new
 * journal): at or above `held.updatedAt` in seconds, less a day of clock
 * lag, and at most `allowed` presses above `candidate.updatedAt` in seconds.
 * Such a seq exhausts nothing (a new store starts there anyway) and stays
 * far below MAX_SEQ, so the issue 13 bound still holds.
 */
function isRebased(held: Tally, candidate: Tally, allowed: number): boolean {
  return (
    candidate.seq >= Math.floor(held.updatedAt / 1000) - MAX_REBASE_CLOCK_LAG_S &&
    candidate.seq <= Math.floor(candidate.updatedAt / 1000) + allowed
  );
}

/** Codes of `checkTallyClaim`. */
export type TallyClaimCode = 'tally-from-future' | 'tally-seq-absurd' | 'tally-seq-jump';

/**
 * The highest seq a terminal can have reached by the end of `month`
 * (YYYY-MM): the presses possible since `TALLY_SEQ_EPOCH`, above the highest
 * seq base a journal made by then can have. A bridge's new journal publishes
 * seqs above the clock in seconds at its creation (bridge/ward-bridge.ts
 * `seqBase`, so a replaced journal never reuses a published id): without
 * that term every bridge's tally would look absurd.
 */
export function maxSeqBy(month: string): number {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const next = m === 12 ? `${year + 1}-01-01` : `${year}-${String(m + 1).padStart(2, '0')}-01`;
  const end = localMidnight(next);
  const days = Math.max(1, Math.ceil((end - localMidnight(TALLY_SEQ_EPOCH)) / DAY_MS));
  return Math.floor(end / 1000) + days * MAX_PRESSES_PER_DAY;
}

/**
 * Whether `candidate` (a validated tally, see `parseTally`) may be merged
 * over `held` (the copy this consumer has of the same terminal-month, if
 * any) at the consumer's time `now`. Returns `ok(candidate)` or a coded
 * refusal naming what it claimed; never throws.
 */
export function checkTallyClaim(held: Tally | undefined, candidate: Tally, now: number): Result<Tally, TallyClaimCode> {
  if (candidate.updatedAt > now + MAX_TALLY_CLOCK_SKEW_MS) {
    return err(
      'tally-from-future',
      `tally updatedAt ${new Date(candidate.updatedAt).toISOString()} is ahead of this clock (${new Date(now).toISOString()}) by more than ${MAX_TALLY_CLOCK_SKEW_MS / 60_000} min`,
      'updatedAt',
    );
  }
  const absolute = maxSeqBy(candidate.month);
  if (candidate.seq > absolute) {
    return err(
      'tally-seq-absurd',
      `tally seq ${candidate.seq} is more than a terminal can press by the end of ${candidate.month} (${absolute})`,
      'seq',
    );
  }
  if (held !== undefined && candidate.seq > held.seq) {
    const days = 1 + Math.max(0, candidate.updatedAt - held.updatedAt) / DAY_MS;
    const allowed = Math.floor(days * MAX_PRESSES_PER_DAY);
    if (candidate.seq - held.seq > allowed && !isRebased(held, candidate, allowed)) {
      return err(
        'tally-seq-jump',
        `tally seq jumps by ${candidate.seq - held.seq} over the copy held (seq ${held.seq}), more than ${allowed} presses in that time`,
        'seq',
      );
    }
  }
  return ok(candidate);
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyVote, applyVotes, emptyTally, mergeTally, parseTally, type Tally } from '../../core/tally.ts';
import { MAX_PRESSES_PER_DAY, MAX_TALLY_CLOCK_SKEW_MS, checkTallyClaim, maxSeqBy } from '../../core/tally-guard.ts';
import { MAX_EPOCH_MS } from '../../core/time.ts';
import { MAX_SEQ } from '../../core/vote.ts';
import { T1, makeVote, terminalMonthArb, votesOf, vnTime } from './arbitraries.ts';

const NOV = '2026-11';
const genuine = applyVotes(
  emptyTally(T1, NOV),
  [1, 2, 3].map((s) => makeVote(T1, s, 'hai-long', vnTime('2026-11-23', 9, s))),
);
const NOW = genuine.updatedAt + 60_000;

describe('checkTallyClaim', () => {
  it('refuses the issue-13 forgery: seq 4,294,967,295 (MAX_SEQ), first copy or not', () => {
    const forged = { ...genuine, seq: MAX_SEQ };
    expect(parseTally(JSON.stringify(forged)).ok).toBe(true); // well-formed: only the claim gives it away
    expect(checkTallyClaim(undefined, forged, NOW)).toMatchObject({ ok: false, code: 'tally-seq-absurd', field: 'seq' });
    expect(checkTallyClaim(genuine, forged, NOW)).toMatchObject({ ok: false, code: 'tally-seq-absurd' });
  });

  it("admits a bridge's tally whose seqs start at its journal's seq base (the clock in seconds when the journal was made)", () => {
    // bridge/ward-bridge.ts: a new journal publishes seqs above Math.floor(Date.now() / 1000).
    const base = Math.floor(genuine.updatedAt / 1000) - 86_400;
    const bridged = { ...genuine, seq: base + 1400 };
    expect(checkTallyClaim(undefined, bridged, NOW)).toMatchObject({ ok: true });
    expect(checkTallyClaim({ ...genuine, seq: base + 1000 }, bridged, NOW)).toMatchObject({ ok: true });
  });

  it("admits a kiosk's series started again at the clock in seconds after its storage was wiped, and no jump above that clock", () => {
    // kiosk/src/outbox/idb-outbox.ts: a new store numbers above Math.floor(Date.now() / 1000).
    const wipedAt = genuine.updatedAt + 3_600_000;
    const rebased = { ...genuine, seq: Math.floor(wipedAt / 1000) + 5, updatedAt: wipedAt + 600_000 };
    expect(checkTallyClaim(genuine, rebased, rebased.updatedAt)).toMatchObject({ ok: true });
    // The kiosk's clock a few hours behind the bridge's still passes.
    expect(checkTallyClaim(genuine, { ...rebased, seq: rebased.seq - 4 * 3600 }, rebased.updatedAt).ok).toBe(true);
    // Above the candidate's own clock by more than a terminal can press: refused.
    const ahead = { ...rebased, seq: Math.floor(rebased.updatedAt / 1000) + 2 * MAX_PRESSES_PER_DAY + 1 };
    expect(checkTallyClaim(genuine, ahead, rebased.updatedAt)).toMatchObject({ ok: false, code: 'tally-seq-jump' });
    // Far below the held copy's clock (more than a day of lag) and far above its seq: refused.
    const stale = { ...rebased, seq: Math.floor(genuine.updatedAt / 1000) - 2 * 86_400 };
    expect(checkTallyClaim(genuine, stale, rebased.updatedAt)).toMatchObject({ ok: false, code: 'tally-seq-jump' });
  });

  it('refuses an updatedAt in the future beyond the clock skew, and a seq jump beyond what a terminal can press', () => {
    expect(checkTallyClaim(genuine, { ...genuine, updatedAt: NOW + MAX_TALLY_CLOCK_SKEW_MS + 1 }, NOW)).toMatchObject({
      ok: false,
      code: 'tally-from-future',
    });
    expect(checkTallyClaim(genuine, { ...genuine, updatedAt: NOW + MAX_TALLY_CLOCK_SKEW_MS }, NOW).ok).toBe(true);
    const jump = { ...genuine, seq: genuine.seq + MAX_PRESSES_PER_DAY + 1, updatedAt: genuine.updatedAt + 1 };
    expect(checkTallyClaim(genuine, jump, NOW)).toMatchObject({ ok: false, code: 'tally-seq-jump' });
    // The same seq is fine a week later (a kiosk's outbox after a week offline).
    expect(
      checkTallyClaim(genuine, { ...jump, updatedAt: genuine.updatedAt + 7 * 86_400_000 }, genuine.updatedAt + 7 * 86_400_000).ok,
    ).toBe(true);
  });

  it('admits every copy of a genuine history, in order, at any later clock (property)', () => {
    fc.assert(
      fc.property(
        terminalMonthArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat({ max: 30 * 86_400_000 }),
        ({ path, month, votes }, at, lag) => {
          // Any seq the terminal can physically have reached by then (the arbitrary's months start in 2020).
          const firstSeq = 1 + Math.floor(at * (maxSeqBy(month) - 200));
          const history = votesOf(
            path,
            month,
            votes.map((v, i) => ({
              day: Number(new Date(v.pressedAt + 7 * 3_600_000).toISOString().slice(8, 10)),
              hour: 9,
              level: v.level,
              officer: undefined,
              filtered: v.filtered,
              gap: 1 + (i % 3),
            })),
            firstSeq,
          );
          let held: Tally | undefined;
          let t = emptyTally(path, month);
          for (const vote of history) {
            t = applyVote(t, vote);
            const claim = checkTallyClaim(held, t, t.updatedAt + lag);
            expect(claim.ok, claim.ok ? '' : claim.message).toBe(true);
            held = held === undefined ? t : mergeTally(held, t);
            expect(held).toBe(t);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a forged copy that passes the check cannot win for ever: the next genuine copy after its claimed time wins (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_SEQ }),
        fc.integer({ min: 0, max: MAX_EPOCH_MS }),
        fc.integer({ min: 0, max: 10 * 365 * 86_400_000 }),
        (seq, updatedAt, now) => {
          const forged: Tally = { ...genuine, seq: Math.max(seq, 3), updatedAt };
          if (!checkTallyClaim(genuine, forged, now).ok) return;
          expect(forged.updatedAt).toBeLessThanOrEqual(now + MAX_TALLY_CLOCK_SKEW_MS);
          expect(forged.seq).toBeLessThanOrEqual(maxSeqBy(NOV));
          // The bridge's next copy: one more vote, received after the forged claim.
          const next = applyVote(
            genuine,
            makeVote(T1, 4, 'hai-long', vnTime('2026-11-24'), { receivedAt: Math.max(forged.updatedAt, genuine.updatedAt) + 1 }),
          );
          expect(mergeTally(forged, next)).toBe(next);
          expect(mergeTally(next, forged)).toBe(next);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a copy folded again without revoked votes (same seq, later updatedAt) replaces the copies before it', () => {
    const revoked = {
      ...applyVotes(
        emptyTally(T1, NOV),
        [1, 2].map((s) => makeVote(T1, s, 'hai-long', vnTime('2026-11-23', 9, s))),
      ),
      seq: 3,
      updatedAt: NOW,
    };
    expect(checkTallyClaim(genuine, revoked, NOW).ok).toBe(true);
    expect(mergeTally(genuine, revoked)).toBe(revoked);
    expect(mergeTally(revoked, genuine)).toBe(revoked);
  });
});

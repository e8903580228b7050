/**
 * Turns simulated monthly tallies back into individual votes, so the demo
 * can give its own ward a year of history through the real journal (which
 * then owns and republishes the tallies, exactly as for live votes).
 * Pure; deterministic for a seed.
 */
import type { Tally } from '../../core/tally.ts';
import { localMidnight } from '../../core/time.ts';
import type { VoteInput } from '../journal/vote-input.ts';
import { seededRandom } from './history.ts';

/** The journal inputs that fold into (about) the same figures as `tallies`; device uid `HISTORY-<terminal>`. */
export function votesOfTallies(tallies: readonly Tally[], seed = 1): VoteInput[] {
  const rand = seededRandom(seed);
  const out: VoteInput[] = [];
  for (const t of tallies) {
    const path = { district: t.district, ward: t.ward, counter: t.counter, terminal: t.terminal };
    for (const dayKey of Object.keys(t.days).sort()) {
      const day = t.days[dayKey];
      if (day === undefined) continue;
      const midnight = localMidnight(`${t.month}-${dayKey}`);
      const officers = Object.keys(day.o ?? {});
      const votes: Omit<VoteInput, 'uid' | 'deviceSeq'>[] = [];
      for (const hourKey of Object.keys(day.h)) {
        const hour = Number(hourKey);
        (day.h[hourKey] ?? []).forEach((n, level) => {
          for (let k = 0; k < n; k++) {
            const pressedAt = midnight + hour * 3_600_000 + Math.floor(rand() * 3_600_000);
            // Morning and afternoon shifts, as generateHistory assigns them.
            const officer = officers.length === 0 ? undefined : officers[hour < 12 ? 0 : Math.min(1, officers.length - 1)];
            votes.push({
              path,
              level: t.levels[level] as VoteInput['level'],
              pressedAt,
              receivedAt: pressedAt + 40,
              source: 'button',
              ...(officer === undefined ? {} : { officer }),
            });
          }
        });
      }
      for (let k = 0; k < day.f[0]; k++) {
        const pressedAt = midnight + 9 * 3_600_000 + Math.floor(rand() * 7 * 3_600_000);
        votes.push({
          path,
          level: t.levels[0] as VoteInput['level'],
          pressedAt,
          receivedAt: pressedAt + 40,
          source: 'button',
          filtered: 'cooldown',
        });
      }
      votes.sort((a, b) => a.pressedAt - b.pressedAt);
      for (const v of votes) out.push({ ...v, uid: `HISTORY-${t.terminal}`, deviceSeq: 0 });
    }
  }
  // Device seqs in time order per terminal, as a real box would have sent them.
  out.sort((a, b) => a.pressedAt - b.pressedAt);
  const seqs = new Map<string, number>();
  return out.map((v) => {
    const seq = (seqs.get(v.uid) ?? 0) + 1;
    seqs.set(v.uid, seq);
    return { ...v, deviceSeq: seq };
  });
}

/**
 * KioskIntake against a real journal (SQLite in a temp dir): whatever
 * arrives on a kiosk topic, the intake never throws, refuses and counts
 * everything but valid votes of configured kiosks, and stores each valid
 * vote id exactly once, in any order.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { topicFor } from '../../../core/topic.ts';
import type { Vote } from '../../../core/vote.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import { KioskIntake } from '../../../bridge/kiosk/kiosk-intake.ts';
import { CounterState } from '../../../bridge/rating/counter-state.ts';
import { tempDir, testLog } from '../bridge-rig.ts';
import { kioskOfficeConfig } from './kiosk-office.ts';
import { KIOSK, kioskVote } from './kiosk-publisher.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function rig() {
  const tmp = tempDir('hailong-intake-');
  cleanups.push(tmp.remove);
  const config = kioskOfficeConfig(tmp.dir);
  const journal = new Journal({ path: `${tmp.dir}/journal.db` });
  journal.open();
  cleanups.push(() => journal.close());
  const intake = new KioskIntake({ config, journal, counters: new CounterState(), log: testLog });
  return { journal, intake };
}

const TOPIC = topicFor('vote', KIOSK);
const T0 = Date.UTC(2026, 10, 23, 2);

/** One publish on a kiosk's topic: a valid vote (maybe again), or something hostile. */
const publishArb: fc.Arbitrary<{ topic: string; payload: string | Uint8Array; valid?: number }> = fc.oneof(
  fc.integer({ min: 1, max: 25 }).map((seq) => ({
    topic: TOPIC,
    payload: JSON.stringify(kioskVote(seq, { pressedAt: T0 + seq * 1000, receivedAt: T0 + seq * 1000 })),
    valid: seq,
  })),
  fc.string({ maxLength: 200 }).map((payload) => ({ topic: TOPIC, payload })),
  fc.uint8Array({ maxLength: 300 }).map((payload) => ({ topic: TOPIC, payload })),
  fc.jsonValue().map((v) => ({ topic: TOPIC, payload: JSON.stringify(v) })),
  fc
    .integer({ min: 1, max: 25 })
    .chain((seq) =>
      fc
        .constantFrom<Partial<Vote>>(
          { terminal: 'kiosk-9', id: `kiosk-9:${seq}` },
          { counter: 'quay-9' },
          { ward: 'other' },
          { source: 'button' },
          { id: 'kiosk-1:999999' },
          { ticket: 'x'.repeat(20_000) },
        )
        .map((over) => ({ topic: TOPIC, payload: JSON.stringify({ ...kioskVote(seq), ...over }) })),
    ),
  // A configured kiosk's valid vote on a topic that is not a kiosk's (the bridge's own box topic).
  fc.integer({ min: 1, max: 5 }).map((seq) => ({
    topic: topicFor('vote', { ...KIOSK, terminal: 'hop-1' }),
    payload: JSON.stringify({ ...kioskVote(seq), terminal: 'hop-1', id: `hop-1:${seq}`, source: 'button' }),
  })),
  fc.string({ maxLength: 100 }).map((topic) => ({ topic, payload: JSON.stringify(kioskVote(1)) })),
);

describe('KioskIntake', () => {
  it('never throws; stores each valid id once, in any order and batching; refuses and counts the rest (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(publishArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 6 }), async (publishes, batch) => {
        const { journal, intake } = rig();
        let refused = 0;
        for (let i = 0; i < publishes.length; i += batch) {
          const verdicts = await Promise.all(publishes.slice(i, i + batch).map((p) => intake.ingest(p.topic, p.payload)));
          for (const v of verdicts) {
            if (!v.accept) {
              expect(v.retry).toBe(false);
              refused += 1;
            }
          }
        }
        const valid = new Set(publishes.flatMap((p) => (p.valid === undefined ? [] : [p.valid])));
        expect(journal.voteCount()).toBe(valid.size);
        for (const seq of valid) expect(journal.hasVote(KIOSK.terminal, seq)).toBe(true);
        const stats = intake.stats();
        const counted = Object.entries(stats)
          .filter(([k]) => k.startsWith('kiosk-refused-'))
          .reduce((n, [, v]) => n + v, 0);
        expect(counted).toBe(refused);
        expect(refused).toBe(publishes.filter((p) => p.valid === undefined).length);
        expect(stats['kiosk-votes-stored'] ?? 0).toBe(valid.size);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses with retry (no PUBACK) while the journal is closed, so the kiosk keeps the vote', async () => {
    const { journal, intake } = rig();
    journal.close();
    await expect(intake.ingest(TOPIC, JSON.stringify(kioskVote(1)))).resolves.toMatchObject({ accept: false, retry: true });
  });
});

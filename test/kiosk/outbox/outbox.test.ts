/**
 * The kiosk's outbox and publisher against a broker that may acknowledge
 * and drop (Mosquitto before the bridge's session subscribed), a link that
 * drops, and the bridge's receipts: a vote leaves the outbox only once a
 * receipt names it, and every vote ends up journaled exactly once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseVote, rangesOf } from '../../../core/index.ts';
import type { Publication, SeqRange } from '../../../core/index.ts';
import { GAP_GRACE_MS, RESEND_FIRST_MS, RESEND_MAX_MS, resendDue } from '../../../kiosk/src/outbox/outbox.ts';
import { Publisher } from '../../../kiosk/src/runtime/publisher.ts';
import { MemoryOutbox } from '../fakes/memory-outbox.ts';

const PLACE = { district: 'd', ward: 'w', counter: 'c', terminal: 't' };
const T0 = Date.UTC(2025, 4, 12, 2);

/** What becomes of one publish. */
type Fate = 'journaled' | 'acked-dropped' | 'lost-before-puback' | 'journaled-no-puback';

type Op =
  | { readonly type: 'tap' }
  | { readonly type: 'flush' }
  | { readonly type: 'receipt' }
  | { readonly type: 'forged-receipt'; readonly above: number }
  | { readonly type: 'link'; readonly online: boolean }
  | { readonly type: 'wait'; readonly ms: number }
  | { readonly type: 'sweep' }
  | { readonly type: 'recheck' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ type: 'tap' } as const) },
  { weight: 3, arbitrary: fc.constant({ type: 'flush' } as const) },
  { weight: 2, arbitrary: fc.constant({ type: 'receipt' } as const) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 1_000_000 }).map((above) => ({ type: 'forged-receipt', above }) as const) },
  { weight: 1, arbitrary: fc.boolean().map((online) => ({ type: 'link', online }) as const) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 120_000 }).map((ms) => ({ type: 'wait', ms }) as const) },
  { weight: 1, arbitrary: fc.constant({ type: 'sweep' } as const) },
  { weight: 1, arbitrary: fc.constant({ type: 'recheck' } as const) },
);

const fateArb = fc.constantFrom<Fate>('journaled', 'acked-dropped', 'lost-before-puback', 'journaled-no-puback');

/** A broker + bridge: `journal` is the bridge's (keyed by vote id, as the real one). */
function world(fates: readonly Fate[]) {
  let clock = T0;
  let n = 0;
  const journal = new Map<string, number>();
  /** How many times each id was stored (not deduped): must end at 1. */
  const stores = new Map<string, number>();
  const link = {
    online: true,
    reliable: false,
    /** Publishes attempted while online. */
    publishes: 0,
    async publish(p: Publication): Promise<void> {
      if (!link.online) throw new Error('not connected');
      link.publishes++;
      const parsed = parseVote(p.payload);
      if (!parsed.ok) throw new Error(parsed.message);
      const fate: Fate = link.reliable ? 'journaled' : (fates[n++ % fates.length] ?? 'journaled');
      if (fate === 'journaled' || fate === 'journaled-no-puback') {
        // The bridge dedupes by id: a resend of a journaled vote is not stored again.
        if (!journal.has(parsed.value.id)) {
          journal.set(parsed.value.id, parsed.value.seq);
          stores.set(parsed.value.id, (stores.get(parsed.value.id) ?? 0) + 1);
        }
      }
      if (fate === 'lost-before-puback' || fate === 'journaled-no-puback') {
        link.online = false; // the connection dropped before the PUBACK
        throw new Error('connection lost before PUBACK');
      }
    },
  };
  const receipt = (): readonly SeqRange[] => rangesOf([...journal.values()].sort((a, b) => a - b));
  return { link, journal, stores, receipt, now: () => clock, wait: (ms: number) => (clock += ms) };
}

describe('kiosk outbox with receipts', () => {
  it('any sequence of PUBACK, drop, loss, reconnect and receipt: a vote leaves the outbox only once the bridge journaled it, and every vote is journaled exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 60 }), fc.array(fateArb, { minLength: 1, maxLength: 12 }), async (ops, fates) => {
        const w = world(fates);
        const outbox = new MemoryOutbox();
        const publisher = new Publisher(outbox, w.link, { window: 3, now: w.now });
        const leftOnlyIfJournaled = (): void => {
          for (const row of outbox.rows.values()) {
            if (row.state === 'done') expect(w.journal.has(row.vote.id), `${row.vote.id} is done but not journaled`).toBe(true);
          }
        };
        for (const op of ops) {
          switch (op.type) {
            case 'tap':
              await outbox.record({ ...PLACE, level: 'hai-long', pressedAt: w.now(), draft: false }, w.now());
              break;
            case 'flush':
              await publisher.kick();
              break;
            case 'receipt':
              await outbox.applyReceipt(w.receipt(), w.now());
              break;
            case 'forged-receipt': {
              // Anyone's claim above the highest seq this kiosk sent: never taken.
              const top = outbox.sentHigh + op.above;
              const outcome = await outbox.applyReceipt([[1, top]], w.now());
              expect(outcome.ok).toBe(false);
              break;
            }
            case 'link':
              w.link.online = op.online;
              break;
            case 'wait':
              w.wait(op.ms);
              break;
            case 'sweep':
              await outbox.requeueUnconfirmed(w.now());
              break;
            case 'recheck':
              await outbox.recheckReceipt(w.now());
              break;
          }
          leftOnlyIfJournaled();
        }
        // The network heals: the sweep, the flush and the receipts carry on.
        w.link.online = true;
        w.link.reliable = true;
        for (let round = 0; round < 4; round++) {
          w.wait(RESEND_MAX_MS);
          await outbox.requeueUnconfirmed(w.now());
          await publisher.kick();
          await outbox.applyReceipt(w.receipt(), w.now());
          leftOnlyIfJournaled();
        }
        for (const row of outbox.rows.values()) {
          expect(row.state, `${row.vote.id}`).toBe('done');
          expect(w.stores.get(row.vote.id), `${row.vote.id} stored once`).toBe(1);
        }
        expect(w.journal.size).toBe(outbox.rows.size);
      }),
      { numRuns: 300 },
    );
  });

  it('a receipt from a bridge that just came back sends at once what it has not journaled (no waiting for the timer)', async () => {
    const w = world(['acked-dropped']);
    const outbox = new MemoryOutbox();
    const publisher = new Publisher(outbox, w.link, { now: w.now });
    for (let i = 0; i < 3; i++) await outbox.record({ ...PLACE, level: 'hai-long', pressedAt: T0, draft: false }, T0);
    await publisher.kick();
    expect([1, 2, 3].map((s) => outbox.state(s))).toEqual(['sent', 'sent', 'sent']); // PUBACKed, but nobody journaled them
    w.wait(10_000);
    w.link.reliable = true;
    // The bridge connects: its (empty) receipt arrives.
    expect(await outbox.applyReceipt(w.receipt(), w.now())).toEqual({ ok: true, done: 0, resend: 3 });
    await publisher.kick();
    await outbox.applyReceipt(w.receipt(), w.now());
    expect([1, 2, 3].map((s) => outbox.state(s))).toEqual(['done', 'done', 'done']);
    expect([...w.journal.keys()]).toEqual(['t:1', 't:2', 't:3']);
  });

  it('a receipt 1 s after the PUBACK that leaves the vote out sends it again once its grace has passed (PUBACK + 5 s), not after the 30 s resend', async () => {
    const w = world(['acked-dropped']); // Mosquitto PUBACKs it before the bridge ever subscribed
    const outbox = new MemoryOutbox();
    const publisher = new Publisher(outbox, w.link, { now: w.now });
    await outbox.record({ ...PLACE, level: 'hai-long', pressedAt: T0, draft: false }, T0);
    await publisher.kick();
    const puback = w.now();
    expect(outbox.state(1)).toBe('sent');
    w.wait(1000);
    // The bridge connects: its on-connect receipt names nothing. Inside the grace: the vote may be on its way.
    expect(await outbox.applyReceipt(w.receipt(), w.now())).toEqual({ ok: true, done: 0, resend: 0, recheckAt: puback + GAP_GRACE_MS });
    expect(outbox.state(1)).toBe('sent');
    w.wait(GAP_GRACE_MS - 1001);
    expect(await outbox.recheckReceipt(w.now())).toEqual({ ok: true, done: 0, resend: 0, recheckAt: puback + GAP_GRACE_MS });
    w.wait(1);
    // At PUBACK + 5 s the same receipt, applied again, sends it: far before its timed resend.
    expect(w.now()).toBeLessThan(resendDue(outbox.rows.get(1)!));
    expect(await outbox.recheckReceipt(w.now())).toEqual({ ok: true, done: 0, resend: 1 });
    expect(outbox.state(1)).toBe('ready');
    // Sent again; this time the bridge's session is there and journals it.
    w.link.reliable = true;
    await publisher.kick();
    expect([...w.journal.keys()]).toEqual(['t:1']);
    expect(await outbox.applyReceipt(w.receipt(), w.now())).toEqual({ ok: true, done: 1, resend: 0 });
  });

  it('a receipt that names the vote 3 s after its PUBACK leaves nothing to re-check: no resend', async () => {
    const w = world(['journaled']);
    const outbox = new MemoryOutbox();
    const publisher = new Publisher(outbox, w.link, { now: w.now });
    await outbox.record({ ...PLACE, level: 'hai-long', pressedAt: T0, draft: false }, T0);
    await outbox.record({ ...PLACE, level: 'hai-long', pressedAt: T0, draft: false }, T0);
    await publisher.kick();
    const sent = w.link.publishes;
    // A receipt made before the bridge journaled them (its on-connect one) arrives 1 s after the PUBACKs.
    w.wait(1000);
    expect(await outbox.applyReceipt([], w.now())).toMatchObject({ ok: true, resend: 0, recheckAt: T0 + GAP_GRACE_MS });
    w.wait(2000);
    expect(await outbox.applyReceipt(w.receipt(), w.now())).toEqual({ ok: true, done: 2, resend: 0 });
    w.wait(GAP_GRACE_MS);
    expect(await outbox.recheckReceipt(w.now())).toEqual({ ok: true, done: 0, resend: 0 });
    await publisher.kick();
    expect(w.link.publishes).toBe(sent);
    expect([outbox.state(1), outbox.state(2)]).toEqual(['done', 'done']);
  });

  it('the re-check sends a vote again at most once per receipt: with no newer receipt it waits for the timed resend, which still backs off', async () => {
    const w = world(['acked-dropped']); // every publish PUBACKed and dropped: the bridge never gets it
    const outbox = new MemoryOutbox();
    const publisher = new Publisher(outbox, w.link, { now: w.now });
    await outbox.record({ ...PLACE, level: 'hai-long', pressedAt: T0, draft: false }, T0);
    await publisher.kick();
    w.wait(1000);
    await outbox.applyReceipt([], w.now());
    w.wait(GAP_GRACE_MS);
    expect(await outbox.recheckReceipt(w.now())).toMatchObject({ resend: 1 });
    await publisher.kick(); // PUBACKed (and dropped) again: a second try
    const again = w.now();
    expect(w.link.publishes).toBe(2);
    // The same receipt says nothing of a vote PUBACKed after it: no recheck is due, none resends.
    for (let i = 0; i < 5; i++) {
      w.wait(GAP_GRACE_MS);
      expect(await outbox.recheckReceipt(w.now())).toEqual({ ok: true, done: 0, resend: 0 });
      await publisher.kick();
    }
    expect(w.link.publishes).toBe(2);
    // The timed resend: 2 × 30 s after the second PUBACK.
    expect(resendDue(outbox.rows.get(1)!)).toBe(again + 2 * RESEND_FIRST_MS);
  });
});

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_SEQ, parseTally, parseVote, scaleKeys, SCALE_3 } from '../../../core/index.ts';
import { MAX_OUTBOX_SEQ_BASE, newStoreMark, openIdbOutbox, outboxName } from '../../../kiosk/src/outbox/idb-outbox.ts';
import type { IdbOutboxOptions } from '../../../kiosk/src/outbox/idb-outbox.ts';
import type { NewVote, Outbox } from '../../../kiosk/src/outbox/outbox.ts';

const LEVELS = scaleKeys(SCALE_3);
const T0 = Date.UTC(2025, 4, 12, 2, 0, 0); // 2025-05-12 09:00 in Vietnam
let n = 0;
let opened: Outbox[] = [];

function place() {
  n++;
  return { district: 'test', ward: `w-${Date.now().toString(36)}-${n}`, counter: 'quay-1', terminal: 'kiosk-1' };
}

// Seqs 1, 2, 3… unless a test asks for the production clock base.
async function open(p: ReturnType<typeof place>, options: IdbOutboxOptions = { seqBase: 'zero' }): Promise<Outbox> {
  const o = await openIdbOutbox(p, options);
  opened.push(o);
  return o;
}

function tapOf(p: ReturnType<typeof place>, patch: Partial<NewVote> = {}): NewVote {
  return { ...p, level: 'hai-long', pressedAt: T0, draft: false, ...patch };
}

/** Deletes a terminal's database, as clearing the browser's data does. */
async function wipe(p: ReturnType<typeof place>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase(outboxName(p));
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
  });
}

afterEach(async () => {
  for (const o of opened) o.close();
  opened = [];
});

describe('IndexedDB outbox (real Chromium IndexedDB)', () => {
  it('gives seqs 1, 2, 3… with id terminal:seq, source touch, receivedAt = storing time; votes parse with core', async () => {
    const p = place();
    const o = await open(p);
    const a = await o.record(tapOf(p), T0 + 5);
    const b = await o.record(tapOf(p, { level: 'khong-hai-long', filtered: 'cooldown' }), T0 + 9);
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a).toMatchObject({ id: 'kiosk-1:1', source: 'touch', receivedAt: T0 + 5, counter: 'quay-1' });
    expect(b.filtered).toBe('cooldown');
    for (const v of [a, b]) expect(parseVote(JSON.stringify(v))).toEqual({ ok: true, value: v });
    expect(await o.pending(10)).toEqual([]); // not folded into the tally yet: not publishable
    await o.fold(LEVELS);
    expect((await o.pending(10)).map((v) => v.id)).toEqual(['kiosk-1:1', 'kiosk-1:2']);
  });

  it('never reuses a seq: not after done rows are pruned, not after reopening (a reload)', async () => {
    const p = place();
    let o = await open(p);
    for (let i = 0; i < 3; i++) await o.record(tapOf(p), T0);
    await o.fold(LEVELS);
    for (const v of await o.pending(10)) await o.markSent(v.seq, T0);
    expect((await o.applyReceipt([[1, 3]], T0)).ok).toBe(true);
    expect(await o.prune(T0 + 1)).toBe(3);
    expect(await o.pending(10)).toEqual([]);
    o.close();
    o = await open(p);
    expect((await o.record(tapOf(p), T0)).seq).toBe(4);
    expect((await o.stats()).highWater).toBe(4);
  });

  it('two connections (two tabs) recording at once never share a seq: IndexedDB serialises the transactions', async () => {
    const p = place();
    const tab1 = await open(p);
    const tab2 = await open(p);
    const votes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? tab1 : tab2).record(tapOf(p, { pressedAt: T0 + i }), T0 + i)),
    );
    const seqs = votes.map((v) => v.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await Promise.all([tab1.fold(LEVELS), tab2.fold(LEVELS)]); // both tabs fold: each vote still counts once
    expect((await tab1.pending(100)).length).toBe(40);
    expect((await tab2.tally('quay-1', '2025-05'))?.days['12']?.c).toEqual([0, 40, 0]);
  });

  it('marks sent only what it is told, and pending() keeps seq order', async () => {
    const p = place();
    const o = await open(p);
    for (let i = 0; i < 5; i++) await o.record(tapOf(p), T0);
    await o.fold(LEVELS);
    await o.markSent(2, T0 + 1);
    await o.markSent(4, T0 + 1);
    expect((await o.pending(10)).map((v) => v.seq)).toEqual([1, 3, 5]);
    // PUBACKed is not journaled: still pending, nothing done.
    expect(await o.stats()).toMatchObject({ pending: 5, unconfirmed: 2, highWater: 5 });
    expect((await o.stats()).lastDoneAt).toBeUndefined();
  });

  it("a PUBACKed vote is done only when the bridge's receipt names it; one it leaves out is sent again", async () => {
    const p = place();
    const o = await open(p);
    for (let i = 0; i < 4; i++) await o.record(tapOf(p), T0);
    await o.fold(LEVELS);
    for (const s of [1, 2, 3, 4]) await o.markSent(s, T0);
    // The broker PUBACKed all four; the bridge journaled 2 and 4 only (1 and 3 were dropped).
    expect(
      await o.applyReceipt(
        [
          [2, 2],
          [4, 4],
        ],
        T0 + 1000,
      ),
    ).toEqual({ ok: true, done: 2, resend: 0, recheckAt: T0 + 5000 }); // within the grace: 1 and 3 may still be on their way
    expect(await o.stats()).toMatchObject({ pending: 2, unconfirmed: 2, lastDoneAt: T0 + 1000 });
    expect(
      await o.applyReceipt(
        [
          [2, 2],
          [4, 4],
        ],
        T0 + 6000,
      ),
    ).toEqual({ ok: true, done: 0, resend: 2 });
    expect((await o.pending(10)).map((v) => v.seq)).toEqual([1, 3]);
    expect(await o.prune(T0 + 7000)).toBe(2); // only the journaled ones
    await o.markSent(1, T0 + 7000); // the last receipt does not name 1: sent, waiting again
    expect((await o.stats()).unconfirmed).toBe(1);
  });

  it('re-applies the last receipt once the grace of the votes it left out has passed, to the votes PUBACKed before it only, and keeps it across a reopen', async () => {
    const p = place();
    const o = await open(p);
    for (let i = 0; i < 3; i++) await o.record(tapOf(p), T0);
    await o.fold(LEVELS);
    await o.markSent(1, T0);
    await o.markSent(2, T0 + 500);
    // The bridge's on-connect receipt names none: 1 and 2 may still be on their way.
    expect(await o.applyReceipt([], T0 + 1000)).toEqual({ ok: true, done: 0, resend: 0, recheckAt: T0 + 5000 });
    await o.markSent(3, T0 + 2000); // after the receipt: not its to judge
    o.close();
    const again = await open(p);
    expect(await again.recheckReceipt(T0 + 4999)).toEqual({ ok: true, done: 0, resend: 0, recheckAt: T0 + 5000 });
    expect(await again.recheckReceipt(T0 + 5000)).toEqual({ ok: true, done: 0, resend: 1, recheckAt: T0 + 5500 });
    expect(await again.recheckReceipt(T0 + 5500)).toEqual({ ok: true, done: 0, resend: 1 });
    expect((await again.pending(10)).map((v) => v.seq)).toEqual([1, 2]);
    for (const s of [1, 2]) await again.markSent(s, T0 + 6000);
    // Sent again after the receipt: the same receipt never sends them (nor 3) again; the timed resend does.
    expect(await again.recheckReceipt(T0 + 20_000)).toEqual({ ok: true, done: 0, resend: 0 });
    expect(await again.stats()).toMatchObject({ unconfirmed: 3 });
  });

  it('ignores a receipt naming a seq above the highest it sent (forged, or its storage was wiped): no unsent vote is dropped', async () => {
    const p = place();
    const o = await open(p);
    for (let i = 0; i < 3; i++) await o.record(tapOf(p), T0);
    await o.fold(LEVELS);
    await o.markSent(1, T0);
    const outcome = await o.applyReceipt([[1, 4_000_000_000]], T0 + 10_000);
    expect(outcome).toMatchObject({ ok: false, code: 'receipt-ahead' });
    // A receipt that overtook a PUBACK (seq 2 handed out, not yet PUBACKed) waits for the next one, uncounted.
    expect(await o.applyReceipt([[1, 2]], T0 + 10_000)).toMatchObject({ ok: false, code: 'receipt-early' });
    expect(await o.stats()).toMatchObject({ pending: 3, unconfirmed: 1 });
    // Nor does it cover the next PUBACK.
    await o.markSent(2, T0 + 10_000);
    expect(await o.stats()).toMatchObject({ pending: 3, unconfirmed: 2 });
  });

  it('a receipt that overtakes the PUBACKs (the embedded broker journals before it acknowledges) confirms them as they come', async () => {
    const p = place();
    const o = await open(p);
    for (let i = 0; i < 3; i++) await o.record(tapOf(p), T0);
    await o.fold(LEVELS);
    expect((await o.pending(10)).map((v) => v.seq)).toEqual([1, 2, 3]); // handed to the link
    expect(await o.applyReceipt([[1, 3]], T0)).toEqual({ ok: true, done: 0, resend: 0 });
    for (const s of [1, 2, 3]) await o.markSent(s, T0 + 1);
    expect(await o.stats()).toMatchObject({ pending: 0, unconfirmed: 0, lastDoneAt: T0 + 1 });
  });

  it('sends an unconfirmed vote again after 30 s, then after twice as long each time', async () => {
    const p = place();
    const o = await open(p);
    await o.record(tapOf(p), T0);
    await o.fold(LEVELS);
    await o.markSent(1, T0);
    expect(await o.requeueUnconfirmed(T0 + 29_999)).toBe(0);
    expect(await o.requeueUnconfirmed(T0 + 30_000)).toBe(1);
    await o.markSent(1, T0 + 30_000);
    expect(await o.requeueUnconfirmed(T0 + 30_000 + 59_999)).toBe(0);
    expect(await o.requeueUnconfirmed(T0 + 30_000 + 60_000)).toBe(1);
  });

  it('folds the monthly tally in seq order, once; a draft holds back later votes until it is finalised', async () => {
    const p = place();
    const o = await open(p);
    await o.record(tapOf(p, { level: 'rat-hai-long' }), T0);
    const draft = await o.record(tapOf(p, { level: 'khong-hai-long', draft: true, draftUntil: T0 + 20_000 }), T0);
    await o.record(tapOf(p, { level: 'hai-long', filtered: 'cooldown' }), T0);
    await o.fold(LEVELS);
    expect((await o.pending(10)).map((v) => v.seq)).toEqual([1]); // stops before the draft
    let tally = await o.tally('quay-1', '2025-05');
    expect(tally?.seq).toBe(1);
    expect(await o.finalize(draft.seq, ['thai-do', 'thoi-gian-cho'])).toBe(true);
    expect(await o.finalize(draft.seq, ['khac'])).toBe(false); // only once
    await o.fold(LEVELS);
    await o.fold(LEVELS); // idempotent: the fold pointer is persisted
    const pending = await o.pending(10);
    expect(pending.map((v) => v.seq)).toEqual([1, 2, 3]);
    expect(pending[1]?.reasons).toEqual(['thai-do', 'thoi-gian-cho']);
    tally = await o.tally('quay-1', '2025-05');
    expect(tally).toMatchObject({ seq: 3, levels: LEVELS, days: { '12': { c: [1, 0, 1], f: [1, 0] } } });
    expect(parseTally(JSON.stringify(tally)).ok).toBe(true);
  });

  it('finalises expired drafts without reasons (a tab killed on the follow-up screen)', async () => {
    const p = place();
    const o = await open(p);
    await o.record(tapOf(p, { level: 'khong-hai-long', draft: true, draftUntil: T0 + 20_000 }), T0);
    expect(await o.finalizeExpired(T0 + 19_999)).toBe(0);
    expect(await o.finalizeExpired(T0 + 20_000)).toBe(1);
    await o.fold(LEVELS);
    const [v] = await o.pending(10);
    expect(v?.reasons).toBeUndefined();
  });

  it('merges a retained tally from the broker and never hands out seqs the broker has seen', async () => {
    const p = place();
    const o = await open(p);
    await o.record(tapOf(p), T0);
    await o.fold(LEVELS);
    const local = await o.tally('quay-1', '2025-05');
    const remote = { ...local!, seq: 500, updatedAt: T0 + 1 };
    const merged = await o.mergeRemoteTally(remote);
    expect(merged.seq).toBe(500);
    expect((await o.record(tapOf(p), T0 + 2)).seq).toBe(501);
    await o.fold(LEVELS);
    // An older remote copy loses to ours.
    expect((await o.mergeRemoteTally({ ...local!, seq: 1 })).seq).toBe(501);
  });

  it('a new store numbers above the clock in seconds; an existing store keeps its numbering; a wiped one never reuses a seq', async () => {
    const p = place();
    let o = await open(p); // an existing kiosk's store, numbered from 1
    for (let i = 0; i < 3; i++) await o.record(tapOf(p), T0);
    o.close();
    o = await open(p, { now: () => T0 }); // the clock base applies to new stores only
    expect((await o.record(tapOf(p), T0)).seq).toBe(4);
    o.close();
    await wipe(p); // browser data cleared
    const later = T0 + 86_400_000;
    o = await open(p, { now: () => later });
    const first = await o.record(tapOf(p), later);
    expect(first.seq).toBe(Math.floor(later / 1000) + 1);
    expect(first.id).toBe(`kiosk-1:${first.seq}`);
    expect(parseVote(JSON.stringify(first))).toEqual({ ok: true, value: first });
    expect((await o.stats()).highWater).toBe(first.seq);
  });

  it("a new store's first seq is above the clock in seconds, and within core's MAX_SEQ for any clock (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 8_640_000_000_000_000 }), async (now) => {
        const p = place();
        const o = await open(p, { now: () => now });
        const { seq } = await o.record(tapOf(p), T0);
        o.close();
        expect(seq).toBe(Math.min(MAX_OUTBOX_SEQ_BASE, Math.floor(now / 1000)) + 1);
        expect(seq).toBeLessThanOrEqual(MAX_SEQ);
      }),
      { numRuns: 25 },
    );
    expect(newStoreMark({ now: () => Date.now() })).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 1);
    expect(newStoreMark({ now: () => Number.NaN })).toBe(0);
    expect(newStoreMark({ seqBase: 'zero' })).toBe(0);
  });

  it('refuses to store a vote the core would refuse (ticket too long), without burning a seq', async () => {
    const p = place();
    const o = await open(p);
    await expect(o.record(tapOf(p, { ticket: 'x'.repeat(33) }), T0)).rejects.toThrow(/ticket/);
    expect((await o.record(tapOf(p), T0)).seq).toBe(1);
  });

  it('keeps small values in meta and names one database per terminal', async () => {
    const p = place();
    const o = await open(p);
    await o.setMeta('config', { v: 1, mode: 'gated' });
    expect(await o.getMeta('config')).toEqual({ v: 1, mode: 'gated' });
    expect(outboxName(p)).toBe(`hailong-kiosk/test/${p.ward}/kiosk-1`);
  });
});

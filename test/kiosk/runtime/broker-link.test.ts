/**
 * BrokerLink's re-check of the bridge's receipt (outbox.ts `recheckAt`,
 * `recheckReceipt`): a receipt that leaves out a vote PUBACKed less than
 * `GAP_GRACE_MS` before it (the bridge's on-connect receipt right after
 * Mosquitto acknowledged the vote for no one) sends it again once that grace
 * has passed, not on the 30 s resend. The MQTT client is faked at its seam
 * (`LinkClient`), the outbox is the in-memory fake, the clock and timers are
 * vitest's.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KioskReceipt, LinkState, Publication, SeqRange } from '../../../core/index.ts';
import { resolveOptions } from '../../../kiosk/src/identity/kiosk-options.ts';
import type { KioskOptions } from '../../../kiosk/src/identity/kiosk-options.ts';
import { GAP_GRACE_MS, RESEND_FIRST_MS } from '../../../kiosk/src/outbox/outbox.ts';
import { BrokerLink } from '../../../kiosk/src/runtime/broker-link.ts';
import type { LinkClient } from '../../../kiosk/src/runtime/broker-link.ts';
import { MemoryOutbox } from '../fakes/memory-outbox.ts';

const PLACE = { district: 'd', ward: 'w', counter: 'c', terminal: 't' };
const T0 = Date.UTC(2025, 4, 12, 2);

function options(): KioskOptions {
  const attrs: Record<string, string> = { ...PLACE };
  const r = resolveOptions((n) => attrs[n] ?? null, {}, 'http://bridge.local:8080/kiosk/hailong-kiosk.js');
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

/** A connected client whose every publish is PUBACKed (Mosquitto, whether or not anyone subscribed). */
function fakeClient() {
  const votes: number[] = [];
  const client: LinkClient = {
    state: 'online' as LinkState,
    start() {},
    async stop() {},
    reconnectNow() {},
    connectionLost() {},
    async publish(p: Publication) {
      if (p.topic.endsWith('/vote')) votes.push(JSON.parse(p.payload).seq as number);
    },
    on: () => () => undefined,
  };
  return { client, votes };
}

function receipt(journaled: readonly SeqRange[]): KioskReceipt {
  return { v: 1, ...PLACE, journaled, at: Date.now() };
}

async function linked() {
  const outbox = new MemoryOutbox();
  const { client, votes } = fakeClient();
  const link = new BrokerLink(options(), () => client, outbox, 'install-1', {
    now: () => Date.now(),
    problems: () => ({}),
    onState: () => undefined,
    onMessage: () => undefined,
    onProblem: () => undefined,
    onFlushed: () => undefined,
  });
  await outbox.record({ ...PLACE, level: 'hai-long', pressedAt: Date.now(), draft: false }, Date.now());
  await link.kick();
  return { outbox, link, votes };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('BrokerLink re-checks a receipt that came within the grace of a PUBACK', () => {
  it('a receipt 1 s after the PUBACK that leaves the vote out sends it again at PUBACK + 5 s, with no further receipt', async () => {
    const { outbox, link, votes } = await linked();
    expect(votes).toEqual([1]);
    expect(outbox.state(1)).toBe('sent');
    await vi.advanceTimersByTimeAsync(1000);
    await link.applyReceipt(receipt([])); // the bridge's on-connect receipt: it never got vote 1
    await vi.advanceTimersByTimeAsync(GAP_GRACE_MS - 1000 - 1);
    expect(votes).toEqual([1]); // still inside the grace
    await vi.advanceTimersByTimeAsync(1);
    expect(votes).toEqual([1, 1]); // sent again at PUBACK + 5 s
    // No loop: the same receipt never sends it again (the runtime sweep's timed resend, 2 × 30 s after this PUBACK, does).
    await vi.advanceTimersByTimeAsync(2 * RESEND_FIRST_MS - 1);
    expect(votes).toEqual([1, 1]);
    expect(outbox.state(1)).toBe('sent');
    await link.stop();
  });

  it('a newer receipt that names the vote (at PUBACK + 3 s) makes the re-check a no-op', async () => {
    const { outbox, link, votes } = await linked();
    await vi.advanceTimersByTimeAsync(1000);
    await link.applyReceipt(receipt([]));
    await vi.advanceTimersByTimeAsync(2000);
    await link.applyReceipt(receipt([[1, 1]]));
    expect(outbox.state(1)).toBe('done');
    const recheck = vi.spyOn(outbox, 'recheckReceipt');
    await vi.advanceTimersByTimeAsync(3 * GAP_GRACE_MS);
    expect(votes).toEqual([1]);
    expect(recheck).not.toHaveBeenCalled(); // its timer was replaced, and the newer receipt left nothing to re-check
    await link.stop();
  });

  it('votes PUBACKed at different times before the receipt are each sent again when their own grace ends', async () => {
    const { outbox, link, votes } = await linked();
    await vi.advanceTimersByTimeAsync(2000);
    await outbox.record({ ...PLACE, level: 'hai-long', pressedAt: Date.now(), draft: false }, Date.now());
    await link.kick();
    expect(votes).toEqual([1, 2]); // PUBACKed at T0 and T0 + 2 s
    await vi.advanceTimersByTimeAsync(1000);
    await link.applyReceipt(receipt([]));
    await vi.advanceTimersByTimeAsync(GAP_GRACE_MS - 3000);
    expect(votes).toEqual([1, 2, 1]); // T0 + 5 s
    await vi.advanceTimersByTimeAsync(1999);
    expect(votes).toEqual([1, 2, 1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(votes).toEqual([1, 2, 1, 2]); // T0 + 7 s
    await vi.advanceTimersByTimeAsync(RESEND_FIRST_MS);
    expect(votes).toEqual([1, 2, 1, 2]);
    await link.stop();
  });

  it('a stopped link re-checks nothing', async () => {
    const { outbox, link, votes } = await linked();
    await vi.advanceTimersByTimeAsync(1000);
    await link.applyReceipt(receipt([]));
    const recheck = vi.spyOn(outbox, 'recheckReceipt');
    await link.stop();
    await vi.advanceTimersByTimeAsync(3 * GAP_GRACE_MS);
    expect(recheck).not.toHaveBeenCalled();
    expect(votes).toEqual([1]);
  });
});

import fc from 'fast-check';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Journal } from '../../../bridge/journal/journal.ts';
import { VoteForwarder, type VoteForwarderOptions } from '../../../bridge/upstream/vote-forwarder.ts';
import { FakeChannel } from './fake-channel.ts';
import { storeVotes, T0, tempJournal } from './journal-rig.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function logLines(): { log: Logger; lines: { msg: string; [k: string]: unknown }[] } {
  const lines: { msg: string }[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as { msg: string }) });
  return { log, lines };
}

function forwarder(
  j: Journal,
  ch: FakeChannel,
  options: VoteForwarderOptions = {},
  log: Logger = pino({ level: 'silent' }),
): VoteForwarder {
  const f = new VoteForwarder(j, ch, log, { pollMs: 20, markDelayMs: 5, ...options });
  cleanups.push(() => f.stop());
  return f;
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
async function until(p: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!p()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(5);
  }
}

describe('VoteForwarder', () => {
  it('sends every journal row as stored (same topic, same vote id, QoS 1 not retained), marking it only on PUBACK', async () => {
    const j = tempJournal(cleanups, 'hailong-forwarder-');
    await storeVotes(j, 5);
    const ch = new FakeChannel();
    const f = forwarder(j, ch);
    f.start();
    expect(ch.published).toHaveLength(0);
    ch.connect();
    expect(ch.voteIds()).toEqual(['hop-1:1', 'hop-1:2', 'hop-1:3', 'hop-1:4', 'hop-1:5']);
    expect(ch.published.every((p) => p.topic === 'hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/vote' && !p.retain)).toBe(true);
    await tick(30);
    // Sent is not forwarded: nothing is marked before the hub's PUBACK.
    expect(j.forwardQueue.backlog()).toBe(5);
    [...ch.pending][1]?.ack();
    await until(() => j.forwardQueue.backlog() === 4, 'one mark');
    expect(j.forwardQueue.next(0, 10).map((r) => JSON.parse(r.payload).id)).toEqual(['hop-1:1', 'hop-1:3', 'hop-1:4', 'hop-1:5']);
    ch.ackAll();
    await until(() => j.forwardQueue.backlog() === 0, 'all marks');
    expect(f.stats()).toMatchObject({ forwarded: 5, inFlight: 0 });
    // The local "published" mark is another thing, untouched.
    expect(j.outboxSize()).toBe(5);
  });

  it('keeps at most `window` rows awaiting PUBACK and never one row twice in flight', async () => {
    const j = tempJournal(cleanups, 'hailong-forwarder-');
    await storeVotes(j, 1000);
    const ch = new FakeChannel();
    const f = forwarder(j, ch, { window: 64, batch: 16 });
    f.start();
    ch.connect();
    for (let round = 0; round < 200 && j.forwardQueue.backlog() > 0; round++) {
      const ids = [...ch.pending].map((p) => JSON.parse(p.payload).id as string);
      expect(new Set(ids).size).toBe(ids.length);
      // Acknowledge in a scrambled order, as a busy hub may.
      [...ch.pending].filter((_, i) => i % 3 !== 1).forEach((p) => p.ack());
      await tick(10);
    }
    ch.ackAll();
    await until(() => j.forwardQueue.backlog() === 0, 'drained');
    expect(ch.maxPending).toBeLessThanOrEqual(64);
    expect(new Set(ch.voteIds()).size).toBe(1000);
    expect(ch.voteIds()).toHaveLength(1000);
  });

  it('after a drop resends, from the oldest, only what the hub did not acknowledge, each row once', async () => {
    const j = tempJournal(cleanups, 'hailong-forwarder-');
    await storeVotes(j, 300);
    const ch = new FakeChannel();
    const f = forwarder(j, ch, { window: 100, batch: 50 });
    f.start();
    ch.connect();
    const first = [...ch.pending];
    expect(first).toHaveLength(100);
    first.slice(0, 60).forEach((p) => p.ack());
    await tick(20);
    const inFlightAtDrop = new Set([...ch.pending].map((p) => JSON.parse(p.payload).id as string));
    ch.drop();
    const sentBeforeDrop = ch.published.length;
    // Votes keep being stored while the hub is away; nothing is sent.
    await storeVotes(j, 50, 'kiosk-3', 'touch');
    await tick(60);
    expect(ch.published.length).toBe(sentBeforeDrop);
    ch.connect();
    const again = ch.published.slice(sentBeforeDrop);
    // The first row sent again is the oldest the hub has not acknowledged.
    expect(JSON.parse(again[0]!.payload).id).toBe(JSON.parse(first[60]!.payload).id);
    ch.autoAck = true;
    ch.ackAll();
    await until(() => j.forwardQueue.backlog() === 0, 'drained after reconnect');
    const ids = ch.voteIds();
    expect(new Set(ids).size).toBe(350);
    // Duplicates: only rows in flight when the line dropped (their PUBACK may have been lost).
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    expect(twice.every((id) => inFlightAtDrop.has(id))).toBe(true);
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
    // Kiosk rows travel the same way as button rows.
    expect(ids.filter((id) => id.startsWith('kiosk-3:'))).toHaveLength(50);
  });

  it('resumes after a restart from the oldest unforwarded row', async () => {
    const j = tempJournal(cleanups, 'hailong-forwarder-');
    await storeVotes(j, 20);
    const ch = new FakeChannel();
    const f = forwarder(j, ch);
    f.start();
    ch.connect();
    [...ch.pending].slice(0, 7).forEach((p) => p.ack());
    await until(() => j.forwardQueue.backlog() === 13, 'seven marks');
    f.stop();
    const ch2 = new FakeChannel();
    const f2 = forwarder(j, ch2);
    f2.start();
    ch2.connect();
    expect(ch2.voteIds()).toEqual(Array.from({ length: 13 }, (_, i) => `hop-1:${i + 8}`));
  });

  it('sends a row again when its publish fails while connected', async () => {
    const j = tempJournal(cleanups, 'hailong-forwarder-');
    await storeVotes(j, 3);
    const ch = new FakeChannel();
    const f = forwarder(j, ch);
    f.start();
    ch.connect();
    const [a, b, c] = [...ch.pending];
    a?.ack();
    b?.fail();
    c?.ack();
    await until(() => ch.voteIds().length === 4, 'the failed row again');
    expect(ch.voteIds()[3]).toBe('hop-1:2');
    ch.ackAll();
    await until(() => j.forwardQueue.backlog() === 0, 'drained');
  });

  it('sends only the failed row again, not the rows behind it still awaiting PUBACK', async () => {
    const j = tempJournal(cleanups, 'hailong-forwarder-');
    await storeVotes(j, 10);
    const ch = new FakeChannel();
    const f = forwarder(j, ch);
    f.start();
    ch.connect();
    [...ch.pending][1]?.fail();
    await tick(60);
    expect(ch.voteIds()).toEqual([...Array.from({ length: 10 }, (_, i) => `hop-1:${i + 1}`), 'hop-1:2']);
    const pending = [...ch.pending].map((p) => JSON.parse(p.payload).id as string);
    expect(new Set(pending).size).toBe(pending.length);
  });

  it('skips (and marks) rows stored under another place, which the hub would refuse and close the line for', async () => {
    const j = tempJournal(cleanups, 'hailong-forwarder-');
    // Votes from before the ward's id changed (a 2025 merger), then under the new id.
    for (let s = 1; s <= 3; s++) {
      await j.append({
        uid: 'HL-OLD',
        deviceSeq: s,
        path: { district: 'ba-dinh', ward: 'truc-bach', counter: 'quay-1', terminal: 'hop-9' },
        level: 'hai-long',
        pressedAt: T0 + s,
        receivedAt: T0 + s,
        source: 'button',
      });
    }
    await storeVotes(j, 4);
    const ch = new FakeChannel();
    ch.autoAck = true;
    const { log, lines } = logLines();
    const f = forwarder(j, ch, { topicPrefix: 'hailong/v1/ba-dinh/phuc-xa/' }, log);
    f.start();
    ch.connect();
    await until(() => j.forwardQueue.backlog() === 0, 'the backlog gone');
    expect(ch.voteIds()).toEqual(['hop-1:1', 'hop-1:2', 'hop-1:3', 'hop-1:4']);
    expect(f.stats()).toMatchObject({ forwarded: 4, skipped: 3 });
    expect(lines.filter((l) => l.msg.startsWith('stored votes under another place'))).toHaveLength(1);
    // Skipped for good: a restart does not try them again.
    f.stop();
    const ch2 = new FakeChannel();
    const f2 = forwarder(j, ch2, { topicPrefix: 'hailong/v1/ba-dinh/phuc-xa/' });
    f2.start();
    ch2.connect();
    await tick(30);
    expect(ch2.published).toHaveLength(0);
  });

  it('picks up new votes by itself while caught up', async () => {
    const j = tempJournal(cleanups, 'hailong-forwarder-');
    const ch = new FakeChannel();
    ch.autoAck = true;
    const f = forwarder(j, ch);
    f.start();
    ch.connect();
    await storeVotes(j, 2, 'hop-2');
    await until(() => ch.voteIds().length === 2, 'polled votes', 2000);
    await until(() => j.forwardQueue.backlog() === 0, 'marked');
  });

  it('logs a backlog drain as periodic progress lines with backlog and votes/s, not a line per vote', async () => {
    const j = tempJournal(cleanups, 'hailong-forwarder-');
    await storeVotes(j, 3000);
    const ch = new FakeChannel();
    const { log, lines } = logLines();
    const f = forwarder(j, ch, { progressMs: 40, window: 50 }, log);
    f.start();
    ch.connect();
    // A slow hub: 50 PUBACKs every 10 ms.
    while (j.forwardQueue.backlog() > 0) {
      [...ch.pending].forEach((p) => p.ack());
      await tick(10);
    }
    await until(() => lines.some((l) => l.msg.startsWith('backlog forwarded')), 'the end-of-drain line');
    const progress = lines.filter((l) => l.msg === 'forwarding backlog to the hub');
    expect(progress.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(60);
    expect(progress[0]).toMatchObject({ backlog: expect.any(Number), votesPerSecond: expect.any(Number) });
    expect(lines.find((l) => l.msg.startsWith('forwarding a backlog'))).toMatchObject({ backlog: 3000 });
    expect(lines.find((l) => l.msg.startsWith('backlog forwarded'))).toMatchObject({ votes: 3000 });
    expect(f.stats().backlog).toBe(0);
  });
});

describe('VoteForwarder under any order of events (property)', () => {
  it('ends with every journal row on the hub, never one row twice in flight, duplicates only after a drop', async () => {
    type Step =
      | { kind: 'store'; n: number }
      | { kind: 'ack'; share: number }
      | { kind: 'fail'; picks: number[] }
      | { kind: 'drop' }
      | { kind: 'connect' }
      | { kind: 'wait' };
    const step = fc.oneof(
      fc.record({ kind: fc.constant('store' as const), n: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant('ack' as const), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant('fail' as const), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }),
      fc.constant({ kind: 'drop' as const }),
      fc.constant({ kind: 'connect' as const }),
      fc.constant({ kind: 'wait' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 32 }), async (steps: Step[], window) => {
        const j = tempJournal(cleanups, 'hailong-forwarder-');
        const ch = new FakeChannel();
        const f = forwarder(j, ch, { window, batch: 8, pollMs: 5, markDelayMs: 2 });
        f.start();
        let drops = 0;
        const assertOneCopyInFlight = () => {
          const ids = [...ch.pending].map((p) => JSON.parse(p.payload).id as string);
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids.length).toBeLessThanOrEqual(window);
        };
        for (const s of steps) {
          if (s.kind === 'store') await storeVotes(j, s.n, `hop-${1 + (s.n % 3)}`);
          else if (s.kind === 'ack') [...ch.pending].filter((_, i, all) => i < Math.ceil(all.length * s.share)).forEach((p) => p.ack());
          else if (s.kind === 'fail') {
            // Any of them, not only the oldest: rows behind a failed one are still awaiting PUBACK.
            const all = [...ch.pending];
            if (all.length > 0) for (const i of s.picks) all[i % all.length]?.fail();
          } else if (s.kind === 'drop' && ch.connected) {
            ch.drop();
            drops += 1;
          } else if (s.kind === 'connect' && !ch.connected) ch.connect();
          await tick(s.kind === 'wait' ? 15 : 2);
          assertOneCopyInFlight();
        }
        if (!ch.connected) ch.connect();
        ch.autoAck = true;
        ch.ackAll();
        await until(() => j.forwardQueue.backlog() === 0, 'drained');
        const stored = j.forwardQueue.next(0, 1).length;
        expect(stored).toBe(0);
        const ids = ch.voteIds();
        const total = [...j.votesPressedBetween(0, Number.MAX_SAFE_INTEGER)].length;
        expect(new Set(ids).size).toBe(total);
        // Without a drop or a failed publish, each vote went out exactly once.
        if (drops === 0 && !steps.some((s) => s.kind === 'fail')) expect(ids).toHaveLength(total);
        f.stop();
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { publicationFor } from '../../../core/topic-payload.ts';
import type { SeqRange } from '../../../core/kiosk-receipt.ts';
import { ArchiveWatch, type ArchiveWatchOptions } from '../../../bridge/upstream/archive-watch.ts';
import { Upstream } from '../../../bridge/upstream/upstream.ts';
import { VoteForwarder } from '../../../bridge/upstream/vote-forwarder.ts';
import type { MqttLink } from '../../../bridge/mqtt/mqtt-link.ts';
import { FakeChannel } from './fake-channel.ts';
import { storeVotes, T0, tempJournal } from './journal-rig.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const WARD = { district: 'ba-dinh', ward: 'phuc-xa' };

function receipt(terminal: string, archived: SeqRange[], complete = true, ward = WARD) {
  return publicationFor('archived', { ...ward, terminal }, { v: 1, ...ward, terminal, archived, complete, at: T0 });
}

/** A journal with `n` votes of hop-1, all acknowledged by the broker at `at`, and a watch on a fake clock. */
async function rig(n: number, at: number, options: ArchiveWatchOptions = {}) {
  const journal = tempJournal(cleanups, 'hailong-archive-watch-');
  await storeVotes(journal, n);
  const rows = journal.forwardQueue.next(0, 1000);
  journal.forwardQueue.markForwarded(
    rows.map((r) => r.rowid),
    at,
  );
  const clock = { now: at };
  const channel = new FakeChannel();
  const rewinds: number[] = [];
  const watch = new ArchiveWatch(journal, channel, WARD, pino({ level: 'silent' }), () => rewinds.push(clock.now), {
    graceMs: 60_000,
    sweepMs: 3_600_000,
    now: () => clock.now,
    ...options,
  });
  watch.start();
  cleanups.push(() => watch.stop());
  channel.connect();
  const unforwarded = () => journal.forwardQueue.backlog();
  return { journal, channel, watch, clock, rewinds, unforwarded };
}

describe('ArchiveWatch', () => {
  it("subscribes to its unit's receipts at every connect", async () => {
    const { channel } = await rig(1, T0);
    channel.drop();
    channel.connect();
    expect(channel.subscriptions).toEqual(['hailong/v1/ba-dinh/_archived/phuc-xa/+', 'hailong/v1/ba-dinh/_archived/phuc-xa/+']);
  });

  it('marks the rows a receipt names archived, and never forwards them again', async () => {
    const { journal, channel, watch, clock, unforwarded } = await rig(5, T0);
    const r = receipt('hop-1', [[1, 5]]);
    channel.deliver(r.topic, r.payload);
    expect(journal.forwardQueue.unarchivedCount()).toBe(0);
    clock.now = T0 + 3_600_000;
    expect(watch.sweep()).toBe(0);
    expect(unforwarded()).toBe(0);
  });

  it('forwards again, after the grace, what the broker acknowledged and the archive never got', async () => {
    const { journal, channel, watch, clock, rewinds, unforwarded } = await rig(5, T0);
    // The hub archived 1..2 and 5: 3 and 4 were lost by its broker.
    clock.now = T0 + 1000;
    const r = receipt('hop-1', [
      [1, 2],
      [5, 5],
    ]);
    channel.deliver(r.topic, r.payload);
    expect(journal.forwardQueue.unarchivedCount()).toBe(2);
    clock.now = T0 + 59_999;
    expect(watch.sweep()).toBe(0);
    expect(unforwarded()).toBe(0);
    clock.now = T0 + 60_000;
    expect(watch.sweep()).toBe(2);
    expect(rewinds).toEqual([T0 + 60_000]);
    expect(journal.forwardQueue.next(0, 10).map((row) => JSON.parse(row.payload).id)).toEqual(['hop-1:3', 'hop-1:4']);
    expect(watch.stats()).toMatchObject({ reforwarded: 2, unarchived: 0 });
    // Idempotent: a second sweep finds nothing to do.
    expect(watch.sweep()).toBe(0);
    expect(unforwarded()).toBe(2);
  });

  it('forwards again the votes of a terminal the hub has no receipt for at all', async () => {
    const { channel, watch, clock, unforwarded } = await rig(3, T0);
    clock.now = T0 + 1000;
    const other = receipt('hop-2', [[1, 9]]);
    channel.deliver(other.topic, other.payload);
    clock.now = T0 + 61_000;
    expect(watch.sweep()).toBe(3);
    expect(unforwarded()).toBe(3);
  });

  it('forwards nothing again while no live receipt came after the PUBACK (a hub that is down, or older)', async () => {
    const { channel, watch, clock, unforwarded } = await rig(3, T0);
    // No receipt at all: an older hub, or one that is down.
    clock.now = T0 + 3_600_000;
    expect(watch.sweep()).toBe(0);
    // Retained receipts replayed on subscribing say nothing about the hub being up now.
    const stale = receipt('hop-1', [[1, 1]]);
    channel.deliver(stale.topic, stale.payload, true);
    expect(watch.sweep()).toBe(0);
    expect(unforwarded()).toBe(0);
    // A live one does (and the retained one already marked seq 1).
    channel.deliver(stale.topic, stale.payload, false);
    clock.now += 1;
    expect(watch.sweep()).toBe(2);
  });

  it('leaves alone a seq below the ranges of an incomplete receipt (it cannot tell), without sweeping it again', async () => {
    const { journal, channel, watch, clock, unforwarded } = await rig(5, T0);
    clock.now = T0 + 1000;
    const r = receipt('hop-1', [[4, 5]], false);
    channel.deliver(r.topic, r.payload);
    clock.now = T0 + 61_000;
    expect(watch.sweep()).toBe(0);
    expect(unforwarded()).toBe(0);
    expect(journal.forwardQueue.unarchivedCount()).toBe(0);
  });

  it("ignores another unit's receipt and bad payloads without throwing", async () => {
    const { journal, channel } = await rig(2, T0);
    const foreign = receipt('hop-1', [[1, 2]], true, { district: 'ba-dinh', ward: 'truc-bach' });
    channel.deliver(foreign.topic, foreign.payload);
    channel.deliver('hailong/v1/ba-dinh/_archived/phuc-xa/hop-1', '{"v":1,');
    channel.deliver('hailong/v1/ba-dinh/_archived/phuc-xa/hop-1', 'null');
    expect(journal.forwardQueue.unarchivedCount()).toBe(2);
  });

  it('hands the rows back to the vote forwarder, which sends them again from the journal', async () => {
    const journal = tempJournal(cleanups, 'hailong-archive-watch-');
    await storeVotes(journal, 4);
    const channel = new FakeChannel();
    channel.autoAck = true;
    const forwarder = new VoteForwarder(journal, channel, pino({ level: 'silent' }), { pollMs: 3_600_000, markDelayMs: 1 });
    let now = Date.now();
    const watch = new ArchiveWatch(journal, channel, WARD, pino({ level: 'silent' }), () => forwarder.rewind(), {
      graceMs: 1000,
      sweepMs: 3_600_000,
      now: () => now,
    });
    forwarder.start();
    watch.start();
    cleanups.push(() => {
      watch.stop();
      forwarder.stop();
    });
    channel.connect();
    await expect.poll(() => journal.forwardQueue.backlog()).toBe(0);
    expect(channel.voteIds()).toEqual(['hop-1:1', 'hop-1:2', 'hop-1:3', 'hop-1:4']);
    now = Date.now() + 10;
    const r = receipt('hop-1', [[1, 3]]);
    channel.deliver(r.topic, r.payload);
    now += 1000;
    expect(watch.sweep()).toBe(1);
    await expect.poll(() => channel.voteIds().length).toBe(5);
    expect(channel.voteIds()[4]).toBe('hop-1:4');
    await expect.poll(() => journal.forwardQueue.backlog()).toBe(0);
  });
});

describe('upstream.archiveGraceSeconds', () => {
  it('sets the grace of the archive watch (tuning options still win, for tests)', () => {
    const journal = tempJournal(cleanups, 'hailong-archive-watch-');
    const make = (archiveGraceSeconds?: number, archive?: ArchiveWatchOptions) =>
      new Upstream({
        config: { urls: ['mqtt://hub.example'], ...(archiveGraceSeconds === undefined ? {} : { archiveGraceSeconds }) },
        ward: WARD,
        journal,
        local: {} as MqttLink,
        version: 'test',
        counters: () => ({}),
        log: pino({ level: 'silent' }),
        ...(archive === undefined ? {} : { archive }),
      });
    expect(make().archiveWatch.options.graceMs).toBe(60_000);
    expect(make(120).archiveWatch.options.graceMs).toBe(120_000);
    expect(make(120, { graceMs: 500 }).archiveWatch.options.graceMs).toBe(500);
  });
});

describe('a vote the hub never archives', () => {
  it('is sent again at most maxResends times, then left alone', async () => {
    const { journal, channel, watch, clock, unforwarded } = await rig(1, T0, { maxResends: 2 });
    const live = () => {
      const r = receipt('hop-2', [[1, 1]]);
      channel.deliver(r.topic, r.payload);
    };
    for (let round = 1; round <= 2; round++) {
      clock.now += 1000;
      live();
      clock.now += 60_000;
      expect(watch.sweep()).toBe(1);
      // The forwarder sends it again and the broker acknowledges it; the archive still does not name it.
      journal.forwardQueue.markForwarded(
        journal.forwardQueue.next(0, 10).map((r) => r.rowid),
        clock.now,
      );
    }
    clock.now += 1000;
    live();
    clock.now += 60_000;
    expect(watch.sweep()).toBe(0);
    expect(unforwarded()).toBe(0);
    expect(journal.forwardQueue.unarchivedCount()).toBe(0);
    expect(watch.stats().reforwarded).toBe(2);
  });
});

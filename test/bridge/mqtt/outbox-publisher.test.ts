import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HailongApp } from '../../../bridge/hailong-app.ts';
import { collect, type Collector } from '../../helpers/mqtt-collector.ts';
import type { OutboxRow } from '../../../bridge/journal/journal.ts';
import type { VoteInput } from '../../../bridge/journal/vote-input.ts';
import { localOutboxLink, OutboxPublisher, type OutboxJournal } from '../../../bridge/mqtt/outbox-publisher.ts';
import { FakeMqttLink, type FakePublish } from '../fakes/fake-mqtt-link.ts';
import { rigConfig, startApp, tempDir, testLog, until } from '../bridge-rig.ts';

let app: HailongApp | undefined;
let sub: Collector | undefined;
const tmp = tempDir();
/** A press of the rig's first box, now. */
const boxVote = (): VoteInput => ({
  uid: 'SIM-01',
  deviceSeq: 1,
  path: { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'hop-1' },
  level: 'hai-long',
  pressedAt: Date.now(),
  receivedAt: Date.now(),
  source: 'button',
});
afterEach(async () => {
  await sub?.close();
  await app?.stop();
  tmp.remove();
});

describe('OutboxPublisher journal failures (issue 13, item 5)', () => {
  it('a SQLite error while reading the outbox is logged, counted and retried: the bridge stays up and the vote goes out', async () => {
    const started = await startApp(rigConfig({ boxes: 1, ports: [], dataDir: tmp.dir }));
    app = started.app;
    const bridge = app.bridge;
    await until(() => bridge.link.connected, 10_000, 'the bridge connected');
    sub = await collect(started.url, 'hailong/v1/+/+/+/+/vote');
    // Inject the failure at the journal seam: its next two outbox reads throw, as SQLite does on an I/O error.
    const journal = bridge.journal;
    const real = journal.outbox.bind(journal);
    let failures = 2;
    vi.spyOn(journal, 'outbox').mockImplementation((after, limit) => {
      if (failures-- > 0) throw new Error('SQLITE_IOERR: disk I/O error');
      return real(after, limit);
    });
    const out = await journal.append(boxVote());
    expect(out.status).toBe('stored');
    bridge.outbox.wake(); // before the fix: the thrown SQLite error escaped setImmediate and killed the process
    await sub.waitFor((m) => m.length === 1, 10_000, 'the vote published after the retries');
    expect(bridge.outbox.stats().journalErrors).toBe(2);
    expect(bridge.counterSnapshot()['outbox-journal-errors']).toBe(2);
    await until(() => journal.outboxSize() === 0, 5000, 'the vote marked published');
  });
});

/** A fake journal outbox at the publisher's seam: rows in rowid order, marked published by rowid. */
class FakeOutboxJournal implements OutboxJournal {
  isOpen = true;
  readonly rows: { rowid: number; topic: string; payload: string; published: boolean }[] = [];
  readonly marks: number[][] = [];
  reads = 0;

  add(n: number): void {
    for (let i = 0; i < n; i++) {
      const rowid = this.rows.length + 1;
      this.rows.push({ rowid, topic: `hailong/v1/d/w/c/t/vote`, payload: `{"seq":${rowid}}`, published: false });
    }
  }
  outbox(after: number, limit: number): OutboxRow[] {
    this.reads += 1;
    return this.rows
      .filter((r) => !r.published && r.rowid > after)
      .slice(0, limit)
      .map(({ rowid, topic, payload }) => ({ rowid, topic, payload }));
  }
  outboxSize(): number {
    return this.rows.filter((r) => !r.published).length;
  }
  deferPublished(rowids: readonly number[]): void {
    this.marks.push([...rowids]);
    for (const id of rowids) this.rows[id - 1]!.published = true;
  }
}

/** The rowids (seq in the payload) of some publishes. */
const seqs = (ps: readonly FakePublish[]) => ps.map((p) => (JSON.parse(p.payload) as { seq: number }).seq);
/** Lets promise callbacks, setImmediate and zero-delay timers run. */
const settle = () => new Promise((r) => setTimeout(r, 5));

describe('OutboxPublisher at its seams (fake journal, fake MQTT link)', () => {
  let publisher: OutboxPublisher | undefined;
  afterEach(() => publisher?.stop());

  it('after a reconnect sends again exactly the votes not acknowledged, oldest first, each at QoS 1', async () => {
    const journal = new FakeOutboxJournal();
    const link = new FakeMqttLink();
    journal.add(5);
    publisher = new OutboxPublisher(journal, link, testLog, { markDelayMs: 0 });
    publisher.start();
    link.connect();
    expect(seqs(link.onConnection(1))).toEqual([1, 2, 3, 4, 5]);
    expect(link.published.every((p) => p.qos === 1 && !p.retain)).toBe(true);
    // PUBACKs for 1, 2 and 4; 3 and 5 are in flight when the link drops.
    for (const i of [0, 1, 3]) link.published[i]!.ack();
    await settle();
    expect(journal.marks.flat().sort()).toEqual([1, 2, 4]);
    link.drop();
    await settle();
    link.connect();
    expect(seqs(link.onConnection(2))).toEqual([3, 5]);
    for (const p of link.onConnection(2)) p.ack();
    await settle();
    expect(journal.outboxSize()).toBe(0);
    expect(publisher.stats()).toMatchObject({ published: 5, inFlight: 0, backlog: 0 });
  });

  it('sends nothing while disconnected, and everything stored meanwhile on connect', async () => {
    const journal = new FakeOutboxJournal();
    const link = new FakeMqttLink();
    publisher = new OutboxPublisher(journal, link, testLog, { markDelayMs: 0 });
    publisher.start();
    journal.add(3);
    publisher.wake();
    await settle();
    expect(link.published).toHaveLength(0);
    link.connect();
    expect(seqs(link.published)).toEqual([1, 2, 3]);
  });

  it('never has more than `window` votes awaiting PUBACK; the rest follow as PUBACKs come, each once', async () => {
    const journal = new FakeOutboxJournal();
    const link = new FakeMqttLink();
    journal.add(10);
    publisher = new OutboxPublisher(journal, link, testLog, { window: 4, markDelayMs: 0 });
    publisher.start();
    link.connect();
    let most = 0;
    while (link.pending().length > 0) {
      most = Math.max(most, link.pending().length);
      link.pending()[0]!.ack();
      await settle();
    }
    expect(most).toBe(4);
    expect(seqs(link.published)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(journal.outboxSize()).toBe(0);
  });

  it('a vote offered while caught up goes out at once, without reading the journal back', async () => {
    const journal = new FakeOutboxJournal();
    const link = new FakeMqttLink();
    publisher = new OutboxPublisher(journal, link, testLog, { markDelayMs: 0 });
    publisher.start();
    link.connect(); // an empty outbox: caught up
    const readsBefore = journal.reads;
    journal.add(1);
    publisher.offer(1, journal.rows[0]!.topic, journal.rows[0]!.payload);
    expect(seqs(link.published)).toEqual([1]);
    expect(journal.reads).toBe(readsBefore);
    link.published[0]!.ack();
    await settle();
    expect(journal.rows[0]!.published).toBe(true);
  });

  it('a journal read that throws is counted and retried after `retryMs`; the votes stay stored and go out', async () => {
    const journal = new FakeOutboxJournal();
    const link = new FakeMqttLink();
    journal.add(2);
    const real = journal.outbox.bind(journal);
    let failures = 1;
    journal.outbox = (after, limit) => {
      if (failures-- > 0) throw new Error('SQLITE_IOERR: disk I/O error');
      return real(after, limit);
    };
    publisher = new OutboxPublisher(journal, link, testLog, { markDelayMs: 0, retryMs: 20 });
    publisher.start();
    expect(() => link.connect()).not.toThrow();
    expect(link.published).toHaveLength(0);
    expect(publisher.stats().journalErrors).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(seqs(link.published)).toEqual([1, 2]);
  });

  it('stop() hands what was acknowledged to the journal at once, not after the mark delay', async () => {
    const journal = new FakeOutboxJournal();
    const link = new FakeMqttLink();
    journal.add(2);
    publisher = new OutboxPublisher(journal, link, testLog, { markDelayMs: 60_000 });
    publisher.start();
    link.connect();
    link.published[0]!.ack();
    await settle();
    expect(journal.marks).toEqual([]);
    publisher.stop();
    expect(journal.marks).toEqual([[1]]);
    expect(journal.rows.map((r) => r.published)).toEqual([true, false]);
  });

  it('a publish refused while the link stays connected (an in-process broker) is sent again after `retryMs`, and marked only once acknowledged', async () => {
    const journal = new FakeOutboxJournal();
    const link = new FakeMqttLink();
    journal.add(2);
    publisher = new OutboxPublisher(journal, link, testLog, { markDelayMs: 0, retryMs: 20 });
    publisher.start();
    link.connect();
    expect(seqs(link.published)).toEqual([1, 2]);
    link.published[0]!.fail(new Error('broker persistence failed'));
    link.published[1]!.ack();
    await settle();
    expect(journal.rows.map((r) => r.published)).toEqual([false, true]);
    // Before the fix nothing sent vote 1 again until a reconnect, which an in-process broker never has.
    await new Promise((r) => setTimeout(r, 60));
    expect(seqs(link.published)).toEqual([1, 2, 1]);
    link.published[2]!.ack();
    await settle();
    expect(journal.outboxSize()).toBe(0);
  });

  it('localOutboxLink: votes go through the in-process publish, connection state and restarts follow the MQTT link', async () => {
    const journal = new FakeOutboxJournal();
    const link = new FakeMqttLink();
    const local: { topic: string; payload: string; ack: () => void }[] = [];
    const publish = (topic: string, payload: string) => new Promise<void>((ack) => local.push({ topic, payload, ack }));
    journal.add(2);
    publisher = new OutboxPublisher(journal, localOutboxLink(link, publish), testLog, { markDelayMs: 0 });
    publisher.start();
    expect(local).toHaveLength(0); // the link is not connected yet
    link.connect();
    expect(local.map((p) => p.payload)).toEqual(['{"seq":1}', '{"seq":2}']);
    expect(link.published).toHaveLength(0);
    local[0]!.ack();
    await settle();
    expect(journal.rows.map((r) => r.published)).toEqual([true, false]);
    // A reconnect of the link restarts from the oldest unmarked vote.
    link.drop();
    link.connect();
    expect(local.map((p) => p.payload)).toEqual(['{"seq":1}', '{"seq":2}', '{"seq":2}']);
  });
});

describe('OutboxPublisher with the embedded broker (issue 14)', () => {
  it('publishes a stored vote straight into the broker in this process, not over the loopback MQTT connection, and marks it once the broker has it', async () => {
    const started = await startApp(rigConfig({ boxes: 1, ports: [], dataDir: tmp.dir }));
    app = started.app;
    const bridge = app.bridge;
    await until(() => bridge.link.connected, 10_000, 'the bridge connected');
    sub = await collect(started.url, 'hailong/v1/+/+/+/+/vote');
    const overLink = vi.spyOn(bridge.link, 'publishText');
    const out = await bridge.journal.append(boxVote());
    expect(out.status).toBe('stored');
    if (out.status !== 'stored') return;
    bridge.outbox.offer(out.rowid, out.topic, out.payload);
    await sub.waitFor((m) => m.length === 1, 10_000, 'the vote delivered');
    expect(overLink).not.toHaveBeenCalled();
    await until(() => bridge.journal.outboxSize() === 0, 5000, 'the vote marked published');
  });
});

import { describe, expect, it } from 'vitest';
import { emptyTally, parseMessage } from '../../../core/index.ts';
import type { Publication, Tally } from '../../../core/index.ts';
import { Publisher } from '../../../kiosk/src/runtime/publisher.ts';
import { MemoryOutbox } from '../fakes/memory-outbox.ts';

const PLACE = { district: 'd', ward: 'w', counter: 'c', terminal: 't' };
const T0 = Date.UTC(2025, 4, 12, 2);

/** A link whose PUBACKs the test releases by hand. */
function manualLink() {
  const waiting: { p: Publication; ack: () => void; fail: (e: Error) => void }[] = [];
  const link = {
    online: true,
    sent: [] as Publication[],
    publish(p: Publication) {
      link.sent.push(p);
      return new Promise<void>((ack, fail) => waiting.push({ p, ack, fail }));
    },
  };
  return { link, waiting };
}

async function fill(outbox: MemoryOutbox, n: number) {
  for (let i = 0; i < n; i++) await outbox.record({ ...PLACE, level: 'hai-long', pressedAt: T0 + i, draft: false }, T0 + i);
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('publisher', () => {
  it('publishes votes and never a tally: the bridge is the only tally publisher (issue 13)', async () => {
    // An outbox that has a local tally to offer: the publisher must still not send it.
    const outbox = new (class extends MemoryOutbox {
      override async tally(): Promise<Tally | undefined> {
        return emptyTally(PLACE, '2025-05');
      }
    })();
    await fill(outbox, 3);
    const link = { online: true, sent: [] as Publication[], publish: async (p: Publication) => void link.sent.push(p) };
    await new Publisher(outbox, link).kick();
    expect(link.sent.map((p) => p.topic)).toEqual(Array.from({ length: 3 }, () => 'hailong/v1/d/w/c/t/vote'));
  });

  it('publishes oldest first with core publicationFor (QoS 1, not retained) and marks a row sent (not done: that takes the bridge receipt) only on its PUBACK', async () => {
    const outbox = new MemoryOutbox();
    await fill(outbox, 3);
    const { link, waiting } = manualLink();
    const flushing = new Publisher(outbox, link, { window: 2 }).kick();
    await settle();
    expect(link.sent.map((p) => JSON.parse(p.payload).seq)).toEqual([1, 2]); // window of 2
    for (const p of link.sent) {
      expect(p).toMatchObject({ topic: 'hailong/v1/d/w/c/t/vote', qos: 1, retain: false });
      expect(parseMessage(p.topic, p.payload).ok).toBe(true);
    }
    expect([outbox.state(1), outbox.state(2)]).toEqual(['ready', 'ready']);
    waiting[1]!.ack(); // PUBACK of seq 2 first
    await settle();
    expect([outbox.state(1), outbox.state(2)]).toEqual(['ready', 'sent']);
    waiting[0]!.ack();
    await settle();
    await settle();
    waiting[2]!.ack();
    await flushing;
    expect([1, 2, 3].map((s) => outbox.state(s))).toEqual(['sent', 'sent', 'sent']);
  });

  it('a lost connection leaves unacknowledged rows ready; the next kick republishes them (same id)', async () => {
    const outbox = new MemoryOutbox();
    await fill(outbox, 2);
    const { link, waiting } = manualLink();
    const publisher = new Publisher(outbox, link, { window: 1 });
    const first = publisher.kick();
    await settle();
    waiting[0]!.fail(new Error('connection lost before PUBACK'));
    await first;
    expect([outbox.state(1), outbox.state(2)]).toEqual(['ready', 'ready']);
    const second = publisher.kick();
    await settle();
    expect(JSON.parse(link.sent[1]!.payload).id).toBe('t:1');
    waiting[1]!.ack();
    await settle();
    await settle();
    waiting[2]!.ack();
    await second;
    expect([outbox.state(1), outbox.state(2)]).toEqual(['sent', 'sent']);
  });

  it('does nothing while offline, and stops at a draft (tally order)', async () => {
    const outbox = new MemoryOutbox();
    await fill(outbox, 1);
    await outbox.record({ ...PLACE, level: 'khong-hai-long', pressedAt: T0, draft: true, draftUntil: T0 + 1 }, T0);
    await fill(outbox, 1);
    const { link, waiting } = manualLink();
    link.online = false;
    await new Publisher(outbox, link).kick();
    expect(link.sent).toHaveLength(0);
    link.online = true;
    const run = new Publisher(outbox, link).kick();
    await settle();
    waiting[0]!.ack();
    await run;
    expect(link.sent.map((p) => JSON.parse(p.payload).seq)).toEqual([1]);
    expect(outbox.state(3)).toBe('ready');
  });
});

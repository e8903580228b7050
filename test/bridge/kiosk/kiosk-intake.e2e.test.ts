/**
 * Kiosk votes into the bridge's journal, with real brokers: the embedded
 * Aedes (the vote is committed in the broker's publish path, before the
 * kiosk's PUBACK) and a real Mosquitto (a persistent-session subscription
 * that acknowledges after the commit). The bridge, not the kiosk, then
 * publishes the kiosk's retained tally.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../../../core/topic-payload.ts';
import { receiptCovers } from '../../../core/kiosk-receipt.ts';
import type { Tally } from '../../../core/tally.ts';
import { localParts } from '../../../core/time.ts';
import { topicFor } from '../../../core/topic.ts';
import { localDaysOf } from '../../helpers/local-days.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { startMosquitto } from '../../helpers/mosquitto.ts';
import { startApp, tempDir, until } from '../bridge-rig.ts';
import { KIOSK_PASSWORD, kioskOfficeConfig } from './kiosk-office.ts';
import { KIOSK, KioskPublisher, kioskVote } from './kiosk-publisher.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The kiosk's tally topic of the Hà Nội month of `pressedAt` (core/time.ts). */
const tallyTopic = (pressedAt: number) => topicFor('tally', { ...KIOSK, month: localParts(pressedAt).monthKey });
const counted = (t: Tally | undefined) => Object.values(t?.days ?? {}).reduce((n, d) => n + d.c.reduce((a, b) => a + b, 0), 0);

for (const kind of ['embedded Aedes', 'Mosquitto'] as const) {
  describe(`kiosk votes into the journal (${kind})`, () => {
    async function rig() {
      const tmp = tempDir();
      cleanups.push(tmp.remove);
      let mqttUrls: string[] = [];
      if (kind === 'Mosquitto') {
        const broker = await startMosquitto();
        cleanups.push(() => broker.dispose());
        mqttUrls = [broker.url];
      }
      const { app, url } = await startApp(kioskOfficeConfig(tmp.dir, { mqttUrls }));
      cleanups.push(() => app.stop());
      // The broker keeps kiosk votes for the bridge's session once it has subscribed (first start only).
      await until(() => app.bridge.kioskIntakeReady, 10_000, 'the kiosk vote subscription');
      const kiosk = new KioskPublisher(url, kind === 'Mosquitto' ? {} : { username: KIOSK.terminal, password: KIOSK_PASSWORD });
      cleanups.push(() => kiosk.close());
      const sub = await collect(url, 'hailong/v1/#');
      cleanups.push(() => sub.close());
      return { app, url, kiosk, sub };
    }

    it('publishes the kiosk’s retained receipt naming exactly the journaled seqs, gaps included, again for a resend', async () => {
      const { kiosk, sub, url } = await rig();
      for (const seq of [1, 2, 3, 5]) await kiosk.deliver(kioskVote(seq));
      const receiptTopic = topicFor('receipt', KIOSK);
      const receipts = () =>
        sub.messages
          .filter((m) => m.topic === receiptTopic)
          .map((m) => parseMessage(m.topic, m.payload))
          .flatMap((r) => (r.ok && r.value.kind === 'receipt' ? [r.value.payload] : []));
      await sub.waitFor(() => receipts().some((r) => receiptCovers(r.journaled, 5)), 10_000, 'a receipt naming seq 5');
      const last = receipts().at(-1)!;
      expect(last.journaled).toEqual([
        [1, 3],
        [5, 5],
      ]); // 4 was never sent: a gap, not covered
      const before = receipts().length;
      await kiosk.deliver(kioskVote(2)); // a resend of a journaled vote (its receipt was missed) is answered again
      await sub.waitFor(() => receipts().length > before, 10_000, 'the receipt republished for a resend');
      expect(receipts().at(-1)!.journaled).toEqual([
        [1, 3],
        [5, 5],
      ]);
      // Retained: a kiosk that (re)connects reads it at once.
      const late = await collect(url, receiptTopic);
      cleanups.push(() => late.close());
      await late.waitFor((m) => m.some((x) => x.retain), 10_000, 'the retained receipt');
    });

    it('journals each vote once with the kiosk’s own id, and the bridge publishes the kiosk’s retained tally', async () => {
      const { app, kiosk, sub } = await rig();
      for (let seq = 1; seq <= 20; seq++) await kiosk.deliver(kioskVote(seq, { officer: 'can-bo-lan' }));
      // Redelivered ids (a kiosk that missed its PUBACKs) are not counted twice.
      for (const seq of [3, 7, 20]) await kiosk.deliver(kioskVote(seq));
      const journal = app.bridge.journal;
      await until(() => journal.voteCount() === 20, 10_000, '20 journaled kiosk votes');
      const rows = [...journal.votesPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((p) => JSON.parse(p));
      expect(rows.map((v) => v.id).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `kiosk-1:${i + 1}`).sort());
      expect(rows.every((v) => v.source === 'touch' && v.officer === 'can-bo-lan')).toBe(true);
      // The months the votes were pressed in (a month may end while they arrive), each one's latest tally.
      const topics = localDaysOf(rows.map((v) => v.pressedAt as number)).months.map((month) => topicFor('tally', { ...KIOSK, month }));
      const latest = (m: readonly { topic: string; payload: string }[], topic: string) =>
        m
          .filter((x) => x.topic === topic)
          .map((x) => JSON.parse(x.payload) as Tally)
          .at(-1);
      await sub.waitFor(
        (m) => topics.reduce((n, topic) => n + counted(latest(m, topic)), 0) === 20,
        10_000,
        'the bridge’s tally of 20 kiosk votes',
      );
      expect(app.bridge.counterSnapshot()['kiosk-votes-duplicate']).toBeGreaterThanOrEqual(3);
    });

    // (The Mosquitto rig here has no ACL; test/bridge/broker/access-matrix.ts refuses kiosk tallies on both brokers.)
    if (kind === 'embedded Aedes') {
      it('a stolen kiosk login cannot poison its figures: a forged retained tally is refused, the bridge’s stays', async () => {
        const { url, kiosk, sub } = await rig();
        // One instant for the five votes: one month's tally holds them all, whenever the test runs.
        const at = Date.now();
        const topic = tallyTopic(at);
        for (let seq = 1; seq <= 5; seq++) await kiosk.deliver(kioskVote(seq, { pressedAt: at, receivedAt: at }));
        await sub.waitFor(
          (m) => m.some((x) => x.topic === topic && counted(JSON.parse(x.payload) as Tally) === 5),
          10_000,
          'the bridge’s tally',
        );
        const real = sub.messages
          .filter((x) => x.topic === topic)
          .map((x) => JSON.parse(x.payload) as Tally)
          .at(-1)!;
        const forged = { ...real, seq: 4_294_967_295, updatedAt: real.updatedAt + 1 };
        const attacker = new KioskPublisher(url, { username: KIOSK.terminal, password: KIOSK_PASSWORD });
        expect(await attacker.raw(topic, JSON.stringify(forged), 1000, true)).toBe('no-ack');
        await attacker.close();
        // A dashboard connecting now gets the bridge's retained tally, not the forged one.
        const fresh = await collect(url, topic);
        cleanups.push(() => fresh.close());
        await fresh.waitFor((m) => m.length >= 1, 5000, 'the retained tally');
        await new Promise((r) => setTimeout(r, 300));
        expect(fresh.messages.map((x) => JSON.parse(x.payload) as Tally).map((t) => [t.seq, counted(t)])).toEqual([[5, 5]]);
        expect(sub.messages.some((x) => x.topic === topic && (JSON.parse(x.payload) as Tally).seq === forged.seq)).toBe(false);
      });
    }

    it('counts and refuses hostile payloads (huge, malformed, another terminal in the payload), and stays up', async () => {
      const { app, url, kiosk } = await rig();
      const topic = topicFor('vote', KIOSK);
      const hostile: [string, string | Buffer][] = [
        ['too-large', JSON.stringify({ ...kioskVote(1), ticket: 'x'.repeat(40_000) })],
        ['bad-json', '{"v":1,"id":"kiosk-1:2",'],
        ['topic-mismatch', JSON.stringify(kioskVote(3, { terminal: 'kiosk-9', id: 'kiosk-9:3' }))],
        ['bad-type', JSON.stringify({ ...kioskVote(4), seq: 'four' })],
      ];
      for (const [, payload] of hostile) {
        // The embedded broker disconnects a publisher it refuses: each attempt on a fresh connection.
        const attacker = new KioskPublisher(url, kind === 'Mosquitto' ? {} : { username: KIOSK.terminal, password: KIOSK_PASSWORD });
        await attacker.raw(topic, payload);
        await attacker.close();
      }
      // The embedded broker refuses a payload larger than a vote may be before the bridge sees it (issue 13, item 8).
      const atBroker = kind === 'embedded Aedes' ? ['too-large'] : [];
      const expected = hostile.map(([code]) => code).filter((code) => !atBroker.includes(code));
      await until(
        () =>
          Object.entries(app.bridge.counterSnapshot())
            .filter(([k]) => k.startsWith('kiosk-refused-'))
            .reduce((n, [, v]) => n + v, 0) >= expected.length,
        10_000,
        'refusals counted',
      );
      const counters = app.bridge.counterSnapshot();
      expect(
        Object.keys(counters)
          .filter((k) => k.startsWith('kiosk-refused-'))
          .sort(),
      ).toEqual(expected.map((code) => `kiosk-refused-${code}`).sort());
      // At least once: MQTT.js reconnects and resends the refused publish until the attacker closes.
      if (atBroker.length > 0) expect(counters['broker-payloads-too-large']).toBeGreaterThanOrEqual(1);
      expect(app.bridge.journal.voteCount()).toBe(0);
      // A good vote still goes through afterwards.
      await kiosk.deliver(kioskVote(5));
      await until(() => app.bridge.journal.voteCount() === 1, 10_000, 'the good vote');
    });
  });
}

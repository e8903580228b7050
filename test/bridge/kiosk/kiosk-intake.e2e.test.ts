/**
 * Kiosk votes into the bridge's journal, with real brokers: the embedded
 * Aedes (the vote is committed in the broker's publish path, before the
 * kiosk's PUBACK) and a real Mosquitto (a persistent-session subscription
 * that acknowledges after the commit). The bridge, not the kiosk, then
 * publishes the kiosk's retained tally.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Tally } from '../../../core/tally.ts';
import { topicFor } from '../../../core/topic.ts';
import type { HailongConfig } from '../../../bridge/config/hailong-config.ts';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { startMosquitto } from '../../helpers/mosquitto.ts';
import { startApp, tempDir, until } from '../bridge-rig.ts';
import { KIOSK, KioskPublisher, kioskVote } from './kiosk-publisher.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Kiosk password in these rigs. */
export const KIOSK_PASSWORD = 'kiosk-1-password';

/** An office with one counter holding a kiosk (and optionally a box), valid or the test throws. */
export function kioskOfficeConfig(dataDir: string, o: { mqttUrls?: readonly string[]; gated?: boolean; boxPort?: string; desk?: { username: string; password: string } } = {}): HailongConfig {
  const r = validateConfig({
    district: { id: KIOSK.district, name: 'Quận Ba Đình' },
    ward: { id: KIOSK.ward, name: 'Phường Phúc Xá' },
    rating: { cooldownMs: 0, windowMs: 30_000 },
    counters: [
      {
        id: KIOSK.counter,
        name: 'Quầy 1',
        ...(o.gated === true ? { mode: 'gated' } : {}),
        terminals: [
          { id: KIOSK.terminal, kind: 'touch', password: KIOSK_PASSWORD },
          ...(o.boxPort === undefined ? [] : [{ id: 'hop-1', kind: 'button', uid: 'SIM-01' }]),
        ],
      },
    ],
    serial: { ports: o.boxPort === undefined ? [] : [o.boxPort], scanIntervalMs: 200 },
    mqtt: { urls: [...(o.mqttUrls ?? [])] },
    broker: { port: 0, host: '127.0.0.1', anonymous: 'read', users: o.desk === undefined ? [] : [{ ...o.desk, role: 'desk' }] },
    dataDir,
  });
  if (!r.ok) throw new Error(`rig config invalid: ${JSON.stringify(r.problems)}`);
  return r.config;
}

const tallyTopic = () => topicFor('tally', { ...KIOSK, month: new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7) });
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
      await sub.waitFor((m) => m.some((x) => x.topic === tallyTopic() && counted(JSON.parse(x.payload) as Tally) === 20), 10_000, 'the bridge’s tally of 20 kiosk votes');
      expect(app.bridge.counterSnapshot()['kiosk-votes-duplicate']).toBeGreaterThanOrEqual(3);
    });

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
      await until(() => Object.entries(app.bridge.counterSnapshot()).filter(([k]) => k.startsWith('kiosk-refused-')).reduce((n, [, v]) => n + v, 0) >= 4, 10_000, '4 refusals counted');
      const counters = app.bridge.counterSnapshot();
      expect(Object.keys(counters).filter((k) => k.startsWith('kiosk-refused-')).sort()).toEqual(
        ['kiosk-refused-bad-json', 'kiosk-refused-bad-type', 'kiosk-refused-too-large', 'kiosk-refused-topic-mismatch'].sort(),
      );
      expect(app.bridge.journal.voteCount()).toBe(0);
      // A good vote still goes through afterwards.
      await kiosk.deliver(kioskVote(5));
      await until(() => app.bridge.journal.voteCount() === 1, 10_000, 'the good vote');
    });
  });
}

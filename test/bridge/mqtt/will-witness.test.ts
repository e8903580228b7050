/**
 * The bridge witnesses a kiosk's last will (issue 12, defect 4): the will
 * carries the kiosk's connect time, the bridge republishes it retained with
 * `since` = when it saw it fire, so "mất kết nối từ …" is the real time.
 * Real embedded Aedes broker, real bridge, a kiosk-like MQTT client.
 */
import { clientIdSuffix, kioskClientId } from '../../../core/client-id.ts';
import type { Socket } from 'node:net';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { publicationFor } from '../../../core/topic-payload.ts';
import type { Status } from '../../../core/status.ts';
import { demoConfig, DEMO_KIOSK, DEMO_KIOSK_PASSWORD } from '../../../bridge/demo/demo-office.ts';
import type { HailongApp } from '../../../bridge/hailong-app.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { startApp, tempDir } from '../bridge-rig.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('WillWitness', () => {
  it("stamps a kiosk's will with when it fired, keeping the will's `at`", async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const config = demoConfig({ dataDir: tmp.dir, ports: [], brokerPort: 0 });
    const { app, url } = await startApp(config);
    cleanups.push(() => (app as HailongApp).stop());
    const place = { district: 'ba-dinh', ward: 'phuc-xa', counter: DEMO_KIOSK.counter, terminal: DEMO_KIOSK.terminal };
    const connectedAt = Date.now();
    const will = publicationFor('status', place, { v: 1, state: 'offline', at: connectedAt, kind: 'touch' });
    const kiosk = await mqtt.connectAsync(url, {
      username: DEMO_KIOSK.terminal,
      password: DEMO_KIOSK_PASSWORD,
      clientId: kioskClientId(place, clientIdSuffix(DEMO_KIOSK_PASSWORD)), // the only id the broker lets this kiosk use
      reconnectPeriod: 0,
      will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true },
    });
    const online = publicationFor('status', place, { v: 1, state: 'online', at: connectedAt, kind: 'touch' });
    await kiosk.publishAsync(online.topic, online.payload, { qos: 1, retain: true });
    await new Promise((r) => setTimeout(r, 1500));
    const cutAt = Date.now();
    // The network goes: no DISCONNECT, so the broker publishes the will.
    (kiosk.stream as Socket).destroy();
    cleanups.push(() => kiosk.endAsync(true));
    const sub = await collect(url, will.topic);
    cleanups.push(() => sub.close());
    await sub.waitFor((ms) => ms.some((m) => (JSON.parse(m.payload) as Status).since !== undefined), 5000, 'a stamped will');
    const stamped = sub.messages.map((m) => JSON.parse(m.payload) as Status).find((s) => s.since !== undefined) as Status;
    expect(stamped).toMatchObject({ state: 'offline', at: connectedAt });
    expect(stamped.since).toBeGreaterThanOrEqual(cutAt);
    expect(stamped.since).toBeLessThan(cutAt + 3000);
  });

  it('logs at warn when two devices claim one kiosk terminal', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const config = demoConfig({ dataDir: tmp.dir, ports: [], brokerPort: 0 });
    const { app, url } = await startApp(config, { log });
    cleanups.push(() => (app as HailongApp).stop());
    const place = { district: 'ba-dinh', ward: 'phuc-xa', counter: DEMO_KIOSK.counter, terminal: DEMO_KIOSK.terminal };
    const kiosk = await mqtt.connectAsync(url, {
      username: DEMO_KIOSK.terminal,
      password: DEMO_KIOSK_PASSWORD,
      clientId: kioskClientId(place, clientIdSuffix(DEMO_KIOSK_PASSWORD)),
      reconnectPeriod: 0,
    });
    cleanups.push(() => kiosk.endAsync(true));
    await new Promise((r) => setTimeout(r, 300)); // the bridge's subscription is in place
    const now = Date.now();
    for (const [uid, at] of [
      ['kiosk-aaa', now],
      ['kiosk-bbb', now + 1000],
      ['kiosk-aaa', now + 2000],
    ] as const) {
      const p = publicationFor('status', place, { v: 1, state: 'online', at, kind: 'touch', uid });
      await kiosk.publishAsync(p.topic, p.payload, { qos: 1, retain: true });
    }
    const warned = () =>
      lines
        .map((l) => JSON.parse(l) as { level: number; msg: string; devices?: string[] })
        .filter((l) => l.level === 40 && l.msg.includes('two devices use the kiosk address'));
    const deadline = Date.now() + 5000;
    while (warned().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(warned()).toHaveLength(1); // once, not per flip
    expect(warned()[0]?.devices).toEqual(['kiosk-aaa', 'kiosk-bbb']);
  });
});

/**
 * The adversarial suite of issue 13 against a running bridge and its
 * embedded broker (real Aedes, real sockets, loopback only, bounded): a
 * stolen kiosk login publishing where it may not, huge and malformed votes,
 * pre-auth oversized and malformed packets, a flood of 1,000 connection
 * attempts in about a second and wrong passwords in a loop. Each must be
 * refused or counted; the bridge keeps its one broker session, stays within
 * its memory budget, and the figures a dashboard account sees do not change.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../bridge/config/validate-config.ts';
import type { HailongApp } from '../../bridge/hailong-app.ts';
import { clientIdSuffix, kioskClientId } from '../../core/client-id.ts';
import { localParts } from '../../core/time.ts';
import { collect, type Collector } from '../helpers/mqtt-collector.ts';
import { rawSend } from '../helpers/raw-tcp.ts';
import { startApp, tempDir, until } from './bridge-rig.ts';

const KIOSK = { username: 'kiosk-1', password: 'kiosk secret 1' };
const DASHBOARD = { username: 'giam-sat', password: 'dashboard secret' };
const W = 'hailong/v1/ba-dinh/phuc-xa';
/** The bridge's resident memory may grow by at most this much under attack (its budget is 120 MB in all). */
const RSS_GROWTH_BUDGET = 60 * 1024 * 1024;

const tmp = tempDir('hailong-adversarial-');
let app: HailongApp;
let url: string;
let port: number;
let dashboard: Collector;
let bridgeConnects = 0;

beforeAll(async () => {
  const r = validateConfig({
    district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
    ward: { id: 'phuc-xa', name: 'Phường Phúc Xá' },
    counters: [
      { id: 'quay-1', name: 'Quầy 1', terminals: [{ id: 'hop-1', kind: 'button', uid: 'SIM-01' }] },
      { id: 'quay-2', name: 'Quầy 2', terminals: [{ id: KIOSK.username, kind: 'touch', password: KIOSK.password }] },
    ],
    serial: { ports: [] },
    mqtt: { urls: [] },
    broker: {
      port: 0,
      host: '127.0.0.1',
      anonymous: 'none',
      users: [{ username: DASHBOARD.username, password: DASHBOARD.password, role: 'dashboard' }],
    },
    dataDir: tmp.dir,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  // No trusted addresses: the test's loopback stands for a LAN client, so the door applies.
  ({ app, url } = await startApp(r.config, { brokerLimits: { trustedAddresses: [] } }));
  port = app.broker!.ports!.port;
  await until(() => app.bridge.link.connected, 10_000, 'the bridge connected');
  app.bridge.link.on('connect', () => bridgeConnects++);
  // Some figures: votes of the box, journaled and published as its tally.
  for (let seq = 1; seq <= 5; seq++) {
    const now = Date.now();
    const out = await app.bridge.journal.append({
      uid: 'SIM-01',
      deviceSeq: seq,
      path: { district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'hop-1' },
      level: seq === 5 ? 'khong-hai-long' : 'rat-hai-long',
      pressedAt: now,
      receivedAt: now,
      source: 'button',
    });
    if (out.status === 'stored') app.bridge.retained.tallyChanged(out.vote, monthOf(now));
  }
  dashboard = await collect(url, 'hailong/v1/#', { username: DASHBOARD.username, password: DASHBOARD.password, clientId: 'adv-dashboard' });
  await dashboard.waitFor(
    (m) => m.some((x) => x.topic.includes('/hop-1/tally/') && JSON.parse(x.payload).seq === 5),
    10_000,
    'the box tally',
  );
}, 60_000);

afterAll(async () => {
  await dashboard?.close();
  await app?.stop();
  tmp.remove();
});

function monthOf(ms: number): string {
  return localParts(ms).monthKey;
}

/** The figures as a dashboard sees them: the last retained tally and office payload per topic. */
function figures(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of dashboard.messages) if (m.topic.includes('/tally/') || m.topic.endsWith('/_office')) out.set(m.topic, m.payload);
  return out;
}

/** Publishes once as the kiosk (its own client id); 'puback' or 'refused' (Aedes closes the connection). */
async function asKiosk(topic: string, payload: string | Buffer, retain = false): Promise<'puback' | 'refused'> {
  const client: MqttClient = await mqtt.connectAsync(url, {
    ...KIOSK,
    clientId: kioskClientId({ district: 'ba-dinh', ward: 'phuc-xa', terminal: KIOSK.username }, clientIdSuffix(KIOSK.password)),
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  client.on('error', () => undefined);
  try {
    return await new Promise((resolve) => {
      client.once('close', () => resolve('refused'));
      client.publish(topic, payload, { qos: 1, retain }, (error) => resolve(error ? 'refused' : 'puback'));
    });
  } finally {
    client.end(true);
  }
}

/** A raw socket to the broker that writes `bytes`; resolves when closed by the broker (or after `ms`). */
const raw = (bytes: Buffer, ms?: number) => rawSend(port, bytes, ms);

/** A CONNECT packet (MQTT 3.1.1) with username and password. */
function connectPacket(clientId: string, username: string, password: string): Buffer {
  const str = (s: string) => {
    const b = Buffer.from(s);
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  };
  const body = Buffer.concat([str('MQTT'), Buffer.from([0x04, 0xc2, 0x00, 0x3c]), str(clientId), str(username), str(password)]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

describe('adversarial suite against the bridge and its embedded broker (issue 13)', () => {
  it('a stolen kiosk login, hostile packets, a connection flood and password guessing change no figure and do not bring the bridge down', async () => {
    const before = figures();
    const stats0 = app.broker!.stats();
    const rss0 = process.memoryUsage().rss;

    // 1. The kiosk account publishes where it may not: refused, every one.
    const forbidden: [string, string, boolean][] = [
      [`${W}/quay-1/hop-1/vote`, '{"v":1}', false],
      [`${W}/quay-1/hop-1/tally/${monthOf(Date.now())}`, '{"v":1,"seq":9007199254740991}', true],
      [`${W}/quay-1/hop-1/status`, '{"v":1,"state":"offline"}', true],
      [`${W}/_office`, '{"v":1}', true],
      [`${W}/_bridge/status`, '{"v":1,"state":"offline"}', true],
      [`${W}/quay-1/_served`, '{"v":1}', false],
      ['hailong/v1/ba-dinh/other-ward/quay-1/kiosk-1/vote', '{"v":1}', false],
      ['hailong/v1/other-district/phuc-xa/quay-2/kiosk-1/tally/2026-01', '{"v":1}', true],
      ['$SYS/broker/clients', 'x', false],
    ];
    for (const [topic, payload, retain] of forbidden) expect(await asKiosk(topic, payload, retain), topic).toBe('refused');
    // 2. Huge votes on its own topic: refused at the broker; malformed JSON is refused by the bridge's kiosk intake.
    const own = `${W}/quay-2/${KIOSK.username}/vote`;
    expect(await asKiosk(own, Buffer.alloc(1_000_000, 0x7b))).toBe('refused');
    expect(await asKiosk(own, Buffer.alloc(16 * 1024 * 1024, 0x7b))).toBe('refused');
    expect(await asKiosk(own, '{"v":1,"id":')).toBe('refused');
    const afterKiosk = app.broker!.stats();
    expect(afterKiosk.publishesRefused - stats0.publishesRefused).toBeGreaterThanOrEqual(forbidden.length + 1);
    expect(afterKiosk.payloadsTooLarge - stats0.payloadsTooLarge + (afterKiosk.packetsRefused - stats0.packetsRefused)).toBe(2);

    // 3. Pre-auth: CONNECTs announcing 200 MB, a PUBLISH before CONNECT, random bytes.
    const beforePreAuth = app.broker!.stats();
    const huge = Buffer.concat([Buffer.from([0x10, 0x80, 0x80, 0x80, 0x60]), Buffer.alloc(256 * 1024, 0x41)]);
    const early = Buffer.concat([Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(1024)]);
    const noise = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256));
    const preAuth = await Promise.all(
      [...Array(30).fill(huge), ...Array(5).fill(early), ...Array(5).fill(noise)].map((b: Buffer) => raw(b)),
    );
    expect(preAuth.every((o) => o === 'closed')).toBe(true);
    const afterPreAuth = app.broker!.stats();
    // Each cut for its packet, or (past the address's burst) refused at the door before a byte was read.
    expect(
      afterPreAuth.packetsRefused - beforePreAuth.packetsRefused + (afterPreAuth.connectsThrottled - beforePreAuth.connectsThrottled),
    ).toBe(40);

    // 4. 1,000 connection attempts within about a second, each with a wrong password.
    const started = Date.now();
    const flood: Promise<'closed' | 'open'>[] = [];
    for (let batch = 0; batch < 10; batch++) {
      for (let i = 0; i < 100; i++) flood.push(raw(connectPacket(`flood-${batch}-${i}`, DASHBOARD.username, 'wrong'), 10_000));
      await new Promise((r) => setTimeout(r, 100));
    }
    const flooded = await Promise.all(flood);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(flooded.filter((o) => o === 'open')).toEqual([]);
    // 5. Wrong passwords in a loop, as a client library would send them.
    for (let i = 0; i < 10; i++) {
      // Refused at the door, the socket closes without a CONNACK: MQTT.js then never settles, hence the race.
      const outcome = await Promise.race([
        mqtt.connectAsync(url, { username: DASHBOARD.username, password: `guess-${i}`, reconnectPeriod: 0, connectTimeout: 2000 }).then(
          (c) => c.endAsync(true).then(() => 'accepted'),
          () => 'refused',
        ),
        new Promise<string>((r) => setTimeout(() => r('refused'), 1000)),
      ]);
      expect(outcome).toBe('refused');
    }

    const stats = app.broker!.stats();
    // Every attempt was refused and counted: at the door, for its packet, or for its password.
    const refused = stats.connectsThrottled - stats0.connectsThrottled + (stats.connectsRefused - stats0.connectsRefused);
    expect(refused).toBeGreaterThanOrEqual(1000);
    expect(stats.connectsAccepted - afterKiosk.connectsAccepted).toBe(0);
    // The counters are on the bridge status for anyone to see.
    expect(app.bridge.counterSnapshot()['broker-connects-throttled']).toBe(stats.connectsThrottled);

    // The bridge kept its one session, stayed within its memory budget, and the figures did not move.
    expect(app.bridge.link.connected).toBe(true);
    expect(bridgeConnects).toBe(0);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(RSS_GROWTH_BUDGET);
    expect(figures()).toEqual(before);
  }, 120_000);
});

import { createServer, type Server } from 'node:http';
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { EmbeddedBroker, resolveEmbeddedBrokerOptions, type Refusal } from '../../../bridge/broker/embedded-broker.ts';
import {
  clientIdFor,
  connackCode,
  connect,
  defineAccessMatrix,
  MATRIX_USERS,
  optionsFor,
  subackCodes,
  tryPublish,
  watch,
  type BrokerUnderTest,
} from './access-matrix.ts';
import { rawSend } from '../../helpers/raw-tcp.ts';

/** Log lines the brokers wrote, parsed (pino writes JSON lines). */
const logLines: { level: number; msg: string }[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as { level: number; msg: string }) });

let broker: EmbeddedBroker;
let strict: EmbeddedBroker;
let http: Server;
let tcpUrl: string;
let wsUrl: string;
let strictUrl: string;
const refusals: Refusal[] = [];

beforeAll(async () => {
  broker = new EmbeddedBroker({ users: MATRIX_USERS, anonymous: 'read', port: 0, host: '127.0.0.1', logger, drainTimeoutMs: 2000 });
  broker.on('refused', (r) => refusals.push(r));
  strict = new EmbeddedBroker({ users: MATRIX_USERS, anonymous: 'none', port: 0, host: '127.0.0.1', logger });
  tcpUrl = `mqtt://127.0.0.1:${(await broker.start()).port}`;
  strictUrl = `mqtt://127.0.0.1:${(await strict.start()).port}`;
  // The web apps' HTTP server: it serves pages and shares its port with MQTT over WebSocket.
  http = createServer((_req, res) => res.end('page'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  broker.attachWebSocket(http);
  wsUrl = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/mqtt`;
});

afterAll(async () => {
  await broker?.stop();
  await strict?.stop();
  http?.closeAllConnections();
  await new Promise((r) => http?.close(r));
});

// Aedes closes the connection of a refused publish and answers SUBACK 0x80 to an unreadable filter.
const aedesOver =
  (url: () => string): (() => BrokerUnderTest) =>
  () => ({
    url: url(),
    strictUrl,
    refusedPublish: 'disconnect',
    refusedSubscribeCode: 128,
  });

describe('embedded Aedes over TCP', () => defineAccessMatrix(aedesOver(() => tcpUrl)));
describe("embedded Aedes over WebSocket on the web apps' HTTP port", () => defineAccessMatrix(aedesOver(() => wsUrl)));

describe('EmbeddedBroker', () => {
  it('counts, emits and logs refusals once per distinct refusal', async () => {
    const before = broker.stats();
    const seen = refusals.length;
    const logged = logLines.length;
    for (let i = 0; i < 3; i++) {
      expect(await tryPublish(tcpUrl, 'kiosk-t1', 'hailong/v1/d1/w1/c1/t9/vote', 'x')).toBe('disconnect');
    }
    const client = await connect(tcpUrl, 'dash-w1');
    expect(await subackCodes(client, ['hailong/v1/d9/#'])).toEqual([128]);
    await client.endAsync(true);
    await expect(mqtt.connectAsync(tcpUrl, optionsFor(undefined, { username: 'kiosk-t1', password: 'no' }))).rejects.toMatchObject({
      code: 5,
    });

    const after = broker.stats();
    expect(after.publishesRefused - before.publishesRefused).toBe(3);
    expect(after.subscribesRefused - before.subscribesRefused).toBe(1);
    expect(after.connectsRefused - before.connectsRefused).toBe(1);
    expect(after.connectsAccepted - before.connectsAccepted).toBe(4);
    expect(refusals.slice(seen).map((r) => [r.kind, r.username, r.topic])).toEqual([
      ['publish', 'kiosk-t1', 'hailong/v1/d1/w1/c1/t9/vote'],
      ['publish', 'kiosk-t1', 'hailong/v1/d1/w1/c1/t9/vote'],
      ['publish', 'kiosk-t1', 'hailong/v1/d1/w1/c1/t9/vote'],
      ['subscribe', 'dash-w1', 'hailong/v1/d9/#'],
      ['connect', 'kiosk-t1', undefined],
    ]);
    const lines = logLines.slice(logged).filter((l) => l.msg.includes('refused'));
    expect(lines.map((l) => l.msg)).toEqual([
      'MQTT publish refused for user kiosk-t1 on "hailong/v1/d1/w1/c1/t9/vote": kiosk kiosk-t1 may not publish here',
      'MQTT subscribe refused for user dash-w1 on "hailong/v1/d9/#": the filter matches nothing dashboard dash-w1 may read',
      'MQTT connect refused for user kiosk-t1: wrong password',
    ]);
    expect(lines.every((l) => l.level === 40)).toBe(true);
  });

  it('counts refused wills and filtered deliveries', async () => {
    const before = broker.stats();
    const kiosk = await connect(tcpUrl, 'kiosk-t1', {
      will: { topic: 'hailong/v1/d1/w1/c2/t1/status', payload: Buffer.from('x'), qos: 1, retain: false },
    });
    kiosk.stream.destroy();
    const dash = await watch(tcpUrl, 'dash-w1', 'hailong/v1/#');
    expect(await tryPublish(tcpUrl, 'bridge-w2', 'hailong/v1/d1/w2/_office', 'w2')).toBe('puback');
    const deadline = Date.now() + 5000;
    while (
      (broker.stats().willsRefused === before.willsRefused || broker.stats().deliveriesFiltered === before.deliveriesFiltered) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await dash.close();
    await kiosk.endAsync(true);
    expect(broker.stats().willsRefused).toBe(before.willsRefused + 1);
    expect(broker.stats().deliveriesFiltered).toBeGreaterThan(before.deliveriesFiltered);
  });

  it('survives hostile bytes, topics and payloads and keeps serving', async () => {
    const before = broker.stats();
    const { port } = broker.ports!;
    // Raw garbage and truncated / malformed packets straight onto the TCP port.
    const samples = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 2048 }), { numRuns: 60, seed: 42 });
    const crafted = [
      Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]), // CONNECT with an invalid remaining length
      Buffer.from([0x30, 0x05, 0x00, 0x03, 0x61]), // PUBLISH before CONNECT, truncated
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x09, 0x02, 0x00, 0x3c, 0x00, 0x00]), // protocol level 9
    ];
    await Promise.all(
      [...samples.map((s) => Buffer.from(s)), ...crafted].map(
        (bytes) =>
          new Promise<void>((resolve) => {
            const socket = tcpConnect(port, '127.0.0.1', () => socket.end(bytes));
            socket.on('error', () => resolve());
            socket.on('close', () => resolve());
            socket.resume();
          }),
      ),
    );
    // Authenticated clients sending hostile topics and payloads.
    const hostileTopics = [
      'hailong/v1/d1/w1/c1/t1/tally/' + 'x'.repeat(5000),
      'hailong/v1/d1/w1//status',
      Array.from({ length: 150 }, () => 'a').join('/'),
      '$SYS/broker/uptime',
      'hailong/v1/d1/w1/c1/t1/vote\u0000',
      'hailong/v1/d1/w1/c1/t1/\uD83D\uDE00',
      '/',
    ];
    for (const topic of hostileTopics) {
      expect(['puback', 'disconnect']).toContain(await tryPublish(tcpUrl, 'bridge-w1', topic, 'x').catch(() => 'disconnect'));
    }
    // Malformed payloads within the vote topic's size limit are relayed (subscribers reject them);
    // one larger than a vote may be is refused at the broker (issue 13, item 8).
    const payloads = [Buffer.from([0xc3, 0x28, 0x00]), Buffer.from('{"v":1,"id":'.repeat(1000))];
    const ward = await watch(tcpUrl, 'bridge-w1', 'hailong/v1/d1/w1/#');
    try {
      expect(await tryPublish(tcpUrl, 'kiosk-t1', 'hailong/v1/d1/w1/c1/t1/vote', Buffer.alloc(512 * 1024, 0xff))).toBe('disconnect');
      for (const payload of payloads) {
        const client = await connect(tcpUrl, 'kiosk-t1');
        await client.publishAsync('hailong/v1/d1/w1/c1/t1/vote', payload, { qos: 1 });
        await client.endAsync(true);
      }
      await ward.waitFor((m) => m.filter((x) => x.topic.endsWith('/vote')).length >= payloads.length, 10_000, 'hostile payloads relayed');
      expect(ward.messages.filter((x) => x.topic.endsWith('/vote') && x.payload.length > 100_000)).toEqual([]);
    } finally {
      await ward.close();
    }
    // Hostile subscriptions: malformed filters never crash the broker either.
    const sub = await connect(tcpUrl, 'dash-d1');
    const granted = await subackCodes(sub, ['hailong/v1/d1/#', `${'+/'.repeat(120)}#`]).catch(() => []);
    expect([0, 2]).toContain(granted.length);
    await sub.endAsync(true);
    // Still serving: an ordinary round trip works and errors were counted.
    const check = await watch(tcpUrl, 'dash-d1', 'hailong/v1/#');
    expect(await tryPublish(tcpUrl, 'bridge-w1', 'hailong/v1/d1/w1/_bridge/status', 'alive')).toBe('puback');
    await check.waitFor((m) => m.some((x) => x.payload === 'alive'), 5000, 'a message after the fuzzing');
    await check.close();
    expect(broker.stats().clientErrors).toBeGreaterThan(before.clientErrors);
  });

  it('disconnects a frozen subscriber after drainTimeout so others keep receiving', async () => {
    const { port } = broker.ports!;
    // A subscriber that never reads: its socket buffer fills up.
    const frozen = tcpConnect(port, '127.0.0.1');
    frozen.on('error', () => undefined);
    const closed = new Promise<void>((r) => frozen.once('close', () => r()));
    await new Promise<void>((r) => frozen.once('connect', () => r()));
    // CONNECT (MQTT 3.1.1, clean session, keepalive 0, client id "frozen", user dash-d1 / x1)
    const id = Buffer.from('frozen');
    const userName = Buffer.from('dash-d1');
    const password = Buffer.from('x1');
    const body = Buffer.concat([
      Buffer.from([0x00, 0x04]),
      Buffer.from('MQTT'),
      Buffer.from([0x04, 0xc2, 0x00, 0x00]),
      Buffer.from([0x00, id.length]),
      id,
      Buffer.from([0x00, userName.length]),
      userName,
      Buffer.from([0x00, password.length]),
      password,
    ]);
    // A tally topic: its payloads may be large (a status may not, issue 13 item 8).
    const topic = 'hailong/v1/d1/w1/c1/t1/tally/2026-11';
    const filter = Buffer.from(topic);
    const subscribe = Buffer.concat([
      Buffer.from([0x82, 2 + 2 + filter.length + 1, 0x00, 0x01, 0x00, filter.length]),
      filter,
      Buffer.from([0x00]),
    ]);
    frozen.write(Buffer.concat([Buffer.from([0x10, body.length]), body, subscribe]));
    frozen.pause();
    const live = await watch(tcpUrl, 'dash-d1', topic);
    const publisher = await connect(tcpUrl, 'bridge-w1');
    try {
      // More messages than Aedes' delivery concurrency (100), each larger than socket buffers absorb.
      const big = Buffer.alloc(128 * 1024, 0x61);
      for (let i = 0; i < 150; i++) publisher.publish(topic, big, { qos: 0 });
      await publisher.publishAsync(topic, 'last', { qos: 1 });
      await live.waitFor((m) => m.some((x) => x.payload === 'last'), 20_000, 'delivery despite a frozen subscriber');
      // Aedes dropped the frozen client after drainTimeoutMs: reading on now finds the end of the stream.
      frozen.resume();
      await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('frozen client still connected')), 5000))]);
    } finally {
      frozen.destroy();
      await publisher.endAsync(true);
      await live.close();
    }
  });

  it('handles only its own WebSocket path and leaves other upgrades and pages alone', async () => {
    const { port } = http.address() as AddressInfo;
    expect(await (await fetch(`http://127.0.0.1:${port}/dashboard/`)).text()).toBe('page');
    // No other upgrade listener: an unknown path is answered 404 instead of hanging.
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/other`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(refused).toBe(404);
    // Another upgrade listener owns /live: ours must not touch it.
    const other = (req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex) => {
      if (req.url === '/live') socket.end('HTTP/1.1 418 I am a teapot\r\nContent-Length: 0\r\n\r\n');
    };
    http.on('upgrade', other);
    try {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/live`);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
      });
      expect(status).toBe(418);
      const client = await connect(wsUrl, 'dash-d1');
      await client.endAsync(true);
    } finally {
      http.off('upgrade', other);
    }
  });

  it('serves a standalone WebSocket port and stops cleanly, twice', async () => {
    const own = new EmbeddedBroker({ users: MATRIX_USERS, port: 0, wsPort: 0, host: '127.0.0.1', logger });
    const ports = await own.start();
    expect(ports.wsPort).toBeGreaterThan(0);
    const client = await connect(`ws://127.0.0.1:${ports.wsPort}/any/path`, 'dash-d1');
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    await own.stop();
    await closed;
    await own.stop();
    expect(own.ports).toBeUndefined();
    await expect(connect(`mqtt://127.0.0.1:${ports.port}`, 'dash-d1')).rejects.toThrow();
  });

  it('validates its options once, naming the option', () => {
    expect(() => resolveEmbeddedBrokerOptions({ port: 70000 })).toThrow('"port" must be an integer 0..65535');
    expect(() => resolveEmbeddedBrokerOptions({ drainTimeoutMs: 0 })).toThrow('"drainTimeoutMs"');
    expect(() => resolveEmbeddedBrokerOptions({ anonymous: 'all' as never })).toThrow('"anonymous"');
    expect(() =>
      resolveEmbeddedBrokerOptions({ users: [{ username: 'k', password: 'p', role: 'kiosk', district: 'd1', ward: 'w1' }] }),
    ).toThrow('users[0].counter is required for role kiosk; users[0].terminal is required for role kiosk');
    const options = resolveEmbeddedBrokerOptions({ logger });
    expect(options).toMatchObject({ port: 1883, host: '0.0.0.0', anonymous: 'none', wsPort: undefined, drainTimeoutMs: 10_000, users: [] });
    expect(Object.isFrozen(options)).toBe(true);
  });
});

/** A connect attempt's CONNACK code, or -1 when the broker closed the socket without one (refused at the door). */
function attempt(url: string, username: string | undefined, extra: Parameters<typeof connackCode>[2] = {}): Promise<number> {
  return Promise.race([
    connackCode(url, username, { connectTimeout: 2000, ...extra }),
    new Promise<number>((r) => setTimeout(() => r(-1), 3000)),
  ]);
}

describe('EmbeddedBroker hardening (issue 13)', () => {
  it("item 7: a kiosk account may not take the bridge's client id; the bridge keeps its session", async () => {
    const before = broker.stats();
    const bridgeId = clientIdFor('bridge-w1');
    const bridgeClient = await connect(tcpUrl, 'bridge-w1', { clientId: bridgeId });
    let bridgeClosed = false;
    bridgeClient.on('close', () => (bridgeClosed = true));
    await expect(connect(tcpUrl, 'kiosk-t1', { clientId: bridgeId })).rejects.toMatchObject({ code: 2 });
    // Neither another kiosk's id nor a reserved prefix for a dashboard.
    await expect(connect(tcpUrl, 'kiosk-t1', { clientId: 'hailong-kiosk-d1.w1.t2' })).rejects.toMatchObject({ code: 2 });
    // Nor its own place without the suffix derived from its password: every broker binds the same id.
    await expect(connect(tcpUrl, 'kiosk-t1', { clientId: 'hailong-kiosk-d1.w1.t1' })).rejects.toMatchObject({ code: 2 });
    await expect(connect(tcpUrl, 'dash-w1', { clientId: 'hailong-bridge-d1.w1' })).rejects.toMatchObject({ code: 2 });
    // A ward's bridge owns no prefix of another ward's ids (ward w1 vs ward w1-x).
    await expect(connect(tcpUrl, 'bridge-w1', { clientId: 'hailong-bridge-d1.w1-x.suffix' })).rejects.toMatchObject({ code: 2 });
    await expect(connect(tcpUrl, 'bridge-w2', { clientId: bridgeId })).rejects.toMatchObject({ code: 2 });
    expect(bridgeClosed).toBe(false);
    expect(await tryPublish(tcpUrl, 'bridge-w1', 'hailong/v1/d1/w1/_bridge/status', 'still here')).toBe('puback');
    expect(bridgeClient.connected).toBe(true);
    await bridgeClient.endAsync(true);
    expect(broker.stats().clientIdsRefused - before.clientIdsRefused).toBe(6);
  });

  it('item 8: a payload larger than its topic allows is refused at the broker, counted, and reaches no subscriber', async () => {
    const before = broker.stats();
    const ward = await watch(tcpUrl, 'bridge-w1', 'hailong/v1/d1/w1/#');
    try {
      // A vote may be 3 × 4096 bytes, a status 3 × 8192 (core/payload-limit.ts).
      for (const [leaf, size] of [
        ['vote', 13_000],
        ['vote', 1_000_000],
        ['status', 25_000],
        ['status', 1_000_000],
      ] as const) {
        expect(
          await tryPublish(tcpUrl, 'kiosk-t1', `hailong/v1/d1/w1/c1/t1/${leaf}`, Buffer.alloc(size, 0x61), leaf === 'status'),
          `${leaf} ${size}`,
        ).toBe('disconnect');
      }
      expect(await tryPublish(tcpUrl, 'kiosk-t1', 'hailong/v1/d1/w1/c1/t1/vote', Buffer.alloc(400, 0x61))).toBe('puback');
      await ward.waitFor((m) => m.some((x) => x.payload.length === 400), 5000, 'the small vote');
      expect(ward.messages.filter((x) => x.payload.length >= 13_000).map((x) => x.topic)).toEqual([]);
    } finally {
      await ward.close();
    }
    expect(broker.stats().payloadsTooLarge - before.payloadsTooLarge).toBe(4);
  });

  it('item 4: pre-auth oversized, non-CONNECT and malformed packets are cut before they are buffered', async () => {
    const before = broker.stats();
    const { port } = broker.ports!;
    // CONNECT announcing 200 MB (then a little of it): cut on the header, nothing buffered.
    const huge = Buffer.concat([Buffer.from([0x10, 0x80, 0x80, 0x80, 0x60]), Buffer.alloc(64 * 1024)]);
    // PUBLISH first, announcing 1 MB.
    const publishFirst = Buffer.concat([Buffer.from([0x30, 0x80, 0x80, 0x40]), Buffer.alloc(1024)]);
    // A five-byte remaining length (§2.2.3 allows four).
    const badLength = Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x01]);
    const rssBefore = process.memoryUsage().rss;
    const outcomes = await Promise.all([huge, publishFirst, badLength].flatMap((b) => Array.from({ length: 10 }, () => rawSend(port, b))));
    expect(outcomes.every((o) => o === 'closed')).toBe(true);
    expect(broker.stats().packetsRefused - before.packetsRefused).toBe(30);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(50 * 1024 * 1024);
    // After sign-in, a packet may be as large as the largest tally, not more.
    const small = new EmbeddedBroker({ users: MATRIX_USERS, port: 0, host: '127.0.0.1', logger, maxPacketBytes: 64 * 1024 });
    const url = `mqtt://127.0.0.1:${(await small.start()).port}`;
    try {
      expect(await tryPublish(url, 'bridge-w1', 'hailong/v1/d1/w1/c1/t1/tally/2026-11', Buffer.alloc(60 * 1024, 0x61), true)).toBe(
        'puback',
      );
      expect(await tryPublish(url, 'bridge-w1', 'hailong/v1/d1/w1/c1/t1/tally/2026-11', Buffer.alloc(70 * 1024, 0x61), true)).toBe(
        'disconnect',
      );
      expect(small.stats().packetsRefused).toBe(1);
    } finally {
      await small.stop();
    }
  });

  it('item 4: a client that never sends CONNECT is closed after connectTimeoutMs', async () => {
    const quick = new EmbeddedBroker({ users: MATRIX_USERS, port: 0, host: '127.0.0.1', logger, connectTimeoutMs: 300 });
    const { port } = await quick.start();
    try {
      const started = Date.now();
      expect(await rawSend(port, Buffer.alloc(0), 5000)).toBe('closed');
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await quick.stop();
    }
  });

  it('item 4: caps connections and their rate per address, and shuts out an address that keeps guessing passwords', async () => {
    // No trusted addresses: the test's loopback stands for a LAN client.
    const door = new EmbeddedBroker({
      users: MATRIX_USERS,
      port: 0,
      host: '127.0.0.1',
      logger,
      trustedAddresses: [],
      connectBurst: 20,
      connectsPerSecond: 5,
      authFailuresPerMinute: 10,
    });
    const url = `mqtt://127.0.0.1:${(await door.start()).port}`;
    try {
      const codes = await Promise.all(Array.from({ length: 60 }, () => attempt(url, 'dash-w1')));
      expect(codes.filter((c) => c === 0).length).toBeLessThanOrEqual(21);
      expect(door.stats().connectsThrottled).toBeGreaterThanOrEqual(39);
      await new Promise((r) => setTimeout(r, 3000)); // 15 tokens back
      const wrong = [];
      for (let i = 0; i < 10; i++) wrong.push(await attempt(url, undefined, { username: 'dash-w1', password: `guess-${i}` }));
      expect(wrong).toEqual(Array(10).fill(5));
      expect(door.stats().connectsRefused).toBe(10);
      // Ten wrong passwords in a minute: even the right one is refused at the door now (no CONNACK at all).
      expect(await attempt(url, 'dash-w1')).toBe(-1);
      expect(door.stats().connectsRefused).toBe(10);
    } finally {
      await door.stop();
    }
  });
});

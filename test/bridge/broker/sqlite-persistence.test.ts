/**
 * The embedded broker's SQLite persistence: what a durable subscriber and
 * the retained state keep across a restart of the broker on the same file
 * (the kill -9 fault test is sqlite-persistence.e2e.test.ts).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { bridgeClientId } from '../../../core/client-id.ts';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../../../bridge/broker/embedded-broker.ts';
import { SqlitePersistence } from '../../../bridge/broker/sqlite-persistence.ts';
import { tempDir } from '../bridge-rig.ts';

const logger = pino({ level: 'silent' });
const users = [{ username: 'bridge-w1', password: 'secret', role: 'bridge', district: 'd1', ward: 'w1' }] as const;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startBroker(path: string | undefined): Promise<{ broker: EmbeddedBroker; url: string }> {
  const broker = new EmbeddedBroker({
    users,
    anonymous: 'read',
    port: 0,
    host: '127.0.0.1',
    logger,
    ...(path === undefined ? {} : { persistencePath: path }),
  });
  const { port } = await broker.start();
  cleanups.push(() => broker.stop());
  return { broker, url: `mqtt://127.0.0.1:${port}` };
}

async function publisher(url: string): Promise<MqttClient> {
  // A bridge account may only use its ward's client id prefix (issue 13, item 7).
  return mqtt.connectAsync(url, {
    username: 'bridge-w1',
    password: 'secret',
    clientId: bridgeClientId({ district: 'd1', ward: 'w1' }, 'publisher'),
    reconnectPeriod: 0,
  });
}

/** Connects the durable subscriber `sub-1` and records what it gets until `close`. */
async function durable(url: string, subscribe: boolean): Promise<{ client: MqttClient; got: string[]; sessionPresent: boolean }> {
  const got: string[] = [];
  const client = mqtt.connect(url, { clientId: 'sub-1', clean: false, reconnectPeriod: 0 });
  client.on('message', (_t, payload) => got.push(payload.toString()));
  const connack = await new Promise<{ sessionPresent: boolean }>((ok, fail) => {
    client.once('connect', ok);
    client.once('error', fail);
  });
  if (subscribe) await client.subscribeAsync('hailong/v1/d1/w1/#', { qos: 1 });
  return { client, got, sessionPresent: connack.sessionPresent };
}

async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('EmbeddedBroker with persistencePath', () => {
  it("keeps a durable subscriber's session, its queued QoS 1 messages and the retained state across a restart", async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const path = join(tmp.dir, 'data', 'broker.db');
    const first = await startBroker(path);
    const sub = await durable(first.url, true);
    await sub.client.endAsync();
    const pub = await publisher(first.url);
    for (let i = 1; i <= 5; i++) await pub.publishAsync('hailong/v1/d1/w1/c1/t1/vote', `v${i}`, { qos: 1 });
    await pub.publishAsync('hailong/v1/d1/w1/_office', 'office', { qos: 1, retain: true });
    await pub.endAsync();
    await first.broker.stop();

    const second = await startBroker(path);
    // The bridge republishes after a restart before the subscriber is back: that is queued too.
    const pub2 = await publisher(second.url);
    await pub2.publishAsync('hailong/v1/d1/w1/c1/t1/vote', 'v6', { qos: 1 });
    await pub2.endAsync();
    const back = await durable(second.url, false);
    cleanups.push(() => back.client.endAsync(true));
    expect(back.sessionPresent).toBe(true);
    await waitFor(() => back.got.length >= 7, 'the queue');
    expect(back.got.filter((p) => p.startsWith('v'))).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
    expect(back.got).toContain('office');
    // Delivered and PUBACKed: a third start has nothing left to send, and the subscription is still there.
    await back.client.endAsync();
    await second.broker.stop();
    const third = await startBroker(path);
    const again = await durable(third.url, false);
    cleanups.push(() => again.client.endAsync(true));
    expect(again.sessionPresent).toBe(true);
    const pub3 = await publisher(third.url);
    await pub3.publishAsync('hailong/v1/d1/w1/c1/t1/vote', 'v7', { qos: 1 });
    await pub3.endAsync();
    await waitFor(() => again.got.includes('v7'), 'a live vote');
    expect(again.got).toEqual(['v7']);
  });

  it('without persistencePath a restart forgets the session (the memory default)', async () => {
    const first = await startBroker(undefined);
    const sub = await durable(first.url, true);
    await sub.client.endAsync();
    await first.broker.stop();
    const second = await startBroker(undefined);
    const back = await durable(second.url, false);
    cleanups.push(() => back.client.endAsync(true));
    expect(back.sessionPresent).toBe(false);
  });

  it('keeps at most maxQueued messages per session, counts the rest, and the bound survives a restart', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const path = join(tmp.dir, 'broker.db');
    const packet = (n: number) => ({
      cmd: 'publish',
      topic: 't',
      payload: Buffer.from(`m${n}`),
      qos: 1,
      retain: false,
      brokerId: 'b',
      brokerCounter: n,
    });
    const first = new SqlitePersistence(path, 2);
    await first.setup({ id: 'b' });
    for (let n = 1; n <= 3; n++) await first.outgoingEnqueueCombi([{ clientId: 'sub-1' }, { clientId: 'sub-2' }], packet(n));
    expect(first.dropped).toBe(2);
    await first.destroy();
    const second = new SqlitePersistence(path, 2);
    await second.setup({ id: 'b' });
    expect(second.loaded.queued).toBe(4);
    await second.outgoingEnqueue({ clientId: 'sub-1' }, packet(4));
    expect(second.dropped).toBe(1);
    const queue: string[] = [];
    for await (const p of second.outgoingStream({ id: 'sub-1' })) queue.push(String((p as { payload: Buffer }).payload));
    expect(queue).toEqual(['m1', 'm2']);
    await second.destroy();
  });

  it('an unreadable broker.db is set aside and the broker starts empty, saying so', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const path = join(tmp.dir, 'broker.db');
    writeFileSync(path, 'not a database '.repeat(400));
    const lines: string[] = [];
    const broker = new EmbeddedBroker({
      users,
      anonymous: 'read',
      port: 0,
      host: '127.0.0.1',
      persistencePath: path,
      logger: pino({ level: 'error' }, { write: (l: string) => void lines.push(l) }),
    });
    const { port } = await broker.start();
    cleanups.push(() => broker.stop());
    expect(readdirSync(tmp.dir).some((f) => f.startsWith('broker.db.unreadable-'))).toBe(true);
    expect(lines.join('')).toMatch(/could not be read .*starting with an empty one/);
    const back = await durable(`mqtt://127.0.0.1:${port}`, true);
    cleanups.push(() => back.client.endAsync(true));
    expect(back.sessionPresent).toBe(false);
  });
});

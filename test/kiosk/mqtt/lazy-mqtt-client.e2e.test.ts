/**
 * The kiosk's MQTT.js adapter against a real Mosquitto (over WebSocket, as
 * the kiosk connects), with the network cut by a proxy that drops every
 * byte (a pulled cable). Runs MQTT.js's Node build: the adapter is the same
 * code the browser runs; Chromium runs it in the kiosk e2e tests.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LinkState, Publication } from '../../../core/index.ts';
import { LazyMqttClient, type MqttClientOptions } from '../../../kiosk/src/mqtt/lazy-mqtt-client.ts';
import { startBlackholeProxy, type BlackholeProxy } from '../../helpers/blackhole-proxy.ts';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto.ts';

let broker: Mosquitto;
let locked: Mosquitto;
let proxy: BlackholeProxy;
let witness: MqttClient;
const received: { topic: string; payload: string }[] = [];
const clients: LazyMqttClient[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
  locked = await startMosquitto({ allowAnonymous: false });
  proxy = await startBlackholeProxy(broker.wsPort);
  witness = await mqtt.connectAsync(broker.url, { clientId: 'witness', protocolVersion: 4 });
  await witness.subscribeAsync('test/#', { qos: 1 });
  witness.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
}, 60_000);

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  proxy.restore();
});

afterAll(async () => {
  await witness?.endAsync(true);
  await proxy?.close();
  await broker?.dispose();
  await locked?.dispose();
});

function client(options: Partial<MqttClientOptions> & { clientId: string }): LazyMqttClient {
  const c = new LazyMqttClient({ url: `ws://127.0.0.1:${proxy.port}/mqtt`, minReconnectMs: 200, maxReconnectMs: 400, ...options });
  clients.push(c);
  return c;
}

function vote(payload: string): Publication {
  return { topic: 'test/vote', payload, qos: 1, retain: false } as Publication;
}

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const count = (payload: string) => received.filter((m) => m.payload === payload).length;

describe('LazyMqttClient (MQTT.js, real Mosquitto)', () => {
  it('resolves a publish on its PUBACK and rejects one while not connected', async () => {
    const c = client({ clientId: 'kiosk-a' });
    await expect(c.publish(vote('early'))).rejects.toThrow('not connected');
    c.start();
    await until(() => c.state === 'online', 'online');
    await c.publish(vote('a-1'));
    await until(() => count('a-1') === 1, 'the witness to get a-1');
    expect(count('early')).toBe(0);
  });

  it('does not send a vote again by itself after a drop: the outbox is the one resender (no double delivery)', async () => {
    const states: LinkState[] = [];
    const c = client({ clientId: 'kiosk-b', keepaliveSec: 1 });
    c.on('state', (s) => states.push(s));
    c.start();
    await until(() => c.state === 'online', 'online');
    proxy.cut();
    // In flight when the cable goes: MQTT.js keeps it for a resend after the reconnect (§4.4).
    const inFlight = c.publish(vote('b-lost'));
    await expect(inFlight).rejects.toThrow('connection lost before PUBACK');
    expect(c.state).not.toBe('online');
    proxy.restore();
    await until(() => c.state === 'online', 'online again');
    // What the outbox does after the reconnect: publish the unacknowledged row once more.
    await c.publish(vote('b-lost'));
    await c.publish(vote('b-after'));
    await until(() => count('b-after') === 1, 'the witness to get b-after');
    await new Promise((r) => setTimeout(r, 500));
    expect(count('b-lost')).toBe(1);
    expect(states).toContain('offline');
  }, 30_000);

  it('subscribes again after every CONNACK and gets its retained messages', async () => {
    await witness.publishAsync('test/config', 'cfg-1', { qos: 1, retain: true });
    const got: string[] = [];
    const c = client({ clientId: 'kiosk-c', keepaliveSec: 1, subscriptions: [{ topic: 'test/config', qos: 1 }] });
    c.on('message', (m) => got.push(`${m.topic}=${m.payload}${m.retain ? ' (retained)' : ''}`));
    c.start();
    await until(() => got.length === 1, 'the retained config');
    // The broker has our PUBACK of that copy once it answers a later packet of
    // ours (one connection, in order). Cut before it, and the broker rightly
    // sends the copy again on the resumed session (QoS 1): a third message
    // that is not the one under test (seen 2 times in 15 here).
    await c.publish(vote('c-sync'));
    proxy.cut();
    await until(() => c.state !== 'online', 'the drop');
    proxy.restore();
    await until(() => got.length >= 2, 'the retained config after the reconnect');
    expect(got).toEqual(['test/config=cfg-1 (retained)', 'test/config=cfg-1 (retained)']);
  }, 30_000);

  it('gives each connection a will of its own time', async () => {
    let n = 0;
    const will = () => ({ topic: 'test/will', payload: `will-${++n}`, qos: 1, retain: false }) as Publication;
    const c = client({ clientId: 'kiosk-d', keepaliveSec: 1, connectTimeoutMs: 1000, will });
    c.start();
    await until(() => c.state === 'online', 'online');
    proxy.cut();
    // The broker hears nothing for 1.5 × keepalive and fires the first connection's will.
    await until(() => count('will-1') === 1, 'the first will');
    proxy.restore();
    await until(() => c.state === 'online', 'online again');
    const current = `will-${n}`;
    expect(current).not.toBe('will-1');
    // The cable goes again: the broker fires the will made for the connection it had.
    proxy.cut();
    await until(() => count(current) === 1, `the will of the second connection (${current})`, 20_000);
    expect(count('will-1')).toBe(1);
  }, 40_000);

  it('reports refused credentials as "refused" with the reason, and keeps trying', async () => {
    const problems: string[] = [];
    const states: LinkState[] = [];
    const c = new LazyMqttClient({ url: locked.wsUrl, clientId: 'kiosk-e', minReconnectMs: 200, maxReconnectMs: 400 });
    clients.push(c);
    c.on('problem', (code, detail) => problems.push(`${code}: ${detail}`));
    c.on('state', (s) => states.push(s));
    c.start();
    await until(() => states.filter((s) => s === 'refused').length >= 2, 'two refused attempts');
    expect(problems[0]).toBe('connack: not authorized');
    expect(states.slice(0, 3)).toEqual(['connecting', 'refused', 'connecting']);
  }, 30_000);

  it('reports a library that cannot load, and loads it on a later try', async () => {
    let tries = 0;
    const problems: string[] = [];
    const c = client({
      clientId: 'kiosk-f',
      load: async () => {
        if (++tries === 1) throw new Error('Failed to fetch dynamically imported module');
        return mqtt.connect;
      },
    });
    const states: LinkState[] = [];
    c.on('problem', (code) => problems.push(code));
    c.on('state', (s) => states.push(s));
    c.start();
    await until(() => c.state === 'online', 'online after the second load');
    expect(problems).toEqual(['mqtt-load']);
    expect(tries).toBe(2);
    // The browser's "online" event while connected changes nothing.
    c.reconnectNow();
    await new Promise((r) => setTimeout(r, 300));
    expect(states).toEqual(['connecting', 'offline', 'connecting', 'online']);
  });

  it('counts a URL the browser refuses (new WebSocket throws) and tries again, never stuck connecting', async () => {
    let calls = 0;
    const problems: string[] = [];
    const c = client({
      clientId: 'kiosk-g',
      load: async () => (url, options) => {
        if (++calls === 1) throw new SyntaxError(`Failed to construct 'WebSocket': The URL '${url}' is invalid.`);
        return mqtt.connect(url, options);
      },
    });
    c.on('problem', (code) => problems.push(code));
    c.start();
    await until(() => c.state === 'online', 'online after the second try');
    expect(problems).toEqual(['bad-url']);
    expect(calls).toBe(2);
  });
});

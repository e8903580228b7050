/**
 * One behavioural matrix of broker rights, run against the embedded Aedes
 * broker and against a real Mosquitto configured by `hailong
 * mosquitto-config`: proof that both grant exactly the same rights.
 *
 * "Not delivered" is asserted without sleeping: after the refused action a
 * sentinel is published on a topic the watcher reads; a broker handles a
 * connection's packets in order, so once the sentinel has arrived anything
 * the broker had accepted earlier would have arrived too.
 *
 * Where the brokers react differently to the same refusal (MQTT 3.1.1 has no
 * negative PUBACK), the difference is part of `BrokerUnderTest` and asserted
 * too: Aedes closes the connection of a refused publish, Mosquitto 2.0
 * acknowledges and drops it; Aedes answers SUBACK 0x80 to a filter that can
 * match nothing readable, Mosquitto grants it and delivers nothing.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import type { BrokerUser } from '../../../bridge/broker/broker-user.ts';
import { ownKioskClientId } from '../../../bridge/broker/access.ts';
import { bridgeClientId } from '../../../core/client-id.ts';
import { collect, type Collector } from '../../helpers/mqtt-collector.ts';

/** A running broker and how it reacts to refusals. */
export interface BrokerUnderTest {
  /** `mqtt://…` or `ws://…/mqtt`, anonymous access `read`. */
  readonly url: string;
  /** The same accounts, with anonymous access `none`. */
  readonly strictUrl: string;
  /** What a client sees after a refused QoS 1 publish. */
  readonly refusedPublish: 'disconnect' | 'puback';
  /** SUBACK return code for a filter that can match nothing readable. */
  readonly refusedSubscribeCode: 128 | 1;
}

const D = 'hailong/v1/d1';
const W = `${D}/w1`;

/** The accounts both brokers are configured with (one sample ward plus neighbours). */
export const MATRIX_USERS: readonly BrokerUser[] = [
  { username: 'bridge-w1', password: 'bridge secret', role: 'bridge', district: 'd1', ward: 'w1' },
  { username: 'bridge-w2', password: 'b2', role: 'bridge', district: 'd1', ward: 'w2' },
  { username: 'bridge-d2', password: 'b3', role: 'bridge', district: 'd2', ward: 'w9' },
  // Quotes, spaces, $ and a leading dash: the password script must quote them right.
  { username: 'kiosk-t1', password: `-k p'w"$HOME\`x\``, role: 'kiosk', district: 'd1', ward: 'w1', counter: 'c1', terminal: 't1' },
  { username: 'desk-c1', password: 'd1', role: 'desk', district: 'd1', ward: 'w1', counter: 'c1' },
  { username: 'desk-all', password: 'd2', role: 'desk', district: 'd1', ward: 'w1' },
  { username: 'dash-d1', password: 'x1', role: 'dashboard', district: 'd1' },
  { username: 'dash-w1', password: 'x2', role: 'dashboard', district: 'd1', ward: 'w1' },
];

function user(name: string): BrokerUser {
  const found = MATRIX_USERS.find((u) => u.username === name);
  if (!found) throw new Error(`no matrix user ${name}`);
  return found;
}

let seq = 0;

/**
 * The client id an account may use: a kiosk its own, a bridge one under its
 * ward's prefix, others any unreserved id (core/client-id.ts); unique where the account allows.
 */
export function clientIdFor(username: string | undefined): string {
  const u = username === undefined ? undefined : user(username);
  const unique = `matrix-${process.pid}-${++seq}`;
  if (u?.role === 'kiosk') return ownKioskClientId(u);
  if (u?.role === 'bridge') return bridgeClientId({ district: u.district, ward: u.ward ?? '' }, unique);
  return unique;
}

/** MQTT.js options for `username` (undefined = anonymous); never reconnects, the account's client id. */
export function optionsFor(username: string | undefined, extra: IClientOptions = {}): IClientOptions {
  const creds = username === undefined ? {} : { username, password: user(username).password };
  return { clientId: clientIdFor(username), reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...creds, ...extra };
}

/** Connects; rejects with the CONNACK error (its `code`) when refused. */
export async function connect(url: string, username: string | undefined, extra: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, optionsFor(username, extra));
  client.on('error', () => undefined); // outcomes are asserted through close/ack, not error events
  return client;
}

/** The CONNACK return code of a connect attempt (0 = accepted). */
export async function connackCode(url: string, username: string | undefined, extra: IClientOptions = {}): Promise<number> {
  try {
    const client = await connect(url, username, extra);
    await client.endAsync(true);
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

/** Publishes once at QoS 1 on a fresh connection: 'puback' or 'disconnect'. */
export async function tryPublish(
  url: string,
  username: string | undefined,
  topic: string,
  payload: string | Buffer,
  retain = false,
): Promise<'puback' | 'disconnect'> {
  const client = await connect(url, username);
  try {
    return await new Promise<'puback' | 'disconnect'>((resolve, reject) => {
      client.once('close', () => resolve('disconnect'));
      client.publish(topic, payload, { qos: 1, retain }, (error) => (error ? reject(error) : resolve('puback')));
    });
  } finally {
    await client.endAsync(true);
  }
}

/**
 * SUBACK return codes for `filters` subscribed in one packet. MQTT.js rejects
 * the whole call when any code is 0x80, so read them from the error's packet.
 */
export async function subackCodes(client: MqttClient, filters: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filters, { qos: 1 })).map((g) => g.qos);
  } catch (error) {
    const packet = (error as { packet?: { granted?: (number | { qos: number })[] } }).packet;
    if (!packet?.granted) throw error;
    return packet.granted.map((g) => (typeof g === 'number' ? g : g.qos));
  }
}

/** A subscriber as `username`, on `filters`, recording everything (retained included). */
export async function watch(url: string, username: string | undefined, filter: string): Promise<Collector> {
  return collect(url, filter, optionsFor(username));
}

/** Publishes a unique sentinel on `topic` as `publisher` and waits until `watcher` has it. */
export async function settle(url: string, watcher: Collector, publisher: string, topic: string): Promise<void> {
  const payload = `sentinel-${++seq}`;
  expect(await tryPublish(url, publisher, topic, payload)).toBe('puback');
  await watcher.waitFor((m) => m.some((x) => x.payload === payload), 10_000, `sentinel on ${topic}`);
}

/** Topics of the live (not retained) messages a watcher got, sentinels left out. */
function liveTopicsOf(c: Collector): string[] {
  return c.messages.filter((m) => !m.retain && !m.payload.startsWith('sentinel-')).map((m) => m.topic);
}

/** Topics of every message a watcher got, sentinels left out. */
function topicsOf(c: Collector): string[] {
  return c.messages.filter((m) => !m.payload.startsWith('sentinel-')).map((m) => m.topic);
}

/** Registers the matrix as vitest cases; `broker()` is read when each case runs. */
export function defineAccessMatrix(broker: () => BrokerUnderTest): void {
  describe('access matrix', () => {
    it('refuses a wrong password and an unknown user with CONNACK 5; accepts the right one', async () => {
      const { url } = broker();
      expect(await connackCode(url, 'dash-d1')).toBe(0);
      expect(await connackCode(url, undefined, { username: 'dash-d1', password: 'wrong' })).toBe(5);
      expect(await connackCode(url, undefined, { username: 'nobody', password: 'x1' })).toBe(5);
      expect(await connackCode(url, undefined, { username: 'dash-d1' })).toBe(5);
    });

    it('anonymous "none" refuses a client without credentials; accounts still connect', async () => {
      const { strictUrl } = broker();
      expect(await connackCode(strictUrl, undefined)).toBe(5);
      expect(await connackCode(strictUrl, 'kiosk-t1')).toBe(0);
    });

    it('anonymous "read" reads every district and publishes nothing', async () => {
      const b = broker();
      const anon = await watch(b.url, undefined, 'hailong/v1/#');
      try {
        expect(await tryPublish(b.url, 'bridge-d2', 'hailong/v1/d2/w9/_office', 'd2 office')).toBe('puback');
        expect(await tryPublish(b.url, undefined, `${W}/_office`, 'anonymous office')).toBe(b.refusedPublish);
        await settle(b.url, anon, 'bridge-w1', `${W}/_bridge/status`);
        expect(anon.messages.map((m) => m.payload)).toContain('d2 office');
        expect(anon.messages.map((m) => m.payload)).not.toContain('anonymous office');
      } finally {
        await anon.close();
      }
    });

    it('a kiosk publishes its own vote and status, and nothing else: not even its own tally', async () => {
      const b = broker();
      const ward = await watch(b.url, 'bridge-w1', `${W}/#`);
      try {
        for (const leaf of ['vote', 'status']) {
          expect(await tryPublish(b.url, 'kiosk-t1', `${W}/c1/t1/${leaf}`, `own ${leaf}`)).toBe('puback');
        }
        // The bridge is the only tally publisher (issue 13: a stolen kiosk login must not set its figures).
        expect(await tryPublish(b.url, 'kiosk-t1', `${W}/c1/t1/tally/2025-03`, 'forged tally', true)).toBe(b.refusedPublish);
        // Nor its receipt: only the bridge says which votes it journaled (a forged one would make the kiosk forget votes).
        expect(await tryPublish(b.url, 'kiosk-t1', `${W}/c1/t1/receipt`, 'forged receipt', true)).toBe(b.refusedPublish);
        for (const topic of [
          `${W}/c1/t2/vote`,
          `${W}/c2/t1/vote`,
          `${W}/c1/t1/config`,
          `${W}/c1/_served`,
          `${W}/_office`,
          'hailong/v1/d1/w2/c1/t1/vote',
        ]) {
          expect(await tryPublish(b.url, 'kiosk-t1', topic, `forbidden ${topic}`), topic).toBe(b.refusedPublish);
        }
        await settle(b.url, ward, 'bridge-w1', `${W}/_bridge/status`);
        expect(liveTopicsOf(ward).sort()).toEqual([`${W}/c1/t1/status`, `${W}/c1/t1/vote`]);
      } finally {
        await ward.close();
      }
    });

    it('a kiosk reads its terminal, its counter events and the office, live and retained', async () => {
      const b = broker();
      const readable = [`${W}/c1/t1/config`, `${W}/c1/_session`, `${W}/_office`];
      // (`_bridge/status` is never retained in this matrix: other cases use it for sentinels.)
      const unreadable = [`${W}/c1/t2/config`, `${W}/c2/_session`, `${W}/c2/t1/status`];
      for (const topic of [...readable, ...unreadable]) {
        expect(await tryPublish(b.url, 'bridge-w1', topic, `retained ${topic}`, true)).toBe('puback');
      }
      const kiosk = await watch(b.url, 'kiosk-t1', 'hailong/v1/#');
      try {
        expect(await tryPublish(b.url, 'desk-all', `${W}/c1/_served`, 'served c1')).toBe('puback');
        expect(await tryPublish(b.url, 'desk-all', `${W}/c2/_served`, 'served c2')).toBe('puback');
        await settle(b.url, kiosk, 'bridge-w1', `${W}/c1/t1/config`);
        expect(new Set(topicsOf(kiosk))).toEqual(new Set([...readable, `${W}/c1/_served`]));
      } finally {
        await kiosk.close();
      }
    });

    it('a desk publishes _served/_session of its counter (or every counter) and reads its ward', async () => {
      const b = broker();
      const desk = await watch(b.url, 'desk-c1', 'hailong/v1/#');
      try {
        expect(await tryPublish(b.url, 'desk-c1', `${W}/c1/_served`, 'c1 served')).toBe('puback');
        expect(await tryPublish(b.url, 'desk-c1', `${W}/c1/_session`, 'c1 session')).toBe('puback');
        expect(await tryPublish(b.url, 'desk-c1', `${W}/c2/_served`, 'c2 by desk-c1')).toBe(b.refusedPublish);
        expect(await tryPublish(b.url, 'desk-c1', `${W}/c1/t1/vote`, 'vote by desk')).toBe(b.refusedPublish);
        expect(await tryPublish(b.url, 'desk-all', `${W}/c2/_served`, 'c2 by desk-all')).toBe('puback');
        expect(await tryPublish(b.url, 'desk-all', 'hailong/v1/d1/w2/c2/_served', 'w2 by desk-all')).toBe(b.refusedPublish);
        expect(await tryPublish(b.url, 'bridge-w1', `${W}/c7/t7/vote`, 'vote c7')).toBe('puback');
        expect(await tryPublish(b.url, 'bridge-w2', 'hailong/v1/d1/w2/_office', 'w2 office')).toBe('puback');
        await settle(b.url, desk, 'bridge-w1', `${W}/_bridge/status`);
        const payloads = desk.messages.map((m) => m.payload);
        expect(payloads).toEqual(expect.arrayContaining(['c1 served', 'c1 session', 'c2 by desk-all', 'vote c7']));
        for (const p of ['c2 by desk-c1', 'vote by desk', 'w2 by desk-all', 'w2 office']) expect(payloads).not.toContain(p);
      } finally {
        await desk.close();
      }
    });

    it('a district dashboard subscribed to hailong/v1/# receives only its district, and cannot publish', async () => {
      const b = broker();
      expect(await tryPublish(b.url, 'bridge-d2', 'hailong/v1/d2/w9/_office', 'retained d2', true)).toBe('puback');
      expect(await tryPublish(b.url, 'bridge-w2', 'hailong/v1/d1/w2/_office', 'retained w2', true)).toBe('puback');
      const district = await watch(b.url, 'dash-d1', 'hailong/v1/#');
      const ward = await watch(b.url, 'dash-w1', 'hailong/v1/#');
      try {
        expect(await tryPublish(b.url, 'bridge-d2', 'hailong/v1/d2/w9/c1/t1/vote', 'live d2')).toBe('puback');
        expect(await tryPublish(b.url, 'bridge-w2', 'hailong/v1/d1/w2/c1/t1/vote', 'live w2')).toBe('puback');
        expect(await tryPublish(b.url, 'bridge-w1', `${W}/c1/t1/vote`, 'live w1')).toBe('puback');
        expect(await tryPublish(b.url, 'dash-d1', `${W}/_office`, 'office by dashboard', true)).toBe(b.refusedPublish);
        expect(await tryPublish(b.url, 'dash-w1', `${W}/c1/_served`, 'served by dashboard')).toBe(b.refusedPublish);
        await settle(b.url, district, 'bridge-w1', `${W}/_bridge/status`);
        await settle(b.url, ward, 'bridge-w1', `${W}/_bridge/status`);
        const got = district.messages.map((m) => m.payload);
        expect(got).toEqual(expect.arrayContaining(['retained w2', 'live w2', 'live w1']));
        for (const p of ['retained d2', 'live d2', 'office by dashboard', 'served by dashboard']) expect(got).not.toContain(p);
        expect(district.messages.every((m) => m.topic.startsWith(`${D}/`))).toBe(true);
        expect(ward.messages.every((m) => m.topic.startsWith(`${W}/`))).toBe(true);
        expect(ward.messages.map((m) => m.payload)).toContain('live w1');
      } finally {
        await district.close();
        await ward.close();
      }
    });

    it('a bridge writes its own ward only, and nobody writes or reads $SYS', async () => {
      const b = broker();
      const anon = await watch(b.url, undefined, 'hailong/v1/#');
      try {
        expect(await tryPublish(b.url, 'bridge-w1', `${W}/anything/at/all`, 'own ward')).toBe('puback');
        expect(await tryPublish(b.url, 'bridge-w1', 'hailong/v1/d1/w2/_office', 'other ward')).toBe(b.refusedPublish);
        expect(await tryPublish(b.url, 'bridge-w1', '$SYS/hailong', 'sys')).toBe(b.refusedPublish);
        await settle(b.url, anon, 'bridge-w1', `${W}/_bridge/status`);
        expect(anon.messages.map((m) => m.payload)).toContain('own ward');
        expect(anon.messages.map((m) => m.payload)).not.toContain('other ward');
      } finally {
        await anon.close();
      }
      const sys = await connect(b.url, 'bridge-w1');
      try {
        const seen: string[] = [];
        sys.on('message', (topic) => seen.push(topic));
        expect(await subackCodes(sys, ['$SYS/#', `${W}/_bridge/status`])).toEqual([b.refusedSubscribeCode, 1]);
        // Both brokers publish $SYS news on connects (Aedes: new/clients; Mosquitto: retained $SYS/broker/…).
        await (await connect(b.url, 'dash-d1')).endAsync(true);
        const payload = `sentinel-${++seq}`;
        expect(await tryPublish(b.url, 'bridge-w1', `${W}/_bridge/status`, payload)).toBe('puback');
        const deadline = Date.now() + 10_000;
        while (!seen.includes(`${W}/_bridge/status`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(seen).toEqual([`${W}/_bridge/status`]);
      } finally {
        await sys.endAsync(true);
      }
    });

    it('a filter matching nothing readable delivers nothing (SUBACK per broker)', async () => {
      const b = broker();
      const dash = await connect(b.url, 'dash-w1');
      try {
        const seen: string[] = [];
        dash.on('message', (_topic, payload) => seen.push(payload.toString()));
        expect(await subackCodes(dash, ['hailong/v1/d1/w2/#', 'hailong/v1/d2/#', `${W}/_bridge/status`])).toEqual([
          b.refusedSubscribeCode,
          b.refusedSubscribeCode,
          1,
        ]);
        expect(await tryPublish(b.url, 'bridge-w2', 'hailong/v1/d1/w2/_office', 'w2 again')).toBe('puback');
        expect(await tryPublish(b.url, 'bridge-d2', 'hailong/v1/d2/w9/_office', 'd2 again')).toBe('puback');
        const payload = `sentinel-${++seq}`;
        expect(await tryPublish(b.url, 'bridge-w1', `${W}/_bridge/status`, payload)).toBe('puback');
        const deadline = Date.now() + 10_000;
        while (!seen.includes(payload) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(seen).toEqual([payload]);
      } finally {
        await dash.endAsync(true);
      }
    });

    it("a kiosk's last will is delivered on its own status topic only", async () => {
      const b = broker();
      const ward = await watch(b.url, 'bridge-w1', `${W}/#`);
      try {
        for (const [topic, payload] of [
          [`${W}/c1/t2/status`, 'foreign will'],
          [`${W}/c1/t1/status`, 'own will'],
        ] as const) {
          const kiosk = await connect(b.url, 'kiosk-t1', { will: { topic, payload: Buffer.from(payload), qos: 1, retain: false } });
          // An unclean loss of the connection (not DISCONNECT) triggers the will.
          kiosk.stream.destroy();
          await new Promise<void>((r) => (kiosk.connected ? kiosk.once('close', () => r()) : r()));
          await kiosk.endAsync(true);
        }
        await ward.waitFor((m) => m.some((x) => x.payload === 'own will'), 10_000, 'the own will');
        await settle(b.url, ward, 'bridge-w1', `${W}/_bridge/status`);
        expect(ward.messages.map((m) => m.payload)).not.toContain('foreign will');
      } finally {
        await ward.close();
      }
    });
  });
}

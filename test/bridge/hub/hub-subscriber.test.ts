/**
 * HubSubscriber at its seam (a real Aedes on loopback, a fake archive): it is
 * ready only once the broker acknowledged its subscription, and `stop()`
 * never closes the connection while a SUBSCRIBE is in flight, because NATS
 * 2.9 deletes a persistent session's consumers (and what they held) when that
 * happens (see bridge/hub/hub-subscriber.ts).
 */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubArchive } from '../../../bridge/hub/hub-archive.ts';
import { HubSubscriber } from '../../../bridge/hub/hub-subscriber.ts';
import { freePort } from '../../helpers/ports.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * An Aedes broker that answers every SUBSCRIBE `delayMs` late (and every
 * CONNECT `connackDelayMs` late), recording what happened in order.
 */
async function slowSubackBroker(delayMs: number, connackDelayMs = 0): Promise<{ url: string; events: string[] }> {
  const events: string[] = [];
  const aedes = await Aedes.createBroker({
    authenticate: (_client, _username, _password, callback) => {
      events.push('connect');
      setTimeout(() => callback(null, true), connackDelayMs);
    },
    authorizeSubscribe: (_client, sub, callback) => {
      events.push(`subscribe ${sub.topic}`);
      setTimeout(() => {
        events.push('suback');
        callback(null, sub);
      }, delayMs);
    },
  });
  aedes.on('clientDisconnect', () => events.push('disconnect'));
  const server: Server = createServer(aedes.handle);
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        aedes.close();
      }),
  );
  return { url: `mqtt://127.0.0.1:${port}`, events };
}

function subscriber(url: string): HubSubscriber {
  return new HubSubscriber({
    urls: [url],
    username: 'hub',
    password: 'pw',
    clientId: 'hailong-hub-test',
    scope: { parent: 'ba-dinh', parentName: 'Quận Ba Đình', units: new Map(), retainMonths: 2 },
    archive: { store: () => Promise.resolve('stored') } as unknown as HubArchive,
    log: pino({ level: 'silent' }),
  });
}

describe('HubSubscriber and its SUBACK', () => {
  it('is ready only after the broker acknowledged the subscription', async () => {
    const broker = await slowSubackBroker(400);
    const hub = subscriber(broker.url);
    cleanups.push(() => hub.stop());
    await hub.start();
    expect(broker.events).toEqual(['connect', 'subscribe hailong/v1/ba-dinh/#', 'suback']);
  });

  it('waits for a CONNACK 12 s late instead of abandoning the CONNECT the broker is still answering', async () => {
    // A NATS node restoring the session after another node died; closing now could cost the session's consumers.
    const broker = await slowSubackBroker(0, 12_000);
    const hub = subscriber(broker.url);
    cleanups.push(() => hub.stop());
    const started = Date.now();
    await hub.start();
    // Abandoned at each timeout, the CONNECT starts again and never ends: the events then show several.
    while (!broker.events.includes('suback') && Date.now() - started < 25_000) await new Promise((r) => setTimeout(r, 20));
    expect(Date.now() - started).toBeGreaterThanOrEqual(12_000);
    expect(broker.events).toEqual(['connect', 'subscribe hailong/v1/ba-dinh/#', 'suback']);
  }, 30_000);

  it('lets a SUBSCRIBE in flight finish before it disconnects', async () => {
    const broker = await slowSubackBroker(400);
    const hub = subscriber(broker.url);
    const started = hub.start();
    // Stop as soon as the SUBSCRIBE reached the broker, before its SUBACK.
    while (!broker.events.includes('subscribe hailong/v1/ba-dinh/#')) await new Promise((r) => setTimeout(r, 5));
    await hub.stop();
    await started;
    await new Promise((r) => setTimeout(r, 50));
    expect(broker.events).toEqual(['connect', 'subscribe hailong/v1/ba-dinh/#', 'suback', 'disconnect']);
  });
});

/**
 * The hub on a real Mosquitto started from exactly the files
 * `hailong mosquitto-config --config hub.yaml` generates: the hub archives
 * through a persistent session (votes sent while it is down arrive when it
 * returns, each stored once), and the generated ACL keeps each unit in its
 * own subtree.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { revocationMessages } from '../../../core/revocation.ts';
import { publicationFor } from '../../../core/topic-payload.ts';
import { hubMosquittoInputs } from '../../../bridge/commands/hub-mosquitto-config.ts';
import { HubApp } from '../../../bridge/hub/hub-app.ts';
import type { HubConfig } from '../../../bridge/hub/hub-config.ts';
import { hubClientId, upstreamClientId } from '../../../core/client-id.ts';
import { startGeneratedMosquitto, type GeneratedMosquitto } from '../broker/generated-mosquitto.ts';
import { hubConfig, tally, vote, voteTopic } from './hub-fixtures.ts';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A temp folder with the hub's config, and a real Mosquitto started from
 * exactly the files `hailong mosquitto-config` generates for it; `config`
 * points the hub at that broker. Both are removed after the test.
 */
async function generatedBroker(): Promise<{ broker: GeneratedMosquitto; config: HubConfig }> {
  const dir = mkdtempSync(join(tmpdir(), 'hailong-hub-mosq-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const base = hubConfig(dir, { mqtt: { urls: ['mqtt://127.0.0.1:1'], username: 'hailong-hub', password: 'pw-hub' } });
  const derived = hubMosquittoInputs(base, 9001);
  if (!derived.ok) throw new Error(derived.problems.join('; '));
  const broker = await startGeneratedMosquitto(derived.inputs.users, 'none', 'standalone', derived.inputs.clientIds);
  cleanups.push(() => broker.dispose());
  return { broker, config: { ...base, mqtt: { ...base.mqtt, urls: [broker.url] } } };
}

/** Unit `ward` connected with its upstream link's id (upstream.ts), the only one its account may use; closed after the test. */
async function connectUnit(broker: GeneratedMosquitto, ward: string, options: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> {
  const client = await mqtt.connectAsync(broker.url, {
    username: ward,
    password: `pw-${ward}`,
    clientId: upstreamClientId({ district: 'ba-dinh', ward }, `pw-${ward}`),
    ...options,
  });
  cleanups.push(() => client.endAsync(true));
  return client;
}

/** `ward`'s votes with these seqs, each PUBACKed before the next. */
async function publishVotes(client: mqtt.MqttClient, ward: string, seqs: Iterable<number>): Promise<void> {
  for (const seq of seqs) {
    const v = vote(ward, seq);
    await client.publishAsync(voteTopic(v), JSON.stringify(v), { qos: 1 });
  }
}

/** `from`..`to`. */
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the hub on a generated Mosquitto', () => {
  it('archives through a persistent session, and the ACL keeps each unit to itself', async () => {
    const { broker, config } = await generatedBroker();
    const startHub = async () => {
      const app = new HubApp({ config, log, version: 'test' });
      const states = await app.start();
      expect(Object.fromEntries(states)).toMatchObject({ archive: 'running', subscriber: 'running' });
      return app;
    };
    let hub = await startHub();
    cleanups.push(() => hub.stop());

    const phucXa = await connectUnit(broker, 'phuc-xa');
    const spied: string[] = [];
    phucXa.on('message', (t) => spied.push(t));
    await phucXa.subscribeAsync('hailong/v1/ba-dinh/truc-bach/#', { qos: 1 }); // Mosquitto grants it, delivers nothing
    await publishVotes(phucXa, 'phuc-xa', range(1, 100));
    await until(() => hub.archive.voteCount() === 100, '100 votes archived');

    // Forgery under another unit: Mosquitto acknowledges and drops it.
    const forged = vote('truc-bach', 1);
    await phucXa.publishAsync(voteTopic(forged), JSON.stringify(forged), { qos: 1 });
    await phucXa.publishAsync('hailong/v1/ba-dinh/truc-bach/quay-1/hop-1/tally/2026-11', JSON.stringify(tally('truc-bach', '2026-11')), {
      qos: 1,
      retain: true,
    });
    const truc = await connectUnit(broker, 'truc-bach');
    await publishVotes(truc, 'truc-bach', [7]);
    await until(() => hub.archive.voteCount() === 101, "truc-bach's own vote archived");
    expect(hub.archive.voteKeys().filter((k) => k.startsWith('truc-bach/'))).toEqual(['truc-bach/hop-1:7']);
    expect(hub.archive.retained().filter((r) => r.topic.includes('/truc-bach/'))).toEqual([]);
    expect(spied).toEqual([]);

    // The hub is down while the unit keeps forwarding: its session holds the votes.
    await hub.stop();
    await publishVotes(phucXa, 'phuc-xa', range(101, 200));
    hub = await startHub();
    await until(() => hub.archive.voteCount() === 201, 'the votes sent while the hub was down');
    const keys = hub.archive.voteKeys();
    expect(new Set(keys).size).toBe(201);
  });

  it("a unit's login cannot take another unit's session or the hub's (issue 13, item 7): each account is bound to its own id", async () => {
    const { broker, config } = await generatedBroker();
    const hub = new HubApp({ config, log, version: 'test' });
    expect(Object.fromEntries(await hub.start())).toMatchObject({ subscriber: 'running' });
    cleanups.push(() => hub.stop());

    const phucXaId = upstreamClientId({ district: 'ba-dinh', ward: 'phuc-xa' }, 'pw-phuc-xa');
    const phucXa = await connectUnit(broker, 'phuc-xa', { reconnectPeriod: 0 });
    let phucXaClosed = false;
    phucXa.on('close', () => (phucXaClosed = true));
    const refused = async (clientId: string) => {
      try {
        const thief = await mqtt.connectAsync(broker.url, {
          username: 'truc-bach',
          password: 'pw-truc-bach',
          clientId,
          reconnectPeriod: 0,
          connectTimeout: 5000,
        });
        await thief.endAsync(true);
        return 0;
      } catch (error) {
        return (error as { code?: number }).code ?? -1;
      }
    };
    // truc-bach's password is stolen: neither phuc-xa's id nor the hub's (whose session queues the votes) is accepted.
    expect(await refused(phucXaId)).toBe(5);
    expect(await refused(hubClientId('ba-dinh', 'pw-hub'))).toBe(5);
    expect(await refused('hailong-hub-ba-dinh')).toBe(5);
    expect(await refused(upstreamClientId({ district: 'ba-dinh', ward: 'truc-bach' }, 'pw-truc-bach'))).toBe(0);

    // Both sessions survived: phuc-xa still publishes, and the hub still archives it.
    await publishVotes(phucXa, 'phuc-xa', [1]);
    await until(() => hub.archive.voteCount() === 1, "phuc-xa's vote archived");
    expect(phucXaClosed).toBe(false);
    expect(broker.log()).not.toMatch(/already connected, closing old connection/);
  });

  it("archives revocations through the persistent session, and the ACL keeps a unit from revoking another's votes", async () => {
    const { broker, config } = await generatedBroker();
    let hub = new HubApp({ config, log, version: 'test' });
    await hub.start();
    cleanups.push(() => hub.stop());
    const revocation = (unit: string, seqs: number[], id: number) => {
      const ward = { district: 'ba-dinh', ward: unit };
      return publicationFor(
        'revocation',
        ward,
        revocationMessages(ward, {
          id,
          at: Date.UTC(2026, 10, 20),
          by: 'Trần Văn Bình',
          reason: 'Bấm thử',
          terminal: 'hop-1',
          votes: seqs.map((s) => `hop-1:${s}`),
        })[0]!,
      );
    };
    const truc = await connectUnit(broker, 'truc-bach');
    await publishVotes(truc, 'truc-bach', [1, 2, 3]);
    // phuc-xa tries to revoke truc-bach's votes: Mosquitto acknowledges and drops it.
    const phucXa = await connectUnit(broker, 'phuc-xa');
    const forged = revocation('truc-bach', [1, 2, 3], 1);
    await phucXa.publishAsync(forged.topic, forged.payload, { qos: 1 });
    // truc-bach's own revocation, sent while the hub is down, arrives from the session when it returns.
    await until(() => hub.archive.voteCount() === 3, "truc-bach's votes archived");
    await hub.stop();
    const own = revocation('truc-bach', [2], 5);
    await truc.publishAsync(own.topic, own.payload, { qos: 1 });
    hub = new HubApp({ config, log, version: 'test' });
    await hub.start();
    await until(() => hub.archive.revokedKeys().length > 0, "truc-bach's revocation archived");
    expect(hub.archive.revokedKeys()).toEqual(['truc-bach/hop-1:2']);
    expect([...hub.archive.rowsPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((r) => r.revocation)).toEqual([null, 5, null]);
  });
});

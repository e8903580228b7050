/**
 * The hub's archive receipts close the window between a broker's PUBACK and
 * the hub's archive (docs/PROVINCE.md, "Receipts close the window"): on a
 * real 3-node NATS cluster from the generated configs, a ward forwards
 * votes while the hub is down, the broker acknowledges them, and then the
 * hub's session is thrown away with everything queued for it (a clean
 * session under the hub's client id — what nats-server 2.9.10 also does by
 * itself when a hub's connection closes while its consumers are being set
 * up). The restarted hub publishes its receipts; the ward sees those votes
 * missing and forwards them again after its grace: the archive ends up with
 * exactly the journal's votes, 0 lost, 0 duplicated. The same on a real
 * Mosquitto from the generated dynsec files (a session discarded the same
 * way is what a restart without persistence, or `max_queued_messages`, does).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { hubMosquittoInputs } from '../../../bridge/commands/hub-mosquitto-config.ts';
import { HubApp } from '../../../bridge/hub/hub-app.ts';
import type { HubConfig } from '../../../bridge/hub/hub-config.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import { ArchiveWatch } from '../../../bridge/upstream/archive-watch.ts';
import { UpstreamLink } from '../../../bridge/upstream/upstream-link.ts';
import { VoteForwarder } from '../../../bridge/upstream/vote-forwarder.ts';
import { hubClientId, upstreamClientId } from '../../../core/client-id.ts';
import { startNatsCluster } from '../../helpers/nats-cluster.ts';
import { sharedTempDir, startGeneratedMosquitto } from '../broker/generated-mosquitto.ts';
import { tempDir, until } from '../bridge-rig.ts';
import { hubConfig } from './hub-fixtures.ts';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const GRACE_MS = 3000;

async function startHub(config: HubConfig): Promise<HubApp> {
  const app = new HubApp({ config, log, version: 'test', receiptEveryMs: 200 });
  const states = await app.start();
  expect(Object.fromEntries(states)).toMatchObject({ archive: 'running', subscriber: 'running', receipts: 'running' });
  return app;
}

/** A ward's upstream part as the bridge wires it (bridge/upstream/upstream.ts): link, forwarder, archive watch. */
function startWard(urls: readonly string[], ward = 'phuc-xa') {
  const tmp = tempDir(`hailong-ward-${ward}-`);
  cleanups.push(tmp.remove);
  const journal = new Journal({ path: join(tmp.dir, 'journal.db') });
  journal.open();
  cleanups.push(() => journal.close());
  // The unit's own upstream id: the generated Mosquitto binds it to the account.
  const clientId = upstreamClientId({ district: 'ba-dinh', ward }, `pw-${ward}`);
  const link = new UpstreamLink({ urls, clientId, username: ward, password: `pw-${ward}`, minBackoffMs: 50, maxBackoffMs: 500, log });
  cleanups.push(() => link.stop(200));
  const forwarder = new VoteForwarder(journal, link, log, { pollMs: 20 });
  const watch = new ArchiveWatch(journal, link, { district: 'ba-dinh', ward }, log, () => forwarder.rewind(), {
    graceMs: GRACE_MS,
    sweepMs: 250,
  });
  cleanups.push(() => {
    watch.stop();
    forwarder.stop();
  });
  forwarder.start();
  watch.start();
  link.start();
  let k = 0;
  const append = async (n: number) => {
    for (let i = 0; i < n; i++) {
      k++;
      await journal.append({
        uid: `HL-${ward}`,
        deviceSeq: k,
        path: { district: 'ba-dinh', ward, counter: 'quay-1', terminal: 'hop-1' },
        level: 'hai-long',
        pressedAt: Date.UTC(2026, 10, 20, 3) + k,
        receivedAt: Date.UTC(2026, 10, 20, 3) + k,
        source: 'button',
      });
    }
  };
  return { journal, link, watch, append, ids: () => Array.from({ length: k }, (_, i) => `${ward}/hop-1:${i + 1}`) };
}

/** A broker that a hub config points at, with the accounts `hailong mosquitto-config`/`nats-config` generate. */
type Broker = { readonly urls: readonly string[]; readonly config: HubConfig };

function baseConfig(dir: string): HubConfig {
  return hubConfig(dir, { mqtt: { urls: ['mqtt://127.0.0.1:1'], username: 'hailong-hub', password: 'pw-hub' } });
}

async function natsBroker(): Promise<Broker> {
  const tmp = tempDir('hailong-hub-receipts-');
  cleanups.push(tmp.remove);
  const base = baseConfig(tmp.dir);
  const derived = hubMosquittoInputs(base, 9001);
  if (!derived.ok) throw new Error(derived.problems.join('; '));
  const cluster = await startNatsCluster(derived.inputs.users);
  cleanups.push(() => cluster.dispose());
  await Promise.all([0, 1, 2].map((i) => cluster.healthy(i)));
  // The ward starts on another node than the hub: routes carry votes and receipts.
  return {
    urls: [cluster.urls[1]!, cluster.urls[2]!, cluster.urls[0]!],
    config: { ...base, mqtt: { ...base.mqtt, urls: [...cluster.urls] } },
  };
}

async function mosquittoBroker(): Promise<Broker> {
  const dir = await sharedTempDir('hailong-hub-receipts-mosq-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const base = baseConfig(dir);
  const derived = hubMosquittoInputs(base, 9001);
  if (!derived.ok) throw new Error(derived.problems.join('; '));
  const broker = await startGeneratedMosquitto(derived.inputs.users, 'none', 'standalone', derived.inputs.clientIds);
  cleanups.push(() => broker.dispose());
  return { urls: [broker.url], config: { ...base, mqtt: { ...base.mqtt, urls: [broker.url] } } };
}

describe.each([
  ['a 3-node NATS cluster', natsBroker],
  ['a generated Mosquitto', mosquittoBroker],
])('archive receipts on %s', (_name, makeBroker) => {
  it("votes the broker acknowledged and then lost with the hub's session are forwarded again: 0 lost, 0 duplicated", async () => {
    const { urls, config } = await makeBroker();
    let hub = await startHub(config);
    cleanups.push(() => hub.stop());
    const ward = startWard(urls);
    await ward.append(50);
    await until(() => hub.archive.voteCount() === 50, 30_000, '50 votes archived');
    // Steady state: the receipts name every forwarded vote, nothing is sent twice.
    await until(() => ward.journal.forwardQueue.unarchivedCount() === 0, 20_000, 'every forwarded vote named by a receipt');
    expect(ward.watch.stats().reforwarded).toBe(0);

    // The hub is down; the broker acknowledges the ward's votes into the hub's session...
    await hub.stop();
    await ward.append(100);
    await until(() => ward.journal.forwardQueue.backlog() === 0, 30_000, 'the broker acknowledging 100 votes');
    // ...and then loses them: a clean session under the hub's client id discards the session and its queue.
    const thief = await mqtt.connectAsync(config.mqtt.urls[0]!, {
      username: 'hailong-hub',
      password: 'pw-hub',
      clientId: hubClientId('ba-dinh', 'pw-hub'),
      clean: true,
      protocolVersion: 4,
    });
    await thief.endAsync();

    hub = await startHub(config);
    // Without receipts the archive would stay at 50 for ever: the broker has nothing left for the hub.
    await until(
      () => hub.archive.voteCount() === 150,
      GRACE_MS + 60_000,
      'the 100 lost votes forwarded again and archived',
      () => JSON.stringify({ archived: hub.archive.voteCount(), watch: ward.watch.stats(), backlog: ward.journal.forwardQueue.backlog() }),
    );
    const keys = hub.archive.voteKeys();
    expect(keys.length).toBe(150);
    expect([...keys].sort()).toEqual(ward.ids().sort());
    expect(ward.watch.stats().reforwarded).toBeGreaterThanOrEqual(100);
    await until(() => ward.journal.forwardQueue.unarchivedCount() === 0, 20_000, 'every vote named by a receipt at last');
  }, 180_000);
});

describe('archive receipts on the embedded broker', () => {
  it('name every forwarded vote (PUBACK there means archived): nothing is ever forwarded twice, across a hub restart', async () => {
    const tmp = tempDir('hailong-hub-receipts-embedded-');
    cleanups.push(tmp.remove);
    const config = hubConfig(tmp.dir);
    let hub = new HubApp({ config, log, version: 'test', receiptEveryMs: 200 });
    cleanups.push(() => hub.stop());
    expect(Object.fromEntries(await hub.start())).toMatchObject({ broker: 'running', receipts: 'running' });
    const url = hub.endpoints('127.0.0.1').broker?.url as string;
    const port = hub.endpoints('127.0.0.1').broker?.port as number;
    const ward = startWard([url]);
    await ward.append(50);
    await until(
      () => ward.journal.forwardQueue.unarchivedCount() === 0 && hub.archive.voteCount() === 50,
      20_000,
      'every vote named by a receipt',
    );
    await hub.stop();
    await ward.append(20);
    hub = new HubApp({ config: { ...config, broker: { ...config.broker, port } }, log, version: 'test', receiptEveryMs: 200 });
    await hub.start();
    await until(
      () => hub.archive.voteCount() === 70 && ward.journal.forwardQueue.unarchivedCount() === 0,
      30_000,
      '70 votes named by receipts',
    );
    // Past the grace with receipts flowing: still nothing sent twice.
    await new Promise((r) => setTimeout(r, GRACE_MS + 1000));
    expect(ward.watch.stats().reforwarded).toBe(0);
    expect(hub.archive.stats().duplicates).toBe(0);
    expect([...hub.archive.voteKeys()].sort()).toEqual(ward.ids().sort());
  }, 120_000);
});

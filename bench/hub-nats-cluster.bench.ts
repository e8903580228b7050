import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import type { BrokerUser } from '../bridge/broker/broker-user.ts';
import { HubArchive } from '../bridge/hub/hub-archive.ts';
import { HubSubscriber } from '../bridge/hub/hub-subscriber.ts';
import type { IngestDecision } from '../bridge/hub/hub-ingest.ts';
import { startGeneratedMosquitto } from '../test/bridge/broker/generated-mosquitto.ts';
import { startNatsCluster } from '../test/helpers/nats-cluster.ts';
import { formatNumber, percentile, printFigures } from './report.ts';

/**
 * Province scale (issue 11): the hub on a 3-node NATS JetStream cluster
 * (configs from `hailong nats-config`, MQTT streams and consumers R3),
 * side by side with the hub on one Mosquitto, in the same run.
 *
 * - Ingest: 10 units × 100 counters = 1,000 counters, each unit publishing
 *   QoS 1 on its own account with 50 votes in flight; the hub subscribes
 *   with its persistent session and acknowledges each vote after its
 *   archive commit (HubSubscriber). Latency = bridge publish → archive
 *   commit (the vote carries its publish time).
 * - Fail-over: a steady 100 votes/s; `kill -9` of the node the hub is
 *   connected to; time until the next vote is archived. (One Mosquitto has
 *   no other node: its units wait, journaled, until it is back.)
 */
const UNITS = 10;
const COUNTERS = 100;
const VOTES = 4000;
const IN_FLIGHT = 50;
const PARENT = 'gia-lai';
const log = pino({ level: process.env.BENCH_LOG ?? 'silent' });
const unitIds = Array.from({ length: UNITS }, (_, i) => `xa-${String(i + 1).padStart(2, '0')}`);
const users: BrokerUser[] = [
  { username: 'hailong-hub', password: 'pw-hub', role: 'dashboard', district: PARENT },
  ...unitIds.map((id): BrokerUser => ({ username: id, password: `pw-${id}`, role: 'bridge', district: PARENT, ward: id })),
];

let seq = 0;
function vote(unit: string, counter: number): { topic: string; payload: string } {
  seq += 1;
  const terminal = `hop-${counter}`;
  const at = Date.now();
  const payload = JSON.stringify({
    v: 1,
    id: `${terminal}:${seq}`,
    district: PARENT,
    ward: unit,
    counter: `quay-${counter}`,
    terminal,
    seq,
    level: seq % 7 === 0 ? 'khong-hai-long' : 'hai-long',
    pressedAt: at,
    receivedAt: at,
    source: 'button',
  });
  return { topic: `hailong/v1/${PARENT}/${unit}/quay-${counter}/${terminal}/vote`, payload };
}

interface Hub {
  archive: HubArchive;
  subscriber: HubSubscriber;
  latencies: number[];
  lastArchivedAt: number;
  stop(): Promise<void>;
}

async function startHub(urls: readonly string[]): Promise<Hub> {
  const dir = mkdtempSync(join(tmpdir(), 'hailong-bench-nats-hub-'));
  const archive = new HubArchive({ path: join(dir, 'archive.db') });
  archive.open();
  const hub: Hub = {
    archive,
    latencies: [],
    lastArchivedAt: 0,
    subscriber: undefined as unknown as HubSubscriber,
    async stop() {
      await hub.subscriber.stop();
      archive.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const onDecision = (d: IngestDecision): void => {
    if (d.record?.type !== 'vote') return;
    hub.lastArchivedAt = Date.now();
    hub.latencies.push(hub.lastArchivedAt - (JSON.parse(d.record.payload) as { receivedAt: number }).receivedAt);
  };
  hub.subscriber = new HubSubscriber({
    urls,
    username: 'hailong-hub',
    password: 'pw-hub',
    clientId: `hailong-hub-${PARENT}`,
    scope: {
      parent: PARENT,
      parentName: 'Tỉnh Gia Lai',
      units: new Map(unitIds.map((id) => [id, { name: `Xã ${id}`, target: 80 }])),
      retainMonths: 13,
    },
    archive,
    log,
    onDecision,
  });
  await hub.subscriber.start();
  return hub;
}

async function connectUnits(urls: readonly string[]): Promise<MqttClient[]> {
  const servers = urls.map((u) => ({ host: new URL(u).hostname, port: Number(new URL(u).port) }));
  return Promise.all(
    unitIds.map((id, i) =>
      // Units spread over the nodes, rotating on failure (upstream.urls).
      mqtt.connectAsync(urls[i % urls.length]!, {
        username: id,
        password: `pw-${id}`,
        clientId: `bench-${id}`,
        protocolVersion: 4,
        reconnectPeriod: 200,
        servers: [...servers.slice(i % servers.length), ...servers.slice(0, i % servers.length)],
      }),
    ),
  );
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** VOTES votes over 1,000 counters; returns votes/s archived and the p50/p99 latency. */
async function ingest(hub: Hub, clients: readonly MqttClient[]): Promise<{ perSecond: number; p50: number; p99: number }> {
  hub.latencies.length = 0;
  const before = hub.archive.voteCount();
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < VOTES) {
      const i = next++;
      const u = i % UNITS;
      const v = vote(unitIds[u]!, (Math.floor(i / UNITS) % COUNTERS) + 1);
      await clients[u]!.publishAsync(v.topic, v.payload, { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT * UNITS }, worker));
  await until(() => hub.archive.voteCount() >= before + VOTES, 120_000, `${VOTES} votes archived`);
  const seconds = (performance.now() - t0) / 1000;
  const sorted = [...hub.latencies].sort((a, b) => a - b);
  return { perSecond: VOTES / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** A steady `rate` votes/s over the 1,000 counters for `seconds`: p50/p99 publish → archive commit below saturation. */
async function steady(hub: Hub, clients: readonly MqttClient[], rate: number, seconds: number): Promise<{ p50: number; p99: number }> {
  hub.latencies.length = 0;
  const before = hub.archive.voteCount();
  const n = rate * seconds;
  for (let i = 0; i < n; i++) {
    const u = i % UNITS;
    const v = vote(unitIds[u]!, (Math.floor(i / UNITS) % COUNTERS) + 1);
    clients[u]!.publish(v.topic, v.payload, { qos: 1 });
    if (i % (rate / 50) === 0) await new Promise((r) => setTimeout(r, 20));
  }
  await until(() => hub.archive.voteCount() >= before + n, 60_000, `${n} steady votes archived`);
  const sorted = [...hub.latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** A steady 100 votes/s from one unit; kill -9 of `kill()`; ms until the next vote is archived. */
async function failover(hub: Hub, unit: number, client: MqttClient, kill: () => Promise<void>): Promise<number> {
  let running = true;
  const pump = (async () => {
    while (running) {
      const v = vote(unitIds[unit]!, 1);
      client.publish(v.topic, v.payload, { qos: 1 });
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await new Promise((r) => setTimeout(r, 1000));
  await kill();
  const killedAt = Date.now();
  await until(() => hub.lastArchivedAt > killedAt + 1, 60_000, 'a vote archived after the kill');
  const ms = hub.lastArchivedAt - killedAt;
  running = false;
  await pump;
  return ms;
}

// --- NATS, 3 nodes -----------------------------------------------------------
const cluster = await startNatsCluster(users, 'none', '5s');
const STEADY_RATE = 200;
let natsIngest: Awaited<ReturnType<typeof ingest>>;
let natsSteady: Awaited<ReturnType<typeof steady>>;
let mosqSteady: Awaited<ReturnType<typeof steady>>;
let natsFailover: number;
try {
  await Promise.all([0, 1, 2].map((i) => cluster.healthy(i)));
  const hub = await startHub(cluster.urls);
  const clients = await connectUnits(cluster.urls);
  try {
    await ingest(hub, clients); // warm-up: JetStream assets, JIT, page cache
    natsIngest = await ingest(hub, clients);
    natsSteady = await steady(hub, clients, STEADY_RATE, 5);
    // The hub connects to the first URL: kill that node. The unit publishing sits on node 2.
    natsFailover = await failover(hub, 1, clients[1]!, () => cluster.kill(0));
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await hub.stop();
  }
} finally {
  await cluster.dispose();
}

// --- Mosquitto, one node -----------------------------------------------------
const mosquitto = await startGeneratedMosquitto(users, 'none');
let mosqIngest: Awaited<ReturnType<typeof ingest>>;
try {
  const hub = await startHub([mosquitto.url]);
  const clients = await connectUnits([mosquitto.url]);
  try {
    await ingest(hub, clients);
    mosqIngest = await ingest(hub, clients);
    mosqSteady = await steady(hub, clients, STEADY_RATE, 5);
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await hub.stop();
  }
} finally {
  await mosquitto.dispose();
}

printFigures(`Hub ingest, ${UNITS} units × ${COUNTERS} counters, ${formatNumber(VOTES)} votes, ${IN_FLIGHT * UNITS} in flight`, [
  ['NATS 3 nodes (R3): votes/s archived', formatNumber(Math.round(natsIngest.perSecond))],
  ['Mosquitto 1 node: votes/s archived', formatNumber(Math.round(mosqIngest.perSecond))],
  ['NATS 3 nodes: p50 / p99 publish → commit, saturated', `${natsIngest.p50} / ${natsIngest.p99}`, 'ms'],
  ['Mosquitto 1 node: p50 / p99 publish → commit, saturated', `${mosqIngest.p50} / ${mosqIngest.p99}`, 'ms'],
  [`NATS 3 nodes: p50 / p99 at a steady ${STEADY_RATE} votes/s`, `${natsSteady.p50} / ${natsSteady.p99}`, 'ms'],
  [`Mosquitto 1 node: p50 / p99 at a steady ${STEADY_RATE} votes/s`, `${mosqSteady.p50} / ${mosqSteady.p99}`, 'ms'],
]);
printFigures("Fail-over: kill -9 of the hub's broker node → next vote archived", [
  ['NATS: a node dies, the hub moves to another', formatNumber(natsFailover), 'ms'],
  ['Mosquitto: one node, nothing to fail over to', 'n/a', '(units hold votes in their journals until it returns)'],
]);

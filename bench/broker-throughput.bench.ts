import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { EmbeddedBroker } from '../bridge/broker/embedded-broker.ts';
import { MATRIX_USERS, optionsFor } from '../test/bridge/broker/access-matrix.ts';
import { startGeneratedMosquitto } from '../test/bridge/broker/generated-mosquitto.ts';
import { formatNumber, percentile, printFigures } from './report.ts';

/**
 * QoS 1 publish → subscribe throughput and latency through each broker a
 * ward office can run, side by side: the embedded Aedes with hailong's ACL
 * hooks, the same Aedes without hooks (the cost of the ACL), and Mosquitto
 * 2.0 with the config `hailong mosquitto-config` writes. A kiosk account
 * publishes votes on its own topic; the bridge account receives them on
 * `hailong/v1/d1/w1/#`. Aedes shares this process (and its 2 cores) with
 * the clients; Mosquitto runs in its own process, so it has a CPU of its own.
 *
 * Physical floor for one office: a vote per citizen served, a few thousand a
 * day; even a 100-terminal district burst is ≪ 100 votes/s.
 */
const MESSAGES = 20_000;
const ROUNDS = 3;
const VOTE_TOPIC = 'hailong/v1/d1/w1/c1/t1/vote';

/** A vote-sized JSON payload carrying its send time. */
function payload(i: number): string {
  return JSON.stringify({
    v: 1,
    id: `t1:${i}`,
    district: 'd1',
    ward: 'w1',
    counter: 'c1',
    terminal: 't1',
    seq: i,
    level: 'HL',
    pressedAt: 1_767_000_000_000 + i,
    receivedAt: 1_767_000_000_050 + i,
    source: 'touch',
    sentAt: performance.now(),
  });
}

interface Figures {
  /** Burst: every publish sent at once, until the last one is received. */
  readonly perSecond: number;
  /** One message at a time: publish → received, unloaded. */
  readonly p50: number;
  readonly p99: number;
}

const LATENCY_SAMPLES = 300;

async function run(url: string, auth: boolean): Promise<Figures> {
  const sub: MqttClient = await mqtt.connectAsync(url, auth ? optionsFor('bridge-w1') : optionsFor(undefined));
  const pub: MqttClient = await mqtt.connectAsync(url, auth ? optionsFor('kiosk-t1') : optionsFor(undefined));
  let received = 0;
  let onReceived: () => void = () => undefined;
  sub.on('message', () => {
    received++;
    onReceived();
  });
  await sub.subscribeAsync('hailong/v1/d1/w1/#', { qos: 1 });
  // Unloaded latency, one message at a time.
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t = performance.now();
    const arrived = new Promise<void>((r) => (onReceived = r));
    pub.publish(VOTE_TOPIC, payload(i), { qos: 1 });
    await arrived;
    latencies.push(performance.now() - t);
  }
  // Burst throughput.
  received = 0;
  const all = new Promise<void>((r) => (onReceived = () => received === MESSAGES && r()));
  const t0 = performance.now();
  const acks: Promise<unknown>[] = [];
  for (let i = 0; i < MESSAGES; i++) acks.push(pub.publishAsync(VOTE_TOPIC, payload(i), { qos: 1 }));
  await Promise.all([...acks, all]);
  const seconds = (performance.now() - t0) / 1000;
  await pub.endAsync(true);
  await sub.endAsync(true);
  latencies.sort((a, b) => a - b);
  return { perSecond: MESSAGES / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const silent = pino({ level: 'silent' });
const embedded = new EmbeddedBroker({ users: MATRIX_USERS, anonymous: 'none', port: 0, host: '127.0.0.1', logger: silent });
const { port } = await embedded.start();
const plain = await Aedes.createBroker();
const server = createServer(plain.handle);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const mosquitto = await startGeneratedMosquitto(MATRIX_USERS, 'none');

const brokers = [
  { name: 'Aedes (embedded, hailong ACL)', url: `mqtt://127.0.0.1:${port}`, auth: true, runs: [] as Figures[] },
  { name: 'Aedes (no hooks)', url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, auth: false, runs: [] as Figures[] },
  { name: 'Mosquitto 2.0 (generated config)', url: mosquitto.url, auth: true, runs: [] as Figures[] },
];
try {
  // Round 0 warms up the JIT of the clients; rounds interleave so no broker gets a warmer process.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const b of brokers) {
      const figures = await run(b.url, b.auth);
      if (round > 0) b.runs.push(figures);
    }
  }
} finally {
  await embedded.stop();
  await new Promise<void>((r) => plain.close(() => r()));
  await new Promise<void>((r) => server.close(() => r()));
  await mosquitto.dispose();
}

const bestOf = (runs: readonly Figures[]): Figures => ({
  perSecond: Math.max(...runs.map((r) => r.perSecond)),
  p50: Math.min(...runs.map((r) => r.p50)),
  p99: Math.min(...runs.map((r) => r.p99)),
});
const [withAcl, plainResult, mosquittoResult] = brokers.map((b) => bestOf(b.runs)) as [Figures, Figures, Figures];
printFigures(
  `QoS 1 votes kiosk → bridge: burst of ${formatNumber(MESSAGES)}, latency of ${LATENCY_SAMPLES} one at a time, best of ${ROUNDS}`,
  brokers.flatMap((b, i) => {
    const r = [withAcl, plainResult, mosquittoResult][i]!;
    return [
      [`${b.name}: burst throughput`, r.perSecond, 'msg/s'],
      [`${b.name}: latency p50`, r.p50, 'ms'],
      [`${b.name}: latency p99`, r.p99, 'ms'],
    ] as const;
  }),
);
console.log(`  ACL cost on Aedes: ${formatNumber((1 - withAcl.perSecond / plainResult.perSecond) * 100)} % of burst throughput`);
console.log(
  `  Aedes + ACL vs Mosquitto: ${formatNumber(withAcl.perSecond / mosquittoResult.perSecond)}× the throughput (Aedes shares its process with the clients)`,
);
console.log(`  vs the physical floor (≪ 100 votes/s even for a district burst): ${formatNumber(withAcl.perSecond / 100)}× headroom`);

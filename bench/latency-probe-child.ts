/**
 * The measuring side of bench/bridge-latency.bench.ts, run in a worker
 * process of its own: the box on the pty's device end, the MQTT
 * subscriber and the floors. In the bridge's own event loop this side's work (the stock
 * serialport binding's threadpool write, drain and ACK read callbacks, the
 * subscriber's parsing) ran between the bridge's steps and was charged to
 * the bridge: ~0.3–0.5 ms per vote at p50 (issue 14, measured with
 * performance.now() marks in the vote path). A real box and a real
 * dashboard are other machines. (Not a worker thread: serialport's native
 * poller aborts the process when a worker loads it beside the main thread.)
 *
 * Every sample, the votes' and the floors', is taken after the same idle
 * gap (`gapMs`): a lone commit after an idle gap costs more than one of a
 * back-to-back loop (~0.35 vs ~0.25 ms here), and a lone vote on an idle
 * terminal is what the verdict is about. The kinds are interleaved, one
 * sample of each per round in a rotating order, so the floors are measured
 * under the conditions the votes met, not in a block after them.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { SerialPort } from 'serialport';
import { encode } from '../firmware-protocol/src/encode.ts';
import { FrameDecoder } from '../firmware-protocol/src/frame-decoder.ts';
import { mainLoopBinding } from '../bridge/serial/main-loop-binding.ts';
import { createPtyPair } from '../test/helpers/pty.ts';

/** What the bench hands the child (JSON, its one argument). */
export interface LatencyProbeInput {
  readonly url: string;
  /** The pty's device end (the box's side). */
  readonly device: string;
  readonly uid: string;
  readonly floorTopic: string;
  readonly floorUser: { readonly username: string; readonly password: string };
  /** A temp folder on the journal's file system (the fsync floor's database). */
  readonly dir: string;
  /** Rounds: each takes one sample of every kind (vote, broker, pty, fsync). */
  readonly samples: number;
  readonly baud: number;
  /** Idle time before every sample (ms). */
  readonly gapMs: number;
}

/** What the child sends back over IPC: every sample in ms, in round order (index i of each array is round i). */
export interface LatencyProbeResult {
  readonly e2e: number[];
  readonly acks: number[];
  readonly broker: number[];
  readonly pty: number[];
  readonly fsync: number[];
  readonly frameBytes: number;
}

const input = JSON.parse(process.argv[2] as string) as LatencyProbeInput;
// Every port here writes with writeSync on its fd, as the bridge does: when
// `port.write` returns the bytes are in the pty, so a sample starts just
// before it. (With the stock binding the write and its drain are threadpool
// jobs, and a clock read in the drain callback came after the bridge had
// read, committed and ACKed the vote: the pty floor printed −0.02 ms.)
const binding = mainLoopBinding(SerialPort.binding);
const open = (path: string) =>
  new Promise<SerialPort>((ok, fail) => {
    const p = new SerialPort({ path, baudRate: input.baud, autoOpen: false, binding } as ConstructorParameters<typeof SerialPort>[0]);
    p.open((e) => (e ? fail(e) : ok(p)));
  });
/** Writes `text` to `p`; the time just before the write (the bytes are in the pty when it returns). */
const send = (p: SerialPort, text: string): number => {
  const t0 = performance.now();
  p.write(text);
  return t0;
};
const idle = () => new Promise((r) => setTimeout(r, input.gapMs));

const sub = await mqtt.connectAsync(input.url, { clientId: 'bench-sub' });
const pub = await mqtt.connectAsync(input.url, {
  clientId: 'bench-pub',
  username: input.floorUser.username,
  password: input.floorUser.password,
});
await sub.subscribeAsync(['hailong/v1/+/+/+/+/vote', input.floorTopic], { qos: 1 });
const waiters = new Map<string, (t: number) => void>();
sub.on('message', (topic, payload) => {
  const t = performance.now();
  const key =
    topic === input.floorTopic ? `floor:${payload.toString()}` : `vote:${(JSON.parse(payload.toString()) as { seq: number }).seq}`;
  waiters.get(key)?.(t);
  waiters.delete(key);
});
const arrival = (key: string) => new Promise<number>((resolve) => waiters.set(key, resolve));

// The terminal side: a serial port on the pty's device end, as a box's USB chip.
const port = await open(input.device);
const decoder = new FrameDecoder({ raw: false });
const frameWaiters = new Map<string, (t: number) => void>();
port.on('data', (chunk: Buffer) => {
  const t = performance.now();
  for (const r of decoder.push(chunk)) {
    if (!r.ok) continue;
    const key = r.value.type === 'ACK' ? `ack:${r.value.seq}` : r.value.type;
    frameWaiters.get(key)?.(t);
    frameWaiters.delete(key);
  }
});
const frame = (key: string) => new Promise<number>((resolve) => frameWaiters.set(key, resolve));

const welcome = frame('WELCOME');
send(port, encode({ type: 'HELLO', proto: 1, uid: input.uid, model: 'BENCH', firmware: '1.0.0', buttons: 3, pending: 0 }));
await welcome;

// The pty floor's pair and the fsync floor's database, opened before the first sample.
const echo = await createPtyPair('echo');
const [dev, host] = (await Promise.all([open(echo.device), open(echo.host)])) as [SerialPort, SerialPort];
let echoWaiter: ((t: number) => void) | undefined;
host.on('data', () => echoWaiter?.(performance.now()));
const db = new Database(join(input.dir, 'fsync-floor.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE t (payload TEXT)');
const insert = db.prepare('INSERT INTO t VALUES (?)');

const e2e: number[] = [];
const acks: number[] = [];
const broker: number[] = [];
const pty: number[] = [];
const fsync: number[] = [];
let frameBytes = 0;

/** One vote: VOTE written → the subscriber has it, and → its durable ACK is back. */
async function voteSample(seq: number): Promise<void> {
  const text = encode({ type: 'VOTE', seq, button: 1 + (seq % 3), reason: 0, ageMs: 0, flags: '' });
  frameBytes = text.length;
  const voted = arrival(`vote:${seq}`);
  const acked = frame(`ack:${seq}`);
  await idle();
  const t0 = send(port, text);
  const [tv, ta] = await Promise.all([voted, acked]);
  e2e.push(tv - t0);
  acks.push(ta - t0);
}
/** Broker floor: a plain QoS 1 publish → subscribe round trip through the same broker. */
async function brokerSample(i: number): Promise<void> {
  const got = arrival(`floor:${i}`);
  await idle();
  const t0 = performance.now();
  await pub.publishAsync(input.floorTopic, String(i), { qos: 1 });
  broker.push((await got) - t0);
}
/** Pty floor: one pass through a socat pty pair (device end → host end). */
async function ptySample(): Promise<void> {
  const got = new Promise<number>((r) => (echoWaiter = r));
  await idle();
  const t0 = send(dev, '$PING,1*F692\r\n');
  pty.push((await got) - t0);
}
/** fsync floor: one durable commit (WAL, synchronous=FULL) of a vote-sized row on the same file system. */
async function fsyncSample(): Promise<void> {
  await idle();
  const t0 = performance.now();
  insert.run('x'.repeat(400));
  fsync.push(performance.now() - t0);
}

// Interleaved: round r takes one sample of each kind, the four in an order
// that rotates with r, so every kind is sampled across the whole run under
// the same conditions (the machine's load, the journal's WAL and checkpoints,
// the broker's state) instead of the floors in a block after the votes.
// Sample i of every array belongs to round i.
const kinds = [voteSample, brokerSample, ptySample, fsyncSample] as const;
for (let round = 0; round < input.samples; round++) {
  for (let k = 0; k < kinds.length; k++) await (kinds[(round + k) % kinds.length] as (i: number) => Promise<void>)(round + 1);
}
await new Promise<void>((ok) => port.close(() => ok()));
await sub.endAsync();
await pub.endAsync();
await Promise.all([dev, host].map((p) => new Promise<void>((ok) => p.close(() => ok()))));
await echo.dispose();
db.close();

process.send?.({ e2e, acks, broker, pty, fsync, frameBytes } satisfies LatencyProbeResult, () => process.exit(0));

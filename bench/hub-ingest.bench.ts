import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort, waitForPort } from '../test/helpers/ports.ts';
import { formatNumber, printFigures, printTarget } from './report.ts';

/**
 * Hub ingest (issue 10): 100 units × 10 counters stream votes into a hub
 * that runs as its own process (`hailong hub`, embedded Aedes), each unit
 * on its own connection with its account, 100 votes in flight per unit as
 * a ward's forwarder keeps them. A PUBACK means the vote is committed in
 * the hub's SQLite archive (WAL, synchronous=FULL), so acknowledged
 * votes/s is archived-durably votes/s. CPU per vote is the hub process's
 * user + system time (/proc/<pid>/stat) over the votes.
 *
 * Peer, side by side: the same hub fed one vote at a time by one unit (one
 * commit, one fsync per vote): the floor the group commit lifts.
 * Goals: ≥ 5,000 votes/s and ≤ 0.1 ms CPU per vote.
 */
const UNITS = 100;
const COUNTERS = 10;
const VOTES_PER_UNIT = 600;
const IN_FLIGHT = 100;
const SERIAL_VOTES = 300;
const REPO = join(import.meta.dirname, '..');

const dir = mkdtempSync(join(tmpdir(), 'hailong-bench-hub-'));
const brokerPort = await freePort();
const unitIds = Array.from({ length: UNITS }, (_, i) => `xa-${String(i + 1).padStart(3, '0')}`);
writeFileSync(
  join(dir, 'hub.yaml'),
  [
    'province: { id: gia-lai, name: Tỉnh Gia Lai }',
    'units:',
    ...unitIds.map((id) => `  - { id: ${id}, name: Xã ${id}, kind: xã, password: pw-${id} }`),
    `broker: { port: ${brokerPort}, host: 127.0.0.1 }`,
    'dataDir: ./data',
    '',
  ].join('\n'),
);

function cpuMs(pid: number): number {
  // Fields 14 and 15 of /proc/<pid>/stat: utime and stime in clock ticks (100 Hz on Linux).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function vote(unit: string, counter: number, seq: number): string {
  const terminal = `hop-${counter}`;
  const pressedAt = Date.UTC(2026, 10, 20, 2) + seq * 1000;
  return JSON.stringify({
    v: 1,
    id: `${terminal}:${seq}`,
    district: 'gia-lai',
    ward: unit,
    counter: `quay-${counter}`,
    terminal,
    seq,
    level: seq % 7 === 0 ? 'khong-hai-long' : 'hai-long',
    pressedAt,
    receivedAt: pressedAt + 40,
    source: 'button',
  });
}

const topic = (unit: string, counter: number) => `hailong/v1/gia-lai/${unit}/quay-${counter}/hop-${counter}/vote`;

/** Streams `count` votes of one unit with at most IN_FLIGHT unacknowledged, round-robin over its counters. */
async function stream(client: MqttClient, unit: string, count: number, firstSeq: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const counter = (i % COUNTERS) + 1;
      const seq = firstSeq + Math.floor(i / COUNTERS);
      await client.publishAsync(topic(unit, counter), vote(unit, counter, seq), { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

let hub: ChildProcess | undefined;
const clients: MqttClient[] = [];
try {
  hub = spawn(process.execPath, [join(REPO, 'bridge', 'bin.mjs'), 'hub', '--config', join(dir, 'hub.yaml'), '--no-web'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, HAILONG_LOG_LEVEL: 'warn' },
  });
  await waitForPort(brokerPort, 30_000);
  const pid = hub.pid as number;
  for (const unit of unitIds) {
    clients.push(
      await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
        username: unit,
        password: `pw-${unit}`,
        clientId: `bench-${unit}`,
        reconnectPeriod: 0,
      }),
    );
  }
  // Warm-up: the hub's JIT and SQLite page cache.
  await Promise.all(clients.map((c, i) => stream(c, unitIds[i]!, 20, 1)));

  // Peer: one vote at a time from one unit, a commit per vote.
  const c0 = clients[0]!;
  const s0 = performance.now();
  for (let i = 0; i < SERIAL_VOTES; i++) await c0.publishAsync(topic(unitIds[0]!, 1), vote(unitIds[0]!, 1, 10_000 + i), { qos: 1 });
  const serialPerSecond = SERIAL_VOTES / ((performance.now() - s0) / 1000);

  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  await Promise.all(clients.map((c, i) => stream(c, unitIds[i]!, VOTES_PER_UNIT, 100)));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuMs(pid) - cpu0;
  const total = UNITS * VOTES_PER_UNIT;
  const perSecond = total / seconds;
  const cpuPerVote = cpu / total;

  // Sanity: every acknowledged vote is in the archive, once (warm-up + peer + burst).
  const db = new Database(join(dir, 'data', 'archive.db'), { readonly: true });
  const archived = (db.prepare('SELECT count(*) AS n FROM votes').get() as { n: number }).n;
  db.close();
  const expected = UNITS * 20 + SERIAL_VOTES + total;
  if (archived !== expected) throw new Error(`the archive holds ${archived} votes, expected ${expected}`);

  printFigures(
    `Hub ingest: ${UNITS} units × ${COUNTERS} counters, ${formatNumber(total)} votes, ${IN_FLIGHT} in flight per unit, PUBACK after the archive commit`,
    [
      ['archived durably (PUBACKed)', perSecond, 'votes/s'],
      ['hub CPU per vote (user + system)', cpuPerVote, 'ms'],
      ['hub CPU, whole burst', cpu, 'ms'],
      ['peer: one unit, one vote at a time (fsync each)', serialPerSecond, 'votes/s'],
      ['votes in the archive (checked: each once)', archived, ''],
    ],
  );
  printTarget('archive rate', perSecond, 5000, 'higher', 'votes/s');
  printTarget('CPU per vote', cpuPerVote, 0.1, 'lower', 'ms');
  console.log(`  group commit vs one commit per vote: ${formatNumber(perSecond / serialPerSecond)}×`);
} finally {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  if (hub && hub.exitCode === null) {
    await new Promise<void>((r) => {
      hub!.once('exit', () => r());
      hub!.kill('SIGTERM');
    });
  }
  rmSync(dir, { recursive: true, force: true });
}

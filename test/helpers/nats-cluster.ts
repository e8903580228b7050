/**
 * A real 3-node NATS JetStream cluster for tests (Debian's `nats-server`),
 * on free loopback ports, configured by hailong's own generator
 * (bridge/broker/nats-config.ts) so the tests exercise the configs
 * `hailong nats-config` writes. Nodes can be killed (-9) and restarted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnonymousAccess, BrokerUser } from '../../bridge/broker/broker-user.ts';
import { natsClusterConfigs, type NatsNode } from '../../bridge/broker/nats-config.ts';
import { replicaLag } from './nats-replicas.ts';
import { freePort, waitForPort } from './ports.ts';

/** The binary (override with NATS_SERVER_PATH). */
export const NATS_SERVER_PATH = process.env.NATS_SERVER_PATH ?? 'nats-server';

/** A running cluster. */
export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  /** `mqtt://127.0.0.1:<port>` of each node. */
  readonly urls: readonly string[];
  readonly dir: string;
  /** SIGKILL node i and wait for its exit. */
  kill(i: number): Promise<void>;
  /** Starts node i again (same config, same store) and waits for its MQTT port. */
  restart(i: number): Promise<void>;
  /**
   * Waits until node i's JetStream is up and the leader of every stream and
   * consumer group it belongs to reports its replica current (caught up).
   */
  healthy(i: number, timeoutMs?: number): Promise<void>;
  /** Kills every node and deletes the folder. */
  dispose(): Promise<void>;
  /** What node i logged so far. */
  log(i: number): string;
}

/** Fails with the fix when nats-server is missing: CI installs it (scripts/test.sh), so a skip would hide a broken setup. */
export function requireNatsServer(): void {
  const r = spawnSync(NATS_SERVER_PATH, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${NATS_SERVER_PATH} not found: apt-get install nats-server (scripts/test.sh installs it)`);
}

/** Starts three nodes with the given accounts and waits until every MQTT listener answers. */
export async function startNatsCluster(
  users: readonly BrokerUser[],
  anonymous: AnonymousAccess = 'none',
  ackWait = '5s',
): Promise<NatsCluster> {
  requireNatsServer();
  const dir = await mkdtemp(join(tmpdir(), 'hailong-nats-'));
  const nodes: NatsNode[] = [];
  for (let i = 0; i < 3; i++) {
    nodes.push({
      name: `n${i + 1}`,
      host: '127.0.0.1',
      mqttPort: await freePort(),
      clusterPort: await freePort(),
      clientPort: await freePort(),
      httpPort: await freePort(),
    });
  }
  const files = natsClusterConfigs({
    cluster: 'hailong-test',
    title: 'test',
    nodes,
    users,
    anonymous,
    storeRoot: join(dir, 'js'),
    bindAddress: '127.0.0.1',
    ackWait,
  });
  for (const f of files) await writeFile(join(dir, f.fileName), f.text);
  const procs: (ChildProcess | undefined)[] = [undefined, undefined, undefined];
  const logs = ['', '', ''];
  const start = (i: number): void => {
    const p = spawn(NATS_SERVER_PATH, ['-c', join(dir, files[i]!.fileName)], { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout?.on('data', (d: Buffer) => (logs[i] += d.toString()));
    p.stderr?.on('data', (d: Buffer) => (logs[i] += d.toString()));
    procs[i] = p;
  };
  const kill = (i: number): Promise<void> =>
    new Promise((done) => {
      const p = procs[i];
      procs[i] = undefined;
      if (p === undefined || p.exitCode !== null || p.signalCode !== null) return done();
      p.once('exit', () => done());
      p.kill('SIGKILL');
    });
  // `?js-enabled-only=true` answers as soon as JetStream is switched on: a node restarted after kill -9
  // then takes seconds under load to catch its stream and consumer replicas up, and killing another node
  // meanwhile leaves one current replica of three, a lost quorum (docs/PROVINCE.md). So also wait until
  // the groups' leaders report it current (nats-replicas.ts says why not the full /healthz).
  const healthy = async (i: number, timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await fetch(`http://127.0.0.1:${nodes[i]!.httpPort}/healthz?js-enabled-only=true`).catch((e: Error) => e);
      const why = r instanceof Error ? r.message : r.ok ? await replicaLag(nodes, i) : await r.text();
      if (why === undefined) return;
      if (Date.now() > deadline)
        throw new Error(`NATS node ${i + 1} not caught up after ${timeoutMs} ms (${why}):\n${logs[i]!.slice(-2000)}`);
      await new Promise((r2) => setTimeout(r2, 200));
    }
  };
  for (let i = 0; i < 3; i++) start(i);
  await Promise.all(nodes.map((n) => waitForPort(n.mqttPort, 20_000)));
  return {
    nodes,
    urls: nodes.map((n) => `mqtt://127.0.0.1:${n.mqttPort}`),
    dir,
    kill,
    async restart(i) {
      await kill(i);
      start(i);
      await waitForPort(nodes[i]!.mqttPort, 20_000);
    },
    healthy,
    async dispose() {
      await Promise.all([0, 1, 2].map(kill));
      await rm(dir, { recursive: true, force: true });
    },
    log: (i) => logs[i] ?? '',
  };
}

/**
 * A province on a 3-node NATS JetStream cluster, every part real (issue 11):
 * the nodes run the configs `hailong nats-config` writes; `hailong hub` and
 * three `hailong bridge` processes (each with button boxes on socat ptys,
 * its own journal and broker) list all three nodes. `kill -9` of one node in
 * the middle of a burst, then of another after the first is back: the hub
 * archive holds exactly the union of the ward journals (0 lost, 0
 * duplicated), and the parent dashboard in Chromium, open the whole time,
 * shows each ward's votes without a reload.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { BrokerUser } from '../../../bridge/broker/broker-user.ts';
import { createPtyFleet, type PtyFleet } from '../../../bridge/simulator/fleet.ts';
import { Simulation } from '../../../bridge/simulator/simulation.ts';
import type { Vote } from '../../../core/vote.ts';
import { launchChromium } from '../../helpers/chromium.ts';
import { startNatsCluster } from '../../helpers/nats-cluster.ts';
import { freePort, waitForPort } from '../../helpers/ports.ts';
import { buildDashboard } from '../../dashboard/rig.ts';
import { box, tempDir, until } from '../bridge-rig.ts';

const repo = join(import.meta.dirname, '..', '..', '..');
const WARDS = ['phuc-xa', 'truc-bach', 'lieu-giai'] as const;
const NAMES = ['Phường Phúc Xá', 'Phường Trúc Bạch', 'Phường Liễu Giai'] as const;
const BOXES = 2;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function spawnHailong(args: string[], name: string): ChildProcess {
  const child = spawn(process.execPath, [join(repo, 'bridge', 'bin.mjs'), ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, HAILONG_LOG_LEVEL: 'warn' },
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) console.error(`${name} exited with ${code}: ${err}`);
  });
  return child;
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

function readRows<T>(file: string, sql: string): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const acked = (fleet: PtyFleet) => fleet.terminals.reduce((n, t) => n + t.stats.acked, 0);

describe('a province on a 3-node NATS cluster', () => {
  it('kill -9 of a node mid-burst, then of another: archive = union of the journals; the dashboard follows without a reload', async () => {
    const tmp = tempDir('hailong-province-');
    cleanups.push(tmp.remove);
    const webRoot = join(tmp.dir, 'web');
    const browserP = launchChromium();
    await buildDashboard(webRoot);
    const browser = await browserP;
    cleanups.push(() => browser.close());

    const users: BrokerUser[] = [
      { username: 'hailong-hub', password: 'pw-hub', role: 'dashboard', district: 'ba-dinh' },
      ...WARDS.map((id): BrokerUser => ({ username: id, password: `pw-${id}`, role: 'bridge', district: 'ba-dinh', ward: id })),
    ];
    const cluster = await startNatsCluster(users);
    cleanups.push(() => cluster.dispose());
    await Promise.all([0, 1, 2].map((i) => cluster.healthy(i)));

    const hubWeb = await freePort();
    const hubConfig = join(tmp.dir, 'hub.yaml');
    writeFileSync(
      hubConfig,
      stringify({
        province: { id: 'ba-dinh', name: 'Thành phố Hà Nội' },
        units: WARDS.map((id, i) => ({ id, name: NAMES[i], kind: 'phường', password: `pw-${id}` })),
        broker: { anonymous: 'read' },
        mqtt: { urls: [...cluster.urls], username: 'hailong-hub', password: 'pw-hub' },
        web: { port: hubWeb, host: '127.0.0.1' },
        dataDir: join(tmp.dir, 'hub'),
      }),
    );
    const hub = spawnHailong(['hub', '--config', hubConfig, '--web-root', webRoot], 'hub');
    cleanups.push(() => stop(hub, 'SIGKILL'));
    await waitForPort(hubWeb, 30_000);

    const wards = await Promise.all(
      WARDS.map(async (id, w) => {
        const dir = join(tmp.dir, id);
        mkdirSync(dir);
        const fleet = await createPtyFleet(BOXES, {
          dir,
          terminal: { helloIntervalMs: 300, ackTimeoutMs: 300, maxAckTimeoutMs: 1000, linkLostMs: 3000, capacity: 2000 },
        });
        cleanups.push(() => fleet.close());
        const config = join(dir, 'hailong.yaml');
        writeFileSync(
          config,
          stringify({
            district: { id: 'ba-dinh', name: 'Thành phố Hà Nội' },
            ward: { id, name: NAMES[w] },
            rating: { cooldownMs: 0 },
            counters: Array.from({ length: BOXES }, (_, i) => ({
              id: box(i).counter,
              name: `Quầy ${i + 1}`,
              terminals: [{ id: box(i).terminal, kind: 'button', uid: box(i).uid }],
            })),
            serial: { ports: [...fleet.hostPaths], scanIntervalMs: 200 },
            broker: { port: await freePort(), host: '127.0.0.1' },
            // Every node, starting from a different one per ward.
            upstream: { urls: [0, 1, 2].map((k) => cluster.urls[(w + k) % 3]), username: id, password: `pw-${id}` },
            dataDir: join(dir, 'data'),
          }),
        );
        const bridge = spawnHailong(['bridge', '--config', config], id);
        cleanups.push(() => stop(bridge, 'SIGKILL'));
        fleet.start();
        return {
          id,
          fleet,
          bridge,
          journal: join(dir, 'data', 'journal.db'),
          sim: new Simulation({ terminals: fleet.terminals, seed: 300 + w, doublePressProbability: 0 }),
        };
      }),
    );
    const archive = join(tmp.dir, 'hub', 'archive.db');
    const archived = () => readRows<{ n: number }>(archive, 'SELECT count(*) AS n FROM votes')[0]!.n;
    const burstAll = (n: number) => Promise.all(wards.map((w) => w.sim.burst(n, { timeoutMs: 120_000 })));

    // The dashboard opens before any fault and stays open.
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`http://127.0.0.1:${hubWeb}/dashboard/?district=ba-dinh#/district`);
    await page.click('button:has-text("Hôm nay")');

    expect((await burstAll(100)).every((b) => b.complete)).toBe(true);
    await until(() => archived() >= 300, 60_000, '300 votes in the hub archive');

    // kill -9 of node 1 mid-burst; back; then node 2 mid-burst.
    for (const node of [0, 1]) {
      const bursts = burstAll(300);
      const base = archived();
      await until(() => archived() - base >= 150, 60_000, `150 votes archived before node ${node + 1} dies`);
      await cluster.kill(node);
      expect((await bursts).every((b) => b.complete)).toBe(true);
      await cluster.restart(node);
      await cluster.healthy(node);
    }

    const total = wards.reduce((n, w) => n + acked(w.fleet), 0);
    expect(total).toBe(3 * (100 + 300 + 300));
    await until(() => archived() >= total, 120_000, `${total} votes in the hub archive`);
    const union = new Set<string>();
    for (const w of wards) {
      for (const r of readRows<{ payload: string }>(w.journal, 'SELECT payload FROM votes'))
        union.add(`${w.id}/${(JSON.parse(r.payload) as Vote).id}`);
    }
    const keys = readRows<{ unit: string; id: string }>(archive, 'SELECT unit, id FROM votes').map((r) => `${r.unit}/${r.id}`);
    expect(keys).toHaveLength(union.size); // 0 duplicated
    expect(new Set(keys)).toEqual(union); // 0 lost

    // The same page, never reloaded: each ward's row shows its votes of today.
    const expected = Object.fromEntries(wards.map((w, i) => [NAMES[i], String(acked(w.fleet))]));
    const dump = async () =>
      page.evaluate(
        () =>
          [...document.querySelectorAll('[data-testid=ranking] tbody tr')].map((r) => r.textContent).join(' | ') +
          ' ## ' +
          (document.querySelector('header')?.textContent ?? ''),
      );
    await page
      .waitForFunction(
        (want) => {
          const rows = [...document.querySelectorAll('[data-testid=ranking] tbody tr')] as HTMLTableRowElement[];
          const got = Object.fromEntries(
            rows.map((r) => [r.cells[1]?.textContent ?? '', (r.cells[2]?.textContent ?? '').replaceAll('.', '')]),
          );
          return Object.keys(want).every((k) => got[k] === want[k]);
        },
        expected,
        { timeout: 30_000 },
      )
      .catch(async (e: Error) => {
        throw new Error(`${e.message}\nwant ${JSON.stringify(expected)}\ngot ${await dump()}`);
      });
    await page.close();
  }, 240_000);
});

/**
 * kill -9 of the bridge while a kiosk streams votes, on both brokers: no
 * kiosk vote lost, none journaled or counted twice. With Mosquitto the
 * bridge's persistent session keeps what it had not acknowledged; with the
 * embedded broker (which dies with the bridge) the kiosk keeps every vote
 * whose PUBACK it did not get, and the PUBACK comes only after the commit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { localParts } from '../../../core/time.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import { startMosquitto } from '../../helpers/mosquitto.ts';
import { freePort } from '../../helpers/ports.ts';
import { tempDir, until } from '../bridge-rig.ts';
import { KIOSK, KioskPublisher, kioskVote } from './kiosk-publisher.ts';

const repo = join(import.meta.dirname, '..', '..', '..');
const PASSWORD = 'kiosk-1-password';
const VOTES = 300;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function spawnBridge(config: string): ChildProcess {
  const child = spawn(process.execPath, [join(repo, 'bridge', 'bin.mjs'), 'bridge', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HAILONG_LOG_FORMAT: 'json', HAILONG_LOG_LEVEL: 'warn' },
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

for (const kind of ['embedded Aedes', 'Mosquitto'] as const) {
  describe(`kill -9 of the bridge while a kiosk votes (${kind})`, () => {
    it(`journals exactly ${VOTES} distinct kiosk votes and tallies each once`, async () => {
      const tmp = tempDir();
      cleanups.push(tmp.remove);
      let url: string;
      let mqtt: { urls: string[] } = { urls: [] };
      const brokerPort = await freePort();
      if (kind === 'Mosquitto') {
        const broker = await startMosquitto();
        cleanups.push(() => broker.dispose());
        url = broker.url;
        mqtt = { urls: [broker.url] };
      } else url = `mqtt://127.0.0.1:${brokerPort}`;
      const config = join(tmp.dir, 'hailong.yaml');
      writeFileSync(
        config,
        stringify({
          district: { id: KIOSK.district, name: 'Quận Ba Đình' },
          ward: { id: KIOSK.ward, name: 'Phường Phúc Xá' },
          rating: { cooldownMs: 0 },
          counters: [{ id: KIOSK.counter, name: 'Quầy 1', terminals: [{ id: KIOSK.terminal, kind: 'touch', password: PASSWORD }] }],
          serial: { ports: [] },
          mqtt,
          broker: { port: brokerPort, host: '127.0.0.1' },
          web: { port: await freePort(), host: '127.0.0.1' },
          dataDir: join(tmp.dir, 'data'),
        }),
      );
      let bridge = spawnBridge(config);
      cleanups.push(() => kill9(bridge));
      const kiosk = new KioskPublisher(url, { username: KIOSK.terminal, password: PASSWORD, ackTimeoutMs: 1500 });
      cleanups.push(() => kiosk.close());
      // Mosquitto keeps votes for the bridge's session only once it has subscribed: wait for its first start.
      if (kind === 'Mosquitto') await new Promise((r) => setTimeout(r, 3000));
      let acked = 0;
      const votes = Array.from({ length: VOTES }, (_, i) => kioskVote(i + 1));
      // Four in flight, like the kiosk's publish window: votes may reach the bridge out of order.
      let next = 0;
      const worker = async () => {
        while (next < votes.length) {
          const vote = votes[next++]!;
          await kiosk.deliver(vote, 120_000);
          acked += 1;
          // A steady stream (taps are seconds apart in life): the crash lands mid-stream on both brokers.
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const stream = Promise.all(Array.from({ length: 4 }, worker));
      await until(() => acked >= 100, 60_000, '100 kiosk votes acknowledged before the crash');
      await kill9(bridge);
      const ackedAtCrash = acked;
      await new Promise((r) => setTimeout(r, 500));
      bridge = spawnBridge(config);
      await stream;
      expect(ackedAtCrash).toBeLessThan(VOTES);
      // Let the last commits and tallies land, then stop the bridge hard again.
      await new Promise((r) => setTimeout(r, 2500));
      await kill9(bridge);
      const journal = new Journal({ path: join(tmp.dir, 'data', 'journal.db') });
      journal.open();
      try {
        const ids = [...journal.votesPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((p) => JSON.parse(p).id as string);
        expect(ids.length).toBe(VOTES);
        expect(new Set(ids).size).toBe(VOTES);
        const month = localParts(votes[0]!.pressedAt).monthKey;
        const tally = journal.tallyOf(KIOSK, month);
        const presses = Object.values(tally?.days ?? {}).reduce((n, d) => n + d.c.reduce((a, b) => a + b, 0) + d.f[0] + d.f[1], 0);
        expect(presses).toBe(VOTES);
        expect(tally?.seq).toBe(VOTES);
      } finally {
        journal.close();
      }
    }, 240_000);
  });
}

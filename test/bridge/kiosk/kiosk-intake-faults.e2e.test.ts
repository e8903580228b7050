/**
 * kill -9 of the bridge while a kiosk streams votes, on both brokers: no
 * kiosk vote lost, none journaled or counted twice. With Mosquitto the
 * bridge's persistent session keeps what it had not acknowledged; with the
 * embedded broker (which dies with the bridge) the kiosk keeps every vote
 * whose PUBACK it did not get, and the PUBACK comes only after the commit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Journal } from '../../../bridge/journal/journal.ts';
import { localDaysOf } from '../../helpers/local-days.ts';
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
      // The kiosk's own fixed client id on both brokers, as real kiosks connect. The losses once seen here
      // with it on Mosquitto (0–104 of 300) came from the rig, not the id: it waited a fixed 3 s for the
      // bridge's first subscription, and on a loaded machine the kiosk published before the bridge's
      // session had ever subscribed; Mosquitto PUBACKs such a vote and keeps it for no one (a random id
      // loses the same votes). The real kiosk closes that gap: it keeps a vote until the bridge's receipt
      // names it (test/kiosk/kiosk-receipt.e2e.test.ts); this rig's publisher reads no receipts, so the
      // loop below waits for vote 1 in the journal instead.
      const kiosk = new KioskPublisher(url, { username: KIOSK.terminal, password: PASSWORD, ackTimeoutMs: 1500, ownClientId: true });
      cleanups.push(() => kiosk.close());
      const votes = Array.from({ length: VOTES }, (_, i) => kioskVote(i + 1));
      // Mosquitto keeps votes for the bridge's session only once it has subscribed (its very first
      // start): send vote 1 until the journal has it, reading the database as the export does.
      const journalPath = join(tmp.dir, 'data', 'journal.db');
      await until(() => existsSync(journalPath), 30_000, 'the journal file');
      const reader = new Database(journalPath, { readonly: true, fileMustExist: true });
      cleanups.push(() => void reader.close());
      const hasFirst = (): boolean => {
        try {
          return reader.prepare('SELECT 1 FROM votes WHERE terminal = ? AND seq = 1').get(KIOSK.terminal) !== undefined;
        } catch {
          return false; // the bridge is still creating its schema
        }
      };
      for (let tries = 0; !hasFirst(); tries++) {
        if (tries > 60) throw new Error('the bridge never journaled the first kiosk vote');
        await kiosk.deliver(votes[0]!);
        await new Promise((r) => setTimeout(r, 500));
      }
      let acked = 1;
      // Four in flight, like the kiosk's publish window: votes may reach the bridge out of order.
      let next = 1;
      const worker = async () => {
        while (next < votes.length) {
          const vote = votes[next++]!;
          await kiosk.deliver(vote, 120_000);
          acked += 1;
          // A steady stream (taps are seconds apart in life): the crash lands mid-stream on both brokers.
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const count = (): number => {
        try {
          return (reader.prepare('SELECT count(*) AS n FROM votes').get() as { n: number }).n;
        } catch {
          return 0;
        }
      };
      const stream = Promise.all(Array.from({ length: 4 }, worker));
      await until(() => acked >= 100, 60_000, '100 kiosk votes acknowledged before the crash');
      await kill9(bridge);
      const ackedAtCrash = acked;
      await new Promise((r) => setTimeout(r, 500));
      bridge = spawnBridge(config);
      // More kills, each as the restarted bridge starts taking votes in again (what the broker
      // kept, or the kiosk's resends): a vote acknowledged before its commit would be lost here.
      for (let k = 0; k < 3 && acked < VOTES - 20; k++) {
        const before = count();
        await until(() => count() > before, 60_000, 'the restarted bridge taking votes in');
        await kill9(bridge);
        await new Promise((r) => setTimeout(r, 300));
        bridge = spawnBridge(config);
      }
      await stream;
      expect(ackedAtCrash).toBeLessThan(VOTES);
      // The restarted bridge takes in what the broker kept for it (Mosquitto) or what the kiosk sends
      // again (embedded); then let the tallies land and stop it hard again.
      await until(() => count() >= VOTES, 60_000, `${VOTES} kiosk votes in the journal`);
      await new Promise((r) => setTimeout(r, 1500));
      await kill9(bridge);
      const journal = new Journal({ path: join(tmp.dir, 'data', 'journal.db') });
      journal.open();
      try {
        const ids = [...journal.votesPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((p) => JSON.parse(p).id as string);
        expect(ids.length).toBe(VOTES);
        expect(new Set(ids).size).toBe(VOTES);
        // Every Hà Nội month the votes were pressed in (one, unless a month ended while they were made).
        const tallies = localDaysOf(votes.map((v) => v.pressedAt)).months.map((month) => journal.tallyOf(KIOSK, month));
        const presses = tallies.reduce(
          (sum, tally) => sum + Object.values(tally?.days ?? {}).reduce((n, d) => n + d.c.reduce((a, b) => a + b, 0) + d.f[0] + d.f[1], 0),
          0,
        );
        expect(presses).toBe(VOTES);
        expect(tallies.at(-1)?.seq).toBe(VOTES);
      } finally {
        journal.close();
      }
    }, 240_000);
  });
}

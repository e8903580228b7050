/**
 * Forwarding to the hub under faults, with real parts: the bridge as its
 * own process (`hailong bridge`, its embedded Aedes as the ward's broker),
 * boxes on socat ptys speaking the real protocol, a real Mosquitto standing
 * in for the district hub, and a TCP proxy as the WAN line that we cut.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { latestTallies, type Tally } from '../../../core/tally.ts';
import { mergeStatus, type Status } from '../../../core/status.ts';
import type { Vote } from '../../../core/vote.ts';
import { Journal } from '../../../bridge/journal/journal.ts';
import { createPtyFleet } from '../../../bridge/simulator/fleet.ts';
import { Simulation } from '../../../bridge/simulator/simulation.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { startMosquitto } from '../../helpers/mosquitto.ts';
import { startTcpProxy } from '../../helpers/tcp-proxy.ts';
import { box, tempDir, until } from '../bridge-rig.ts';

const repo = join(import.meta.dirname, '..', '..', '..');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const BOXES = 4;
/** How long the WAN line stays cut (the issue: 60 s). */
const CUT_MS = 60_000;

function writeConfig(dir: string, ports: readonly string[], upstream: string): string {
  const file = join(dir, 'hailong.yaml');
  writeFileSync(
    file,
    stringify({
      district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
      ward: { id: 'phuc-xa', name: 'Phường Phúc Xá' },
      rating: { cooldownMs: 0 },
      counters: Array.from({ length: BOXES }, (_, i) => ({
        id: box(i).counter,
        name: `Quầy ${i + 1}`,
        terminals: [{ id: box(i).terminal, kind: 'button', uid: box(i).uid }],
      })),
      serial: { ports: [...ports], scanIntervalMs: 200 },
      // The ward's own broker: embedded Aedes on a port of its choosing.
      broker: { port: 0, host: '127.0.0.1' },
      upstream: { urls: [upstream] },
      dataDir: join(dir, 'data'),
    }),
  );
  return file;
}

interface Bridge {
  readonly child: ChildProcess;
  readonly lines: { msg: string; [k: string]: unknown }[];
}

function spawnBridge(config: string): Bridge {
  const child = spawn(process.execPath, [join(repo, 'bridge', 'bin.mjs'), 'bridge', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HAILONG_LOG_FORMAT: 'json', HAILONG_LOG_LEVEL: 'info' },
  });
  const lines: Bridge['lines'] = [];
  let rest = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Bridge['lines'][number]);
      } catch {
        // not a log line
      }
    }
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) console.error(`bridge exited with ${code}: ${err}`);
  });
  return { child, lines };
}

function stopWith(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

const acked = (fleet: { terminals: readonly { stats: { acked: number } }[] }) => fleet.terminals.reduce((n, t) => n + t.stats.acked, 0);

describe('forwarding to the hub', () => {
  it(
    'WAN cut for 60 s, then kill -9 of the bridge mid-stream: the hub gets exactly the journal, with statuses, tallies and _office retained',
    async () => {
      const tmp = tempDir('hailong-upstream-');
      cleanups.push(tmp.remove);
      const hub = await startMosquitto({ persistence: true });
      cleanups.push(() => hub.dispose());
      const wan = await startTcpProxy(hub.port);
      cleanups.push(() => wan.close());
      // The district's archive stand-in: a persistent session, so the hub queues for it.
      const archive = await collect(hub.url, 'hailong/v1/#', { clean: false, clientId: 'district-archive' });
      cleanups.push(() => archive.close());
      const fleet = await createPtyFleet(BOXES, {
        dir: tmp.dir,
        terminal: { helloIntervalMs: 300, ackTimeoutMs: 300, maxAckTimeoutMs: 1000, linkLostMs: 3000, capacity: 2000 },
      });
      cleanups.push(() => fleet.close());
      const config = writeConfig(tmp.dir, fleet.hostPaths, wan.url);
      let bridge = spawnBridge(config);
      cleanups.push(() => stopWith(bridge.child, 'SIGKILL'));
      const sim = new Simulation({ terminals: fleet.terminals, seed: 11, doublePressProbability: 0 });
      fleet.start();
      const hubVotes = () => new Set(archive.json<Vote>('vote').map((v) => v.id));

      // 1. Line up: votes reach the hub.
      const first = await sim.burst(400, { timeoutMs: 60_000 });
      expect(first.complete).toBe(true);
      await archive.waitFor(() => hubVotes().size >= 400, 20_000, '400 votes on the hub');

      // 2. The WAN line drops for 60 s; the office votes on, at counter pace and in bursts.
      await wan.cut();
      const cutAt = Date.now();
      const ackedAtCut = acked(fleet);
      let pressed = 0;
      const slowest: number[] = [];
      while (Date.now() - cutAt < CUT_MS) {
        const t0 = Date.now();
        const b = await sim.burst(20, { timeoutMs: 20_000 });
        expect(b.complete).toBe(true);
        slowest.push(Date.now() - t0);
        pressed += 20;
        await new Promise((r) => setTimeout(r, 400));
      }
      // Every press during the cut was stored and ACKed by the ward: the boxes hold nothing.
      expect(acked(fleet) - ackedAtCut).toBe(pressed);
      expect(fleet.terminals.every((t) => t.pending === 0)).toBe(true);
      // A burst of 20 votes took as long at the end of the cut as at its start: nothing waited for the hub.
      expect(Math.max(...slowest.slice(-5))).toBeLessThan(Math.max(2000, 3 * Math.max(...slowest.slice(0, 5))));
      const hubBeforeRestore = hubVotes().size;
      expect(hubBeforeRestore).toBeLessThan(400 + pressed);
      // Logged once, not once per attempt (the summary line comes every minute).
      expect(bridge.lines.filter((l) => l.msg.startsWith('hub unreachable')).length).toBe(1);
      expect(bridge.lines.filter((l) => l.msg.startsWith('hub still unreachable')).length).toBeLessThanOrEqual(2);
      await wan.restore();
      // Back: the backlog is announced, drained, and its size shown on the hub in the ward's _bridge/status.
      await until(() => bridge.lines.some((l) => l.msg.startsWith('forwarding a backlog of')), 30_000, 'the backlog announced');
      await archive.waitFor(() => hubVotes().size >= 400 + pressed, 30_000, 'the backlog on the hub');
      const backlogShown = archive.json<Status>('status').some((st) => st.model === 'hailong-bridge' && (st.upstream?.backlog ?? 0) > 0);
      expect(backlogShown).toBe(true);

      // 3. Line back; a burst runs and the bridge is killed -9 in the middle of it.
      const burst = sim.burst(3000, { timeoutMs: 120_000 });
      const ackedBefore = acked(fleet);
      await until(() => acked(fleet) - ackedBefore >= 1000, 60_000, '1,000 ACKs before the crash');
      await stopWith(bridge.child, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
      bridge = spawnBridge(config);
      expect((await burst).complete).toBe(true);

      // 4. The hub ends with exactly the journal's vote ids.
      const total = 400 + pressed + 3000;
      await archive.waitFor(() => hubVotes().size >= total, 60_000, `${total} votes on the hub`);
      await new Promise((r) => setTimeout(r, 1500));
      await stopWith(bridge.child, 'SIGTERM');
      const journal = new Journal({ path: join(tmp.dir, 'data', 'journal.db') });
      journal.open();
      // Every row carries the hub's PUBACK mark.
      expect(journal.forwardQueue.backlog()).toBe(0);
      const rows = [...journal.votesPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((p) => (JSON.parse(p) as Vote).id);
      journal.close();
      expect(rows).toHaveLength(total);
      expect(hubVotes()).toEqual(new Set(rows));
      // Duplicates are QoS 1 redeliveries of rows in flight when the line or the bridge died, never systematic.
      const copies = archive.json<Vote>('vote').length;
      expect(copies - total).toBeLessThanOrEqual(2 * 500);
      const perId = new Map<string, number>();
      for (const v of archive.json<Vote>('vote')) perId.set(v.id, (perId.get(v.id) ?? 0) + 1);
      expect(Math.max(...perId.values())).toBeLessThanOrEqual(3);

      // 5. Retained on the hub: what a newcomer (the hub dashboard) gets on subscribing.
      const late = await collect(hub.url, 'hailong/v1/ba-dinh/phuc-xa/#');
      cleanups.push(() => late.close());
      await late.waitFor(
        (m) => m.some((x) => x.topic.endsWith('/_office')) && m.filter((x) => x.topic.endsWith('/status') && x.retain).length >= BOXES + 1,
        10_000,
        'retained state',
      );
      expect(late.messages.every((m) => m.retain)).toBe(true);
      expect(late.json<{ ward: string }>('_office')[0]?.ward).toBe('phuc-xa');
      const tallies = [
        ...latestTallies(
          late.messages.filter((m) => /\/tally\/\d{4}-\d{2}$/.test(m.topic)).map((m) => JSON.parse(m.payload) as Tally),
        ).values(),
      ];
      const talliedVotes = tallies.reduce((n, t) => n + Object.values(t.days).reduce((m, d) => m + d.c.reduce((a, b) => a + b, 0), 0), 0);
      expect(talliedVotes).toBe(total);
      const statuses = late.messages.filter((m) => /\/hop-\d+\/status$/.test(m.topic)).map((m) => JSON.parse(m.payload) as Status);
      expect(statuses).toHaveLength(BOXES);
      // The bridge stopped cleanly: the hub says so, with the forwarding progress of its last minutes.
      const bridgeStatus = late
        .json<Status>('status')
        .filter((s) => s.model === 'hailong-bridge')
        .reduce((a, b) => mergeStatus(a, b));
      expect(bridgeStatus.state).toBe('offline');
      expect(bridgeStatus.upstream).toMatchObject({ connected: true, forwarded: expect.any(Number) });
      // Progress went to the log as periodic lines, not one per vote.
      expect(bridge.lines.length).toBeLessThan(200);
    },
    CUT_MS + 240_000,
  );
});

/**
 * Fault tests for the durability claims of the bridge, with real parts:
 * the bridge as its own process (`hailong bridge`), a real Mosquitto, real
 * socat ptys and virtual boxes speaking the real protocol.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { latestTallies, type Tally } from '../../core/tally.ts';
import { mergeStatus, type Status } from '../../core/status.ts';
import type { Vote } from '../../core/vote.ts';
import { Journal } from '../../bridge/journal/journal.ts';
import { createPtyFleet } from '../../bridge/simulator/fleet.ts';
import { Simulation } from '../../bridge/simulator/simulation.ts';
import { collect } from '../helpers/mqtt-collector.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { kill9, spawnBridge, writeConfig } from './bridge-process.ts';
import { box, rigConfig, startApp, tempDir, until } from './bridge-rig.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('bridge durability under faults', () => {
  it('kill -9 in the middle of a 5,000-vote burst from 8 boxes: exactly 5,000 distinct votes and matching tallies', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const broker = await startMosquitto();
    cleanups.push(() => broker.dispose());
    const fleet = await createPtyFleet(8, {
      dir: tmp.dir,
      terminal: { helloIntervalMs: 300, ackTimeoutMs: 300, maxAckTimeoutMs: 1000, linkLostMs: 3000, capacity: 1000 },
    });
    cleanups.push(() => fleet.close());
    const sub = await collect(broker.url, 'hailong/v1/#', { clean: false, clientId: 'fault-collector' });
    cleanups.push(() => sub.close());
    const config = writeConfig(tmp.dir, 8, fleet.hostPaths, { url: broker.url });
    let bridge = spawnBridge(config);
    cleanups.push(() => kill9(bridge));
    const sim = new Simulation({ terminals: fleet.terminals, seed: 7, doublePressProbability: 0 });
    fleet.start();
    const burst = sim.burst(5000, { timeoutMs: 100_000 });
    // Kill the bridge once a good part of the burst has been ACKed (and some is in flight).
    await until(() => fleet.terminals.reduce((n, t) => n + t.stats.acked, 0) >= 1500, 60_000, '1,500 ACKs before the crash');
    await kill9(bridge);
    const ackedBeforeCrash = fleet.terminals.reduce((n, t) => n + t.stats.acked, 0);
    // Its last will marks it offline, and wins over the "online" of the same connection.
    const bridgeState = () =>
      sub.messages
        .filter((m) => m.topic.endsWith('/_bridge/status') && m.payload !== '')
        .map((m) => JSON.parse(m.payload) as Status)
        .reduce<Status | undefined>((a, b) => (a === undefined ? b : mergeStatus(a, b)), undefined)?.state;
    await sub.waitFor(() => bridgeState() === 'offline', 10_000, 'the last will');
    await new Promise((r) => setTimeout(r, 500));
    bridge = spawnBridge(config);
    await sub.waitFor(() => bridgeState() === 'online', 20_000, 'online again after the restart');
    const result = await burst;
    expect(result.complete).toBe(true);
    expect(ackedBeforeCrash).toBeLessThan(5000);
    await sub.waitFor(
      (m) => new Set(m.filter((x) => x.topic.endsWith('/vote')).map((x) => JSON.parse(x.payload).id)).size >= 5000,
      60_000,
      '5,000 distinct vote ids',
    );
    // Let the last retained tallies land.
    await new Promise((r) => setTimeout(r, 1000));
    const ids = new Set(sub.json<Vote>('vote').map((v) => v.id));
    expect(ids.size).toBe(5000);
    for (let i = 0; i < 8; i++) {
      const own = [...ids].filter((id) => id.startsWith(`${box(i).terminal}:`)).map((id) => Number(id.split(':')[1]));
      // Published seqs of each terminal are consecutive from the journal's base: nothing skipped, nothing extra.
      own.sort((a, b) => a - b);
      const first = own[0] ?? 1;
      expect(own).toEqual(Array.from({ length: own.length }, (_, k) => first + k));
    }
    const copies = sub.messages
      .filter((m) => /\/tally\/\d{4}-\d{2}$/.test(m.topic) && m.payload !== '')
      .map((m) => JSON.parse(m.payload) as Tally);
    const tallies = [...latestTallies(copies).values()];
    const talliedVotes = tallies.reduce((n, t) => n + Object.values(t.days).reduce((m, d) => m + d.c.reduce((a, b) => a + b, 0), 0), 0);
    expect(talliedVotes).toBe(5000);
    await kill9(bridge);
    const journal = new Journal({ path: join(tmp.dir, 'data', 'journal.db') });
    journal.open();
    expect(journal.voteCount()).toBe(5000);
    journal.close();
  });

  it('broker down for 30 s during voting: votes are stored and ACKed meanwhile, and the backlog is delivered after', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const broker = await startMosquitto({ persistence: true });
    cleanups.push(() => broker.dispose());
    const fleet = await createPtyFleet(2, { dir: tmp.dir, terminal: { helloIntervalMs: 300, ackTimeoutMs: 300, maxAckTimeoutMs: 1000 } });
    cleanups.push(() => fleet.close());
    const config = rigConfig({ boxes: 2, ports: fleet.hostPaths, dataDir: tmp.dir, mqttUrls: [broker.url], cooldownMs: 0 });
    const { app } = await startApp(config);
    cleanups.push(() => app.stop());
    // A persistent subscriber session: Mosquitto queues for it while it reconnects.
    const sub = await collect(broker.url, 'hailong/v1/+/+/+/+/vote', { clean: false, clientId: 'outage-collector' });
    cleanups.push(() => sub.close());
    fleet.start();
    await until(() => fleet.terminals.every((t) => t.phase === 'session'), 10_000, 'boxes in session');
    for (let i = 0; i < 10; i++) fleet.terminals[i % 2]?.press(1);
    await sub.waitFor((m) => m.length >= 10, 10_000, '10 votes before the outage');
    await broker.stop();
    const outageStart = Date.now();
    let pressed = 0;
    while (Date.now() - outageStart < 30_000) {
      fleet.terminals[pressed % 2]?.press((pressed % 3) + 1);
      pressed += 1;
      await new Promise((r) => setTimeout(r, 150));
    }
    // During the outage every press was ACKed from the journal: the boxes hold nothing.
    await until(() => fleet.terminals.every((t) => t.pending === 0), 5000, 'boxes emptied by journal ACKs');
    expect(app.bridge.journal.outboxSize()).toBe(pressed);
    await broker.restart();
    await sub.waitFor((m) => new Set(m.map((x) => JSON.parse(x.payload).id)).size >= 10 + pressed, 30_000, 'the backlog');
    const ids = new Set(sub.json<Vote>('vote').map((v) => v.id));
    expect(ids.size).toBe(10 + pressed);
    await until(() => app.bridge.journal.outboxSize() === 0, 10_000, 'outbox drained');
  });

  it('a full disk: no ACK (the box keeps the vote), a loud error, and delivery once space returns', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const fleet = await createPtyFleet(1, { dir: tmp.dir, terminal: { helloIntervalMs: 300, ackTimeoutMs: 300, maxAckTimeoutMs: 600 } });
    cleanups.push(() => fleet.close());
    const config = rigConfig({ boxes: 1, ports: fleet.hostPaths, dataDir: tmp.dir, cooldownMs: 0 });
    // A cap just above the empty database: the first vote does not fit.
    const { app } = await startApp(config, { journalMaxBytes: 48 * 1024 });
    const naks: string[] = [];
    fleet.terminals[0]?.on('nak', (n) => naks.push(n.reason));
    fleet.start();
    await until(() => fleet.terminals[0]?.phase === 'session', 10_000, 'session');
    let refused = false;
    for (let i = 0; i < 200 && !refused; i++) {
      fleet.terminals[0]?.press(1, { reason: 0 });
      await new Promise((r) => setTimeout(r, 30));
      refused = naks.includes('STORAGE');
    }
    expect(refused).toBe(true);
    expect(app.bridge.counterSnapshot()['journal-failed']).toBeGreaterThan(0);
    const kept = fleet.terminals[0]?.pending ?? 0;
    expect(kept).toBeGreaterThan(0);
    await app.stop();
    // Space comes back (no cap): the same journal takes the kept votes.
    const again = await startApp(config);
    cleanups.push(() => again.app.stop());
    await until(() => fleet.terminals[0]?.pending === 0, 20_000, 'kept votes stored after space returned');
    expect(again.app.bridge.journal.voteCount()).toBe(fleet.terminals[0]?.highestSeq);
  });
});

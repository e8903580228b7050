/**
 * Issue 17, item 1: with the embedded broker, `kill -9` of the bridge in
 * the middle of a burst must not cost a durable subscriber (clean=false,
 * QoS 1, reconnecting every 1 s like mosquitto_sub and MQTT.js) a single
 * journaled vote. Real parts: the bridge as its own process with its
 * embedded Aedes, 8 virtual boxes on socat ptys, an MQTT.js subscriber.
 * Five kills in a row, each mid-burst.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createPtyFleet } from '../../../bridge/simulator/fleet.ts';
import { Simulation } from '../../../bridge/simulator/simulation.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { freePort, waitForPort } from '../../helpers/ports.ts';
import { kill9, spawnBridge, writeConfig } from '../bridge-process.ts';
import { tempDir, until } from '../bridge-rig.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Every vote id in the journal (readonly: the bridge may hold it open). */
function journaledIds(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'journal.db'), { readonly: true });
  try {
    return (db.prepare('SELECT payload FROM votes').all() as { payload: string }[]).map(
      (r) => (JSON.parse(r.payload) as { id: string }).id,
    );
  } finally {
    db.close();
  }
}

const KILLS = 5;
const PER_BURST = 300;

describe('embedded broker: a durable subscriber across kill -9 of the bridge', () => {
  it(`misses no journaled vote through ${KILLS} kills mid-burst (8 boxes on ptys)`, async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const brokerPort = await freePort();
    const fleet = await createPtyFleet(8, {
      dir: tmp.dir,
      terminal: { helloIntervalMs: 300, ackTimeoutMs: 300, maxAckTimeoutMs: 1000, linkLostMs: 3000, capacity: 1000 },
    });
    cleanups.push(() => fleet.close());
    const config = writeConfig(tmp.dir, 8, fleet.hostPaths, { brokerPort });
    let bridge = spawnBridge(config);
    cleanups.push(() => kill9(bridge));
    await waitForPort(brokerPort, 20_000);
    const url = `mqtt://127.0.0.1:${brokerPort}`;
    const sub = await collect(url, 'hailong/v1/+/+/+/+/vote', { clean: false, clientId: 'durable-sub', reconnectPeriod: 1000 });
    cleanups.push(() => sub.close());
    const seen = () => new Set(sub.messages.map((m) => (JSON.parse(m.payload) as { id: string }).id));
    const sim = new Simulation({ terminals: fleet.terminals, seed: 17, doublePressProbability: 0 });
    fleet.start();
    const acked = () => fleet.terminals.reduce((n, t) => n + t.stats.acked, 0);
    for (let run = 0; run < KILLS; run++) {
      const before = acked();
      const burst = sim.burst(PER_BURST, { timeoutMs: 60_000 });
      await until(() => acked() >= before + PER_BURST / 3, 30_000, `a third of burst ${run + 1} ACKed`);
      await kill9(bridge);
      bridge = spawnBridge(config);
      const result = await burst;
      expect(result.complete).toBe(true);
      const journaled = journaledIds(join(tmp.dir, 'data'));
      expect(journaled.length).toBe(before + PER_BURST);
      // The subscriber reconnects on its own (every 1 s) and must get every journaled vote.
      await sub
        .waitFor(() => journaled.every((id) => seen().has(id)), 30_000, `every journaled vote after kill ${run + 1}`)
        .catch(() => undefined);
      const have = seen();
      expect({ run: run + 1, missing: journaled.filter((id) => !have.has(id)) }).toEqual({ run: run + 1, missing: [] });
    }
    // Nothing but journaled votes: no id the journal does not have.
    const journaled = new Set(journaledIds(join(tmp.dir, 'data')));
    expect([...seen()].filter((id) => !journaled.has(id))).toEqual([]);
  }, 240_000);
});

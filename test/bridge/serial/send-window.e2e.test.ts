/**
 * The send window (PROTOCOL.md §7.7) end to end, with real parts: virtual
 * boxes asking for a window of 16 on real socat ptys, the bridge as its own
 * process (`hailong bridge`, real SQLite journal, embedded broker), line
 * noise that garbles one VOTE frame in 150 (so later VOTEs of its window
 * arrive out of order), a pty unplugged while a box has a window in flight,
 * and the bridge killed with SIGKILL while windows are in flight. Afterwards
 * the journal holds every press exactly once: each box's device seqs 1..n,
 * none missing, none extra.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetUids } from '../../../bridge/simulator/fleet.ts';
import { PtyTransport } from '../../../bridge/simulator/pty-transport.ts';
import { createRandom } from '../../../bridge/simulator/random.ts';
import { Simulation } from '../../../bridge/simulator/simulation.ts';
import { createSocatPair, type SocatPair } from '../../../bridge/simulator/socat-pair.ts';
import type { TerminalTransport } from '../../../bridge/simulator/transport.ts';
import { VirtualTerminal } from '../../../bridge/simulator/virtual-terminal.ts';
import { freePort } from '../../helpers/ports.ts';
import { kill9, spawnBridge, writeConfig } from '../bridge-process.ts';
import { box, rigConfig, startApp, tempDir, until } from '../bridge-rig.ts';
import { MemoryTerminalStore } from '../../../bridge/simulator/terminal-store.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const BOXES = 4;
const VOTES = 4000;
/** One VOTE frame in this many is garbled on its way to the bridge. */
const GARBLE_ONE_IN = 150;

/** A cable with noise: now and then one byte of a VOTE frame is changed, so its CRC fails at the bridge. */
function noisy(inner: TerminalTransport, seed: number): TerminalTransport & { garbled: number } {
  const random = createRandom(seed);
  const wrapper = {
    garbled: 0,
    write(bytes: Uint8Array): void {
      // 0x56 0x4F = "VO": a VOTE frame ("$VOTE,...")
      if (bytes[1] === 0x56 && bytes[2] === 0x4f && random.chance(1 / GARBLE_ONE_IN)) {
        const copy = bytes.slice();
        copy[7] = copy[7] === 0x31 ? 0x32 : 0x31;
        wrapper.garbled++;
        inner.write(copy);
        return;
      }
      inner.write(bytes);
    },
    onData: (l: Parameters<TerminalTransport['onData']>[0]) => inner.onData(l),
    onLink: (l: Parameters<TerminalTransport['onLink']>[0]) => inner.onLink(l),
    get up() {
      return inner.up;
    },
    get name() {
      return inner.name;
    },
    close: () => inner.close(),
  };
  return wrapper;
}

describe('send window of 16 over socat ptys', () => {
  it('a pty unplugged and the bridge killed -9 mid-window: every press journaled exactly once', { timeout: 240_000 }, async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const pairs: SocatPair[] = [];
    const cables: (TerminalTransport & { garbled: number })[] = [];
    const terminals: VirtualTerminal[] = [];
    for (const [i, uid] of fleetUids(BOXES).entries()) {
      const pair = await createSocatPair({ dir: tmp.dir, name: uid });
      pairs.push(pair);
      const pty = new PtyTransport({ path: pair.device, reopenMinMs: 20, reopenMaxMs: 200 });
      await pty.waitUp();
      const cable = noisy(pty, 100 + i);
      cables.push(cable);
      const options = { helloIntervalMs: 300, ackTimeoutMs: 300, maxAckTimeoutMs: 1000, linkLostMs: 3000, capacity: 2000 };
      terminals.push(new VirtualTerminal({ uid, transport: cable, inFlight: 16, ...options }));
    }
    const fleet = { terminals, pairs, start: () => terminals.forEach((t) => t.start()) };
    cleanups.push(async () => {
      await Promise.all(terminals.map((t) => t.close()));
      await Promise.all(pairs.map((p) => p.close()));
    });
    const config = writeConfig(
      tmp.dir,
      BOXES,
      pairs.map((p) => p.host),
      { brokerPort: await freePort() },
    );
    let bridge = spawnBridge(config);
    cleanups.push(() => kill9(bridge));

    // How full the windows get: the largest number of votes in flight at a box.
    let widest = 0;
    for (const t of fleet.terminals) t.on('vote-sent', () => (widest = Math.max(widest, t.inFlightSeqs.length)));
    const acked = () => fleet.terminals.reduce((n, t) => n + t.stats.acked, 0);
    const inFlight = (i: number) => fleet.terminals[i]!.inFlightSeqs.length;

    const sim = new Simulation({ terminals: fleet.terminals, seed: 14, doublePressProbability: 0 });
    fleet.start();
    const burst = sim.burst(VOTES, { timeoutMs: 200_000 });

    // Unplug box 1's cable while it has a window in flight, then plug it back.
    await until(() => acked() >= 600 && inFlight(0) > 1, 60_000, 'box 1 with a window in flight');
    const unpluggedWith = inFlight(0);
    await fleet.pairs[0]!.unplug();
    await new Promise((r) => setTimeout(r, 700));
    await fleet.pairs[0]!.replug();

    // Kill the bridge while windows are in flight, then start it again on the same journal.
    await until(() => acked() >= 2000 && fleet.terminals.some((_, i) => inFlight(i) > 1), 60_000, 'windows in flight before the kill');
    const killedWith = fleet.terminals.map((_, i) => inFlight(i));
    await kill9(bridge);
    const ackedAtKill = acked();
    await new Promise((r) => setTimeout(r, 500));
    bridge = spawnBridge(config);

    const result = await burst;
    expect(result.complete).toBe(true);
    expect(ackedAtKill).toBeLessThan(VOTES);
    expect(unpluggedWith).toBeGreaterThan(1);
    expect(Math.max(...killedWith)).toBeGreaterThan(1);
    // The bridge granted the window, and the boxes used it.
    for (const t of fleet.terminals) expect(t.window).toBe(16);
    expect(widest).toBeGreaterThan(8);
    expect(cables.reduce((n, c) => n + c.garbled, 0)).toBeGreaterThan(5);

    await kill9(bridge);
    const db = new Database(join(tmp.dir, 'data', 'journal.db'), { readonly: true });
    cleanups.push(() => void db.close());
    const rows = db.prepare('SELECT uid, device_seq AS seq FROM votes ORDER BY uid, device_seq').all() as { uid: string; seq: number }[];
    expect(rows).toHaveLength(VOTES);
    for (let i = 0; i < BOXES; i++) {
      const t = fleet.terminals[i]!;
      const seqs = rows.filter((r) => r.uid === box(i).uid).map((r) => r.seq);
      // every press of the box, once: its seqs 1..highest, none missing and none twice
      expect(seqs, box(i).uid).toEqual(Array.from({ length: t.highestSeq }, (_, k) => k + 1));
      expect(t.pending).toBe(0);
    }
  });

  it('a windowed box whose memory was wiped continues above the mark: its new votes are counted, none lost (§7.6 with Wmax 16)', {
    timeout: 60_000,
  }, async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const pair = await createSocatPair({ dir: tmp.dir, name: box(0).uid });
    cleanups.push(() => pair.close());
    const pty = new PtyTransport({ path: pair.device, reopenMinMs: 20, reopenMaxMs: 200 });
    await pty.waitUp();
    cleanups.push(() => pty.close());
    const { app } = await startApp(rigConfig({ boxes: 1, ports: [pair.host], dataDir: tmp.dir, cooldownMs: 0 }));
    cleanups.push(() => app.stop());
    const fast = { uid: box(0).uid, transport: pty, inFlight: 16, helloIntervalMs: 300, ackTimeoutMs: 300, maxAckTimeoutMs: 1000 };

    const before = new VirtualTerminal({ ...fast, store: new MemoryTerminalStore() });
    before.start();
    await until(() => before.phase === 'session', 10_000, 'the first session');
    for (let i = 0; i < 40; i++) before.press(1 + (i % 3));
    await until(() => before.pending === 0, 20_000, '40 votes ACKed');
    before.stop();

    // Re-flashed without EESAVE: a blank memory, numbering from 1 again, 25 presses before the bridge answers.
    const after = new VirtualTerminal({ ...fast, store: new MemoryTerminalStore() });
    const renumbered: (readonly number[])[] = [];
    after.on('renumbered', (e) => renumbered.push(e.to));
    after.start();
    for (let i = 0; i < 25; i++) after.press(2); // before any WELCOME: stored under seqs 1..25
    await until(() => after.phase === 'session' && after.pending === 0, 20_000, 'the wiped box drained');
    expect(renumbered[0]?.[0]).toBe(41);
    expect(renumbered[0]).toHaveLength(25);
    expect(app.bridge.journal.voteCount()).toBe(65);
    expect(app.bridge.counterSnapshot()['port-seq-regression']).toBeUndefined();
  });
});

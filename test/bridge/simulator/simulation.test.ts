import { afterEach, describe, expect, it } from 'vitest';
import { createStreamFleet, type StreamFleet } from '../../../bridge/simulator/fleet.ts';
import { ManualClock } from '../../../bridge/simulator/manual-clock.ts';
import { Simulation, type SimulationPress } from '../../../bridge/simulator/simulation.ts';
import type { VirtualTerminalOptions } from '../../../bridge/simulator/terminal-options.ts';
import { IdealBridge } from './scripted-bridge.ts';

interface World {
  clock: ManualClock;
  fleet: StreamFleet;
  bridges: IdealBridge[];
}

const worlds: World[] = [];

afterEach(async () => {
  for (const w of worlds.splice(0)) {
    for (const b of w.bridges) b.dispose();
    await w.fleet.close();
  }
});

function world(count: number, options: { cooldownMs?: number; bridge?: boolean; terminal?: Partial<VirtualTerminalOptions> } = {}): World {
  const clock = new ManualClock(Date.UTC(2025, 0, 6, 2, 0)); // a Monday, 09:00 in Hà Nội
  const fleet = createStreamFleet(count, { terminal: { clock, ...options.terminal } });
  const config = { buttons: 3, cooldownMs: options.cooldownMs ?? 0, mode: 'OPEN' as const, windowMs: 30000, leds: true, buzzer: true };
  const bridges = options.bridge === false ? [] : fleet.bridgeSides.map((side) => new IdealBridge(side, clock, config));
  const w = { clock, fleet, bridges };
  worlds.push(w);
  return w;
}

/** Advances fake time until `promise` settles (or `maxMs` passes). */
async function settle<T>(clock: ManualClock, promise: Promise<T>, stepMs = 1000, maxMs = 600_000): Promise<T> {
  let done = false;
  void promise.then(() => (done = true));
  for (let t = 0; !done && t < maxMs; t += stepMs) await clock.advance(stepMs);
  return promise;
}

describe('Simulation.burst', () => {
  it('presses 5,000 votes over 8 terminals and resolves when all are ACKed, each stored exactly once', async () => {
    const w = world(8);
    w.fleet.start();
    const sim = new Simulation({ terminals: w.fleet.terminals, clock: w.clock, seed: 1 });
    const progress: number[] = [];
    const r = await settle(w.clock, sim.burst(5000, { onProgress: (p) => progress.push(p.acked) }));
    expect(r).toMatchObject({ complete: true, total: 5000, accepted: 5000, acked: 5000, notPressed: 0, unacked: [] });
    expect(new Set(r.votes.map((v) => `${v.uid}:${v.seq}`)).size).toBe(5000);
    const records = w.bridges.flatMap((b) => b.records());
    expect(records).toHaveLength(5000);
    expect(records.every((x) => x.stores === 1)).toBe(true);
    // Spread evenly: 625 per terminal.
    expect(w.bridges.map((b) => b.records().length)).toEqual(Array(8).fill(625));
    expect(progress.length).toBe(100);
  });

  it('survives lossy links, a bridge restart and terminal reboots mid-burst', async () => {
    const w = world(4, { terminal: { capacity: 16 } });
    w.fleet.start();
    let n = 0;
    for (const b of w.bridges) b.faults = { dropIn: () => ++n % 7 === 0, dropOut: () => n % 11 === 0 };
    const sim = new Simulation({ terminals: w.fleet.terminals, clock: w.clock, seed: 2 });
    const burst = sim.burst(400, { timeoutMs: 3_600_000 });
    await w.clock.advance(3000);
    w.fleet.terminals[0]!.reboot();
    w.bridges[1]!.restart();
    await w.clock.advance(3000);
    w.fleet.terminals[2]!.reboot();
    const r = await settle(w.clock, burst);
    expect(r.complete).toBe(true);
    const records = w.bridges.flatMap((b) => b.records());
    expect(records).toHaveLength(400);
    expect(records.every((x) => x.stores === 1)).toBe(true);
  });

  it('reports what is still pending at the deadline when no bridge answers', async () => {
    const w = world(2, { bridge: false, terminal: { capacity: 10 } });
    w.fleet.start();
    const sim = new Simulation({ terminals: w.fleet.terminals, clock: w.clock, seed: 3 });
    const r = await settle(w.clock, sim.burst(50, { timeoutMs: 5000 }));
    expect(r).toMatchObject({ complete: false, accepted: 20, acked: 0, notPressed: 30 });
    expect(r.unacked).toHaveLength(20);
  });

  it('rejects bad arguments, naming them', () => {
    const w = world(2, { bridge: false });
    const sim = new Simulation({ terminals: w.fleet.terminals, clock: w.clock });
    expect(() => sim.burst(-1)).toThrow(/"total"/);
    expect(() => sim.burst(1, { terminals: 3 })).toThrow(/"terminals" must be an integer 1..2/);
  });
});

describe('Simulation pacing', () => {
  it('realistic mode: Poisson arrivals at the mean, the rating mix, doubles inside the cooldown, reasons on low ratings, a worse counter', async () => {
    const w = world(4, { cooldownMs: 5000 });
    const sim = new Simulation({ terminals: w.fleet.terminals, clock: w.clock, seed: 11, meanIntervalMs: 4000, worseTerminals: 1 });
    const presses: SimulationPress[] = [];
    sim.on('press', (p) => presses.push(p));
    sim.start();
    await w.clock.advance(4 * 3600_000);
    sim.stop();
    const firsts = presses.filter((p) => !p.double);
    // 4 counters × 4 h / 4 s = 14,400 citizens expected.
    expect(firsts.length).toBeGreaterThan(14_400 * 0.95);
    expect(firsts.length).toBeLessThan(14_400 * 1.05);
    const good = firsts.filter((p) => p.uid !== 'SIM-04');
    const share = (ps: SimulationPress[], b: number) => ps.filter((p) => p.button === b).length / ps.length;
    expect(share(good, 1)).toBeCloseTo(0.75, 1);
    expect(share(good, 2)).toBeCloseTo(0.22, 1);
    expect(share(good, 3)).toBeGreaterThan(0.02);
    expect(share(good, 3)).toBeLessThan(0.045);
    expect(
      share(
        firsts.filter((p) => p.uid === 'SIM-04'),
        3,
      ),
    ).toBeGreaterThan(0.1); // the worse counter shows
    // Double presses land inside the 5 s cooldown of their citizen's unflagged press: flagged C, still votes.
    const doubles = presses.filter((p) => p.double);
    expect(doubles.length).toBeGreaterThan(firsts.length * 0.03);
    const lastFirst = new Map<string, SimulationPress>();
    let checked = 0;
    for (const p of presses) {
      if (!p.double) {
        lastFirst.set(p.uid, p);
        continue;
      }
      const first = lastFirst.get(p.uid)!;
      if (first.result.ok && first.result.flags === '') {
        expect(p.result).toMatchObject({ ok: true, flags: 'C' });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    // Reasons: only on ratings below the best, mostly the lowest.
    const withReason = presses.filter((p) => p.reason > 0);
    expect(withReason.every((p) => p.button > 1 && p.reason <= 6)).toBe(true);
    expect(withReason.filter((p) => p.button === 3).length).toBeGreaterThan(withReason.length / 2);
    // Everything reached the bridges exactly once.
    await w.clock.advance(60_000);
    const records = w.bridges.flatMap((b) => b.records());
    expect(records).toHaveLength(presses.filter((p) => p.result.ok).length);
    expect(sim.stats).toMatchObject({ pending: 0, online: 4, refused: 0 });
  });

  it('rate mode: the total load matches ratePerSecond over all terminals', async () => {
    const w = world(4);
    const sim = new Simulation({ terminals: w.fleet.terminals, clock: w.clock, seed: 5, ratePerSecond: 500, doublePressProbability: 0 });
    sim.start();
    await w.clock.advance(20_000);
    sim.stop();
    expect(sim.stats.presses).toBeGreaterThan(10_000 * 0.95);
    expect(sim.stats.presses).toBeLessThan(10_000 * 1.05);
    expect(sim.stats.refused).toBe(0);
  });

  it('opening hours: no citizens while the office is closed', async () => {
    const w = world(2);
    const sunday = Date.UTC(2025, 0, 5, 3, 0);
    const sim = new Simulation({
      terminals: w.fleet.terminals,
      clock: w.clock,
      seed: 5,
      meanIntervalMs: 1000,
      openingHours: { mon: [['07:30', '11:30']] },
      wallClock: () => sunday,
    });
    sim.start();
    await w.clock.advance(60_000);
    expect(sim.stats.presses).toBe(0);
    expect(sim.stats.closedSkips).toBeGreaterThan(50);
  });

  it('emits progress while started and stops pressing after stop()', async () => {
    const w = world(2);
    const sim = new Simulation({ terminals: w.fleet.terminals, clock: w.clock, seed: 9, meanIntervalMs: 500, progressIntervalMs: 10_000 });
    const ticks: number[] = [];
    sim.on('progress', (p) => ticks.push(p.elapsedMs));
    sim.start();
    await w.clock.advance(30_000);
    sim.stop();
    const pressed = sim.stats.presses;
    await w.clock.advance(30_000);
    expect(ticks).toEqual([10_000, 20_000, 30_000]);
    expect(sim.stats.presses).toBe(pressed);
    expect(sim.stats.acked).toBe(sim.stats.accepted);
  });

  it('validates options, naming them', () => {
    const w = world(1, { bridge: false });
    const terminals = w.fleet.terminals;
    expect(() => new Simulation({ terminals: [] })).toThrow(/"terminals"/);
    expect(() => new Simulation({ terminals, ratePerSecond: 0 })).toThrow(/"ratePerSecond"/);
    expect(() => new Simulation({ terminals, mix: [1] })).toThrow(/"mix"/);
    expect(() => new Simulation({ terminals, doublePressProbability: 2 })).toThrow(/"doublePressProbability"/);
    expect(() => new Simulation({ terminals, meanIntervalMs: [10, 5] })).toThrow(/"meanIntervalMs"/);
    expect(() => new Simulation({ terminals, minIntervalMs: -1 })).toThrow(/"minIntervalMs"/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPENING_HOURS, isOpenAt, parseOpeningHours } from '../../../core/opening-hours.ts';
import { demoCitizens, demoOpeningHours } from '../../../bridge/demo/demo-citizens.ts';
import { demoConfig } from '../../../bridge/demo/demo-office.ts';
import { createStreamFleet, type StreamFleet } from '../../../bridge/simulator/fleet.ts';
import { ManualClock } from '../../../bridge/simulator/manual-clock.ts';
import { Simulation, type SimulationPress } from '../../../bridge/simulator/simulation.ts';
import { IdealBridge } from '../simulator/scripted-bridge.ts';

// Local (Hà Nội, UTC+7) times.
const SUNDAY_11 = Date.UTC(2026, 11, 6, 4, 0); // Sunday 6 Dec 2026, 11:00
const MONDAY_09 = Date.UTC(2026, 11, 7, 2, 0); // Monday 09:00
const MONDAY_12_10 = Date.UTC(2026, 11, 7, 5, 10); // Monday 12:10, the lunch break

const fleets: { fleet: StreamFleet; bridges: IdealBridge[] }[] = [];
afterEach(async () => {
  for (const w of fleets.splice(0)) {
    for (const b of w.bridges) b.dispose();
    await w.fleet.close();
  }
});

/** The demo's three boxes behind an ideal bridge with the demo's cooldown, on a fake clock from `start`. */
function demoWorld(start: number) {
  const clock = new ManualClock(start);
  const config = demoConfig({ dataDir: '/nonexistent', ports: [] });
  const fleet = createStreamFleet(3, { terminal: { clock } });
  const bridges = fleet.bridgeSides.map(
    (side) =>
      new IdealBridge(side, clock, {
        buttons: 3,
        cooldownMs: config.rating.cooldownMs,
        mode: 'OPEN',
        windowMs: 30_000,
        leds: true,
        buzzer: true,
      }),
  );
  fleets.push({ fleet, bridges });
  return { clock, fleet, cooldownMs: config.rating.cooldownMs };
}

describe('demoOpeningHours', () => {
  it('keeps the office hours when the demo starts while the office is open', () => {
    expect(demoOpeningHours(DEFAULT_OPENING_HOURS, MONDAY_09)).toEqual({ hours: DEFAULT_OPENING_HOURS, session: null });
  });

  it('opens a demo session from the current hour to 23:59 when started out of hours, and nothing else changes', () => {
    const sunday = demoOpeningHours(DEFAULT_OPENING_HOURS, SUNDAY_11);
    expect(sunday.session).toEqual({ day: 'sun', from: '11:00', to: '23:59' });
    expect(sunday.hours).toEqual({ ...DEFAULT_OPENING_HOURS, sun: [['11:00', '23:59']] });
    expect(isOpenAt(sunday.hours, SUNDAY_11)).toBe(true);
    expect(parseOpeningHours(sunday.hours).ok).toBe(true);
    // The lunch break: merged with the afternoon it overlaps.
    const lunch = demoOpeningHours(DEFAULT_OPENING_HOURS, MONDAY_12_10);
    expect(lunch.hours.mon).toEqual([
      ['07:30', '11:30'],
      ['12:00', '23:59'],
    ]);
    expect(parseOpeningHours(lunch.hours).ok).toBe(true);
    // Late on Sunday: the session goes on after midnight.
    const late = demoOpeningHours(DEFAULT_OPENING_HOURS, Date.UTC(2026, 11, 6, 16, 40)); // Sunday 23:40
    expect(late.session).toEqual({ day: 'sun', from: '23:00', to: '23:59', nextDayUntil: '06:00' });
    expect(late.hours.mon).toEqual([
      ['00:00', '06:00'],
      ['07:30', '11:30'],
      ['13:30', '17:00'],
    ]);
    expect(isOpenAt(late.hours, Date.UTC(2026, 11, 6, 17, 30))).toBe(true); // Monday 00:30
    expect(parseOpeningHours(late.hours).ok).toBe(true);
  });
});

describe("the demo's citizens", () => {
  async function run(start: number, hours: typeof DEFAULT_OPENING_HOURS, ms: number) {
    const w = demoWorld(start);
    const sim = new Simulation({
      terminals: w.fleet.terminals,
      clock: w.clock,
      seed: 7,
      wallClock: () => Math.floor(w.clock.now()),
      ...demoCitizens({ openingHours: hours, cooldownMs: w.cooldownMs }),
    });
    const presses: (SimulationPress & { at: number })[] = [];
    sim.on('press', (p) => presses.push({ ...p, at: Math.floor(w.clock.now()) }));
    sim.start();
    await w.clock.advance(ms);
    sim.stop();
    return { presses, sim };
  }

  it('vote only during opening hours: none on Sunday at 11:00 with the office closed', async () => {
    const { presses, sim } = await run(SUNDAY_11, DEFAULT_OPENING_HOURS, 10 * 60_000);
    expect(presses).toEqual([]);
    expect(sim.stats.closedSkips).toBeGreaterThan(0);
  });

  it('started out of hours, the demo session gives live votes within a minute, all inside the published hours', async () => {
    const { hours } = demoOpeningHours(DEFAULT_OPENING_HOURS, SUNDAY_11);
    const { presses } = await run(SUNDAY_11, hours, 30 * 60_000);
    expect(presses[0]?.at).toBeLessThan(SUNDAY_11 + 60_000);
    expect(presses.every((p) => isOpenAt(hours, p.at))).toBe(true);
  });

  it('keep filtered (cooldown) presses to a few percent', async () => {
    const { presses } = await run(MONDAY_09, DEFAULT_OPENING_HOURS, 2 * 3_600_000);
    const accepted = presses.filter((p) => p.result.ok);
    const filtered = accepted.filter((p) => p.result.ok && p.result.flags.includes('C'));
    expect(accepted.length).toBeGreaterThan(1000);
    const share = filtered.length / accepted.length;
    expect(share).toBeGreaterThan(0.005);
    expect(share).toBeLessThan(0.06);
  });
});

import { describe, expect, it } from 'vitest';
import { HelloBeacon, helloMessage } from '../../../bridge/simulator/hello-beacon.ts';
import { ManualClock } from '../../../bridge/simulator/manual-clock.ts';
import { resolveTerminalOptions } from '../../../bridge/simulator/terminal-options.ts';
import { createStreamPair } from '../../../bridge/simulator/stream-transport.ts';

describe('helloMessage', () => {
  const options = (inFlight?: number) =>
    resolveTerminalOptions({ uid: 'A1B2C3D4', transport: createStreamPair({ name: 'T' }).terminalSide, ...(inFlight ? { inFlight } : {}) });

  it('leaves the window out for a 1.0 box and clamps pending to the 16-bit field (§5.1)', () => {
    const hello = helloMessage(options(), 70_000);
    expect(hello).toMatchObject({ type: 'HELLO', proto: 1, uid: 'A1B2C3D4', pending: 65535 });
    expect(hello).not.toHaveProperty('inFlight');
  });

  it('asks for its window when it has one', () => {
    expect(helloMessage(options(8), 3)).toMatchObject({ inFlight: 8, pending: 3 });
  });
});

describe('HelloBeacon', () => {
  it('beats now and every interval, or first after one interval; stop() ends it', async () => {
    const clock = new ManualClock(0);
    const beats: number[] = [];
    const beacon = new HelloBeacon(clock, () => beats.push(clock.now()));
    beacon.start(2000, true);
    await clock.advance(4500);
    expect(beats).toEqual([0, 2000, 4000]);
    beacon.start(10_000, false);
    await clock.advance(25_000);
    expect(beats).toEqual([0, 2000, 4000, 14_500, 24_500]);
    beacon.stop();
    await clock.advance(60_000);
    expect(beats).toHaveLength(5);
  });

  it('a beat that stops the beacon schedules no further beat', async () => {
    const clock = new ManualClock(0);
    let beats = 0;
    const beacon: HelloBeacon = new HelloBeacon(clock, () => {
      beats++;
      beacon.stop();
    });
    beacon.start(1000, true);
    await clock.advance(10_000);
    expect(beats).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });
});

/**
 * Gated mode with a button box AND a kiosk at one counter (issue 17 item 7):
 * one service, one vote, whatever the terminal. A real virtual box on a
 * socat pty, a kiosk publishing like the kiosk, the desk's `_served` on the
 * embedded broker, and the bridge deciding.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { publicationFor } from '../../../core/topic-payload.ts';
import type { Vote } from '../../../core/vote.ts';
import { createPtyFleet } from '../../../bridge/simulator/fleet.ts';
import { localDaysOf } from '../../helpers/local-days.ts';
import { startApp, tempDir, until } from '../bridge-rig.ts';
import { kioskOfficeConfig, KIOSK_PASSWORD } from './kiosk-office.ts';
import { KIOSK, KioskPublisher, kioskVote } from './kiosk-publisher.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const DESK = { username: 'desk', password: 'desk-password-1' };

describe('gated counter with a box and a kiosk', () => {
  it('counts one vote per service: the second vote in a window, box or kiosk, is kept, flagged gated and left out of the tallies', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const fleet = await createPtyFleet(1, { dir: tmp.dir, terminal: { helloIntervalMs: 300, ackTimeoutMs: 300 } });
    cleanups.push(() => fleet.close());
    const { app, url } = await startApp(kioskOfficeConfig(tmp.dir, { gated: true, boxPort: fleet.hostPaths[0], desk: DESK }));
    cleanups.push(() => app.stop());
    const box = fleet.terminals[0]!;
    fleet.start();
    await until(() => box.phase === 'session', 10_000, 'the box in session');
    const kiosk = new KioskPublisher(url, { username: KIOSK.terminal, password: KIOSK_PASSWORD });
    cleanups.push(() => kiosk.close());
    const desk = await mqtt.connectAsync(url, DESK);
    cleanups.push(() => desk.endAsync(true));
    const served = async (ticket: string) => {
      const p = publicationFor(
        'served',
        { district: KIOSK.district, ward: KIOSK.ward, counter: KIOSK.counter },
        { v: 1, at: Date.now(), officer: 'can-bo-lan', ticket },
      );
      await desk.publishAsync(p.topic, p.payload, { qos: 1 });
      await until(() => box.windowOpen, 5000, 'the box’s window to open');
    };
    const journal = app.bridge.journal;
    const stored = (): Vote[] => [...journal.votesPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((p) => JSON.parse(p) as Vote);

    // Service A: the box votes first, then the kiosk.
    await served('A001');
    box.press(1);
    await until(() => stored().length === 1, 5000, 'the box vote');
    await kiosk.deliver(kioskVote(1));
    await until(() => stored().length === 2, 5000, 'the kiosk vote');
    // Service B: the kiosk votes first, then the box (whose window the bridge closed).
    await served('B002');
    await kiosk.deliver(kioskVote(2));
    await until(() => stored().length === 3, 5000, 'the second kiosk vote');
    await until(() => !box.windowOpen, 5000, 'the bridge to close the box’s window');
    box.press(2);
    await until(() => stored().length === 4, 5000, 'the second box vote');

    const verdicts = stored().map((v) => [v.source, v.filtered ?? 'counted', v.ticket ?? null]);
    expect(verdicts).toEqual([
      ['button', 'counted', 'A001'],
      ['touch', 'gated', null],
      ['touch', 'counted', 'B002'],
      ['button', 'gated', null],
    ]);
    // The tallies count one vote per service and show the two gated presses.
    journal.flush();
    // The months the votes were pressed in, not the clock's now (a month may end meanwhile).
    const months = localDaysOf(stored().map((v) => v.pressedAt)).months;
    const tallies = months.flatMap((month) => [
      journal.tallyOf({ ...KIOSK }, month),
      journal.tallyOf({ ...KIOSK, terminal: 'hop-1' }, month),
    ]);
    const counted = tallies.reduce((n, t) => n + Object.values(t?.days ?? {}).reduce((m, d) => m + d.c.reduce((a, b) => a + b, 0), 0), 0);
    const gated = tallies.reduce((n, t) => n + Object.values(t?.days ?? {}).reduce((m, d) => m + d.f[1], 0), 0);
    expect([counted, gated]).toEqual([2, 2]);
  });
});

/**
 * Never lose a vote (issue #5): with the broker AND the web server down,
 * 50 taps are stored in the kiosk's IndexedDB outbox; the page is reloaded
 * (served by the service worker's precache); then the broker comes back
 * and every vote arrives, each id exactly once after dedupe, with the
 * kiosk's retained tally agreeing. Real Chromium, real Mosquitto stopped
 * and restarted on the same ports, an independent persistent subscriber.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localParts, parseMessage } from '../../core/index.ts';
import type { Tally, Vote } from '../../core/index.ts';
import { localDaysOf } from '../helpers/local-days.ts';
import { PLACE, config, screenshot, snapshotOf, startKioskRig, until, type KioskRig } from './rig/kiosk-rig.ts';

let rig: KioskRig;
const TAPS = 50;

beforeAll(async () => {
  // Broker persistence keeps the collector's session (and its queue) across the restart.
  // The bridge journals the kiosks' votes (its session survives the broker restart), publishes their
  // tallies and the receipts without which a kiosk keeps every vote (docs/ARCHITECTURE.md).
  rig = await startKioskRig({
    persistence: true,
    collectorId: `hailong-e2e-collector-${process.pid}`,
    bridge: { terminals: ['kiosk-1', 'kiosk-2'], cooldownMs: 0 },
  });
});

afterAll(async () => {
  await rig?.close();
});

describe('kiosk offline durability (real Chromium, real Mosquitto stopped and restarted)', () => {
  it('50 taps with the broker stopped, a reload, then the broker started: all 50 arrive exactly once', async () => {
    const t = 'kiosk-1';
    await rig.publish('config', { ...PLACE, terminal: t }, config({ cooldownMs: 0 }));
    const page = await rig.open(rig.url(t, { 'thanks-ms': '800' }));
    // The service worker has precached the app once it is active.
    const active = await page.evaluate(() =>
      Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]),
    );
    expect(active, 'the service worker did not activate within 10 s').toBe(true);

    await rig.mosquitto.stop();
    await rig.server.stop(); // the tablet is fully offline: no broker, no web server
    await until(async () => (await snapshotOf(page)).link === 'offline', 'the kiosk to notice the broker is gone');

    const button = page.getByRole('button', { name: 'Rất hài lòng', exact: true });
    for (let i = 0; i < TAPS; i++) await button.click();
    await until(async () => (await snapshotOf(page)).stats.highWater === TAPS, `${TAPS} votes stored`);
    expect((await snapshotOf(page)).stats.pending).toBe(TAPS);
    expect(rig.collector.json('vote')).toHaveLength(0);

    await page.reload(); // from the service worker's precache: the web server is down
    await button.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await until(async () => (await snapshotOf(page)).stats.pending === TAPS, 'the outbox restored after the reload');
    await screenshot(page, 'kiosk-offline-after-reload-1280x800');
    const dot = await page.getByTestId('status-dot').getAttribute('aria-label');
    expect(dot).toContain('50 phiếu chờ gửi');

    await rig.mosquitto.restart();
    await rig.collector.waitFor(
      () => new Set(rig.collector.json<Vote>('vote').map((v) => v.id)).size >= TAPS,
      45_000,
      `${TAPS} distinct votes`,
    );
    const votes: Vote[] = [];
    for (const m of rig.collector.messages.filter((x) => x.topic.endsWith('/vote'))) {
      const parsed = parseMessage(m.topic, m.payload);
      expect(parsed.ok, m.payload).toBe(true);
      if (parsed.ok && parsed.value.kind === 'vote') votes.push(parsed.value.payload);
    }
    const byId = new Map<string, Vote>();
    for (const v of votes) {
      const seen = byId.get(v.id);
      // A redelivered duplicate must be the same vote, byte for byte: consumers dedupe by id.
      if (seen !== undefined) expect(v).toEqual(seen);
      byId.set(v.id, v);
    }
    expect([...byId.keys()].sort()).toEqual(Array.from({ length: TAPS }, (_, i) => `${t}:${i + 1}`).sort());
    for (const v of byId.values()) expect(v).toMatchObject({ ...PLACE, terminal: t, level: 'rat-hai-long', source: 'touch' });
    console.log(`kiosk offline: ${votes.length} vote messages for ${byId.size} distinct ids`);

    // Every row is marked done (PUBACK) and the retained tally counts each vote once.
    await until(async () => (await snapshotOf(page)).stats.pending === 0, 'the outbox to drain');
    // The taps' Hà Nội months (a month may end while they are tapped): the last one's tally reaches seq 50.
    const pressed = localDaysOf([...byId.values()].map((v) => v.pressedAt));
    const lastMonth = localParts(byId.get(`${t}:${TAPS}`)!.pressedAt).monthKey;
    await rig.collector.waitFor(
      () => rig.collector.json<Tally>(lastMonth).some((x) => x.terminal === t && x.seq === TAPS),
      10_000,
      'the retained tally at seq 50',
    );
    const counted = pressed.months.reduce((sum, month) => {
      const tally = rig.collector
        .json<Tally>(month)
        .filter((x) => x.terminal === t)
        .at(-1)!;
      return sum + Object.values(tally.days).reduce((n, d) => n + (d.c[0] ?? 0), 0);
    }, 0);
    expect(counted).toBe(TAPS);
    expect(rig.pageErrors).toEqual([]);
    await page.close();
  });

  it('votes in flight when the broker dies (no PUBACK) stay in the outbox and are sent again', async () => {
    const t = 'kiosk-2';
    // The web server is still down (first test): this page, too, comes from the service worker.
    await rig.publish('config', { ...PLACE, terminal: t }, config({ cooldownMs: 0 }));
    const page = await rig.open(rig.url(t, { 'thanks-ms': '800' }));
    // Freeze the broker (SIGSTOP to the Mosquitto this rig started, by its pid): the
    // connection stays up, so the kiosk publishes and waits for PUBACKs that never come.
    const pid = Number(
      execFileSync('pgrep', ['-f', join(rig.mosquitto.dir, 'mosquitto.conf')])
        .toString()
        .trim()
        .split('\n')[0],
    );
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGSTOP');
    const button = page.getByRole('button', { name: 'Hài lòng', exact: true });
    for (let i = 0; i < 10; i++) await button.click();
    await until(async () => (await snapshotOf(page)).stats.highWater === 10, '10 votes stored');
    await page.waitForTimeout(300); // let the publishes leave the page
    await rig.mosquitto.kill(); // the broker dies with 10 unacknowledged publishes
    await until(async () => (await snapshotOf(page)).link !== 'online', 'the kiosk to notice the dead broker');
    expect((await snapshotOf(page)).stats.pending).toBe(10);
    await rig.mosquitto.restart();
    const ids = () =>
      new Set(
        rig.collector
          .json<Vote>('vote')
          .filter((v) => v.terminal === t)
          .map((v) => v.id),
      );
    await rig.collector.waitFor(() => ids().size >= 10, 45_000, '10 distinct votes of kiosk-2');
    expect([...ids()].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `${t}:${i + 1}`).sort());
    await until(async () => (await snapshotOf(page)).stats.pending === 0, 'the outbox to drain');
    await page.close();
  });
});

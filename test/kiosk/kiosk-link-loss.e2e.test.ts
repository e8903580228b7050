/**
 * The kiosk notices within 5 s that the network went away (issue 12,
 * defect 6: the dot stayed green ≥ 15 s). Real Chromium and the real kiosk
 * build, real Mosquitto behind a proxy that silently drops every byte (a
 * pulled cable: no FIN, no RST, only a keepalive can tell), then lets them
 * through again: the kiosk is back online.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlackholeProxy, type BlackholeProxy } from '../helpers/blackhole-proxy.ts';
import { PLACE, config, snapshotOf, startKioskRig, until, type KioskRig } from './rig/kiosk-rig.ts';

let rig: KioskRig;
let proxy: BlackholeProxy;

beforeAll(async () => {
  rig = await startKioskRig();
  proxy = await startBlackholeProxy(Number(new URL(rig.mosquitto.wsUrl).port));
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await rig?.close();
});

describe('kiosk link loss (real Chromium, Mosquitto behind a cut proxy)', () => {
  it('turns the status dot offline within 5 s of the network going away, and online again after', async () => {
    const t = 'kiosk-5';
    await rig.publish('config', { ...PLACE, terminal: t }, config());
    const page = await rig.open(rig.url(t, { broker: `ws://127.0.0.1:${proxy.port}` }));
    // Let a few keepalive rounds pass, so the cut lands at an arbitrary point of the cycle.
    await new Promise((r) => setTimeout(r, 3300));
    expect((await snapshotOf(page)).link).toBe('online');
    const cutAt = Date.now();
    proxy.cut();
    await until(
      async () => (await page.getByTestId('status-dot').getAttribute('data-link')) !== 'online',
      'the dot to leave online',
      30_000,
    );
    const noticedMs = Date.now() - cutAt;
    console.log(`kiosk noticed the link loss after ${noticedMs} ms`);
    expect(noticedMs).toBeLessThanOrEqual(5000);
    proxy.restore();
    await page.locator('[data-testid=status-dot][data-link=online]').waitFor({ timeout: 20_000 });
  }, 90_000);
});

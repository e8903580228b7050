/**
 * The newcomer's first minute, for real: `hailong start` without a config
 * (the demo) as its own process, the URLs its start banner prints, the built
 * dashboard and kiosk in Chromium. Live demo votes move the dashboard's
 * numbers, and a tap on the printed kiosk URL shows up on the dashboard.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awayFromMidnight } from '../helpers/local-days.ts';
import { startDemo, type Demo, type DemoBanner } from './demo-rig.ts';

/** The longest the test below takes (the sum of its waits). */
const MAX_TEST_MS = 150_000;

let demo: Demo | undefined;
let browser: Browser | undefined;
let banner: DemoBanner | undefined;

beforeAll(async () => {
  demo = await startDemo('hailong-demo-e2e-');
  ({ browser, banner } = demo);
}, 120_000);

afterAll(async () => {
  await demo?.stop();
});

/** Sum of the "votes today" figures of the office view's tiles. */
async function votesToday(page: import('playwright-core').Page): Promise<number> {
  const texts = await page.locator('[data-testid=votes-today]').allTextContents();
  return texts.reduce((n, t) => n + Number(t.replace(/\D/g, '') || 0), 0);
}

describe("the newcomer's first minute (hailong start, demo)", () => {
  it(
    'prints a dashboard URL where live votes move the numbers, and a kiosk URL whose taps show up there',
    async () => {
      if (banner === undefined || browser === undefined) throw new Error('not started');
      // The demo presses its votes on its own clock and the page counts "today" live: a Hà Nội midnight
      // inside the next few minutes would reset the counts under the test, so it starts after it.
      await awayFromMidnight(MAX_TEST_MS);
      expect(banner.dashboard).toMatch(/\/dashboard\/#\/office\/ba-dinh\/phuc-xa$/);
      const dashboard = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      await dashboard.goto(banner.dashboard);
      await expect.poll(() => dashboard.locator('h2').first().textContent(), { timeout: 20_000 }).toBe('Phường Phúc Xá');
      await expect.poll(() => dashboard.locator('[data-testid=votes-today]').count(), { timeout: 20_000 }).toBe(4);
      const before = await votesToday(dashboard);
      // The virtual citizens vote every few seconds per counter.
      await expect.poll(() => votesToday(dashboard), { timeout: 45_000, interval: 500 }).toBeGreaterThan(before);

      const kioskUrl = banner.kiosks[0] as string;
      expect(kioskUrl).toContain('terminal=kiosk-4');
      const kiosk = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await kiosk.goto(kioskUrl);
      await expect.poll(() => kiosk.locator('[data-testid=status-dot]').getAttribute('data-link'), { timeout: 20_000 }).toBe('online');
      const quay4 = dashboard.locator('[data-counter="ba-dinh/phuc-xa/quay-4"] [data-testid=votes-today]');
      const kioskBefore = Number((await quay4.textContent())?.replace(/\D/g, '') ?? 0);
      await kiosk.getByRole('button', { name: 'Rất hài lòng', exact: true }).click();
      await kiosk.locator('[data-screen=thanks]').first().waitFor();
      await expect
        .poll(async () => Number((await quay4.textContent())?.replace(/\D/g, '') ?? 0), { timeout: 10_000 })
        .toBe(kioskBefore + 1);
    },
    2 * MAX_TEST_MS,
  );
});

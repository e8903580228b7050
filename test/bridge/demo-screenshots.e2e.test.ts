/**
 * The README's screenshots, taken from the running demo: `hailong start`
 * without a config as its own process, the built dashboard and kiosk, real
 * Chromium at 1366×768. Each view must show real figures before its picture
 * is taken. Pictures go to test-results/readme/ (gitignored); with
 * HAILONG_UPDATE_SCREENSHOTS=1 they replace docs/screenshots/*.png, which
 * README.md shows (commit them).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo, type DemoBanner } from './demo-rig.ts';

const repo = join(import.meta.dirname, '..', '..');
const OUT = process.env.HAILONG_UPDATE_SCREENSHOTS === '1' ? join(repo, 'docs', 'screenshots') : join(repo, 'test-results', 'readme');
const VIEWPORT = { width: 1366, height: 768 };
let demo: Demo | undefined;
let browser: Browser | undefined;
let banner: DemoBanner | undefined;

beforeAll(async () => {
  await mkdir(OUT, { recursive: true });
  demo = await startDemo('hailong-readme-shots-');
  ({ browser, banner } = demo);
}, 150_000);

afterAll(async () => {
  await demo?.stop();
});

async function page(url: string): Promise<Page> {
  const p = await browser!.newPage({ viewport: VIEWPORT, locale: 'vi-VN' });
  await p.goto(url);
  return p;
}

describe('README screenshots from the running demo', () => {
  it('office: the live ward with named counters and officers', async () => {
    const p = await page(banner!.dashboard);
    await expect.poll(() => p.locator('h2').first().textContent(), { timeout: 20_000 }).toBe('Phường Phúc Xá');
    await expect.poll(() => p.locator('[data-testid=votes-today]').count(), { timeout: 20_000 }).toBe(4);
    // Officers on duty come from the desk's sessions: named, not ids. (Live votes depend on the office's hours, so they are not awaited.)
    await expect
      .poll(() => p.locator('[data-counter="ba-dinh/phuc-xa/quay-1"]').textContent(), { timeout: 20_000 })
      .toContain('Nguyễn Thị Lan');
    // Live votes (the demo votes within a minute, in a demo session outside opening hours): a picture with figures.
    await expect
      .poll(
        async () =>
          Number((await p.locator('[data-testid=office-total]').textContent())?.match(/([\d.]+) lượt/)?.[1]?.replace(/\./g, '') ?? 0),
        { timeout: 90_000, interval: 1000 },
      )
      .toBeGreaterThanOrEqual(4);
    await p.waitForTimeout(1600); // let the pulse fade
    await p.screenshot({ path: join(OUT, 'office.png') });
    await p.close();
  });

  it('district: the wards ranked over the month, with the trend', async () => {
    const p = await page(banner!.dashboard.replace(/#.*$/, '#/district'));
    await expect.poll(() => p.locator('[data-testid=ranking] tbody tr').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
    await p.locator('svg.trend').waitFor({ timeout: 20_000 });
    // Names, never ids, once the offices have arrived.
    await expect
      .poll(() => p.locator('[data-testid=ranking] tbody td.unit').allTextContents(), { timeout: 20_000 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/^Phường /)]));
    await p.screenshot({ path: join(OUT, 'district.png') });
    await p.close();
  });

  it('kiosk: the touchscreen a citizen rates on', async () => {
    const p = await page(banner!.kiosks[0] as string);
    await expect.poll(() => p.locator('[data-testid=status-dot]').getAttribute('data-link'), { timeout: 20_000 }).toBe('online');
    await p.locator('[data-screen=rate] .level').first().waitFor();
    await p.screenshot({ path: join(OUT, 'kiosk.png') });
    await p.close();
  });
});

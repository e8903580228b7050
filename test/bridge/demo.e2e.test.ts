/**
 * The newcomer's first minute, for real: `hailong start` without a config
 * (the demo) as its own process, the URLs its start banner prints, the built
 * dashboard and kiosk in Chromium. Live demo votes move the dashboard's
 * numbers, and a tap on the printed kiosk URL shows up on the dashboard.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../dashboard/rig.ts';
import { buildKiosk } from '../kiosk/rig/kiosk-rig.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { freePort } from '../helpers/ports.ts';

const repo = join(import.meta.dirname, '..', '..');
let root = '';
let browser: Browser | undefined;
let hailong: ChildProcess | undefined;
let banner: { dashboard: string; kiosks: string[] } | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hailong-demo-e2e-'));
  [browser] = await Promise.all([launchChromium(), buildDashboard(join(root, 'dist')), buildKiosk(join(root, 'dist', 'kiosk'))]);
  const [webPort, brokerPort] = [await freePort(), await freePort()];
  hailong = spawn(
    process.execPath,
    [join(repo, 'bridge', 'bin.mjs'), 'start', '--data-dir', join(root, 'data'), '--web-root', join(root, 'dist')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HAILONG_LOG_FORMAT: 'json', HAILONG_WEB_PORT: String(webPort), HAILONG_BROKER_PORT: String(brokerPort) },
    },
  );
  let out = '';
  hailong.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (banner === undefined) {
    const line = out.split('\n').find((l) => l.includes('"endpoints"'));
    if (line !== undefined) banner = (JSON.parse(line) as { endpoints: { web: { dashboard: string; kiosks: string[] } } }).endpoints.web;
    if (Date.now() > deadline) throw new Error(`no start banner within 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (hailong !== undefined && hailong.exitCode === null) {
    await new Promise<void>((r) => {
      hailong?.once('exit', () => r());
      hailong?.kill('SIGTERM');
    });
  }
  await rm(root, { recursive: true, force: true });
});

/** Sum of the "votes today" figures of the office view's tiles. */
async function votesToday(page: import('playwright-core').Page): Promise<number> {
  const texts = await page.locator('[data-testid=votes-today]').allTextContents();
  return texts.reduce((n, t) => n + Number(t.replace(/\D/g, '') || 0), 0);
}

describe("the newcomer's first minute (hailong start, demo)", () => {
  it('prints a dashboard URL where live votes move the numbers, and a kiosk URL whose taps show up there', async () => {
    if (banner === undefined || browser === undefined) throw new Error('not started');
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
    await expect.poll(async () => Number((await quay4.textContent())?.replace(/\D/g, '') ?? 0), { timeout: 10_000 }).toBe(kioskBefore + 1);
  });
});

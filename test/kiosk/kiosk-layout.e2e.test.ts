/**
 * The kiosk's rating screen at a phone, a laptop and a full-HD screen, in
 * Vietnamese and English: the BUILT kiosk served by the bridge's
 * StaticServer in real Chromium. Every level label stays inside its button
 * ("Dissatisfied" overflowed its card); screenshots go to test-results/.
 * No broker is needed: the screen is up while the kiosk is offline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticServer } from '../../bridge/static-server.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { buildKiosk, screenshot } from './rig/kiosk-rig.ts';

const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;

let root = '';
let server: StaticServer | undefined;
let browser: Browser | undefined;
let base = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hailong-kiosk-layout-'));
  [browser] = await Promise.all([launchChromium(), buildKiosk(join(root, 'kiosk'))]);
  server = new StaticServer({ root, port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${await server.start()}/kiosk/`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (root !== '') await rm(root, { recursive: true, force: true });
});

describe('kiosk layout', () => {
  for (const lang of ['vi', 'en'] as const) {
    for (const vp of VIEWPORTS) {
      it(`keeps every level label inside its button (${lang}, ${vp.width}×${vp.height})`, async () => {
        const page = await browser!.newPage({ viewport: vp });
        // An unreachable broker: the kiosk stays offline and still takes votes.
        const q = new URLSearchParams({
          district: 'ba-dinh',
          ward: 'phuc-xa',
          counter: 'quay-4',
          terminal: 'kiosk-4',
          lang,
          broker: 'ws://127.0.0.1:9/mqtt',
        });
        await page.goto(`${base}?${q.toString()}`);
        await page.locator('[data-screen=rate] .level').first().waitFor();
        const boxes = await page.$$eval('.level', (buttons) =>
          buttons.map((b) => {
            const label = b.querySelector('.label') as HTMLElement;
            const outer = b.getBoundingClientRect();
            const inner = label.getBoundingClientRect();
            return {
              text: label.textContent,
              fits: label.scrollWidth <= label.clientWidth + 1 && inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5,
              onScreen: outer.left >= 0 && outer.right <= window.innerWidth + 0.5,
            };
          }),
        );
        await screenshot(page, `kiosk-rate-${lang}-${vp.width}x${vp.height}`);
        expect(boxes.length).toBe(3);
        for (const b of boxes) expect(b, String(b.text)).toEqual({ text: b.text, fits: true, onScreen: true });
        await page.close();
      });
    }
  }
});

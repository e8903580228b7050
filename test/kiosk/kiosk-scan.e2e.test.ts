/**
 * Issue 15: the kiosk reads the dossier code from the citizen's receipt
 * with a USB barcode scanner in keyboard mode (fast keystrokes ending in
 * Enter, simulated here by Chromium key events a few ms apart). The code
 * shows on the screen in Vietnamese, goes with the next vote, and the
 * bridge keeps one counted vote per dossier and stage: a second vote for
 * the same receipt is journaled flagged `dossier`. Slow typing is not a
 * scan; a scan that is not a dossier code is refused with a clear message.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vote } from '../../core/index.ts';
import { PLACE, config, screenshot, startKioskRig, type KioskRig } from './rig/kiosk-rig.ts';

let rig: KioskRig;
const T = 'kiosk-3';
const CODE = '000.00.12.H26-261206-0007';

beforeAll(async () => {
  rig = await startKioskRig({ bridge: { terminals: [T, 'kiosk-4'], cooldownMs: 0 } });
});

afterAll(async () => {
  await rig?.close();
});

/** Types like a scanner: one key every few ms, then Enter. */
async function scanWedge(page: Page, text: string, delay = 2): Promise<void> {
  await page.keyboard.type(text, { delay });
  await page.keyboard.press('Enter');
}

function journaled(): Vote[] {
  return [...rig.bridge!.bridge.journal.votesPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((p) => JSON.parse(p) as Vote);
}

describe('kiosk reads the dossier code from the receipt (keyboard-wedge scanner, real Chromium)', () => {
  it('a scan shows the code, goes with the vote; a second vote for it is flagged; slow typing and junk are not scans', async () => {
    await rig.publish('config', { ...PLACE, terminal: T }, config({ cooldownMs: 0 }));
    const page = await rig.open(rig.url(T));
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Ông/Bà có hài lòng với sự phục vụ hôm nay không?');

    // A person typing slowly is not a scanner: nothing is taken.
    await scanWedge(page, 'H26-1234', 150);
    expect(await page.locator('[data-testid=dossier]').count()).toBe(0);

    // Something that is not a dossier code: refused, in Vietnamese.
    await scanWedge(page, '=cmd|x');
    await expect
      .poll(() => page.locator('[data-testid=scan-refused]').textContent())
      .toBe('Không đọc được mã hồ sơ. Vui lòng quét lại mã trên giấy hẹn trả kết quả.');

    await scanWedge(page, CODE);
    await expect.poll(() => page.locator('[data-testid=dossier]').textContent()).toBe(`Đánh giá cho hồ sơ ${CODE}`);
    expect(await page.locator('[data-testid=scan-refused]').count()).toBe(0);
    await screenshot(page, 'kiosk-dossier-scanned-1280x800');
    await page.getByRole('button', { name: 'Hài lòng', exact: true }).click();
    await page.locator('[data-screen=thanks]').first().waitFor();
    await expect.poll(() => journaled().length, { timeout: 15_000 }).toBe(1);
    expect(journaled()[0]).toMatchObject({ dossier: CODE, stage: 'tiep-nhan', level: 'hai-long' });
    expect(journaled()[0]?.filtered).toBeUndefined();

    // The code went with that vote only: the next vote without a scan has none.
    await page.locator('[data-screen=rate]').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=dossier]').count()).toBe(0);
    await page.getByRole('button', { name: 'Rất hài lòng', exact: true }).click();
    await expect.poll(() => journaled().length, { timeout: 15_000 }).toBe(2);
    expect(journaled()[1]).not.toHaveProperty('dossier');

    // The same receipt scanned again: the vote is kept, flagged, left out.
    await page.locator('[data-screen=rate]').first().waitFor({ timeout: 15_000 });
    await scanWedge(page, CODE);
    await expect.poll(() => page.locator('[data-testid=dossier]').count()).toBe(1);
    await page.getByRole('button', { name: 'Rất hài lòng', exact: true }).click();
    await expect.poll(() => journaled().length, { timeout: 15_000 }).toBe(3);
    expect(journaled()[2]).toMatchObject({ dossier: CODE, stage: 'tiep-nhan', filtered: 'dossier' });
    expect(rig.pageErrors).toEqual([]);
  });

  it('where the browser has BarcodeDetector, the camera reads the code (detector and camera stubbed at the browser API seam)', async () => {
    const t = 'kiosk-4';
    const code = 'H26.12/2026-0042';
    // Headless Chromium on Linux has neither a camera nor BarcodeDetector: both are stood in for
    // in the page (a canvas stream as the camera, a detector that "sees" the code on its third look).
    await rig.context.addInitScript((seen: string) => {
      let looks = 0;
      (window as unknown as { BarcodeDetector: unknown }).BarcodeDetector = class {
        detect(): Promise<{ rawValue: string }[]> {
          looks += 1;
          return Promise.resolve(looks >= 3 ? [{ rawValue: seen }] : []);
        }
      };
      Object.defineProperty(navigator, 'mediaDevices', {
        value: { getUserMedia: () => Promise.resolve(document.createElement('canvas').captureStream(5)) },
      });
    }, code);
    await rig.publish('config', { ...PLACE, terminal: t }, config({ cooldownMs: 0 }));
    const page = await rig.open(rig.url(t));
    await page.getByRole('button', { name: 'Quét mã hồ sơ trên giấy hẹn' }).click();
    await expect.poll(() => page.locator('[data-testid=dossier]').textContent(), { timeout: 15_000 }).toBe(`Đánh giá cho hồ sơ ${code}`);
    expect(await page.locator('.camera').count()).toBe(0); // closed once the code was read
    await page.getByRole('button', { name: 'Không hài lòng', exact: true }).click();
    await expect.poll(() => journaled().filter((v) => v.terminal === t).length, { timeout: 15_000 }).toBe(1);
    expect(journaled().find((v) => v.terminal === t)).toMatchObject({ dossier: code, stage: 'tiep-nhan', level: 'khong-hai-long' });
    expect(rig.pageErrors).toEqual([]);
  });
});

/**
 * Every dashboard view at a phone (390×844), a laptop (1366×768) and a
 * full-HD TV (1920×1080): the BUILT app, real Mosquitto, real Chromium, a
 * year of history for five wards plus live votes. Each view is
 * screenshotted to test-results/screenshots/ (gitignored) and checked for
 * what people saw break: the district table cut off on a phone, ward names
 * wrapping to three lines, an unreadable chart, marks outside the TV chart.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localParts, publicationFor } from '../../core/index.ts';
import type { Publication } from '../../core/index.ts';
import { generateHistory } from '../../bridge/demo/history.ts';
import { demoOfficerName, demoWards, historyOffice } from '../../bridge/demo/demo-wards.ts';
import { afterFirstOpening, insideOneDay } from '../helpers/local-days.ts';
import { FakeBridge } from './fixtures.ts';
import { startRig, type DashboardRig } from './rig.ts';

const DISTRICT = 'ba-dinh';
const WARDS = demoWards({ wards: 5, counters: 4, terminals: 1, officers: 2 });
const LIVE = WARDS[0]!;
const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');
const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;

let rig: DashboardRig;
let context: BrowserContext;
/**
 * The instant the views are checked at: the time of the run, or
 * HAILONG_TEST_NOW (an ISO instant) to check a weekday, a Saturday, the 1st
 * of a month or New Year's Eve. The live votes below are pressed in the 50 s
 * before it, so in the first minute of a Hà Nội day it moves to 00:01:00,
 * where those votes are today's, and on a month's first morning past its
 * first opening, where "this month" has the history's votes for the
 * district ranking's five units (test/helpers/local-days.ts). The browser's clock
 * is always fixed there: the run takes minutes, and a midnight passing
 * during it would otherwise turn the live votes into yesterday's.
 */
const now = afterFirstOpening(
  insideOneDay(process.env.HAILONG_TEST_NOW === undefined ? Date.now() : Date.parse(process.env.HAILONG_TEST_NOW), 60_000, 0),
);
const today = localParts(now).date;

beforeAll(async () => {
  rig = await startRig();
  const history = [
    ...generateHistory({ district: DISTRICT, wards: WARDS.slice(1), from: addDays(today, -364), to: today, seed: 5, until: now - 60_000 }),
    // The live ward's history ends yesterday: its tiles today hold only the live votes below, on
    // any weekday at any hour (with today's history the basis read "23 lượt" on a Monday noon).
    ...generateHistory({
      district: DISTRICT,
      wards: [LIVE],
      from: addDays(today, -364),
      to: addDays(today, -1),
      seed: 5,
      until: now - 60_000,
    }),
  ];
  const bridge = new FakeBridge(DISTRICT, LIVE.id);
  bridge.seed(history);
  const retained: Publication[] = [];
  WARDS.forEach((w, index) => {
    retained.push(
      publicationFor('office', { district: DISTRICT, ward: w.id }, historyOffice(w, { district: DISTRICT, index, updatedAt: now })),
    );
    retained.push(publicationFor('bridge-status', { district: DISTRICT, ward: w.id }, { v: 1, state: 'online', at: now - 3_600_000 }));
    w.counters.forEach((c) => {
      retained.push(
        publicationFor(
          'status',
          { district: DISTRICT, ward: w.id, counter: c.id, terminal: c.terminals[0]! },
          { v: 1, state: 'online', at: now - 3_600_000, kind: 'button' },
        ),
      );
      const officer = c.officers![0]!;
      retained.push(
        publicationFor(
          'session',
          { district: DISTRICT, ward: w.id, counter: c.id },
          { v: 1, officer, name: demoOfficerName(officer), at: now - 3_600_000 },
        ),
      );
    });
  });
  for (const t of history) retained.push(publicationFor('tally', t, t));
  await rig.publish(retained);
  // A few live votes, some filtered.
  const live: Publication[] = [];
  for (let i = 0; i < 6; i++) {
    const unhappy = i % 3 === 0;
    live.push(
      ...bridge.vote('quay-1', 'quay-1-t1', unhappy ? 'khong-hai-long' : 'hai-long', now - 50_000 + i * 1000, {
        officer: 'cb-1',
        ...(unhappy ? { reasons: ['thoi-gian-cho'] } : {}),
      }).publications,
    );
  }
  live.push(...bridge.vote('quay-1', 'quay-1-t1', 'hai-long', now - 40_000, { filtered: 'cooldown' }).publications);
  await rig.publish(live);
  context = await rig.browser.newContext({ locale: 'vi-VN' });
  await context.clock.setFixedTime(now);
  await mkdir(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await rig?.close();
});

async function open(vp: (typeof VIEWPORTS)[number], hash: string): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(vp);
  await page.goto(rig.url(`&district=${DISTRICT}`, hash));
  await page.waitForSelector('[data-testid=connection][data-state=online], [data-testid=tv], [data-testid=print-page]', {
    timeout: 15_000,
  });
  return page;
}

const shot = (page: Page, name: string, vp: (typeof VIEWPORTS)[number]) =>
  page.screenshot({ path: join(SHOTS, `views-${name}-${vp.width}x${vp.height}.png`), fullPage: name !== 'tv' });

/** Lines a block of text takes: its height over its line height. */
const linesOf = (page: Page, selector: string) =>
  page.$$eval(selector, (els) =>
    els.map((e) => {
      const style = getComputedStyle(e);
      const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
      return Math.round(e.getBoundingClientRect().height / line);
    }),
  );

describe('every view at three sizes', () => {
  for (const vp of VIEWPORTS) {
    const size = `${vp.width}×${vp.height}`;

    it(`office view (${size}): nothing wider than the screen`, async () => {
      const page = await open(vp, `#/office/${DISTRICT}/${LIVE.id}`);
      await page.waitForSelector(`[data-counter="${DISTRICT}/${LIVE.id}/quay-4"]`);
      await page.waitForFunction(() => document.querySelector('h2')?.textContent === 'Phường Phúc Xá');
      await shot(page, 'office', vp);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(vp.width);
      const tile = page.locator(`[data-counter="${DISTRICT}/${LIVE.id}/quay-1"]`);
      // One precision rule (item 10), the votes beside the figure and "ít lượt" (item 12), the reasons (item 2), no diagnostics in the tile (item 13).
      expect(await tile.locator('[data-testid=live-percent]').textContent()).toMatch(/^\d{1,3},\d%/);
      expect(await tile.locator('[data-testid=basis]').textContent()).toBe('6 lượt · ít lượt');
      expect(await tile.locator('[data-testid=tile-reasons]').textContent()).toBe('Lý do: Thời gian chờ 2 (100,0%)');
      expect(await tile.textContent()).not.toContain('lọc');
      await page.close();
    });

    it(`district view (${size}): the ranking is usable, names wrap at most to two lines, the chart is readable`, async () => {
      const page = await open(vp, '#/district');
      await page.waitForSelector('[data-testid=ranking] tbody tr:nth-child(5)', { timeout: 20_000 });
      await page.waitForSelector('svg.trend');
      await shot(page, 'district', vp);
      // The page itself never scrolls sideways; a wide table scrolls in its own box.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(vp.width);
      const table = await page.$eval('[data-testid=ranking]', (t) => {
        const box = t.parentElement!.getBoundingClientRect();
        const unit = t.querySelector('tbody td.unit')!.getBoundingClientRect();
        const pct = t.querySelector('tbody td:nth-child(4)')!.getBoundingClientRect();
        return {
          boxRight: box.right,
          unitRight: unit.right,
          pctRight: pct.right,
          sticky: getComputedStyle(t.querySelector('tbody td.unit')!).position,
        };
      });
      // The key columns — the unit and its % — are on screen without scrolling.
      expect(table.unitRight).toBeLessThanOrEqual(vp.width);
      expect(table.pctRight).toBeLessThanOrEqual(Math.min(vp.width, table.boxRight) + 1);
      if (vp.width < 600) expect(table.sticky).toBe('sticky');
      for (const n of await linesOf(page, '[data-testid=ranking] tbody td.unit button')) expect(n).toBeLessThanOrEqual(2);
      // Names, never ids (item 3).
      for (const name of await page.locator('[data-testid=ranking] tbody td.unit').allTextContents()) expect(name).toMatch(/^Phường /);
      // Chart text at least 10 px tall on screen.
      const smallest = await page.$$eval('svg.trend text', (texts) => Math.min(...texts.map((t) => t.getBoundingClientRect().height)));
      expect(smallest).toBeGreaterThanOrEqual(10);
      await page.close();
    });

    it(`alerts, reports and print (${size})`, async () => {
      for (const [name, hash, ready] of [
        ['alerts', '#/alerts', '[data-testid=diagnostics]'],
        ['reports', '#/reports', '[data-testid=report-table] tbody tr'],
        ['print', '#/print', '[data-testid=print-page] tbody tr'],
      ] as const) {
        const page = await open(vp, hash);
        await page.waitForSelector(ready, { timeout: 20_000 });
        await shot(page, name, vp);
        if (name !== 'print') expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(vp.width);
        if (name === 'print' && vp.width >= 1366) {
          // The A4 sheet holds its whole table (twelve columns).
          const fits = await page.$eval(
            '[data-testid=print-page]',
            (sheet) =>
              sheet.querySelector('[data-testid=report-table]')!.getBoundingClientRect().right <= sheet.getBoundingClientRect().right,
          );
          expect(fits, 'report table inside the A4 sheet').toBe(true);
        }
        await page.close();
      }
    });

    it(`TV view (${size}): the counters page fits the screen`, async () => {
      const page = await open(vp, `#/tv/${DISTRICT}/${LIVE.id}`);
      await page.waitForSelector(`[data-counter="${DISTRICT}/${LIVE.id}/quay-1"]`);
      await shot(page, 'tv', vp);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(vp.width);
      // Public: no diagnostics (item 13), no complaints next to officers' names.
      expect(await page.locator('[data-testid=tv]').innerText()).not.toMatch(/lọc|Lý do/);
      await page.close();
    });
  }
});

/**
 * The dashboard end to end: the BUILT app (Vite) served by the bridge's
 * StaticServer, real headless Chromium, a real Mosquitto (WebSocket for the
 * page), and a publisher sending real payloads — a year of simulated
 * history for five wards, then live votes and tallies as the bridge
 * publishes them. One build, one broker and one browser for the file.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCALE, addDays, localParts, periodOf, publicationFor, tallyKey } from '../../core/index.ts';
import type { Publication, Tally } from '../../core/index.ts';
import { generateHistory } from '../../bridge/demo/history.ts';
import { DEMO_OFFICER_NAMES, demoWards, historyOffice } from '../../bridge/demo/demo-wards.ts';
import { buildReport } from '../../dashboard/src/reports/report.ts';
import { afterFirstOpening, insideOneDay } from '../helpers/local-days.ts';
import { FakeBridge } from './fixtures.ts';
import { startRig, type DashboardRig } from './rig.ts';

const DISTRICT = 'ba-dinh';
const WARDS = demoWards({ wards: 5, counters: 4, terminals: 1, officers: 2 });
const LIVE = WARDS[0]!; // Phường Phúc Xá: the office the supervisor watches
const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

let rig: DashboardRig;
let context: BrowserContext;
let page: Page;
let bridge: FakeBridge;
const history: Tally[] = [];
/**
 * The page's instant: the time of the run, or HAILONG_TEST_NOW (an ISO
 * instant). The history ends a minute before it and the file runs for
 * minutes on the page's clock, which is installed there and runs on: so it
 * leaves a Hà Nội day's first minute and last ten (where a midnight would
 * pass under the test) and a month's first morning (where "this month" and,
 * on 1 January, "this year" have no history yet; test/helpers/local-days.ts).
 */
const now = afterFirstOpening(
  insideOneDay(process.env.HAILONG_TEST_NOW === undefined ? Date.now() : Date.parse(process.env.HAILONG_TEST_NOW), 60_000, 10 * 60_000),
);
const today = localParts(now).date;
/** When the page's clock was installed at `now` (real time). */
let installedAt = Date.now();
/** The page's clock: `now` when installed, running on since. Live votes are pressed by it. */
const pageNow = () => now + (Date.now() - installedAt);

/** Every figure on the office view, for before/after comparisons. */
async function officeFigures(p: Page): Promise<string[]> {
  return p.$$eval('[data-counter]', (tiles) =>
    tiles.map((t) =>
      [...t.querySelectorAll('[data-testid=live-percent], [data-testid=votes-today], .legend')].map((e) => e.textContent).join('|'),
    ),
  );
}

const votesAt = (p: Page, counter: string) => p.textContent(`[data-counter="${DISTRICT}/${LIVE.id}/${counter}"] [data-testid=votes-today]`);

function livePubs(counter: string, level: 'rat-hai-long' | 'hai-long' | 'khong-hai-long', at = pageNow()): Publication[] {
  return bridge.vote(counter, `${counter}-t1`, level, at, { officer: 'cb-1' }).publications;
}

beforeAll(async () => {
  rig = await startRig();
  history.push(
    ...generateHistory({ district: DISTRICT, wards: WARDS, from: addDays(today, -364), to: today, seed: 11, until: now - 60_000 }),
  );
  bridge = new FakeBridge(DISTRICT, LIVE.id);
  bridge.seed(history);
  const retained: Publication[] = [];
  WARDS.forEach((w, index) => {
    retained.push(
      publicationFor('office', { district: DISTRICT, ward: w.id }, historyOffice(w, { district: DISTRICT, index, updatedAt: now })),
    );
    retained.push(publicationFor('bridge-status', { district: DISTRICT, ward: w.id }, { v: 1, state: 'online', at: now - 3_600_000 }));
    w.counters.forEach((c, i) => {
      const state = w === LIVE && i === 3 ? 'offline' : 'online';
      retained.push(
        publicationFor(
          'status',
          { district: DISTRICT, ward: w.id, counter: c.id, terminal: c.terminals[0]! },
          { v: 1, state, at: now - 3_600_000, kind: 'button' },
        ),
      );
      const officer = c.officers![0]!;
      const name = DEMO_OFFICER_NAMES[(Number(officer.slice(3)) - 1) % DEMO_OFFICER_NAMES.length]!;
      retained.push(
        publicationFor('session', { district: DISTRICT, ward: w.id, counter: c.id }, { v: 1, officer, name, at: now - 3_600_000 }),
      );
    });
  });
  for (const t of history) retained.push(publicationFor('tally', t, t));
  await rig.publish(retained);
  context = await rig.browser.newContext({ viewport: { width: 1920, height: 1080 }, acceptDownloads: true, locale: 'vi-VN' });
  await context.clock.install({ time: now });
  installedAt = Date.now();
  page = await context.newPage();
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  await mkdir(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await rig?.close();
});

describe('dashboard end to end (built app, Mosquitto, Chromium)', () => {
  it('loads, connects over WebSocket and shows the office live; a new vote shows up within 1 s', async () => {
    await page.goto(rig.url(`&district=${DISTRICT}`, `#/office/${DISTRICT}/${LIVE.id}`));
    await page.waitForSelector('[data-testid=connection][data-state=online]', { timeout: 10_000 });
    await page.waitForSelector(`[data-counter="${DISTRICT}/${LIVE.id}/quay-4"]`);
    expect(await page.textContent('h2')).toBe('Phường Phúc Xá');

    const before = await votesAt(page, 'quay-2');
    const n = before === 'Chưa có lượt đánh giá hôm nay' ? 0 : Number(before!.replace(/\./g, ''));
    const t0 = Date.now();
    await rig.publish(livePubs('quay-2', 'rat-hai-long'));
    await page.waitForFunction(
      ([sel, want]) => document.querySelector(sel)?.textContent === want,
      [`[data-counter="${DISTRICT}/${LIVE.id}/quay-2"] [data-testid=votes-today]`, String(n + 1)] as const,
      { timeout: 5000, polling: 'raf' },
    );
    const elapsed = Date.now() - t0;
    console.log(`vote → figure on screen: ${elapsed} ms`);
    expect(elapsed).toBeLessThan(1000);
    expect(await page.textContent(`[data-counter="${DISTRICT}/${LIVE.id}/quay-2"] [data-testid=last-vote]`)).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  it("shows a button box's low supply (EVENT LOWV -> status supplyMv) on its counter's tile, and drops it with the next session", async () => {
    const counter = LIVE.counters[0]!;
    const place = { district: DISTRICT, ward: LIVE.id, counter: counter.id, terminal: counter.terminals[0]! };
    const tile = `[data-counter="${DISTRICT}/${LIVE.id}/${counter.id}"]`;
    await rig.publish([
      publicationFor('status', place, {
        v: 1,
        state: 'online',
        at: pageNow(),
        kind: 'button',
        uid: 'HL328P-E2ELV01',
        firmware: '1.2.0',
        supplyMv: 4100,
      }),
    ]);
    await page.waitForSelector(`${tile} [data-testid=low-supply]`, { timeout: 5000 });
    expect(await page.textContent(`${tile} [data-testid=low-supply]`)).toBe(
      `Nguồn điện yếu (4,1 V) ở thiết bị ${counter.terminals[0]}: hãy kiểm tra cổng USB và cáp nối hộp nút bấm.`,
    );
    await rig.publish([
      publicationFor('status', place, {
        v: 1,
        state: 'online',
        at: pageNow() + 1,
        kind: 'button',
        uid: 'HL328P-E2ELV01',
        firmware: '1.2.0',
      }),
    ]);
    await page.waitForSelector(`${tile} [data-testid=low-supply]`, { state: 'detached', timeout: 5000 });
  });

  it("shows a button box's missing power-cut fuses (EVENT FUSE -> status fuses) on its counter's tile, and drops it with the next session", async () => {
    const counter = LIVE.counters[0]!;
    const place = { district: DISTRICT, ward: LIVE.id, counter: counter.id, terminal: counter.terminals[0]! };
    const tile = `[data-counter="${DISTRICT}/${LIVE.id}/${counter.id}"]`;
    const fuses = { efuse: 0xfd, hfuse: 0xda, missing: ['BOD', 'EESAVE'] as const };
    await rig.publish([
      publicationFor('status', place, {
        v: 1,
        state: 'online',
        at: pageNow(),
        kind: 'button',
        uid: 'HL328P-E2EFU01',
        firmware: '1.2.0',
        fuses: { ...fuses, missing: [...fuses.missing] },
      }),
    ]);
    await page.waitForSelector(`${tile} [data-testid=unprotected-box]`, { timeout: 5000 });
    expect(await page.textContent(`${tile} [data-testid=unprotected-box]`)).toBe(
      `Hộp nút bấm ${counter.terminals[0]} chưa được bảo vệ khi mất điện (thiếu cầu chì BOD 4,3 V / EESAVE): hãy nạp lại bằng ISP.`,
    );
    await rig.publish([
      publicationFor('status', place, {
        v: 1,
        state: 'online',
        at: pageNow() + 1,
        kind: 'button',
        uid: 'HL328P-E2EFU01',
        firmware: '1.2.0',
      }),
    ]);
    await page.waitForSelector(`${tile} [data-testid=unprotected-box]`, { state: 'detached', timeout: 5000 });
  });

  it('leaves every figure unchanged under duplicated, reordered and hostile messages', async () => {
    const sent: Publication[] = [];
    for (const level of ['hai-long', 'khong-hai-long', 'rat-hai-long'] as const) sent.push(...livePubs('quay-1', level));
    await rig.publish(sent);
    await page.waitForFunction(() => document.querySelectorAll('.pulse.a, .pulse.b').length > 0);
    await page.waitForTimeout(300);
    const before = await officeFigures(page);
    // Replays: every vote and tally again, then older tallies AFTER newer ones, plus garbage.
    const tallies = sent.filter((p) => p.topic.includes('/tally/'));
    const hostile: Publication[] = [
      { topic: `hailong/v1/${DISTRICT}/${LIVE.id}/quay-1/quay-1-t1/vote`, payload: '{"v":1,"id":"x"}', qos: 1, retain: false },
      {
        topic: `hailong/v1/${DISTRICT}/${LIVE.id}/quay-1/quay-1-t1/tally/${today.slice(0, 7)}`,
        payload: '{not json',
        qos: 1,
        retain: false,
      },
      { topic: `hailong/v1/${DISTRICT}/${LIVE.id}/quay-1/quay-1-t1/status`, payload: '\u0000\u0001', qos: 1, retain: false },
    ];
    await rig.publish([...sent, ...[...tallies].reverse(), ...sent.slice().reverse(), ...hostile]);
    // A sentinel vote at another counter, published last, proves everything before it has arrived.
    const sentinelBefore = await votesAt(page, 'quay-3');
    await rig.publish(livePubs('quay-3', 'hai-long'));
    await page.waitForFunction(([sel, old]) => document.querySelector(sel)?.textContent !== old, [
      `[data-counter="${DISTRICT}/${LIVE.id}/quay-3"] [data-testid=votes-today]`,
      sentinelBefore,
    ] as const);
    const after = await officeFigures(page);
    expect(after.filter((_, i) => i !== 2)).toEqual(before.filter((_, i) => i !== 2));
    await page.click('a[href="#/alerts"]');
    await page.waitForSelector('[data-testid=rejected]');
    expect(await page.textContent('[data-testid=rejected]')).toMatch(/^Tin nhắn không hợp lệ đã bỏ qua: 3 /);
    await page.click('a[href^="#/office"]');
  });

  it('exports CSV and XLSX whose rows match the figures', async () => {
    await page.click('a[href="#/reports"]');
    await page.click('button:has-text("Tháng này")');
    await page.selectOption('select >> nth=0', 'counter');
    await page.selectOption('select >> nth=1', `${DISTRICT}/${LIVE.id}`);
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    const csv = await readFile((await csvDownload.path())!, 'utf8');
    const rows = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual([
      'Đơn vị',
      'Số lượt đánh giá',
      'Rất hài lòng',
      'Hài lòng',
      'Không hài lòng',
      'Tỷ lệ hài lòng (%)',
      'Chỉ số điểm',
      'Kỳ trước (%)',
      'Thay đổi (điểm %)',
      'Mục tiêu (%)',
      'Đánh giá',
    ]);
    // The same report computed here from the tallies the publisher sent.
    const tallies = new Map<string, Tally>();
    for (const t of [...history, ...bridge.tallies()]) {
      const seen = tallies.get(tallyKey(t));
      if (seen === undefined || seen.seq < t.seq) tallies.set(tallyKey(t), t);
    }
    const month = periodOf('month', today);
    const expected = buildReport({
      tallies: tallies.values(),
      range: { from: month.from, to: month.to },
      level: 'counter',
      scale: DEFAULT_SCALE,
      locale: 'vi',
      periodLabel: '',
      scopeLabel: '',
      prefix: `${DISTRICT}/${LIVE.id}/`,
      name: (_l, k) => k,
      generatedAt: now,
    });
    const byTotals = (r: { total: number; counts: readonly number[]; satisfiedPercent: number | null }) => [
      String(r.total),
      ...r.counts.map(String),
      String(r.satisfiedPercent),
    ];
    expect(rows.slice(1, -1).map((r) => r.slice(1, 6))).toEqual(expected.rows.map(byTotals));
    expect(rows.at(-1)!.slice(0, 6)).toEqual(['Tổng cộng', ...byTotals(expected.total)]);
    expect(rows[1]![0]).toMatch(/^Quầy \d – /);
    const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-xlsx]')]);
    expect(xlsxDownload.suggestedFilename()).toMatch(/^bao-cao-hai-long-.+-counter\.xlsx$/);
    const sheet = strFromU8(unzipSync(new Uint8Array(await readFile((await xlsxDownload.path())!)))['xl/worksheets/sheet1.xml']!);
    expect(sheet).toContain('BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG');
    expect(sheet).toContain(`<v>${expected.total.total}</v>`);
    await page.click('button:has-text("In báo cáo (A4)")');
    await page.waitForSelector('[data-testid=print-page]');
    expect(await page.textContent('[data-testid=print-page] h1')).toBe('BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG');
    await page.screenshot({ path: join(SHOTS, 'dashboard-print-a4.png'), fullPage: true });
    await page.click('button:has-text("Quay lại")');
  });

  it('screenshots the office, district and TV views at 1920×1080', async () => {
    await page.click('a[href^="#/office"]');
    await page.waitForSelector('[data-counter]');
    await page.waitForTimeout(1600); // let pulses fade
    await page.screenshot({ path: join(SHOTS, 'dashboard-office.png') });
    await page.click('a[href="#/district"]');
    await page.click('button:has-text("Năm nay")');
    await page.waitForSelector('[data-testid=ranking] tbody tr >> nth=4');
    const wards = await page.$$eval('[data-testid=ranking] tbody tr', (rows) =>
      rows.map((r) => (r as HTMLTableRowElement).cells[1]?.textContent),
    );
    expect(wards).toHaveLength(5);
    expect(wards).toContain('Phường Phúc Xá');
    await page.screenshot({ path: join(SHOTS, 'dashboard-district.png') });
    await page.click('[data-testid=ranking] tbody tr >> nth=0 >> button');
    await page.waitForSelector('button:has-text("Quay lại")');
    await page.screenshot({ path: join(SHOTS, 'dashboard-district-ward.png') });
    await page.click('a[href="#/tv"]');
    await page.waitForSelector('[data-testid=tv] [data-counter]');
    await page.waitForTimeout(1600);
    await page.screenshot({ path: join(SHOTS, 'dashboard-tv.png') });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    await page.goto(rig.url(`&district=${DISTRICT}`, `#/office/${DISTRICT}/${LIVE.id}`));
  });

  it('a reload while offline (web server and broker down) shows the cached figures', async () => {
    await page.waitForSelector('[data-testid=connection][data-state=online]');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 });
    const live = await officeFigures(page);
    // The cache writer batches for 1 s; hiding the tab flushes it at once.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await page.waitForTimeout(1500);
    await rig.stopWeb();
    await rig.mosquitto.stop();
    await page.reload();
    await page.waitForSelector('[data-testid=offline-banner]', { timeout: 15_000 });
    expect(await page.textContent('[data-testid=offline-banner]')).toMatch(/^Mất kết nối, số liệu lúc \d\d:\d\d$/);
    await page.waitForSelector('[data-counter]');
    expect(await officeFigures(page)).toEqual(live);
    await page.screenshot({ path: join(SHOTS, 'dashboard-offline.png') });
    await rig.mosquitto.restart();
    await page.waitForSelector('[data-testid=connection][data-state=online]', { timeout: 15_000 });
    expect(await officeFigures(page)).toEqual(live);
  });
});

/**
 * The kiosk end to end: the production build in real headless Chromium,
 * a real Mosquitto with the kiosk ACL, and an independent subscriber that
 * checks every vote with the core parsers (issue #5).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localParts, parseMessage } from '../../core/index.ts';
import type { Status, Tally, Vote } from '../../core/index.ts';
import { PLACE, config, screenshot, snapshotOf, startKioskRig, until, type KioskRig } from './rig/kiosk-rig.ts';

let rig: KioskRig;

beforeAll(async () => {
  // The bridge journals kiosk-1's and kiosk-2's votes and publishes their tallies (kiosks publish none).
  // kiosk-8 too: its outbox drains only on the bridge's receipts (docs/ARCHITECTURE.md).
  rig = await startKioskRig({ bridge: { terminals: ['kiosk-1', 'kiosk-2', 'kiosk-8'], cooldownMs: 3000 } });
});

afterAll(async () => {
  await rig?.close();
});

/** Votes of a terminal seen by the collector, each validated with core parseMessage. */
function votesOf(terminal: string): Vote[] {
  const out: Vote[] = [];
  for (const m of rig.collector.messages) {
    if (!m.topic.endsWith(`/${terminal}/vote`)) continue;
    const parsed = parseMessage(m.topic, m.payload);
    if (!parsed.ok || parsed.value.kind !== 'vote')
      throw new Error(`invalid vote on ${m.topic}: ${parsed.ok ? parsed.value.kind : parsed.message}`);
    out.push(parsed.value.payload);
  }
  return out;
}

function latest<T>(terminal: string, leaf: string): T | undefined {
  const found = rig.collector.messages.filter((m) => m.topic.includes(`/${terminal}/`) && m.topic.endsWith(leaf) && m.payload !== '');
  const last = found.at(-1);
  if (last === undefined) return undefined;
  const parsed = parseMessage(last.topic, last.payload);
  if (!parsed.ok) throw new Error(`invalid ${leaf}: ${parsed.message}`);
  return parsed.value.payload as T;
}

async function waitVotes(terminal: string, n: number): Promise<Vote[]> {
  await rig.collector.waitFor(() => votesOf(terminal).length >= n, 15_000, `${n} votes of ${terminal}`);
  return votesOf(terminal);
}

function level(page: Page, name: string) {
  return page.getByRole('button', { name, exact: true });
}

describe('kiosk end to end (real Chromium, real Mosquitto with the kiosk ACL)', () => {
  it('a tap produces exactly one vote on the broker, with the right fields, plus retained status, and the bridge’s tally', async () => {
    const t = 'kiosk-1';
    await rig.publish('config', { ...PLACE, terminal: t }, config());
    await rig.publish('session', PLACE, { v: 1, officer: 'can-bo-lan', name: 'Nguyễn Thị Lan', at: Date.now() });
    const page = await rig.open(rig.url(t));
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Ông/Bà có hài lòng với sự phục vụ hôm nay không?');
    // MQTT.js is a chunk of its own, fetched after the first paint (issue 16).
    const loaded = await page.evaluate(() => ({
      paint: performance.getEntriesByName('first-paint')[0]?.startTime,
      mqtt: performance.getEntriesByType('resource').find((e) => /\/assets\/mqtt[.-][^/]*\.js$/.test(e.name))?.startTime,
    }));
    expect(loaded.paint, 'first paint').toBeGreaterThan(0);
    expect(loaded.mqtt, 'MQTT.js chunk').toBeGreaterThanOrEqual(loaded.paint ?? Number.POSITIVE_INFINITY);
    await screenshot(page, 'kiosk-rate-1280x800');
    const before = Date.now();
    await level(page, 'Rất hài lòng').click();
    await page.locator('[data-screen=thanks]').first().waitFor();
    await screenshot(page, 'kiosk-thanks-1280x800');
    const [vote] = await waitVotes(t, 1);
    expect(vote).toMatchObject({
      v: 1,
      id: `${t}:1`,
      ...PLACE,
      terminal: t,
      seq: 1,
      level: 'rat-hai-long',
      source: 'touch',
      officer: 'can-bo-lan',
    });
    expect(vote?.filtered).toBeUndefined();
    expect(vote!.pressedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(vote!.receivedAt).toBeGreaterThanOrEqual(vote!.pressedAt);
    // Still exactly one, a moment later (no duplicate from a flush racing the tap).
    await new Promise((r) => setTimeout(r, 300));
    expect(votesOf(t)).toHaveLength(1);
    // The tally of the vote's Hà Nội month (core/time.ts), not the UTC month: they differ from 17:00 UTC on a month's last day.
    const month = localParts(vote!.pressedAt).monthKey;
    await rig.collector.waitFor(() => latest<Tally>(t, `/tally/${month}`)?.seq === 1, 5000, 'tally');
    // The bridge journaled it under the kiosk's own id, and its tally is the only one published.
    await until(() => rig.bridge?.bridge.journal.hasVote(t, 1) === true, 'the vote in the bridge journal');
    const tallies = rig.collector.messages.filter((m) => m.topic.includes(`/${t}/tally/`));
    expect(tallies.map((m) => (JSON.parse(m.payload) as Tally).updatedAt).every((at) => at >= vote!.receivedAt)).toBe(true);
    const status = latest<Status>(t, '/status');
    expect(status).toMatchObject({ v: 1, state: 'online', kind: 'touch', model: 'hailong-kiosk' });
    expect((await snapshotOf(page)).problems).toEqual({}); // no subscription refused by the ACL, nothing malformed
    await expect.poll(() => page.locator('[data-testid=status-dot]').getAttribute('data-link')).toBe('online');
    // A closed tab leaves without DISCONNECT: the broker publishes the last will.
    await page.close();
    await rig.collector.waitFor(() => latest<Status>(t, '/status')?.state === 'offline', 10_000, 'offline will');
  });

  it('double taps inside the cooldown are recorded as filtered, never dropped', async () => {
    const t = 'kiosk-2';
    await rig.publish('config', { ...PLACE, terminal: t }, config({ cooldownMs: 3000 }));
    const page = await rig.open(rig.url(t));
    await level(page, 'Hài lòng').dblclick();
    const votes = await waitVotes(t, 2);
    expect(votes.map((v) => [v.id, v.level, v.filtered ?? 'counted'])).toEqual([
      [`${t}:1`, 'hai-long', 'counted'],
      [`${t}:2`, 'hai-long', 'cooldown'],
    ]);
    await expect.poll(() => page.getByTestId('notice').textContent()).toBe('Đã ghi nhận');
    const month = localParts(votes[0]!.pressedAt).monthKey;
    await rig.collector.waitFor(() => latest<Tally>(t, `/tally/${month}`)?.seq === 2, 5000, 'tally with the filtered press');
    const tally = latest<Tally>(t, `/tally/${month}`)!;
    const day = Object.values(tally.days)[0]!;
    expect(day.c).toEqual([0, 1, 0]);
    expect(day.f).toEqual([1, 0]);
    await page.close();
  });

  it('after a low rating asks "Chưa hài lòng về điều gì?" and sends the chosen reasons', async () => {
    const t = 'kiosk-3';
    await rig.publish(
      'config',
      { ...PLACE, terminal: t },
      config({ reasons: ['thai-do', 'thoi-gian-cho', 'huong-dan', 'thu-tuc', 'phi-le-phi', 'khac'] }),
    );
    const page = await rig.open(rig.url(t));
    await level(page, 'Không hài lòng').click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Chưa hài lòng về điều gì?');
    const group = page.getByRole('group', { name: 'Chưa hài lòng về điều gì?' });
    await expect
      .poll(() => group.getByRole('button').allTextContents())
      .toEqual(['Thái độ phục vụ', 'Thời gian chờ', 'Hướng dẫn chưa rõ', 'Thủ tục phức tạp', 'Phí, lệ phí', 'Khác']);
    await page.waitForTimeout(450); // the follow-up ignores taps for 400 ms (the second half of a double tap)
    await group.getByRole('button', { name: 'Thời gian chờ' }).click();
    await group.getByRole('button', { name: 'Thủ tục phức tạp' }).click();
    await expect.poll(() => group.getByRole('button', { name: 'Thời gian chờ' }).getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, 'kiosk-reasons-1280x800');
    // The vote is already stored as a draft: nothing is published until the reasons are in.
    expect(votesOf(t)).toHaveLength(0);
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
    const [vote] = await waitVotes(t, 1);
    expect(vote).toMatchObject({ id: `${t}:1`, level: 'khong-hai-long', reasons: ['thoi-gian-cho', 'thu-tuc'] });
    await page.close();
  });

  it('gated mode: waits for _served, takes one vote with ticket and officer, records taps outside the window as gated', async () => {
    const t = 'kiosk-4';
    await rig.publish('config', { ...PLACE, terminal: t }, config({ mode: 'gated', cooldownMs: 0, windowMs: 30_000 }));
    const page = await rig.open(rig.url(t));
    await page.locator('main[data-screen=waiting]').waitFor({ state: 'visible' });
    await level(page, 'Hài lòng').click();
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain('Chưa đến lượt đánh giá');
    await rig.publish('served', PLACE, { v: 1, at: Date.now(), officer: 'can-bo-minh', ticket: 'A-1023' });
    await page.getByText('Số thứ tự A-1023').waitFor({ state: 'visible' });
    await screenshot(page, 'kiosk-gated-open-1280x800');
    await level(page, 'Rất hài lòng').click();
    const votes = await waitVotes(t, 2);
    expect(votes[0]).toMatchObject({ seq: 1, level: 'hai-long', filtered: 'gated' });
    expect(votes[0]?.ticket).toBeUndefined();
    expect(votes[1]).toMatchObject({ seq: 2, level: 'rat-hai-long', ticket: 'A-1023', officer: 'can-bo-minh' });
    expect(votes[1]?.filtered).toBeUndefined();
    await page.close();
  });

  it('the same kiosk open in two tabs: one MQTT connection (Web Lock), no seq used twice, every vote arrives', async () => {
    const t = 'kiosk-8';
    await rig.publish('config', { ...PLACE, terminal: t }, config({ cooldownMs: 0 }));
    const first = await rig.open(rig.url(t, { 'thanks-ms': '600' }));
    const second = await rig.open(rig.url(t, { 'thanks-ms': '600' }), { online: false });
    await until(async () => (await snapshotOf(second)).stats !== undefined, 'the second tab to start');
    expect([(await snapshotOf(first)).leader, (await snapshotOf(second)).leader]).toEqual([true, false]);
    for (let i = 0; i < 4; i++) {
      await level(first, 'Hài lòng').click();
      await level(second, 'Rất hài lòng').click();
    }
    const votes = await waitVotes(t, 8);
    const byId = new Map(votes.map((v) => [v.id, v]));
    expect([...byId.keys()].sort()).toEqual(Array.from({ length: 8 }, (_, i) => `${t}:${i + 1}`).sort());
    expect(votes.filter((v) => v.level === 'rat-hai-long')).toHaveLength(4); // the follower's taps reached the broker too
    await until(async () => (await snapshotOf(first)).stats.pending === 0, 'the outbox to drain');
    // Closing the leader hands the connection to the other tab.
    await first.close();
    await until(async () => (await snapshotOf(second)).leader && (await snapshotOf(second)).link === 'online', 'the second tab to lead');
    await level(second, 'Hài lòng').click();
    await waitVotes(t, 9);
    expect(votesOf(t).at(-1)).toMatchObject({ id: `${t}:9` });
    await second.close();
  });

  it('accessibility: Vietnamese names and roles, targets of at least 64 px, high-contrast large text', async () => {
    const t = 'kiosk-5';
    await rig.publish('config', { ...PLACE, terminal: t }, config({ scale: 'scale-5' }));
    const page = await rig.open(rig.url(t));
    const list = page.getByRole('list', { name: 'Mức độ hài lòng' });
    await expect.poll(() => list.getByRole('button').count()).toBe(5);
    for (const name of ['Rất hài lòng', 'Hài lòng', 'Bình thường', 'Không hài lòng', 'Rất không hài lòng']) {
      await list.getByRole('button', { name, exact: true }).waitFor({ state: 'visible' });
    }
    expect(
      await page.evaluate(() => document.querySelector('hailong-kiosk')!.shadowRoot!.querySelector('.kiosk')!.getAttribute('lang')),
    ).toBe('vi');
    await expect.poll(() => page.getByRole('button', { name: 'Chữ lớn, tương phản cao' }).getAttribute('aria-pressed')).toBe('false');
    await page.getByRole('button', { name: 'Đọc câu hỏi' }).waitFor({ state: 'visible' });
    await expect.poll(() => page.getByRole('status').count()).toBe(1);
    const sizes = await page.evaluate(() =>
      [...document.querySelector('hailong-kiosk')!.shadowRoot!.querySelectorAll('button')].map((b) => {
        const r = b.getBoundingClientRect();
        return { name: b.getAttribute('aria-label') ?? b.textContent, w: r.width, h: r.height };
      }),
    );
    expect(sizes.length).toBeGreaterThanOrEqual(8);
    expect(sizes.filter((s) => s.w < 64 || s.h < 64)).toEqual([]);
    const labelSize = async () =>
      page.evaluate(() =>
        parseFloat(getComputedStyle(document.querySelector('hailong-kiosk')!.shadowRoot!.querySelector('.level .label')!).fontSize),
      );
    const normal = await labelSize();
    await page.getByRole('button', { name: 'Chữ lớn, tương phản cao' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Chữ lớn, tương phản cao' }).getAttribute('aria-pressed')).toBe('true');
    expect(await labelSize()).toBeGreaterThan(normal * 1.2);
    await screenshot(page, 'kiosk-high-contrast-scale5-1280x800');
    // The voice toggle is safe without any installed voice (headless Chromium has none).
    await page.getByRole('button', { name: 'Đọc câu hỏi' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Đọc câu hỏi' }).getAttribute('aria-pressed')).toBe('true');
    await page.close();
    expect(rig.pageErrors).toEqual([]);
  });

  it('the custom element inside a host page with hostile global CSS still renders and works', async () => {
    const t = 'kiosk-6';
    await rig.publish('config', { ...PLACE, terminal: t }, config());
    const attrs = `district="${PLACE.district}" ward="${PLACE.ward}" counter="${PLACE.counter}" terminal="${t}" broker="${rig.mosquitto.wsUrl}" seq-base="zero"`;
    const hostile = `<!doctype html><html><head><meta charset="utf-8"><title>host</title>
<script type="module" src="./hailong-kiosk.js"></script>
<style>
  * { font-size: 3px !important; color: red !important; background: lime !important; line-height: 0 !important;
      visibility: hidden; letter-spacing: 12px !important; font-family: monospace !important; }
  button, li, ul, div, main, h1, span, svg { display: none !important; pointer-events: none !important; }
  hailong-kiosk { display: none !important; visibility: hidden !important; font-size: 2px !important; color: red !important; }
  html, body { visibility: visible; }
</style></head>
<body><p>Một cửa host page</p><hailong-kiosk ${attrs} style="height:700px"></hailong-kiosk></body></html>`;
    await writeFile(join(rig.root, 'kiosk', 'hostile.html'), hostile);
    const page = await rig.open(`${rig.base}hostile.html`);
    const button = level(page, 'Rất hài lòng');
    await button.waitFor({ state: 'visible' });
    const box = await button.boundingBox();
    expect(box!.width).toBeGreaterThanOrEqual(64);
    expect(box!.height).toBeGreaterThanOrEqual(64);
    // The host still sizes the element (its inline height), as the example host page does.
    expect((await page.locator('hailong-kiosk').boundingBox())!.height).toBe(700);
    const style = await page.evaluate(() => {
      const label = document.querySelector('hailong-kiosk')!.shadowRoot!.querySelector('.level .label')!;
      const cs = getComputedStyle(label);
      return { fontSize: parseFloat(cs.fontSize), color: cs.color, visibility: cs.visibility };
    });
    expect(style.fontSize).toBeGreaterThanOrEqual(24);
    expect(style.color).not.toBe('rgb(255, 0, 0)');
    expect(style.visibility).toBe('visible');
    // Nothing leaks out either: the host's own paragraph keeps the host's styles.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('p')!).fontSize)).toBe('3px');
    await screenshot(page, 'kiosk-hostile-host-1280x800');
    await button.click();
    const [vote] = await waitVotes(t, 1);
    expect(vote).toMatchObject({ id: `${t}:1`, level: 'rat-hai-long', source: 'touch' });
    await page.close();
  });

  it('the documented example host page (kiosk/example/host.html, shipped in the build) embeds the kiosk', async () => {
    const page = await rig.open(`${rig.base}example/host.html`, { online: false });
    const list = page.getByRole('list', { name: 'Mức độ hài lòng' });
    await expect.poll(() => list.getByRole('button').allTextContents()).toEqual(['Rất hài lòng', 'Hài lòng', 'Không hài lòng']);
    // The host's `button { font-size: 9px }` stays out of the kiosk.
    const size = await page.evaluate(() =>
      parseFloat(getComputedStyle(document.querySelector('hailong-kiosk')!.shadowRoot!.querySelector('.level .label')!).fontSize),
    );
    expect(size).toBeGreaterThanOrEqual(24);
    await screenshot(page, 'kiosk-example-host-1280x800');
    await page.close();
  });

  it('without an identity it refuses to take votes and names what is missing', async () => {
    const page = await rig.open(`${rig.base}?ward=Bad_Ward`, { online: false });
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Thiết bị chưa được cấu hình');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Thiếu mã đơn vị cấp trên');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Mã phường/xã “Bad_Ward” không hợp lệ');
    await expect.poll(() => page.getByRole('button').count()).toBe(0);
    await page.close();
  });

  it('the hidden settings page opens with 5 taps on the dot and the PIN, and shows the outbox', async () => {
    const t = 'kiosk-7';
    const page = await rig.open(rig.url(t, { lang: 'en' }));
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Were you satisfied with our service today?');
    const dot = page.getByTestId('status-dot');
    await expect.poll(() => dot.getAttribute('aria-label')).toBe('Connected');
    for (let i = 0; i < 5; i++) await dot.click();
    const dialog = page.getByRole('dialog', { name: 'Device settings' });
    await dialog.getByLabel('PIN').fill('0000');
    await dialog.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toBe('Wrong PIN');
    await dialog.getByLabel('PIN').fill('1357');
    await dialog.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => dialog.getByTestId('link-state').textContent()).toBe('Connected');
    await expect.poll(() => dialog.getByTestId('pending').textContent()).toBe('0');
    await expect.poll(() => dialog.getByTestId('unconfirmed').textContent()).toBe('0');
    await expect.poll(() => dialog.textContent()).toContain('Of which sent, awaiting the bridge’s receipt');
    await expect.poll(() => dialog.getByLabel('MQTT broker (ws:// or wss://)').inputValue()).toBe(rig.mosquitto.wsUrl);
    await screenshot(page, 'kiosk-settings-1280x800');
    // The saved password is never shown again (issue 13, item 2).
    expect(await dialog.getByLabel('Password').inputValue()).toBe('');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await page.close();
  });

  it('wrong PINs lock the settings page out, in Vietnamese, and a reload does not lift it (issue 13, item 2)', async () => {
    const t = 'kiosk-8';
    const page = await rig.open(rig.url(t));
    const dot = page.getByTestId('status-dot');
    const dialog = page.getByRole('dialog', { name: 'Cài đặt thiết bị' });
    const open = async () => {
      for (let i = 0; i < 5; i++) await dot.click();
      await dialog.waitFor();
    };
    await open();
    for (const guess of ['0000', '1111', '2222']) {
      await dialog.getByLabel('Mã PIN').fill(guess);
      await dialog.getByRole('button', { name: 'Mở khóa' }).click();
    }
    await expect
      .poll(() => dialog.getByTestId('pin-locked').textContent())
      .toMatch(/^Nhập sai mã PIN quá nhiều lần\. Vui lòng thử lại sau (30|29) giây\.$/);
    expect(await dialog.getByLabel('Mã PIN').isDisabled()).toBe(true);
    await page.reload();
    await page.locator('[data-testid=status-dot][data-link=online]').waitFor({ timeout: 15_000 });
    await open();
    await expect.poll(() => dialog.getByTestId('pin-locked').textContent()).toMatch(/thử lại sau \d+ giây/);
    expect(await dialog.getByLabel('Mã PIN').isDisabled()).toBe(true);
    await page.close();
  });
});

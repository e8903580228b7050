/**
 * Rating by QR code (issue 15, item 4), end to end: the real app (embedded
 * broker, bridge, web server), a desk asking for a token over HTTP with its
 * account, the citizen's phone page in real Chromium at 390×844, the vote
 * journaled and published (the counter's retained tally counts it), and a
 * reused or expired token refused with a clear Vietnamese message.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import { QR_TEXT } from '../../../bridge/qr/qr-page.ts';
import type { Tally } from '../../../core/tally.ts';
import type { Vote } from '../../../core/vote.ts';
import { launchChromium } from '../../helpers/chromium.ts';
import { collect } from '../../helpers/mqtt-collector.ts';
import { freePort } from '../../helpers/ports.ts';
import { startApp, tempDir, until } from '../bridge-rig.ts';

const repo = join(import.meta.dirname, '..', '..', '..');
const SHOTS = process.env.HAILONG_UPDATE_SCREENSHOTS === '1' ? join(repo, 'docs', 'screenshots') : join(repo, 'test-results', 'reports');
const DESK = { username: 'quay-so', password: 'desk-password-1' };
const cleanups: (() => Promise<void> | void)[] = [];
let browser: Browser | undefined;

beforeAll(async () => {
  [browser] = await Promise.all([launchChromium(), mkdir(SHOTS, { recursive: true })]);
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig() {
  const tmp = tempDir();
  cleanups.push(tmp.remove);
  const r = validateConfig({
    district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
    ward: { id: 'phuc-xa', name: 'Phường Phúc Xá' },
    counters: [{ id: 'quay-1', name: 'Quầy 1', terminals: [{ id: 'hop-1', kind: 'button', uid: 'SIM-01' }] }],
    serial: { ports: [] },
    mqtt: { urls: [] },
    broker: { port: 0, host: '127.0.0.1', anonymous: 'read', users: [{ ...DESK, role: 'desk' }] },
    web: { port: await freePort(), host: '127.0.0.1' },
    dataDir: join(tmp.dir, 'data'),
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  const { app, url } = await startApp(r.config, { webRoot: tmp.dir });
  cleanups.push(() => app.stop());
  const base = app.endpoints('127.0.0.1').web!.dashboard.replace(/\/dashboard\/.*$/, '');
  const token = async (body: Record<string, unknown>, auth = `${DESK.username}:${DESK.password}`) => {
    const res = await fetch(`${base}/qr/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { token: string; url: string; svg: string; error?: string } };
  };
  return { app, url, base, token };
}

describe('rating by QR code (real app, real Chromium at 390×844)', () => {
  it('token → phone vote → journal and tally; the same token again is refused in Vietnamese', async () => {
    const { app, url, base, token } = await rig();
    expect((await token({ counter: 'quay-1' }, 'quay-so:wrong')).status).toBe(401);
    expect((await token({ counter: 'quay-9' })).status).toBe(400);
    const issued = await token({ counter: 'quay-1', dossier: '000.00.12.H26-261206-0099', stage: 'tra-ket-qua', officer: 'cb-1' });
    expect(issued.status).toBe(200);
    expect(issued.body.url).not.toContain('H26'); // an opaque token, never the dossier code
    expect(issued.body.svg).toMatch(/^<svg/);
    const sub = await collect(url, 'hailong/v1/#');
    cleanups.push(() => sub.close());

    const page = await browser!.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    cleanups.push(() => page.close());
    await page.goto(`${base}/qr/?t=${issued.body.token}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Ông/Bà có hài lòng với sự phục vụ hôm nay không?');
    expect(await page.locator('.dossier').textContent()).toBe('Hồ sơ 000.00.12.H26-261206-0099');
    // Every face fits the phone's width.
    for (const box of await page.locator('button.level').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right)))
      expect(box).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SHOTS, 'qr-phone.png') });
    await page.getByRole('button', { name: 'Hài lòng', exact: true }).click();
    await expect.poll(() => page.getByTestId('message').textContent()).toContain('Cảm ơn Ông/Bà đã đánh giá!');

    const votes = [...app.bridge.journal.votesPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((p) => JSON.parse(p) as Vote);
    expect(votes).toHaveLength(1);
    expect(votes[0]).toMatchObject({
      terminal: 'qr-quay-1',
      counter: 'quay-1',
      level: 'hai-long',
      source: 'touch',
      officer: 'cb-1',
      dossier: '000.00.12.H26-261206-0099',
      stage: 'tra-ket-qua',
    });
    // The same topics as any vote: the vote and the counter's retained tally.
    await sub.waitFor((m) => m.some((x) => x.topic.endsWith('/quay-1/qr-quay-1/vote')), 10_000, 'the QR vote on MQTT');
    await sub.waitFor(
      (m) =>
        m.some(
          (x) =>
            x.topic.includes('/quay-1/qr-quay-1/tally/') &&
            Object.values((JSON.parse(x.payload) as Tally).days).some((d) => d.c.reduce((a, b) => a + b, 0) === 1),
        ),
      10_000,
      'the tally counting the QR vote',
    );

    // The same token again: on the page, and straight at the API.
    await page.goto(`${base}/qr/?t=${issued.body.token}`);
    expect(await page.getByTestId('message').textContent()).toBe(QR_TEXT.vi.used);
    await page.screenshot({ path: join(SHOTS, 'qr-phone-used.png') });
    const again = await fetch(`${base}/qr/vote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: issued.body.token, level: 'rat-hai-long' }),
    });
    expect(again.status).toBe(410);
    expect(await again.json()).toEqual({ error: 'used' });
    expect(app.bridge.journal.voteCount()).toBe(1);
  });

  it('an expired token, and one that was never issued, are refused in Vietnamese; two phones racing with one token: one vote', async () => {
    const { app, base, token } = await rig();
    const short = await token({ counter: 'quay-1', ttlMs: 1000 });
    const page = await browser!.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    cleanups.push(() => page.close());
    // Opened in time, voted too late: the page says it expired.
    await page.goto(`${base}/qr/?t=${short.body.token}`);
    await new Promise((r) => setTimeout(r, 1200));
    await page.getByRole('button', { name: 'Rất hài lòng', exact: true }).click();
    await expect.poll(() => page.getByTestId('message').textContent()).toBe(QR_TEXT.vi.expired);
    await page.goto(`${base}/qr/?t=${short.body.token}`);
    expect(await page.getByTestId('message').textContent()).toBe(QR_TEXT.vi.expired);
    await page.goto(`${base}/qr/?t=AAAAAAAAAAAAAAAAAAAAAA`);
    expect(await page.getByTestId('message').textContent()).toBe(QR_TEXT.vi.unknown);
    await page.goto(`${base}/qr/?t=<script>`);
    expect(await page.getByTestId('message').textContent()).toBe(QR_TEXT.vi.unknown);
    const race = await token({ counter: 'quay-1' });
    const send = () =>
      fetch(`${base}/qr/vote`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: race.body.token, level: 'hai-long' }),
      }).then((r) => r.status);
    const statuses = await Promise.all([send(), send(), send()]);
    expect(statuses.sort()).toEqual([200, 410, 410]);
    await until(() => app.bridge.journal.voteCount() === 1, 5000, 'one vote');
    expect(app.qr.stats()['qr-votes-stored']).toBe(1);
  });

  it('a token taken for a vote that never reached the journal (the process died in between) can still rate, once', async () => {
    const { app, base, token } = await rig();
    const t = await token({ counter: 'quay-1' });
    // What a crash between taking the token and the journal commit leaves: the token marked with the
    // next device seq of its counter, and no vote stored at that seq.
    const next = app.bridge.journal.highWaterMark('qr:quay-1') + 1;
    expect(app.qr.tokens.use(t.body.token, `qr:quay-1:${next}`)).toBe(true);
    const send = () =>
      fetch(`${base}/qr/vote`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: t.body.token, level: 'rat-hai-long' }),
      }).then((r) => r.status);
    expect(await send()).toBe(200);
    expect(app.bridge.journal.voteCount()).toBe(1);
    // Stored now: the same token is used for good.
    expect(await send()).toBe(410);
    expect(app.bridge.journal.voteCount()).toBe(1);
  });
});

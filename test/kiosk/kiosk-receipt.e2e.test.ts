/**
 * A kiosk votes on the office's Mosquitto before the bridge has ever
 * connected (a first install; the same as after Mosquitto lost its
 * sessions): Mosquitto PUBACKs each vote and keeps it for no one, because
 * the bridge's persistent session has not subscribed yet. The kiosk must
 * not forget those votes on the PUBACK but keep them until the bridge's
 * receipt names them, and send them again: once the bridge starts, every
 * vote is in its journal exactly once and the kiosk's outbox empties.
 *
 * Real parts: Mosquitto started from exactly what `hailong mosquitto-config`
 * generates (dynamic security, bound client ids), the production kiosk build
 * in headless Chromium, the real bridge (HailongApp) on that Mosquitto. And
 * the embedded broker's path, where the bridge journals inside the broker's
 * publish path: the receipts empty the kiosk's outbox there too.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BrokerUser } from '../../bridge/broker/broker-user.ts';
import { validateConfig } from '../../bridge/config/validate-config.ts';
import { HailongApp } from '../../bridge/hailong-app.ts';
import { StaticServer } from '../../bridge/static-server.ts';
import { testLog } from '../bridge/bridge-rig.ts';
import { startGeneratedMosquitto } from '../bridge/broker/generated-mosquitto.ts';
import { launchPersistentChromium } from '../helpers/chromium.ts';
import { freePort } from '../helpers/ports.ts';
import type { Page } from 'playwright-core';
import { buildKiosk, PLACE, provisionAccounts, startKioskRig, startRigBridge, until } from './rig/kiosk-rig.ts';

const TERMINAL = 'kiosk-1';
const TAPS = 6;
const BRIDGE = { username: 'bridge-p1', password: 'bridge secret p1' };
const USERS: readonly BrokerUser[] = [
  { username: BRIDGE.username, password: BRIDGE.password, role: 'bridge', district: PLACE.district, ward: PLACE.ward },
  // The rig's provisioned account for kiosk-1 (provisionAccounts): user = terminal, password pw-<terminal>.
  {
    username: TERMINAL,
    password: `pw-${TERMINAL}`,
    role: 'kiosk',
    district: PLACE.district,
    ward: PLACE.ward,
    counter: PLACE.counter,
    terminal: TERMINAL,
  },
];

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Stats {
  readonly pending: number;
  readonly highWater: number;
  readonly unconfirmed?: number;
}

/** The kiosk runtime's outbox counts, read from the page. */
function statsOf(page: Page): Promise<Stats> {
  return page.evaluate(() => {
    const el = document.querySelector('hailong-kiosk') as (HTMLElement & { runtime?: { snapshot: { stats: Stats } } }) | null;
    if (el?.runtime === undefined) throw new Error('no running kiosk on the page');
    return el.runtime.snapshot.stats;
  });
}

/**
 * How long after the bridge starts the kiosk's outbox may take to empty: the
 * votes were PUBACKed just before it started, so the re-check of its
 * on-connect receipt sends them again at PUBACK + 5 s (outbox.ts
 * `GAP_GRACE_MS`); a kiosk that waited for the timed resend (`RESEND_FIRST_MS`,
 * 30 s after the PUBACK, seen by a 5 s sweep) took 33–34 s here. The slack
 * is for a loaded machine.
 */
const RECHECK_BOUND_MS = 15_000;

function expectWithinRecheck(bridgeStart: number, what: string): void {
  const took = Date.now() - bridgeStart;
  expect(took, `${what} ${took} ms after the bridge started`).toBeLessThan(RECHECK_BOUND_MS);
}

describe('kiosk votes before the bridge ever connected (real Mosquitto from the generated setup, real Chromium)', () => {
  it('every vote PUBACKed by Mosquitto with no bridge session yet ends up in the journal exactly once', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hailong-kiosk-receipt-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const [mosquitto] = await Promise.all([startGeneratedMosquitto(USERS, 'none'), buildKiosk(join(root, 'kiosk'))]);
    cleanups.push(() => mosquitto.dispose());
    const server = new StaticServer({ root, port: 0, host: '127.0.0.1' });
    const port = await server.start();
    cleanups.push(() => server.stop());
    const chromium = await launchPersistentChromium();
    cleanups.push(() => chromium.close());
    await provisionAccounts(chromium.context);

    const page = await chromium.context.newPage();
    const q = new URLSearchParams({ ...PLACE, terminal: TERMINAL, broker: mosquitto.wsUrl, 'thanks-ms': '800', 'seq-base': 'zero' });
    await page.goto(`http://127.0.0.1:${port}/kiosk/?${q.toString()}`);
    await page.locator('[data-testid=status-dot][data-link=online]').waitFor({ timeout: 20_000 });
    const stats = (): Promise<Stats> => statsOf(page);

    const button = page.getByRole('button', { name: 'Rất hài lòng', exact: true });
    for (let i = 0; i < TAPS; i++) await button.click();
    // Mosquitto has PUBACKed every vote (nobody is subscribed: it keeps them for no one). A kiosk
    // that forgets on PUBACK shows nothing pending; one that waits for the bridge shows them unconfirmed.
    await until(
      async () => {
        const s = await stats();
        return s.highWater === TAPS && (s.pending === 0 || s.unconfirmed === TAPS);
      },
      `${TAPS} votes stored and PUBACKed by Mosquitto`,
      30_000,
    );

    // Now the bridge is installed and started for the first time.
    const bridgeStart = Date.now();
    const r = validateConfig({
      district: { id: PLACE.district, name: 'Quận Thử' },
      ward: { id: PLACE.ward, name: 'Phường Một' },
      rating: { cooldownMs: 0 },
      counters: [{ id: PLACE.counter, name: 'Quầy 1', terminals: [{ id: TERMINAL, kind: 'touch' }] }],
      serial: { ports: [] },
      mqtt: { urls: [mosquitto.url], username: BRIDGE.username, password: BRIDGE.password },
      dataDir: join(root, 'bridge'),
    });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const app = new HailongApp({ config: r.config, log: testLog, version: 'test' });
    await app.start();
    cleanups.push(() => app.stop());
    const journal = app.bridge.journal;
    const journaled = (): number => Array.from({ length: TAPS }, (_, i) => i + 1).filter((seq) => journal.hasVote(TERMINAL, seq)).length;
    // The kiosk sends again what no receipt names: at once on the bridge's first receipt for a
    // vote PUBACKed over 5 s before; for one PUBACKed within those 5 s (as here: the bridge's
    // on-connect receipt comes a second or two after the last PUBACK) when that grace has
    // passed (BrokerLink's re-check of the receipt), not on its 30 s resend timer.
    await until(() => journaled() === TAPS, `all ${TAPS} kiosk votes in the journal (has ${journaled()})`, 90_000);
    await until(async () => (await stats()).pending === 0, 'the kiosk outbox emptied by the receipt', 30_000);
    expectWithinRecheck(bridgeStart, 'the outbox emptied');
    const ids = [...journal.votesPressedBetween(0, Number.MAX_SAFE_INTEGER)].map((p) => JSON.parse(p).id as string);
    expect(ids.sort()).toEqual(Array.from({ length: TAPS }, (_, i) => `${TERMINAL}:${i + 1}`).sort());
    // Duplicates the kiosk sent were answered, not stored again.
    expect(journal.voteCount()).toBe(TAPS);
  }, 240_000);

  it('on the embedded broker (journaled in the publish path) the receipts empty the outbox, each vote journaled once', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hailong-kiosk-receipt-aedes-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    await buildKiosk(join(root, 'kiosk'));
    const webPort = await freePort();
    const r = validateConfig({
      district: { id: PLACE.district, name: 'Quận Thử' },
      ward: { id: PLACE.ward, name: 'Phường Một' },
      rating: { cooldownMs: 0 },
      counters: [{ id: PLACE.counter, name: 'Quầy 1', terminals: [{ id: TERMINAL, kind: 'touch', password: `pw-${TERMINAL}` }] }],
      serial: { ports: [] },
      broker: { port: await freePort(), host: '127.0.0.1' },
      web: { port: webPort, host: '127.0.0.1' },
      dataDir: join(root, 'bridge'),
    });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const app = new HailongApp({ config: r.config, log: testLog, version: 'test', webRoot: root });
    await app.start();
    cleanups.push(() => app.stop());
    const chromium = await launchPersistentChromium();
    cleanups.push(() => chromium.close());
    await provisionAccounts(chromium.context);
    const page = await chromium.context.newPage();
    const q = new URLSearchParams({
      ...PLACE,
      terminal: TERMINAL,
      broker: `ws://127.0.0.1:${webPort}/mqtt`,
      'thanks-ms': '800',
      'seq-base': 'zero',
    });
    await page.goto(`http://127.0.0.1:${webPort}/kiosk/?${q.toString()}`);
    await page.locator('[data-testid=status-dot][data-link=online]').waitFor({ timeout: 20_000 });
    const button = page.getByRole('button', { name: 'Hài lòng', exact: true });
    for (let i = 0; i < TAPS; i++) await button.click();
    await until(
      async () => {
        const s = await statsOf(page);
        return s.highWater === TAPS && s.pending === 0;
      },
      'every vote confirmed by a receipt',
      30_000,
    );
    // No receipt was taken for a forged one (the bridge publishes it after the commit, the PUBACK comes first).
    const problems = await page.evaluate(
      () =>
        (document.querySelector('hailong-kiosk') as HTMLElement & { runtime: { snapshot: { problems: Record<string, number> } } }).runtime
          .snapshot.problems,
    );
    expect(problems['receipt-ahead']).toBeUndefined();
    const journal = app.bridge.journal;
    expect(journal.voteCount()).toBe(TAPS);
    expect(Array.from({ length: TAPS }, (_, i) => journal.hasVote(TERMINAL, i + 1))).toEqual(Array.from({ length: TAPS }, () => true));
  }, 240_000);

  it('after Mosquitto lost its sessions (its database wiped), votes it PUBACKs for no one reach the journal once the bridge is back', async () => {
    const rig = await startKioskRig({ persistence: true });
    cleanups.push(() => rig.close());
    const kiosks = { terminals: [TERMINAL], cooldownMs: 0 };
    const first = await startRigBridge(rig.root, rig.mosquitto.url, kiosks);
    let firstStopped = false;
    cleanups.push(() => (firstStopped ? undefined : first.stop()));
    const page = await rig.open(rig.url(TERMINAL, { 'thanks-ms': '800' }));
    // A top rating: a low one opens the reasons screen and stays a draft until it closes.
    const button = page.getByRole('button', { name: 'Rất hài lòng', exact: true });
    for (let i = 0; i < 2; i++) await button.click();
    await until(
      async () => (await statsOf(page)).highWater === 2 && (await statsOf(page)).pending === 0,
      'two votes journaled and confirmed',
      30_000,
    );
    // The bridge stops (its session stays with Mosquitto)… then Mosquitto loses every session:
    // a crash between autosaves, or a wiped /var/lib/mosquitto.
    await first.stop();
    firstStopped = true;
    await rig.mosquitto.stop();
    for (const f of await readdir(rig.mosquitto.dir)) if (f.endsWith('.db')) await rm(join(rig.mosquitto.dir, f));
    await rig.mosquitto.restart();
    await page.locator('[data-testid=status-dot][data-link=online]').waitFor({ timeout: 30_000 });
    for (let i = 0; i < 4; i++) await button.click();
    await until(
      async () => {
        const s = await statsOf(page);
        return s.highWater === 6 && (s.pending === 0 || s.unconfirmed === 4);
      },
      'four more votes PUBACKed by a Mosquitto with no bridge session',
      30_000,
    );
    const secondStart = Date.now();
    const second = await startRigBridge(rig.root, rig.mosquitto.url, kiosks);
    cleanups.push(() => second.stop());
    const journal = second.bridge.journal;
    const journaled = (): number => Array.from({ length: 6 }, (_, i) => i + 1).filter((seq) => journal.hasVote(TERMINAL, seq)).length;
    await until(() => journaled() === 6, `all 6 kiosk votes in the journal (has ${journaled()})`, 90_000);
    await until(async () => (await statsOf(page)).pending === 0, 'the kiosk outbox emptied by the receipt', 30_000);
    expectWithinRecheck(secondStart, 'the outbox emptied');
    expect(journal.voteCount()).toBe(6);
  }, 240_000);
});

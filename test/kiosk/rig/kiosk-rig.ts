/**
 * End-to-end rig for the kiosk: the real production build (Vite, into a
 * temp dir) served by the bridge's StaticServer, a real Mosquitto with
 * password file and the kiosk ACL (a kiosk may write only its own vote and
 * status topics), an admin client that plays the desk software, an
 * independent collector, one headless Chromium, and optionally a real
 * bridge that journals the kiosks' votes and publishes their tallies.
 */
import { staffSettingsKey } from '../../../kiosk/src/identity/staff-settings.ts';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { StaticServer } from '../../../bridge/static-server.ts';
import { validateConfig } from '../../../bridge/config/validate-config.ts';
import { HailongApp } from '../../../bridge/hailong-app.ts';
import { testLog } from '../../bridge/bridge-rig.ts';
import { publicationFor } from '../../../core/index.ts';
import type { TerminalConfig, TopicKind, TopicParams, TopicPayload } from '../../../core/index.ts';
import { cachedBuild } from '../../helpers/build-cache.ts';
import { launchPersistentChromium } from '../../helpers/chromium.ts';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto.ts';
import { collect, type Collector } from '../../helpers/mqtt-collector.ts';

/** The place every rig kiosk sits in. */
export const PLACE = { district: 'test', ward: 'p1', counter: 'quay-1' } as const;

/**
 * Puts every rig kiosk's account and PIN in a browser profile's storage, as
 * provisioning leaves them: a password is never in the kiosk's URL (issue
 * 13, item 2). Another device (profile) needs it too to sign in.
 */
export async function provisionAccounts(context: BrowserContext): Promise<void> {
  await context.addInitScript(
    ({ entries }) => {
      for (const [key, value] of entries) if (localStorage.getItem(key) === null) localStorage.setItem(key, value);
    },
    {
      entries: TERMINALS.map(
        (t) =>
          [staffSettingsKey(PLACE.district, PLACE.ward, t), JSON.stringify({ username: t, password: `pw-${t}`, pin: RIG_PIN })] as const,
      ),
    },
  );
}

/** The staff PIN every rig kiosk was provisioned with (there is no default PIN). */
export const RIG_PIN = '1357';

/** Terminal ids with broker accounts (user = terminal id, password = `pw-<id>`). */
export const TERMINALS = ['kiosk-1', 'kiosk-2', 'kiosk-3', 'kiosk-4', 'kiosk-5', 'kiosk-6', 'kiosk-7', 'kiosk-8'] as const;

const ROOT = `hailong/v1/${PLACE.district}/${PLACE.ward}`;

/** The kiosk ACL of the bridge's `hailong mosquitto-config`, for this place (%u = the terminal). */
const ACL = [
  `pattern write ${ROOT}/${PLACE.counter}/%u/vote`,
  `pattern write ${ROOT}/${PLACE.counter}/%u/status`,
  `pattern read ${ROOT}/${PLACE.counter}/%u/#`,
  `pattern read ${ROOT}/${PLACE.counter}/_served`,
  `pattern read ${ROOT}/${PLACE.counter}/_session`,
  `pattern read ${ROOT}/_office`,
  'user admin',
  'topic readwrite hailong/#',
  '',
].join('\n');

/** A default config for rig terminals (the retained `…/config`). */
export function config(patch: Partial<TerminalConfig> = {}): TerminalConfig {
  return { v: 1, scale: 'scale-3', cooldownMs: 3000, mode: 'open', windowMs: 30_000, reasons: [], ...patch };
}

/** The rig. */
export interface KioskRig {
  readonly mosquitto: Mosquitto;
  readonly server: StaticServer;
  /** `http://127.0.0.1:<port>/kiosk/` */
  readonly base: string;
  /** The temp folder holding `kiosk/` (the build). */
  readonly root: string;
  readonly admin: MqttClient;
  readonly collector: Collector;
  readonly context: BrowserContext;
  /** The kiosk URL of a terminal, with broker and credentials. */
  url(terminal: string, extra?: Record<string, string>): string;
  /** Publishes like the desk / bridge would (core publicationFor). */
  publish<K extends TopicKind>(kind: K, params: TopicParams<K>, payload: TopicPayload<K>): Promise<void>;
  /** Opens a page at `url` (1280×800 tablet) and waits until the kiosk is connected. */
  open(url: string, options?: { online?: boolean }): Promise<Page>;
  /** Page errors seen so far (uncaught exceptions). */
  readonly pageErrors: string[];
  /** The bridge, when the rig runs one. */
  readonly bridge: HailongApp | undefined;
  close(): Promise<void>;
}

/** Options of `startKioskRig`. */
export interface KioskRigOptions {
  /** Keep broker sessions across a restart (the offline test). */
  readonly persistence?: boolean;
  readonly collectorId?: string;
  /**
   * Run a bridge (in-process, on the rig's Mosquitto) with these kiosks
   * configured: it journals their votes and publishes their tallies.
   */
  readonly bridge?: { readonly terminals: readonly string[]; readonly cooldownMs: number };
}

/**
 * A bridge (in-process) on the rig's Mosquitto with these kiosks configured,
 * its data under `<root>/bridge` (a second one started later finds the
 * first one's journal); resolves once it has subscribed to the kiosks' votes.
 */
export async function startRigBridge(root: string, url: string, o: NonNullable<KioskRigOptions['bridge']>): Promise<HailongApp> {
  const r = validateConfig({
    district: { id: PLACE.district, name: 'Quận Thử' },
    ward: { id: PLACE.ward, name: 'Phường Một' },
    rating: { cooldownMs: o.cooldownMs },
    counters: [{ id: PLACE.counter, name: 'Quầy 1', terminals: o.terminals.map((id) => ({ id, kind: 'touch' })) }],
    serial: { ports: [] },
    mqtt: { urls: [url], username: 'admin', password: 'pw-admin' },
    dataDir: join(root, 'bridge'),
  });
  if (!r.ok) throw new Error(`kiosk rig bridge config: ${JSON.stringify(r.problems)}`);
  const app = new HailongApp({ config: r.config, log: testLog, version: 'test' });
  await app.start();
  const deadline = Date.now() + 15_000;
  while (!app.bridge.kioskIntakeReady) {
    if (Date.now() > deadline) throw new Error('the rig bridge never subscribed to the kiosks’ votes');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return app;
}

/**
 * Builds the kiosk with the project's Vite config into `outDir`: once per
 * vitest run, copied to every caller (../../helpers/build-cache.ts).
 */
export async function buildKiosk(outDir: string): Promise<void> {
  await cachedBuild('kiosk', outDir, (dir) =>
    build({
      configFile: join(import.meta.dirname, '..', '..', '..', 'vite.config.ts'),
      mode: 'kiosk',
      logLevel: 'silent',
      build: { outDir: dir },
    }).then(() => undefined),
  );
}

/** Starts everything. */
export async function startKioskRig(options: KioskRigOptions = {}): Promise<KioskRig> {
  const root = await mkdtemp(join(tmpdir(), 'hailong-kiosk-e2e-'));
  const auth = join(root, 'auth');
  await mkdir(auth);
  const passwd = join(auth, 'passwd');
  await writeFile(passwd, '');
  for (const user of [...TERMINALS, 'admin']) execFileSync('mosquitto_passwd', ['-b', passwd, user, `pw-${user}`]);
  await writeFile(join(auth, 'acl'), ACL);
  const [mosquitto] = await Promise.all([
    startMosquitto({
      allowAnonymous: false,
      persistence: options.persistence ?? false,
      extraConfig: `password_file ${passwd}\nacl_file ${join(auth, 'acl')}`,
    }),
    buildKiosk(join(root, 'kiosk')),
  ]);
  const server = new StaticServer({ root, port: 0, host: '127.0.0.1' });
  const port = await server.start();
  const adminOptions = { username: 'admin', password: 'pw-admin' };
  const admin = await mqtt.connectAsync(mosquitto.url, { ...adminOptions, reconnectPeriod: 200 });
  const collector = await collect(mosquitto.url, `${ROOT}/#`, {
    ...adminOptions,
    // A persistent session: votes published while the collector reconnects after a broker restart are queued for it.
    ...(options.collectorId === undefined ? {} : { clientId: options.collectorId, clean: false }),
  });
  const bridge = options.bridge === undefined ? undefined : await startRigBridge(root, mosquitto.url, options.bridge);
  const chromium = await launchPersistentChromium();
  await provisionAccounts(chromium.context);
  const pageErrors: string[] = [];
  const base = `http://127.0.0.1:${port}/kiosk/`;
  return {
    mosquitto,
    server,
    base,
    root,
    admin,
    collector,
    context: chromium.context,
    pageErrors,
    bridge,
    url(terminal, extra = {}) {
      const q = new URLSearchParams({
        ...PLACE,
        terminal,
        broker: mosquitto.wsUrl,
        // Seqs 1, 2, 3… so tests can name them; kiosk-wipe.e2e.test.ts runs the default clock base.
        'seq-base': 'zero',
        ...extra,
      });
      return `${base}?${q.toString()}`;
    },
    async publish(kind, params, payload) {
      const p = publicationFor(kind, params, payload);
      await admin.publishAsync(p.topic, p.payload, { qos: p.qos, retain: p.retain });
    },
    async open(url, { online = true } = {}) {
      const page = await chromium.context.newPage();
      await page.setViewportSize({ width: 1280, height: 800 });
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await page.goto(url);
      if (online) await page.locator('[data-testid=status-dot][data-link=online]').waitFor({ timeout: 15_000 });
      return page;
    },
    async close() {
      await chromium.close();
      await bridge?.stop();
      await collector.close();
      await admin.endAsync(true);
      await server.stop();
      await mosquitto.dispose();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** What tests read of the kiosk runtime. */
export interface PageSnapshot {
  readonly stats: { pending: number; highWater: number };
  readonly problems: Record<string, number>;
  readonly link: string;
  readonly leader: boolean;
}

/** The kiosk runtime's snapshot, read from the page. */
export async function snapshotOf(page: Page): Promise<PageSnapshot> {
  return page.evaluate(() => {
    const el = document.querySelector('hailong-kiosk') as (HTMLElement & { runtime?: { snapshot: unknown } }) | null;
    const s = el?.runtime?.snapshot as PageSnapshot | undefined;
    if (s === undefined) throw new Error('no running kiosk on the page');
    return { stats: s.stats, problems: s.problems, link: s.link, leader: s.leader };
  });
}

/** Polls `check` until it returns true, or fails after `timeoutMs` with `what`. */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Saves a screenshot under test-results/screenshots/ (gitignored) for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = join(import.meta.dirname, '..', '..', '..', 'test-results', 'screenshots');
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/**
 * The rig of the federation end-to-end tests (federation, federation-revocation,
 * province-cluster): `hailong` processes spawned and stopped, ward offices
 * with button boxes on socat ptys and a YAML config forwarding upstream, a
 * kiosk's taps over MQTT, SQLite files read as they are on disk, and the hub
 * dashboard's ranking awaited in Chromium. Each test keeps its own faults and
 * assertions; this file only builds and reads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { clientIdSuffix, kioskClientId } from '../../../core/client-id.ts';
import type { LevelKey } from '../../../core/scale.ts';
import { addDays, localMidnight, localParts } from '../../../core/time.ts';
import type { Vote } from '../../../core/vote.ts';
import { createPtyFleet, type PtyFleet } from '../../../bridge/simulator/fleet.ts';
import { launchChromium } from '../../helpers/chromium.ts';
import type { Cleanups } from '../../helpers/cleanups.ts';
import { buildDashboard } from '../../dashboard/rig.ts';
import { box } from '../bridge-rig.ts';

const repo = join(import.meta.dirname, '..', '..', '..');

/** A spawned `hailong` process and what it printed. */
export type HailongProcess = ChildProcess & {
  /** The last `LOG_TAIL` characters of its stdout and stderr (pino lines), for a failure message. */
  readonly output: () => string;
};

/** How much of a spawned process's output is kept (characters). */
const LOG_TAIL = 256 * 1024;

/** Starts `hailong <args>` (a hub or a bridge) logging at `logLevel`; its stderr is printed if it exits with an error. */
export function spawnHailong(args: string[], name: string, logLevel = 'warn'): HailongProcess {
  const child = spawn(process.execPath, [join(repo, 'bridge', 'bin.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HAILONG_LOG_LEVEL: logLevel, HAILONG_LOG_FORMAT: 'json' },
  });
  let out = '';
  let err = '';
  // Read stdout even when nobody asks for it: a full pipe would block the process.
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 2 * LOG_TAIL) out = out.slice(-LOG_TAIL);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    keep(d);
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) console.error(`${name} exited with ${code}: ${err}`);
  });
  return Object.assign(child, { output: () => out.slice(-LOG_TAIL) });
}

/** Runs a hailong command to its end; resolves with its exit code, stdout and stderr. */
export function runHailong(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repo, 'bridge', 'bin.mjs'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HAILONG_LOG_LEVEL: 'warn' },
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

/** Sends `signal` to `child`; resolves once it has exited (at once if it already has). */
export function stopWith(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** SIGTERM, and SIGKILL with a warning if the process has not exited within 20 s. */
export async function stopWithin(child: ChildProcess, name: string): Promise<void> {
  const timer = setTimeout(() => {
    console.warn(`${name} did not stop within 20 s of SIGTERM: killed`);
    child.kill('SIGKILL');
  }, 20_000);
  await stopWith(child, 'SIGTERM');
  clearTimeout(timer);
}

/** Rows of a SQLite file read through a read-only connection of its own (what is on disk). */
export function readRows<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/**
 * The Hà Nội day of the newest vote of `journals`, each journal's counted
 * votes pressed that day (revoked ones left out), and an instant for a hub
 * page's clock that shows that day under "Hôm nay" for five minutes at
 * least: the newest vote's, or five minutes before the day ends. A run lasts
 * minutes and may cross a midnight, so "today" is never read from the clock
 * (test/helpers/local-days.ts). The page's clock must run on (Playwright's
 * `clock.install`/`setSystemTime`): a fixed one stalls the dashboard's
 * throttled folding of live tallies.
 */
export function lastVoteDay(journals: readonly string[]): { clockAt: number; counts: number[] } {
  const at = Math.max(...journals.map((j) => readRows<{ t: number }>(j, 'SELECT max(pressed_at) AS t FROM votes')[0]!.t));
  const day = localParts(at).date;
  const counts = journals.map(
    (j) =>
      readRows<{ n: number }>(
        j,
        'SELECT count(*) AS n FROM votes v WHERE pressed_at >= ? AND pressed_at < ? AND NOT EXISTS (SELECT 1 FROM revoked_votes r WHERE r.vote = v.id)',
        localMidnight(day),
        localMidnight(addDays(day, 1)),
      )[0]!.n,
  );
  return { clockAt: Math.min(at, localMidnight(addDays(day, 1)) - 5 * 60_000), counts };
}

/** Waits for the ranking to show `expected` votes per unit name; a unit with none that day has no row. */
export async function waitForDayRanking(
  page: Page,
  expected: readonly (readonly [name: string, votes: number])[],
  label: string,
): Promise<void> {
  await waitForRanking(page, Object.fromEntries(expected.filter(([, n]) => n > 0).map(([name, n]) => [name, String(n)])), label);
  const ranked = await page.$$eval('[data-testid=ranking] tbody tr', (trs) =>
    trs.map((r) => (r as HTMLTableRowElement).cells[1]?.textContent ?? ''),
  );
  for (const [name, n] of expected) if (n === 0) expect(ranked, `${label}: ${name} has no vote that day`).not.toContain(name);
}

/** Votes the fleet's boxes have had ACKed. */
export const acked = (fleet: PtyFleet) => fleet.terminals.reduce((n, t) => n + t.stats.acked, 0);

/** `unit/vote id` of every vote in the hub archive (duplicates kept). */
export function archiveKeys(archive: string): string[] {
  return readRows<{ unit: string; id: string }>(archive, 'SELECT unit, id FROM votes').map((r) => `${r.unit}/${r.id}`);
}

/** `unit/vote id` of every vote in a ward's journal. */
export function journalKeys(journal: string, unit: string): string[] {
  return readRows<{ payload: string }>(journal, 'SELECT payload FROM votes').map((r) => `${unit}/${(JSON.parse(r.payload) as Vote).id}`);
}

/** Builds the dashboard into `dir/web` while Chromium starts; closes the browser after the test. */
export async function hubDashboard(dir: string, cleanups: Cleanups): Promise<{ webRoot: string; browser: Browser }> {
  const webRoot = join(dir, 'web');
  const browserP = launchChromium();
  await buildDashboard(webRoot);
  const browser = await browserP;
  cleanups.push(() => browser.close());
  return { webRoot, browser };
}

/** Box timings fast enough for a test, and a buffer that holds every burst. */
const TERMINAL = { helloIntervalMs: 300, ackTimeoutMs: 300, maxAckTimeoutMs: 1000, linkLostMs: 3000, capacity: 2000 };

/** A ward office's folder and its `boxes` button boxes on socat ptys, started; closed after the test. */
export async function wardFleet(dir: string, boxes: number, cleanups: Cleanups): Promise<PtyFleet> {
  mkdirSync(dir);
  const fleet = await createPtyFleet(boxes, { dir, terminal: TERMINAL });
  cleanups.push(() => fleet.close());
  return fleet;
}

/** A ward office's config (see `writeWardConfig`). */
export interface WardConfig {
  /** The office's folder: `hailong.yaml` and `data/` go there. */
  readonly dir: string;
  readonly id: string;
  readonly name: string;
  /** @default 'Quận Ba Đình' */
  readonly districtName?: string;
  /** One counter per box, each box on its pty. */
  readonly fleet: PtyFleet;
  /** The ward's embedded broker. */
  readonly brokerPort: number;
  /** The hub's broker(s) the ward forwards to, as unit `id` with password `pw-<id>`. */
  readonly upstreamUrls: readonly string[];
  /** Adds counter `quay-9` with kiosk `kiosk-9` (password `pw-kiosk`), for `kioskTaps`. */
  readonly kiosk?: boolean;
}

/** Writes the ward's `hailong.yaml` (district `ba-dinh`, no cooldown); returns its path. */
export function writeWardConfig(w: WardConfig): string {
  const config = join(w.dir, 'hailong.yaml');
  const kiosk = w.kiosk ? [{ id: 'quay-9', name: 'Quầy 9', terminals: [{ id: 'kiosk-9', kind: 'touch', password: 'pw-kiosk' }] }] : [];
  writeFileSync(
    config,
    stringify({
      district: { id: 'ba-dinh', name: w.districtName ?? 'Quận Ba Đình' },
      ward: { id: w.id, name: w.name },
      rating: { cooldownMs: 0 },
      counters: [
        ...w.fleet.terminals.map((_, i) => ({
          id: box(i).counter,
          name: `Quầy ${i + 1}`,
          terminals: [{ id: box(i).terminal, kind: 'button', uid: box(i).uid }],
        })),
        ...kiosk,
      ],
      serial: { ports: [...w.fleet.hostPaths], scanIntervalMs: 200 },
      broker: { port: w.brokerPort, host: '127.0.0.1' },
      upstream: { urls: [...w.upstreamUrls], username: w.id, password: `pw-${w.id}` },
      dataDir: join(w.dir, 'data'),
    }),
  );
  return config;
}

/** How a kiosk's taps go (`kioskTaps`). */
export interface KioskTapOptions {
  /** The level of tap `seq`. */
  readonly level: (seq: number) => LevelKey;
  /** Fails when a vote's PUBACK takes longer (ms); without it, a vote waits as long as it takes. */
  readonly pubackWithinMs?: number;
  /** Pause after each PUBACK (ms). @default 0 */
  readonly paceMs?: number;
}

/** A kiosk's taps: `n` votes at QoS 1 on kiosk-9's own topic, each resent until PUBACKed (its IndexedDB outbox). */
export async function kioskTaps(ward: string, brokerPort: number, n: number, o: KioskTapOptions): Promise<void> {
  const clientId = kioskClientId({ district: 'ba-dinh', ward, terminal: 'kiosk-9' }, clientIdSuffix('pw-kiosk')); // a kiosk may use only its own
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
    username: 'kiosk-9',
    password: 'pw-kiosk',
    clientId,
    reconnectPeriod: 200,
  });
  try {
    for (let seq = 1; seq <= n; seq++) {
      const now = Date.now();
      const vote: Vote = {
        v: 1,
        id: `kiosk-9:${seq}`,
        district: 'ba-dinh',
        ward,
        counter: 'quay-9',
        terminal: 'kiosk-9',
        seq,
        level: o.level(seq),
        pressedAt: now,
        receivedAt: now,
        source: 'touch',
      };
      const puback = client.publishAsync(`hailong/v1/ba-dinh/${ward}/quay-9/kiosk-9/vote`, JSON.stringify(vote), { qos: 1 });
      const within = o.pubackWithinMs;
      if (within === undefined) await puback;
      else {
        const late = new Promise<never>((_, fail) =>
          setTimeout(() => fail(new Error(`kiosk vote ${seq} not acknowledged by the ward within ${within / 1000} s`)), within).unref(),
        );
        await Promise.race([puback, late]);
      }
      if (o.paceMs !== undefined && o.paceMs > 0) await new Promise((r) => setTimeout(r, o.paceMs));
    }
  } finally {
    await client.endAsync(true);
  }
}

/**
 * Waits until the district ranking on `page` shows, for each ward name in
 * `expected`, that vote count (dots of vi-VN thousands removed); fails with
 * what the ranking and the header showed instead.
 */
export async function waitForRanking(page: Page, expected: Record<string, string>, label: string): Promise<void> {
  await page
    .waitForFunction(
      (want) => {
        const rows = [...document.querySelectorAll('[data-testid=ranking] tbody tr')] as HTMLTableRowElement[];
        const got = Object.fromEntries(
          rows.map((r) => [r.cells[1]?.textContent ?? '', (r.cells[2]?.textContent ?? '').replaceAll('.', '')]),
        );
        return Object.keys(want).every((k) => got[k] === want[k]);
      },
      expected,
      { timeout: 30_000 },
    )
    .catch(async (error: Error) => {
      const rows = await page.$$eval('[data-testid=ranking] tbody tr', (trs) =>
        trs.map((r) => [...(r as HTMLTableRowElement).cells].map((c) => c.textContent)),
      );
      const header = await page.evaluate(() => document.querySelector('header')?.textContent ?? '');
      throw new Error(
        `${label}: ${error.message}\nexpected ${JSON.stringify(expected)}\nranking ${JSON.stringify(rows)}\nheader ${header}`,
      );
    });
}

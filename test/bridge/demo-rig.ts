/**
 * The demo as a newcomer starts it, for the tests that drive it in Chromium
 * (demo.e2e, demo-screenshots.e2e): `hailong start` without a config as its
 * own process, serving the dashboard and kiosk built into a temp folder, on
 * free ports, and the URLs of its start banner (the `endpoints` log line).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildDashboard } from '../dashboard/rig.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { freePort } from '../helpers/ports.ts';
import { buildKiosk } from '../kiosk/rig/kiosk-rig.ts';

const repo = join(import.meta.dirname, '..', '..');

/** The URLs the start banner prints. */
export interface DemoBanner {
  readonly dashboard: string;
  readonly kiosks: string[];
}

/** A running demo and a browser to look at it. */
export interface Demo {
  readonly browser: Browser;
  readonly banner: DemoBanner;
  /** Closes the browser, stops the demo (SIGTERM, waits for its exit) and removes its folder. */
  stop(): Promise<void>;
}

/** Builds the apps while Chromium starts, starts the demo in a `prefix` temp folder and waits up to 60 s for its banner. */
export async function startDemo(prefix: string): Promise<Demo> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const [browser] = await Promise.all([launchChromium(), buildDashboard(join(root, 'dist')), buildKiosk(join(root, 'dist', 'kiosk'))]);
  const [webPort, brokerPort] = [await freePort(), await freePort()];
  const hailong = spawn(
    process.execPath,
    [join(repo, 'bridge', 'bin.mjs'), 'start', '--data-dir', join(root, 'data'), '--web-root', join(root, 'dist')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HAILONG_LOG_FORMAT: 'json', HAILONG_WEB_PORT: String(webPort), HAILONG_BROKER_PORT: String(brokerPort) },
    },
  );
  const stop = async () => {
    await browser.close();
    if (hailong.exitCode === null) {
      await new Promise<void>((r) => {
        hailong.once('exit', () => r());
        hailong.kill('SIGTERM');
      });
    }
    await rm(root, { recursive: true, force: true });
  };
  let out = '';
  hailong.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  // Drained so the demo never blocks on a full stderr pipe (pipe writes are synchronous on Linux); shown if it fails to start.
  hailong.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  let banner: DemoBanner | undefined;
  while (banner === undefined) {
    const line = out.split('\n').find((l) => l.includes('"endpoints"'));
    if (line !== undefined) banner = (JSON.parse(line) as { endpoints: { web: DemoBanner } }).endpoints.web;
    if (banner === undefined && Date.now() > deadline) {
      await stop();
      throw new Error(`no start banner within 60 s:\n${out}`);
    }
    if (banner === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  return { browser, banner, stop };
}

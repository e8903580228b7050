/**
 * Debian's Chromium, driven by playwright-core, for end-to-end tests
 * (`*.e2e.test.ts`) and vitest's browser project. CI installs Debian's
 * chromium (scripts/test.sh) and cannot download another browser
 * (`npx playwright install`), so the path is fixed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (override with CHROMIUM_PATH). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for this machine: root, no GPU, no network beyond loopback. Without
 * the background-networking flags Chromium dials out at every start (for
 * component updates, sync and the like) and gets refused.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches headless Chromium. A missing binary is a hard failure with the fix
 * in the message, never a skip: CI installs it (scripts/test.sh).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run "apt-get install chromium" (scripts/test.sh does)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
}

/**
 * A persistent context (own profile folder): IndexedDB, the service worker
 * and its caches survive closing pages, as on a real tablet. Call `close()`
 * to end it and delete the profile.
 */
export async function launchPersistentChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run "apt-get install chromium" (scripts/test.sh does)`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'hailong-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

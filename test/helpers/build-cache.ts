/**
 * One Vite build of each web app per vitest run, copied to every test that
 * serves it. About twenty e2e files each built the kiosk or the dashboard
 * into their own temp folder (several seconds of CPU each on a 2-core CI
 * machine); the output is the same every time, so the first caller builds
 * it into a run-wide cache folder and every caller gets its own copy
 * (tests write into theirs, e.g. kiosk.e2e's hostile page).
 *
 * This module is also the node project's vitest `globalSetup`
 * (vitest.config.ts): `setup` makes the cache folder and names it in
 * HAILONG_TEST_BUILD_CACHE before the test workers start (they inherit the
 * main process's environment); `teardown` deletes it. Without that variable
 * (a benchmark run with tsx) every call builds afresh, as before.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Environment variable naming the run's cache folder. */
export const BUILD_CACHE_ENV = 'HAILONG_TEST_BUILD_CACHE';

/** How long a caller waits for another worker's build of the same app (ms). */
const WAIT_MS = 180_000;

/**
 * Puts the build `name` into `outDir`: `build(dir)` runs once per vitest run
 * (under a lock folder, since test files run in parallel worker processes),
 * later calls copy its output. A build that throws leaves no cache entry;
 * the next caller builds again.
 */
export async function cachedBuild(name: string, outDir: string, build: (dir: string) => Promise<void>): Promise<void> {
  const cache = process.env[BUILD_CACHE_ENV];
  if (cache === undefined || cache === '') return build(outDir);
  const done = join(cache, name);
  const lock = join(cache, `${name}.lock`);
  const deadline = Date.now() + WAIT_MS;
  while (!existsSync(done)) {
    if (await tryLock(lock)) {
      try {
        if (!existsSync(done)) {
          // Built next to its final place and renamed: a reader never sees half a build.
          const partial = join(cache, `${name}.partial`);
          await rm(partial, { recursive: true, force: true });
          await serialized(() => build(partial));
          await rename(partial, done);
        }
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
      break;
    }
    if (Date.now() > deadline) throw new Error(`waited ${WAIT_MS} ms for another worker's build of ${name} (${lock})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await cp(done, outDir, { recursive: true });
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs one build at a time in this process. buildDashboard sets NODE_ENV to
 * "production" for its build and Vite inlines NODE_ENV into the bundle: a
 * kiosk built beside it (demo.e2e starts both at once) would be built with
 * whichever value it read, and every later caller would get that build.
 */
function serialized(build: () => Promise<void>): Promise<void> {
  const run = queue.then(build);
  queue = run.catch(() => undefined);
  return run;
}

/** Takes the lock folder (mkdir is atomic); false if another process holds it. */
async function tryLock(lock: string): Promise<boolean> {
  try {
    await mkdir(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** vitest globalSetup: a fresh cache folder for this run, deleted by the returned teardown. */
export async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'hailong-build-cache-'));
  process.env[BUILD_CACHE_ENV] = dir;
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}

import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/helpers/chromium.ts';

/** End-to-end tests drive real processes and Chromium from Node, whatever app they test. */
const E2E = 'test/**/*.e2e.test.ts';

/**
 * Test projects:
 * - core: the pure survey core and the protocol codec, under Node;
 * - node: the bridge, the firmware, the web apps' builds and every `*.e2e.test.ts`, with real
 *   brokers (Aedes, Mosquitto), real ptys (socat), real Chromium
 *   (playwright-core) and the real firmware in an AVR emulator;
 * - browser: web-app components and the core in real headless Chromium
 *   (vitest browser mode).
 */
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    // One worker per core. Vitest's default for `vitest run` is cores − 1: a single
    // worker on the 2-core CI machine, which ran all 215 files one after another
    // while the e2e files mostly wait on brokers, ptys, Chromium and timers (12
    // such files used 36 % of one core). Measured on 2 cores: those 12 files took
    // 177 s with 1 worker, 100 s with 2. VITEST_MAX_WORKERS overrides it.
    maxWorkers: '100%',
    // CPU-bound property tests (thousands of fast-check runs) take 1–3 s alone; on a loaded
    // 2-core machine one took 10.5 s and failed vitest's 5 s default. A hung test still fails.
    testTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'core',
          include: ['test/core/**/*.test.ts', 'test/firmware-protocol/**/*.test.ts'],
          exclude: [E2E, 'test/firmware-protocol/avr/**'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'test/bridge/**/*.test.ts',
            'test/build/**/*.test.ts',
            'test/web-build/**/*.test.ts',
            'test/helpers/**/*.test.ts',
            'test/firmware-protocol/avr/**/*.test.ts',
            E2E,
          ],
          environment: 'node',
          // One Vite build of each web app per run, copied to the e2e files that serve it.
          globalSetup: ['test/helpers/build-cache.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/dashboard/**/*.test.{ts,tsx}', 'test/kiosk/**/*.test.{ts,tsx}'],
          exclude: [E2E],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] } }),
            instances: [{ browser: 'chromium' }],
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});

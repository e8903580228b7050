import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { build, type Plugin, type UserConfig } from 'vite';

const repo = resolve(import.meta.dirname, '..');

/**
 * Version of the service worker's caches (`hailong-dashboard-precache-v1`).
 * Precached files are revisioned anyway; bump this only to drop every cache
 * an old version left behind (e.g. after changing how files are cached).
 */
export const SW_CACHE_VERSION = 'v1';

// Vite's hashed file names (`assets/index-BXlyAx4_.js`) change with their
// content, so they need no revision of their own.
const HASHED = /^assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
}

/**
 * Builds dashboard/sw/sw.ts into `<outDir>/sw.js` once the app is written,
 * with the precache manifest (every emitted file but source maps and the
 * worker itself, with revisions) injected as `__PRECACHE_MANIFEST__`. This
 * is the injectManifest step of vite-plugin-pwa in ~40 lines, without
 * workbox-build's dependency tree.
 */
function serviceWorker(): Plugin {
  let outDir = '';
  return {
    name: 'hailong-dashboard-service-worker',
    // Tells the page whether a worker exists: true in builds, false on the dev
    // server. Not `import.meta.env.PROD`, which follows NODE_ENV (vitest sets
    // it to "test", and a build made inside a test would then skip the worker).
    config(_, { command }) {
      return { define: { __SERVICE_WORKER__: JSON.stringify(command === 'build') } };
    },
    configResolved(config) {
      if (config.command === 'build') outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      if (outDir === '' || this.meta.watchMode) return;
      const manifest: { url: string; revision: string | null }[] = [];
      for (const file of (await filesUnder(outDir)).sort()) {
        if (file.endsWith('.map') || file === 'sw.js') continue;
        const revision = HASHED.test(file) ? null : createHash('sha256').update(await readFile(join(outDir, file))).digest('hex').slice(0, 16);
        manifest.push({ url: file, revision });
      }
      await build({
        configFile: false,
        logLevel: 'warn',
        mode: 'production',
        publicDir: false,
        define: {
          __PRECACHE_MANIFEST__: JSON.stringify(manifest),
          __CACHE_VERSION__: JSON.stringify(SW_CACHE_VERSION),
          // Workbox's development logging is dropped in production.
          'process.env.NODE_ENV': JSON.stringify('production'),
        },
        build: {
          outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          target: 'es2022',
          sourcemap: false,
          minify: true,
          reportCompressedSize: false,
          rolldownOptions: {
            input: resolve(import.meta.dirname, 'sw', 'sw.ts'),
            // A classic script: module service workers are not everywhere yet.
            output: { format: 'iife', entryFileNames: 'sw.js' },
          },
        },
      });
    },
  };
}

/**
 * Vite settings of the dashboard (selected by the root vite.config.ts with
 * `--mode dashboard`). It imports the pure core from ../core.
 */
const config: UserConfig = {
  root: import.meta.dirname,
  // Relative base: the same build is served under /dashboard/ by the bridge's
  // static server, or from any sub-path an office's web server uses.
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [serviceWorker()],
  build: {
    outDir: resolve(repo, 'dist', 'dashboard'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: true,
  },
  server: { port: 5173 },
};

export default config;

import { resolve } from 'node:path';
import type { UserConfig } from 'vite';
import { serviceWorkerPlugin } from '../web-build/service-worker-plugin.ts';

const repo = resolve(import.meta.dirname, '..');

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
  // dashboard/sw/sw.ts → sw.js with its precache list (web-build/service-worker-plugin.ts).
  plugins: [serviceWorkerPlugin()],
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

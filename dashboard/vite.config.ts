import { resolve } from 'node:path';
import type { UserConfig } from 'vite';

const repo = resolve(import.meta.dirname, '..');

/**
 * Vite settings of the dashboard (selected by the root vite.config.ts with
 * `--mode dashboard`). It imports the pure core from ../core and
 * ../firmware-protocol/src.
 */
const config: UserConfig = {
  root: import.meta.dirname,
  // Relative base: the same build is served under /dashboard/ by the bridge's
  // static server, or from any sub-path an office's web server uses.
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
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

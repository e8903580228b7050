import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * Builds one web app per mode: `vite build --mode dashboard` → dist/dashboard,
 * `vite build --mode kiosk` → dist/kiosk. `npm run build` runs both.
 * Both apps import the pure core from ../core and ../firmware-protocol/src.
 */
const APPS = ['dashboard', 'kiosk'] as const;
type App = (typeof APPS)[number];

export default defineConfig(({ mode }) => {
  const app: App = (APPS as readonly string[]).includes(mode) ? (mode as App) : 'dashboard';
  return {
    root: resolve(import.meta.dirname, app),
    // Relative base: the same build is served under /dashboard/ or /kiosk/ by the
    // bridge's static server, or from any sub-path an office's web server uses.
    base: './',
    esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: resolve(import.meta.dirname, 'dist', app),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: true,
      reportCompressedSize: true,
    },
    server: { port: app === 'dashboard' ? 5173 : 5174 },
  };
});

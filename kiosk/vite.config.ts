import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Plugin, UserConfig } from 'vite';
import { serviceWorkerPlugin } from '../web-build/service-worker-plugin.ts';

const repo = resolve(import.meta.dirname, '..');
const kiosk = import.meta.dirname;

/** Stable name of the element entry (integrators link `hailong-kiosk.js`). */
const ENTRY_FILES: Readonly<Record<string, string>> = {
  'hailong-kiosk': 'hailong-kiosk.js',
};

/** After the bundle is written: copies the documented example host page next to the build. */
function kioskExample(): Plugin {
  let outDir = '';
  return {
    name: 'hailong-kiosk-example',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async writeBundle() {
      await mkdir(join(outDir, 'example'), { recursive: true });
      await copyFile(join(kiosk, 'example', 'host.html'), join(outDir, 'example', 'host.html'));
    },
  };
}

/**
 * Vite settings of the kiosk (selected by the root vite.config.ts with
 * `--mode kiosk`). One build, two entries, into dist/kiosk:
 * - `index.html`: the full-screen app and iframe URL (identity in URL parameters);
 * - `hailong-kiosk.js`: the embeddable `<hailong-kiosk>` custom element (stable name);
 * then `sw.js`, the precaching service worker (kiosk/sw, its own WebWorker
 * tsconfig), built by web-build/service-worker-plugin.ts.
 * The app imports the element entry, so both share one copy of the code.
 */
const config: UserConfig = {
  root: kiosk,
  // Relative base: the same build is served under /kiosk/ by the bridge's
  // static server, or from any sub-path an office's web server uses.
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // The integrators' example page is not part of the app: not precached.
  plugins: [kioskExample(), serviceWorkerPlugin({ ignore: ['example/**'] })],
  build: {
    outDir: resolve(repo, 'dist', 'kiosk'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: true,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: {
        index: resolve(kiosk, 'index.html'),
        'hailong-kiosk': resolve(kiosk, 'src', 'element', 'define.ts'),
      },
      // Keep the element entry's exports: a host page may import the class.
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) => ENTRY_FILES[chunk.name] ?? 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: { port: 5174 },
};

export default config;

import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Plugin, UserConfig } from 'vite';

const repo = resolve(import.meta.dirname, '..');
const kiosk = import.meta.dirname;

/** Stable names of the entry files (integrators link `hailong-kiosk.js`; the worker must keep its URL). */
const ENTRY_FILES: Readonly<Record<string, string>> = {
  'hailong-kiosk': 'hailong-kiosk.js',
  sw: 'sw.js',
};

/** The placeholder in kiosk/sw/sw.ts that receives the precache list. */
const MANIFEST_PLACEHOLDER = 'self.__WB_MANIFEST';

/**
 * After the bundle is written: injects the precache manifest ([{url,
 * revision}] of every emitted file; hashed assets need no revision) into
 * sw.js, and copies the documented example host page next to the build.
 */
function kioskExtras(): Plugin {
  let outDir = '';
  return {
    name: 'hailong-kiosk-extras',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async writeBundle(_options, bundle) {
      const entries: { url: string; revision: string | null }[] = [];
      for (const [file, item] of Object.entries(bundle)) {
        if (file === 'sw.js' || file.endsWith('.map')) continue;
        const hashed = file.startsWith('assets/');
        const source = item.type === 'chunk' ? item.code : item.source;
        const revision = hashed ? null : createHash('sha256').update(source).digest('hex').slice(0, 16);
        entries.push({ url: file, revision });
      }
      entries.sort((a, b) => a.url.localeCompare(b.url));
      const swPath = join(outDir, 'sw.js');
      const sw = await readFile(swPath, 'utf8');
      if (!sw.includes(MANIFEST_PLACEHOLDER)) throw new Error(`sw.js lost its ${MANIFEST_PLACEHOLDER} placeholder`);
      await writeFile(swPath, sw.replace(MANIFEST_PLACEHOLDER, JSON.stringify(entries)));
      await mkdir(join(outDir, 'example'), { recursive: true });
      await copyFile(join(kiosk, 'example', 'host.html'), join(outDir, 'example', 'host.html'));
    },
  };
}

/**
 * Vite settings of the kiosk (selected by the root vite.config.ts with
 * `--mode kiosk`). One build, three entries, into dist/kiosk:
 * - `index.html`: the full-screen app and iframe URL (identity in URL parameters);
 * - `hailong-kiosk.js`: the embeddable `<hailong-kiosk>` custom element (stable name);
 * - `sw.js`: the precaching service worker (kiosk/sw, its own WebWorker tsconfig).
 * The app imports the element entry, so both share one copy of the code.
 */
const config: UserConfig = {
  root: kiosk,
  // Relative base: the same build is served under /kiosk/ by the bridge's
  // static server, or from any sub-path an office's web server uses.
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // workbox reads process.env.NODE_ENV to drop its development logging.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  plugins: [kioskExtras()],
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
        sw: resolve(kiosk, 'sw', 'sw.ts'),
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

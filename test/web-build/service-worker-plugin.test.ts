/**
 * The one service-worker build of both web apps (web-build/service-worker-plugin.ts):
 * each app is built with the project's vite.config.ts, and its `sw.js` must be a
 * classic script with its versioned cache name, Workbox's production code, and
 * a precache list of exactly the files the page needs (hashed assets without a
 * revision, every other file with one). The offline behaviour itself is proven
 * in Chromium by test/kiosk/kiosk-offline.e2e.test.ts and
 * test/dashboard/dashboard.e2e.test.ts.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Entry {
  readonly url: string;
  readonly revision: string | null;
}

/** Builds `app` into a fresh folder; returns the folder and its sw.js. */
async function buildApp(app: 'dashboard' | 'kiosk'): Promise<{ out: string; sw: string; files: string[] }> {
  const out = await mkdtemp(join(tmpdir(), `hailong-sw-${app}-`));
  dirs.push(out);
  await build({ configFile: join(repo, 'vite.config.ts'), mode: app, logLevel: 'silent', build: { outDir: out } });
  const entries = await readdir(out, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => relative(out, join(e.parentPath, e.name)).split(sep).join('/'));
  return { out, sw: await readFile(join(out, 'sw.js'), 'utf8'), files: files.sort() };
}

/** The precache list Workbox wrote into the worker (one JSON array of {url, revision}). */
function manifestOf(sw: string): Entry[] {
  const match = /\[\{"revision":.*?\}\]/.exec(sw);
  if (!match) throw new Error('no precache list in sw.js');
  return (JSON.parse(match[0]) as Entry[]).slice().sort((a, b) => a.url.localeCompare(b.url));
}

const APPS = [
  {
    app: 'dashboard',
    cache: 'hailong-dashboard',
    notPrecached: [] as string[],
    mustHave: ['index.html', 'manifest.webmanifest', 'icons/icon-192.png'],
  },
  { app: 'kiosk', cache: 'hailong-kiosk', notPrecached: ['example/host.html'], mustHave: ['index.html', 'hailong-kiosk.js'] },
] as const;

describe('service workers built by vite-plugin-pwa injectManifest', () => {
  for (const { app, cache, notPrecached, mustHave } of APPS) {
    it(`${app}: sw.js precaches every file of the build but maps, itself${notPrecached.length ? ' and the example page' : ''}`, async () => {
      const { sw, files } = await buildApp(app);
      expect(sw).not.toContain('self.__WB_MANIFEST');
      const manifest = manifestOf(sw);
      const expected = files.filter((f) => !f.endsWith('.map') && f !== 'sw.js' && !(notPrecached as readonly string[]).includes(f));
      expect(manifest.map((e) => e.url)).toEqual(expected);
      for (const f of mustHave) expect(expected).toContain(f);
      for (const f of notPrecached) expect(files).toContain(f);
      for (const e of manifest) {
        // Vite's hashed names change with their content; every other file needs a revision.
        if (e.url.startsWith('assets/')) expect(e.revision, e.url).toBeNull();
        else expect(e.revision, e.url).toMatch(/^[0-9a-f]{32}$/);
      }
      // Versioned caches: the app's prefix and its version suffix (old versions' caches are dropped on activation).
      expect(sw).toContain(cache);
      expect(sw).toMatch(/["'`]v\d+["'`]/);
      // A classic script (registered without type: 'module'): module syntax would not parse as a function body.
      expect(() => new Function(sw)).not.toThrow();
      // Workbox's production build, even though vitest runs with NODE_ENV=test: no development logger.
      expect(sw).not.toContain('%cworkbox');
    });
  }
});

// `npm pack`'s prepack step: builds what `npm run build` builds unless dist/ is already
// newer than every source it is built from, so the package test (and a
// release) never ships a stale build yet does not pay ~25 s per pack for
// nothing. HAILONG_REBUILD=1 forces the build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What the build emits: one file per output, each rewritten by every build. */
const outputs = ['dist/node/bridge/cli.js', 'dist/dashboard/index.html', 'dist/kiosk/index.html'];
/** What the build reads. */
const inputs = ['bridge', 'core', 'firmware-protocol/src', 'dashboard', 'kiosk', 'web-build', 'vite.config.ts', 'package-lock.json'];

/** Newest modification time of the files under `path` (a file or folder). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

const built = outputs.map((o) => join(root, o));
const stale =
  process.env.HAILONG_REBUILD === '1' ||
  built.some((o) => !existsSync(o)) ||
  Math.min(...built.map((o) => statSync(o).mtimeMs)) < Math.max(...inputs.map((i) => newest(join(root, i))));
if (stale) buildStaged();
else console.error('dist/ is newer than its sources: packing it as built');

/**
 * `npm run build`, but into a fresh folder swapped in at the end: bridge/bin.mjs
 * of a concurrently running test or bridge must never import a half-written
 * dist/node/ (while dist/ is absent for a moment, bin.mjs runs the sources).
 */
function buildStaged() {
  const next = join(root, `dist.next-${process.pid}`);
  const old = join(root, `dist.old-${process.pid}`);
  const run = (args) => execFileSync('npx', args, { cwd: root, stdio: 'inherit' });
  try {
    for (const app of ['dashboard', 'kiosk']) run(['vite', 'build', '--mode', app, '--outDir', join(next, app), '--emptyOutDir']);
    run(['tsc', '-p', 'bridge/tsconfig.build.json', '--outDir', join(next, 'node')]);
    const dist = join(root, 'dist');
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(next, dist);
  } finally {
    rmSync(next, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --max-old-space-size=128 --optimize-for-size
// The `hailong` executable (package.json "bin"). The V8 flags keep the
// bridge's resident memory within its 120 MB budget under load: its live
// heap is ~20 MB, and without a cap V8 lets garbage grow the heap to 170 MB
// (bench/bridge-throughput). MALLOC_ARENA_MAX=2 (glibc mallopt(3),
// M_ARENA_MAX) stops glibc from giving each thread (libuv's pool, V8's
// helpers) its own malloc arena: 3 to 9 MB less peak RSS under the 8-box
// load (bench/bridge-throughput, docs/ARCHITECTURE.md). Semi-spaces of 2 MB:
// 4 MB halve the scavenges, but under a sustained 8-box load the peak RSS
// then settles at 102–105 MB instead of 98–100 (issue 14, docs/ARCHITECTURE.md),
// and the CPU per vote is within its budget either way. --optimize-for-size
// (V8: a slower-growing heap, smaller code) brings that sustained peak to
// 95.4–96.2 MB for 0.034–0.049 ms CPU per vote (6 runs). It runs the JavaScript that
// `npm run build` emits into dist/node/ when that build is newer than every
// TypeScript source (production: no loader, ~40 MB less RSS); otherwise it
// runs the sources through tsx's loader, so a developer's edit is never
// shadowed by a stale build. HAILONG_FROM_SOURCE=1 forces the sources.
// The npm package (npm pack) holds only the build, so it never needs tsx.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'node', 'bridge', 'cli.js');

/** Newest modification time of the .ts files under `dirs`. */
function newestSource(dirs) {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of dirs) if (existsSync(dir)) walk(dir);
  return newest;
}

const fresh =
  process.env.HAILONG_FROM_SOURCE !== '1' &&
  existsSync(built) &&
  statSync(built).mtimeMs >= newestSource(['bridge', 'core', join('firmware-protocol', 'src')].map((d) => join(root, d)));
let main;
if (fresh) {
  ({ main } = await import(built));
} else if (!existsSync(join(root, 'bridge', 'cli.ts'))) {
  // An installed package ships only dist/ (package.json "files"): no
  // sources, no tsx. A missing build there is a broken package, not a dev tree.
  process.stderr.write(`hailong: ${built} is missing; this package was packed without \`npm run build\`.\n`);
  process.exit(1);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));

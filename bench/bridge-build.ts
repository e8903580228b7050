/** Builds the production JavaScript of the bridge (dist/node) for the load benches, with a progress line. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The V8 flags of the `hailong` executable (bridge/bin.mjs's first line), which every load child runs with. */
export const BRIDGE_V8_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=128', '--optimize-for-size'];

/** Runs `tsc -p bridge/tsconfig.build.json`; throws with its output on failure. */
export function buildBridge(): void {
  const repo = join(import.meta.dirname, '..');
  process.stdout.write('building the bridge (tsc → dist/node)… ');
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repo, 'bridge', 'tsconfig.build.json')],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`bridge build failed:\n${r.stdout}${r.stderr}`);
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Runs the load child in `mode` and returns its JSON figures. */
export function runLoadChild(args: readonly string[]): Record<string, number | boolean> {
  // The same V8 flags as the `hailong` executable (bridge/bin.mjs).
  const r = spawnSync(process.execPath, [...BRIDGE_V8_FLAGS, join(import.meta.dirname, 'fixtures', 'bridge-load.mjs'), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 900_000,
    env: { ...process.env, MALLOC_ARENA_MAX: '2' },
  });
  if (r.status !== 0) throw new Error(`load child failed (${r.status}): ${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, number | boolean>;
}

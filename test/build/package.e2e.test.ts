/**
 * The installable package (issue #16): `npm pack`, installed into an empty
 * folder with production dependencies only, then `npx hailong start` runs
 * the demo. Proves the tarball carries the compiled bridge and the built web
 * apps, and that nothing at run time needs tsx, vite or tsc (they are
 * devDependencies, so they are absent from the install).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'hailong-package-'));
let child: ChildProcess | undefined;
let stdout = '';

beforeAll(async () => {
  // prepack (scripts/build-if-stale.mjs) builds only when dist/ is older than its sources.
  await run('npm', ['pack', '--pack-destination', dir], { cwd: REPO, maxBuffer: 1 << 24 });
  const tarball = readdirSync(dir).find((f) => /^hailong-.*\.tgz$/.test(f));
  if (tarball === undefined) throw new Error(`npm pack wrote no hailong-*.tgz into ${dir}`);
  const app = join(dir, 'app');
  rmSync(app, { recursive: true, force: true });
  // An empty project, so npm installs into app/node_modules and not a parent's.
  await run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), '{"name":"package-test","private":true}\n');
  // --prefer-offline: the packages come from the npm cache `npm ci` filled, the
  // registry only for what it lacks. --ignore-scripts skips better-sqlite3's
  // source build (1–2 min of node-gyp, already exercised by `npm ci`); its addon
  // is copied from the dev tree below (same version, same Node ABI).
  // @serialport/bindings-cpp loads its shipped prebuilds, no script needed.
  await run('npm', ['install', '--omit=dev', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(dir, tarball)], {
    cwd: app,
    maxBuffer: 1 << 24,
  });
  const addon = join('node_modules', 'better-sqlite3', 'build', 'Release');
  await run('mkdir', ['-p', join(app, addon)]);
  copyFileSync(join(REPO, addon, 'better_sqlite3.node'), join(app, addon, 'better_sqlite3.node'));
}, 300_000);

afterAll(() => {
  // npx runs hailong as its own child: kill the whole process group, or the bridge outlives the test.
  if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('installs without the build tools', () => {
    const modules = join(dir, 'app', 'node_modules');
    expect(existsSync(join(modules, 'hailong', 'dist', 'node', 'bridge', 'cli.js'))).toBe(true);
    expect(existsSync(join(modules, 'hailong', 'dist', 'dashboard', 'index.html'))).toBe(true);
    expect(existsSync(join(modules, 'hailong', 'dist', 'kiosk', 'index.html'))).toBe(true);
    // The sources stay out of the tarball: bin.mjs must run the build.
    expect(existsSync(join(modules, 'hailong', 'bridge', 'cli.ts'))).toBe(false);
    for (const tool of ['tsx', 'vite', 'typescript', 'vitest']) expect(existsSync(join(modules, tool)), tool).toBe(false);
  });

  it('`npx hailong start` serves the dashboard and the MQTT broker', async () => {
    const [web, broker] = [await freePort(), await freePort()];
    const app = join(dir, 'app');
    child = spawn('npx', ['--no-install', 'hailong', 'start'], {
      cwd: app,
      env: { ...process.env, HAILONG_WEB_PORT: String(web), HAILONG_BROKER_PORT: String(broker), HAILONG_DATA_DIR: join(app, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The start banner: the structured line that carries the endpoints.
    const dashboard = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start banner in 60 s\n${stdout}\n${stderr}`)), 60_000);
      const poll = setInterval(() => {
        const url = /"dashboard":"(http:[^"]+)"/.exec(stdout)?.[1];
        if (url !== undefined) {
          clearInterval(poll);
          clearTimeout(timer);
          resolveUrl(url);
        }
      }, 100);
      child?.once('exit', (code) => reject(new Error(`hailong exited with ${code}\n${stdout}\n${stderr}`)));
    });
    expect(dashboard).toContain(`:${web}/dashboard/`);
    const page = await fetch(dashboard);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Bảng theo dõi mức độ hài lòng');
    // Anonymous clients may read (broker "anonymous":"read"): a CONNACK proves the broker, not just a socket.
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker}`, { reconnectPeriod: 0, connectTimeout: 10_000 });
    expect(client.connected).toBe(true);
    await client.endAsync();
    // It ran the compiled build: the tsx loader is not even installed.
    expect(stderr).not.toMatch(/Cannot find (module|package)/);
  });
});

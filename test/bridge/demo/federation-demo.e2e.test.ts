/**
 * `hailong start --hub`, as a newcomer runs it: one command starts a hub and
 * three ward offices as separate processes with virtual boxes on socat
 * ptys; within a minute `mosquitto_sub -t 'hailong/v1/#'` on the hub broker
 * shows every ward's votes and the hub archive holds them; Ctrl+C stops
 * everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { freePortRun, waitForPort } from '../../helpers/ports.ts';
import { tempDir, until } from '../bridge-rig.ts';

const repo = join(import.meta.dirname, '..', '..', '..');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('hailong start --hub', () => {
  it('starts a hub and three wards as processes; every ward shows up on the hub broker and in its archive', async () => {
    const tmp = tempDir('hailong-federation-demo-');
    cleanups.push(tmp.remove);
    // The demo's wards use the three ports after the hub's.
    const web = await freePortRun(4);
    const broker = await freePortRun(4);
    const demo: ChildProcess = spawn(process.execPath, [join(repo, 'bridge', 'bin.mjs'), 'start', '--hub', '--data-dir', tmp.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HAILONG_WEB_PORT: String(web), HAILONG_BROKER_PORT: String(broker), HAILONG_LOG_LEVEL: 'warn' },
    });
    let out = '';
    demo.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    demo.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          if (demo.exitCode !== null || demo.signalCode !== null) return r();
          demo.once('exit', () => r());
          demo.kill('SIGKILL');
        }),
    );
    await waitForPort(broker, 60_000);
    // What a newcomer types to watch the district live.
    const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(broker), '-t', 'hailong/v1/#', '-v'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = '';
    sub.stdout?.on('data', (d: Buffer) => (seen += d.toString()));
    cleanups.push(() => void sub.kill('SIGKILL'));
    const wardsWithVotes = () => new Set([...seen.matchAll(/^hailong\/v1\/ba-dinh\/([a-z-]+)\/[^ ]+\/vote /gm)].map((m) => m[1]));
    await until(
      () => wardsWithVotes().size === 3,
      120_000,
      `votes of the three wards on the hub broker; demo output:\n${out.slice(-3000)}`,
    );
    const archive = join(tmp.dir, 'hub', 'archive.db');
    expect(existsSync(archive)).toBe(true);
    const db = new Database(archive, { readonly: true });
    const units = (db.prepare('SELECT DISTINCT unit FROM votes ORDER BY unit').all() as { unit: string }[]).map((r) => r.unit);
    db.close();
    expect(units).toEqual(['lieu-giai', 'phuc-xa', 'truc-bach']);
    // Ctrl+C stops every process.
    const exited = new Promise<number | null>((r) => demo.once('exit', (code) => r(code)));
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    // Every process stopped cleanly, the wards before the hub (so their "offline" reached it).
    const exits = [...out.matchAll(/demo process \\"([a-z -]+)\\" exited/g)].map((m) => m[1]);
    expect(exits).toHaveLength(7);
    expect(exits.indexOf('hub')).toBe(exits.length - 1);
    expect(out).not.toMatch(/"signal":"SIGKILL"/);
  }, 240_000);
});

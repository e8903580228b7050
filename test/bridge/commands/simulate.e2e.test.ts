/**
 * `hailong simulate` as a real process: start banner with the host paths,
 * HELLO on the line, clean exit on SIGINT (socat stopped, links removed).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ScriptedBridge } from '../simulator/scripted-bridge.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hailong-simulate-e2e-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('starts, logs the host path, says HELLO on it, and exits 0 on SIGINT leaving nothing behind', async () => {
  const ptyDir = join(dir, 'pty');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bridge/commands/simulate.ts', '--terminals', '1', '--pty-dir', ptyDir, '--ephemeral', '--seed', '3'],
    {
      cwd: join(import.meta.dirname, '../../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  try {
    const host = join(ptyDir, 'SIM-01-host');
    const deadline = Date.now() + 20_000;
    while (!out.includes(host)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no banner with ${host}:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const banner = out
      .split('\n')
      .map((l) => JSON.parse(l || '{}') as { msg?: string; name?: string })
      .find((l) => l.msg?.includes(host));
    expect(banner).toMatchObject({ name: 'hailong-simulate' });

    const port = new SerialPort({ path: host, baudRate: 115200 });
    port.on('error', () => {});
    const bridge = new ScriptedBridge(port);
    while (bridge.of('HELLO').length === 0) {
      if (Date.now() > deadline) throw new Error('no HELLO on the host end');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(bridge.of('HELLO')[0]).toMatchObject({ uid: 'SIM-01', proto: 1 });
    await new Promise<void>((resolve) => port.close(() => resolve()));

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(host)).toBe(false);
    expect(out).toContain('hailong simulate stopped');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

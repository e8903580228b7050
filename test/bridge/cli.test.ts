/**
 * The `hailong` command line as an installer meets it: real processes, real
 * files, real ptys and brokers, exit codes and messages checked.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createPtyFleet } from '../../bridge/simulator/fleet.ts';
import { localDaysOf } from '../helpers/local-days.ts';
import { freePort, waitForPort } from '../helpers/ports.ts';
import { box, tempDir, until } from './bridge-rig.ts';

const repo = join(import.meta.dirname, '..', '..');
const bin = join(repo, 'bridge', 'bin.mjs');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Runs hailong asynchronously (several at once). */
function hailongAsync(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HAILONG_LOG_FORMAT: 'json' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function hailong(args: readonly string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, HAILONG_LOG_FORMAT: 'json', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hailong CLI', () => {
  it('is run as the README writes it with the memory flags INSTALL.md relies on', () => {
    // The README's form runs bin.mjs as an executable, so its first line applies (`node bin.mjs` would skip it).
    const form = /In the repository: `([^`]+) <command>`/.exec(readFileSync(join(repo, 'README.md'), 'utf8'))?.[1];
    expect(form).toBe('./bridge/bin.mjs');
    const shebang = readFileSync(bin, 'utf8').split('\n')[0] ?? '';
    const flags = /^#!\/usr\/bin\/env -S MALLOC_ARENA_MAX=2 node (.+)$/.exec(shebang)?.[1]?.split(' ') ?? [];
    expect(flags).toContain('--max-old-space-size=128');
    // Those flags really cap the heap (what the shebang gives Node).
    const probe = spawnSync(
      process.execPath,
      [...flags, '-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))'],
      { encoding: 'utf8' },
    );
    expect(Number(probe.stdout)).toBeLessThan(200 * 1024 * 1024);
    const run = spawnSync('sh', ['-c', `${form} --version`], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
  });

  it('has --help for every command', async () => {
    const commands = ['start', 'bridge', 'hub', 'check', 'ports', 'simulate', 'mosquitto-config', 'export', 'revoke', 'report', 'dossiers'];
    const [top, unknown, ...each] = await Promise.all([
      hailongAsync(['--help']),
      hailongAsync(['frobnicate']),
      ...commands.map((c) => hailongAsync([c, '--help'])),
    ]);
    expect(top).toMatchObject({ code: 0, stdout: expect.stringMatching(/Commands:[\s\S]*mosquitto-config/) });
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown command "frobnicate"/) });
    each.forEach((r, i) => {
      expect(r.code, commands[i]).toBe(0);
      expect(r.stdout, commands[i]).toMatch(/Usage: hailong/);
      // Each command's own help (issue 17: bridge --help printed start's).
      expect(r.stdout, commands[i]).toMatch(new RegExp(`^hailong ${commands[i]}:`));
    });
  });

  it('reports every config problem together with path and line, and refuses to start', () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const file = join(tmp.dir, 'hailong.yaml');
    writeFileSync(
      file,
      [
        'district: { id: Quận 1, name: Quận 1 }',
        'ward: { id: ben-nghe, name: Phường Bến Nghé }',
        'target: 180',
        'counters:',
        '  - id: quay-1',
        '    name: Quầy 1',
        '    terminals:',
        '      - { id: hop-1, kind: button }',
        'web: { port: http }',
        '',
      ].join('\n'),
    );
    const check = hailong(['check', '--config', file]);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('invalid config');
    expect(check.stderr).toMatch(/district\.id \(line 1\): "Quận 1" is not a valid id/);
    expect(check.stderr).toMatch(/target \(line 3\): 180 is outside 0\.\.100/);
    expect(check.stderr).toMatch(/counters\[0\]\.terminals\[0\]\.uid \(line 8\): is required/);
    expect(check.stderr).toMatch(/web\.port \(line 9\): must be a whole number/);
    const start = hailong(['bridge', '--config', file]);
    expect(start.code).toBe(2);
    expect(start.stderr).toContain('district.id (line 1)');
    expect(hailong(['check', '--config', join(repo, 'hailong.example.yaml')])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/valid/),
    });
  });

  it('ports --probe shows the uid of the box on a port, and its send window', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const fleet = await createPtyFleet(1, { dir: tmp.dir, terminal: { helloIntervalMs: 300, inFlight: 16 } });
    cleanups.push(() => fleet.close());
    fleet.start();
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'ports', '--probe', '--seconds', '5', '--port', fleet.hostPaths[0] as string], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => resolve({ code, out }));
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain(fleet.hostPaths[0]);
    expect(r.out).toMatch(/hailong box: uid SIM-01, model \S+, firmware \S+, 3 buttons, \d+ votes pending, send window 16/);
  });

  it('bridge + mosquitto_sub: votes, statuses and tallies on the topic scheme; export writes them as CSV', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const fleet = await createPtyFleet(1, { dir: tmp.dir, terminal: { helloIntervalMs: 300, ackTimeoutMs: 300 } });
    cleanups.push(() => fleet.close());
    const brokerPort = await freePort();
    const config = join(tmp.dir, 'hailong.yaml');
    writeFileSync(
      config,
      stringify({
        district: { id: 'ba-dinh', name: 'Quận Ba Đình' },
        ward: { id: 'phuc-xa', name: 'Phường Phúc Xá' },
        // No cooldown: the two presses below come right after each other.
        rating: { cooldownMs: 0 },
        counters: [{ id: box(0).counter, name: 'Quầy 1 – Tư pháp', terminals: [{ id: box(0).terminal, uid: box(0).uid }] }],
        serial: { ports: fleet.hostPaths, scanIntervalMs: 200 },
        broker: { port: brokerPort, host: '127.0.0.1', anonymous: 'read' },
        dataDir: join(tmp.dir, 'data'),
      }),
    );
    const bridge = spawn(process.execPath, [bin, 'bridge', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HAILONG_LOG_FORMAT: 'json' },
    });
    let log = '';
    bridge.stdout.on('data', (d: Buffer) => (log += d.toString()));
    // Read stderr too: a pipe nobody drains blocks the child once 64 KB sit in it (writes to pipes are synchronous on Linux).
    bridge.stderr.on('data', (d: Buffer) => (log += d.toString()));
    cleanups.push(
      () => new Promise<void>((r) => (bridge.exitCode !== null ? r() : (bridge.once('exit', () => r()), bridge.kill('SIGTERM')))),
    );
    await waitForPort(brokerPort, 20_000);
    // The real Mosquitto client, as an installer would check it.
    const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(brokerPort), '-t', 'hailong/v1/#', '-v'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => void sub.kill());
    let seen = '';
    let subErr = '';
    sub.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    sub.stderr.on('data', (d: Buffer) => (subErr += d.toString()));
    const what = () =>
      `mosquitto_sub ${sub.exitCode === null ? 'runs' : `exited ${sub.exitCode}`}; its stderr: ${subErr || '(none)'}\n` +
      `it printed:\n${seen || '(nothing)'}\nthe box: ${fleet.terminals[0]?.phase}\nthe bridge log (tail):\n${log.slice(-4000)}`;
    fleet.start();
    await until(() => fleet.terminals[0]?.phase === 'session', 15_000, 'session', what);
    fleet.terminals[0]?.press(1);
    fleet.terminals[0]?.press(2);
    await until(
      () => (seen.match(/\/vote /g) ?? []).length >= 2 && /\/tally\/\d{4}-\d{2} /.test(seen),
      15_000,
      'votes and a tally in mosquitto_sub',
      what,
    );
    expect(seen).toMatch(/^hailong\/v1\/ba-dinh\/phuc-xa\/quay-1\/hop-1\/vote \{"v":1,"id":"hop-1:\d+"/m);
    expect(seen).toMatch(/^hailong\/v1\/ba-dinh\/phuc-xa\/quay-1\/hop-1\/status \{"v":1,"state":"online"/m);
    expect(seen).toMatch(/^hailong\/v1\/ba-dinh\/phuc-xa\/quay-1\/hop-1\/tally\/\d{4}-\d{2} \{"v":1/m);
    expect(seen).toMatch(/^hailong\/v1\/ba-dinh\/phuc-xa\/_bridge\/status \{"v":1,"state":"online"/m);
    expect(seen).toMatch(/^hailong\/v1\/ba-dinh\/phuc-xa\/_office \{/m);
    // The start banner names the ports.
    expect(log).toContain(`mqtt://localhost:${brokerPort}`);
    // export while the bridge runs (WAL readers do not block it).
    // Export the Hà Nội days the bridge stamped the votes with, not "today" read now: votes pressed at
    // 23:59:59 and exported after midnight would be missed (test/helpers/local-days.ts).
    const pressedAt = [...seen.matchAll(/^\S+\/vote (\{.*\})$/gm)].map((m) => (JSON.parse(m[1]!) as { pressedAt: number }).pressedAt);
    expect(pressedAt).toHaveLength(2);
    const pressed = localDaysOf(pressedAt);
    const out = join(tmp.dir, 'votes.csv');
    const exported = hailong(['export', '--config', config, '--from', pressed.from, '--to', pressed.to, '--out', out]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/Done: 2 votes written/);
    const csv = readFileSync(out, 'utf8');
    expect(csv.startsWith('\uFEFFMã phiếu (id),')).toBe(true);
    const rows = csv.trim().split('\r\n');
    expect(rows).toHaveLength(3);
    // Rows are in press order; the two presses may share a millisecond either way round.
    for (const row of rows.slice(1))
      expect(row).toMatch(/^hop-1:(\d+),ba-dinh,phuc-xa,quay-1,hop-1,\1,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},(Rất hài lòng|Hài lòng),có,/);
    expect(
      rows
        .slice(1)
        .map((r) => r.split(',')[7])
        .sort(),
    ).toEqual(['Hài lòng', 'Rất hài lòng']);
  });
});
